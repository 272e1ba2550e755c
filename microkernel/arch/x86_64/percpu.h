// Per-CPU state, reached through the GS base in kernel mode (swapgs on every
// entry from user mode). Everything that is "the current X" lives here and
// nowhere else, so a second CPU later gets its own block instead of fighting
// over globals.
#pragma once

#include "asm_offsets.h"
#include "trap_frame.h"

#include <cstddef>
#include <cstdint>

namespace rayos {
class Thread;
}

namespace rayos::arch {

struct Tss; // gdt.h

struct PerCpu {
    PerCpu* self;              // PERCPU_SELF: lets C++ find the block with one gs load
    uint64_t kernel_stack_top; // PERCPU_KERNEL_STACK_TOP
    uint64_t context_top;      // PERCPU_CONTEXT_TOP: end of the current thread's TrapFrame
    uint64_t user_rsp;         // PERCPU_USER_RSP: scratch for syscall_entry
    Thread* current;           // thread whose TrapFrame context_top points into
    Thread* fpu_owner;         // thread whose FPU/SSE registers are live in the CPU
    Thread* direct_next;       // woken by IPC to run next without queueing (sched.cpp)
    Tss* tss;
    uint32_t cpu_index;
};
static_assert(offsetof(PerCpu, self) == PERCPU_SELF);
static_assert(offsetof(PerCpu, kernel_stack_top) == PERCPU_KERNEL_STACK_TOP);
static_assert(offsetof(PerCpu, context_top) == PERCPU_CONTEXT_TOP);
static_assert(offsetof(PerCpu, user_rsp) == PERCPU_USER_RSP);

inline PerCpu& this_cpu() {
    PerCpu* p;
    asm volatile("mov %%gs:0, %0" : "=r"(p));
    return *p;
}

// Sets up the boot CPU's block, GDT, TSS and GS base.
void init_boot_cpu();

// Makes `frame` the place where the next entry from user mode saves state.
inline void set_user_context(PerCpu& cpu, TrapFrame* frame);

} // namespace rayos::arch

#include "gdt.h"

namespace rayos::arch {
inline void set_user_context(PerCpu& cpu, TrapFrame* frame) {
    uint64_t top = reinterpret_cast<uint64_t>(frame + 1);
    cpu.context_top = top;
    cpu.tss->rsp[0] = top;
}
} // namespace rayos::arch
