// Interrupt descriptor table (Intel SDM Vol.3 §6.14). All 256 vectors go
// through the stubs in entry.S; vectors 0-31 are CPU exceptions, 32-47 the
// legacy PIC's IRQs 0-15.
#pragma once

#include <cstdint>

namespace rayos::arch {

constexpr uint8_t kIrqBase = 32;
constexpr uint8_t kVectorTimer = kIrqBase + 0;
constexpr uint8_t kVectorSpurious = 0xFF;

void init_idt();

// Human-readable exception name, e.g. "page fault" (or "interrupt").
const char* exception_name(uint64_t vector);
// Short mnemonic, e.g. "#PF".
const char* exception_mnemonic(uint64_t vector);

} // namespace rayos::arch
