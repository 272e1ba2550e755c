// FPU/SSE state. The kernel is built without SSE, so user FPU registers stay
// untouched while the kernel runs; they are saved (fxsave) and restored
// (fxrstor) only when the CPU switches to a different user thread.
// (AVX state would need xsave: qemu64 has no AVX; see docs/CAVEATS.md.)
#pragma once

#include <cstdint>

namespace rayos::arch {

struct alignas(16) FpuState {
    uint8_t bytes[512]; // fxsave image (Intel SDM Vol.1 §10.5.1)
};

// Enables SSE for user mode (CR0.MP, !CR0.EM, CR4.OSFXSR|OSXMMEXCPT) and
// records the clean initial state.
void fpu_init();
// A fresh thread's state: default control words, all registers zero.
void fpu_init_state(FpuState& state);
inline void fpu_save(FpuState& state) {
    asm volatile("fxsaveq %0" : "=m"(state));
}
inline void fpu_restore(const FpuState& state) {
    asm volatile("fxrstorq %0" ::"m"(state));
}

} // namespace rayos::arch
