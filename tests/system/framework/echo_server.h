// The sample Echo server (echo.capnp) for IDL system tests and benchmarks,
// started on its own thread in a private copy of the program's address
// space, with its own IPC buffer, receive slots and shared-frame window.
#pragma once

#include <rayos/idl/echo.rpc.h>

#include <cstdint>

namespace rayos::test {

struct EchoInstance {
    uint64_t endpoint = 0; // the server's endpoint (all rights)
    uint64_t offset = 0;   // added to every sum
};

// Starts an Echo server in another address space at `priority`; false if
// anything could not be created.
bool start_echo_server(EchoInstance& instance, uint64_t offset, uint64_t priority = 100);

// A Frame mapped writable in this program at a fresh address, for
// rpc::SharedBuffer; false on failure.
bool make_shared_buffer(rpc::SharedBuffer& buffer);

} // namespace rayos::test
