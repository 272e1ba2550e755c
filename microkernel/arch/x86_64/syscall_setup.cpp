#include "syscall_setup.h"

#include "asm_offsets.h"
#include "cpu.h"

extern "C" void syscall_entry();

namespace rayos::arch {

void syscall_init() {
    wrmsr(kMsrEfer, rdmsr(kMsrEfer) | kEferSyscall);
    // STAR[47:32]: syscall CS (SS = +8); STAR[63:48]: sysret base (SS = +8, CS = +16).
    wrmsr(kMsrStar, (uint64_t(GDT_KERNEL_DATA | 3) << 48) | (uint64_t(GDT_KERNEL_CODE) << 32));
    wrmsr(kMsrLstar, reinterpret_cast<uint64_t>(syscall_entry));
    constexpr uint64_t kTf = 1 << 8, kIf = 1 << 9, kDf = 1 << 10, kAc = 1 << 18, kNt = 1 << 14;
    wrmsr(kMsrFmask, kTf | kIf | kDf | kAc | kNt);
}

} // namespace rayos::arch
