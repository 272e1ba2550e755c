// The Console interface (idl/console.capnp) over one UART.
//
// Output: every write is put out whole, so text from different callers
// never mixes inside a line: when a caller writes while another caller's
// line is unfinished on the screen, the console starts a new line first.
//
// Input: bytes arrive by interrupt into a buffer; read returns what is
// there, or — when nothing is — keeps the caller waiting (a deferred reply)
// until the next byte arrives. Readers are served in arrival order. Nothing
// typed is lost: when the buffer is full, the receive interrupt is turned
// off and the bytes wait in the UART (QEMU then holds back the host side)
// until a read makes room.
#pragma once

#include "uart.h"

#include <rayos/idl/console.rpc.h>
#include <rayos/limits.h>
#include <rayos/rpc.h>

namespace rayos::console {

class ConsoleService final : public idl::console::ConsoleServer {
public:
    explicit ConsoleService(Uart& uart) : uart_(uart) {}
    void attach(rpc::Server& server) { server_ = &server; }

    RpcError write(rpc::CallContext& call, idl::console::WriteRequest::Reader params,
                   idl::console::WriteResult::Builder result) override;
    RpcError read(rpc::CallContext& call, idl::console::ReadRequest::Reader params,
                  idl::console::ReadResult::Builder result) override;
    // The UART's interrupt (a signal of the bound notification).
    RpcError other(rpc::Incoming& in) override;

private:
    struct Waiting {
        rpc::Deferred call;
        uint64_t badge; // who waits
        uint32_t max_bytes;
    };
    // Copies up to `max` buffered input bytes to out; how many.
    uint32_t peek(uint8_t* out, uint32_t max) const;
    // Drops the first `n` buffered bytes (they were delivered).
    void consume(uint32_t n);
    // Moves what the UART received into the buffer.
    void receive();
    void answer_waiting();

    Uart& uart_;
    rpc::Server* server_ = nullptr;

    uint8_t input_[limits::kConsoleInputBytes] = {};
    uint32_t input_head_ = 0; // next byte to read
    uint32_t input_count_ = 0;
    bool receiving_paused_ = false; // buffer full: the receive interrupt is off

    Waiting waiting_[limits::kConsoleWaitingReaders] = {};
    uint32_t waiting_count_ = 0;

    uint64_t line_owner_ = 0; // badge of the caller whose line is unfinished
    bool mid_line_ = false;
};

} // namespace rayos::console
