// The legacy 8259 interrupt controller pair: remapped to vectors 32-47 and
// kept masked except for the IRQs the kernel uses.
#pragma once

#include <cstdint>

namespace rayos::arch {

void pic_init();
void pic_unmask(uint8_t irq);
void pic_mask(uint8_t irq);
void pic_end_of_interrupt(uint8_t irq);
// True if `irq` (7 or 15) was spurious and must not be acknowledged.
bool pic_is_spurious(uint8_t irq);

} // namespace rayos::arch
