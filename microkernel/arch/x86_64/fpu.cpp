#include "fpu.h"

#include "cpu.h"

namespace rayos::arch {
namespace {
FpuState initial_state;
}

void fpu_init() {
    uint64_t cr0 = read_cr0();
    cr0 &= ~(1ull << 2); // EM: no emulation
    cr0 |= 1ull << 1;    // MP
    cr0 &= ~(1ull << 3); // TS: no lazy switching
    write_cr0(cr0);
    write_cr4(read_cr4() | (1ull << 9) | (1ull << 10)); // OSFXSR, OSXMMEXCPT
    asm volatile("fninit");
    uint32_t mxcsr = 0x1F80; // all SSE exceptions masked, round to nearest
    asm volatile("ldmxcsr %0" ::"m"(mxcsr));
    fpu_save(initial_state);
}

void fpu_init_state(FpuState& state) {
    state = initial_state;
}

} // namespace rayos::arch
