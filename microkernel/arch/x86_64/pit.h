// The 8253/8254 programmable interval timer, channel 0, as the periodic
// scheduler tick (IRQ 0).
#pragma once

#include <cstdint>

namespace rayos::arch {

constexpr uint32_t kPitFrequency = 1193182; // Hz

// Programs a periodic interrupt at about `hz` and unmasks IRQ 0.
void pit_start(uint32_t hz);

} // namespace rayos::arch
