// 16550 UART over an I/O-port capability (see uart.h).
#include "uart.h"

#include <rayos/invoke.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace rayos::console {
namespace {

constexpr uint16_t kData = 0;        // receive buffer / transmit holding register
constexpr uint16_t kIrqEnable = 1;   // bit 0: received data available
constexpr uint16_t kFifoControl = 2; // bit 0 FIFO on, 1-2 clear, 6-7 trigger level
constexpr uint16_t kModemControl = 4;
constexpr uint16_t kLineStatus = 5; // bit 0 data ready, bit 5 transmit holding empty

constexpr uint8_t kDataReady = 0x01;
constexpr uint8_t kTransmitEmpty = 0x20;

// Once started, the console's port and IRQ capabilities cannot fail: if
// one does, its own state is broken (a slot number or the port base went
// wrong in memory). Carrying on would leave a console that runs but reads
// or writes nothing, which no supervisor sees; stopping with an error
// makes init start a fresh one.
[[noreturn]] void broken(const char* what, int64_t status) {
    print("console: %s failed (%s): its state is broken; stopping for a restart\n", what,
          abi::status_name(sys::status(status)));
    exit_thread(1);
}

} // namespace

uint8_t Uart::in(uint16_t offset) {
    int64_t value = inv::ioport_in(ports_, base_ + offset, 1);
    if (value < 0 && started_) broken("reading COM1", value);
    return value < 0 ? 0 : uint8_t(value);
}

void Uart::out(uint16_t offset, uint8_t value) {
    int64_t done = inv::ioport_out(ports_, base_ + offset, 1, value);
    if (done < 0 && started_) broken("writing COM1", done);
}

bool Uart::start(uint64_t notification) {
    if (inv::ioport_in(ports_, base_ + kLineStatus, 1) < 0) return false;
    if (inv::irq_handler_set_notification(irq_, notification) != 0) return false;
    out(kFifoControl, 0x01);  // FIFO on (not cleared: keep what was typed), interrupt at every byte
    out(kModemControl, 0x0B); // DTR, RTS, OUT2 (gates the line to the PIC)
    // Off, then on: if bytes were typed while no console ran (a restart),
    // the UART's interrupt line is high already and the PIC, which sees
    // edges, would wait for ever; dropping it first gives the edge that
    // brings them in.
    receive_interrupt(false);
    receive_interrupt(true);
    started_ = true;
    ack();
    return true;
}

void Uart::put(uint8_t byte) {
    // The holding register is free within a character time; QEMU's is at once.
    while (!(in(kLineStatus)&kTransmitEmpty)) {
    }
    out(kData, byte);
}

void Uart::write(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        if (text[i] == '\n' && last_ != '\r') put('\r');
        put(uint8_t(text[i]));
        last_ = text[i];
    }
}

size_t Uart::drain(uint8_t* out_bytes, size_t capacity) {
    size_t n = 0;
    while (n < capacity && data_ready())
        out_bytes[n++] = in(kData);
    return n;
}

bool Uart::transmit_empty() {
    return (in(kLineStatus)&kTransmitEmpty) != 0;
}

bool Uart::data_ready() {
    return (in(kLineStatus)&kDataReady) != 0;
}

void Uart::receive_interrupt(bool on) {
    out(kIrqEnable, on ? 0x01 : 0x00); // received data available
}

void Uart::ack() {
    int64_t done = inv::irq_handler_ack(irq_);
    if (done < 0 && started_) broken("acknowledging IRQ 4", done);
}

} // namespace rayos::console
