#include "pit.h"

#include "cpu.h"
#include "pic.h"

namespace rayos::arch {

void pit_start(uint32_t hz) {
    uint32_t divisor = kPitFrequency / hz;
    if (divisor > 0xFFFF) divisor = 0xFFFF;
    if (divisor < 1) divisor = 1;
    outb(0x43, 0x34); // channel 0, lobyte/hibyte, mode 2 (rate generator)
    outb(0x40, divisor & 0xFF);
    outb(0x40, divisor >> 8);
    pic_unmask(0);
}

} // namespace rayos::arch
