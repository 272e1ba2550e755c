#include "pic.h"

#include "cpu.h"
#include "idt.h"

namespace rayos::arch {
namespace {
constexpr uint16_t kMasterCommand = 0x20, kMasterData = 0x21;
constexpr uint16_t kSlaveCommand = 0xA0, kSlaveData = 0xA1;
uint16_t mask = 0xFFFF & ~(1u << 2); // cascade line stays open
} // namespace

void pic_init() {
    outb(kMasterCommand, 0x11); // ICW1: init, expect ICW4
    outb(kSlaveCommand, 0x11);
    outb(kMasterData, kIrqBase); // ICW2: vector offsets
    outb(kSlaveData, kIrqBase + 8);
    outb(kMasterData, 4); // ICW3: slave on IRQ2
    outb(kSlaveData, 2);
    outb(kMasterData, 0x01); // ICW4: 8086 mode
    outb(kSlaveData, 0x01);
    outb(kMasterData, mask & 0xFF);
    outb(kSlaveData, mask >> 8);
}

void pic_unmask(uint8_t irq) {
    mask &= ~(1u << irq);
    outb(kMasterData, mask & 0xFF);
    outb(kSlaveData, mask >> 8);
}

void pic_mask(uint8_t irq) {
    mask |= 1u << irq;
    outb(kMasterData, mask & 0xFF);
    outb(kSlaveData, mask >> 8);
}

void pic_end_of_interrupt(uint8_t irq) {
    if (irq >= 8) outb(kSlaveCommand, 0x20);
    outb(kMasterCommand, 0x20);
}

bool pic_is_spurious(uint8_t irq) {
    if (irq != 7 && irq != 15) return false;
    uint16_t port = irq == 7 ? kMasterCommand : kSlaveCommand;
    outb(port, 0x0B); // read the in-service register
    bool in_service = inb(port) & 0x80;
    if (!in_service && irq == 15) outb(kMasterCommand, 0x20); // master saw the cascade
    return !in_service;
}

} // namespace rayos::arch
