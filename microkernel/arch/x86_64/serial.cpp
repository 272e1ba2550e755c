#include "serial.h"

#include "cpu.h"

namespace rayos::arch {
namespace {
constexpr uint16_t kCom1 = 0x3F8;
constexpr uint8_t kLineStatusTransmitEmpty = 1 << 5;
} // namespace

void serial_init() {
    outb(kCom1 + 1, 0x00); // no UART interrupts
    outb(kCom1 + 3, 0x80); // DLAB on: set the divisor
    outb(kCom1 + 0, 0x01); // 115200 baud
    outb(kCom1 + 1, 0x00);
    outb(kCom1 + 3, 0x03); // 8 data bits, no parity, 1 stop bit
    outb(kCom1 + 2, 0xC7); // FIFO on, cleared, 14-byte threshold
    outb(kCom1 + 4, 0x03); // DTR, RTS
}

void serial_write(const char* text, size_t length) {
    for (size_t i = 0; i < length; ++i) {
        if (text[i] == '\n') {
            while (!(inb(kCom1 + 5) & kLineStatusTransmitEmpty)) {
            }
            outb(kCom1, '\r');
        }
        while (!(inb(kCom1 + 5) & kLineStatusTransmitEmpty)) {
        }
        outb(kCom1, static_cast<uint8_t>(text[i]));
    }
}

} // namespace rayos::arch
