// The boot CPU's per-CPU block. Its kernel stack and IST stacks are defined
// in entry.S (below a guard page).
#include "percpu.h"

#include "cpu.h"
#include "gdt.h"

extern "C" char kernel_boot_stack_top[];
extern "C" char double_fault_stack_top[];
extern "C" char nmi_stack_top[];

namespace rayos::arch {
namespace {
PerCpu boot_cpu;
Tss boot_tss;
} // namespace

void init_boot_cpu() {
    boot_cpu.self = &boot_cpu;
    boot_cpu.kernel_stack_top = reinterpret_cast<uint64_t>(kernel_boot_stack_top);
    boot_cpu.tss = &boot_tss;
    boot_cpu.cpu_index = 0;
    boot_tss.ist[kIstDoubleFault - 1] = reinterpret_cast<uint64_t>(double_fault_stack_top);
    boot_tss.ist[kIstNmi - 1] = reinterpret_cast<uint64_t>(nmi_stack_top);
    load_gdt_and_tss(boot_tss);
    // In the kernel GS points at the block; KERNEL_GS_BASE holds the user's
    // GS base (0) until the first swapgs.
    wrmsr(kMsrGsBase, reinterpret_cast<uint64_t>(&boot_cpu));
    wrmsr(kMsrKernelGsBase, 0);
}

} // namespace rayos::arch
