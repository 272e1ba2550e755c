// Switching the CPU to a thread: CPU-time accounting, FPU/SSE state, FS
// base, address space and the per-CPU context pointers. Inline because both
// the scheduler and the IPC fast path end in it.
#pragma once

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "kernel/config.h"
#include "object/address_space.h"
#include "object/thread.h"

namespace rayos::sched {

inline void switch_to(arch::PerCpu& cpu, Thread* next) {
    Thread* previous = cpu.current;
    if (previous != next) {
        uint64_t now = arch::rdtsc();
        if (previous) previous->counters.cpu_cycles += now - previous->run_start_cycles;
        next->run_start_cycles = now;
        if (cpu.fpu_owner != next) {
            // (fpu_owner never names a thread whose memory is gone: see
            // sched::forget and the release of pool threads.)
            if (cpu.fpu_owner) arch::fpu_save(cpu.fpu_owner->fpu);
            arch::fpu_restore(next->fpu);
            cpu.fpu_owner = next;
        }
        arch::wrmsr(arch::kMsrFsBase, next->fs_base);
        next->space->activate();
        arch::set_user_context(cpu, &next->frame);
        cpu.current = next;
        next->counters.context_switches++;
    }
    next->state = ThreadState::Running;
}

// Runs `thread` (ready, not queued) now: the IPC fast path's direct switch.
[[noreturn]] inline void run_now(Thread* thread) {
    thread->slice_left = config::kTimeSliceTicks;
    switch_to(arch::this_cpu(), thread);
    return_to_user(&thread->frame);
}

} // namespace rayos::sched
