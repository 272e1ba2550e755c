// The syscall/sysret MSRs (Intel SDM Vol.3 §5.8.8): entry point, segment
// bases, and the RFLAGS bits cleared on entry (IF: the kernel runs with
// interrupts off; DF, TF, AC).
#pragma once

namespace rayos::arch {
void syscall_init();
}
