// A 16550 UART (COM1) driven through an I/O-port capability: receive by
// interrupt (the IRQ handler signals the console's notification), transmit
// by writing the holding register when it is empty.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::console {

class Uart {
public:
    // `ports`: an IoPort capability covering base..base+7; `irq`: an
    // IrqHandler capability for the UART's line; `notification`: where its
    // interrupts are signalled.
    Uart(uint64_t ports, uint64_t irq, uint16_t base) : ports_(ports), irq_(irq), base_(base) {}

    // Enables the receive interrupt (FIFO on, one-byte trigger) and binds
    // the IRQ to `notification`. False if a capability does not work.
    [[nodiscard]] bool start(uint64_t notification);
    // Writes bytes, a "\n" not preceded by "\r" as "\r\n".
    void write(const char* text, size_t length);
    // After start(), a port or IRQ invocation that fails stops the program
    // with exit code 1 (fail-stop: init restarts it; uart.cpp says why).
    // Moves received bytes to out[0, capacity); returns how many (bytes
    // beyond `capacity` stay in the UART). Call after each interrupt, then
    // ack().
    size_t drain(uint8_t* out, size_t capacity);
    void ack();
    // Whether received bytes raise the interrupt. Off while nobody can take
    // input: the bytes then wait in the UART and, behind it, in the host.
    void receive_interrupt(bool on);

private:
    void put(uint8_t byte);
    bool data_ready();
    bool transmit_empty();
    uint8_t in(uint16_t offset);
    void out(uint16_t offset, uint8_t value);

    uint64_t ports_;
    uint64_t irq_;
    uint16_t base_;
    char last_ = 0; // the last byte written
    bool started_ = false;
};

} // namespace rayos::console
