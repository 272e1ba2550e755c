// Stack protector for debug kernels (-fstack-protector-strong
// -mstack-protector-guard=global): functions with arrays compare a canary
// below their return address with __stack_chk_guard on return. The value is
// fixed at build time and re-seeded at boot before any protected function
// returns into a frame that could hold the old value (kernel_main is built
// without the protector for that reason).
#include "panic.h"

#include <cstdint>

extern "C" {
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766;

[[noreturn]] void __stack_chk_fail() {
    rayos::panic("kernel stack smashing detected");
}
}
