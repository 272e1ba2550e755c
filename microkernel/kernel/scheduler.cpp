#include "scheduler.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/power.h"
#include "kernel/log.h"
#include "kernel/switch.h"
#include "mm/kernel_space.h"
#include "mm/user_memory.h"
#include "object/address_space.h"
#include "object/endpoint.h"
#include "object/notification.h"

#include <rayos/abi/syscall_numbers.h>

namespace rayos::sched {
namespace detail {
RunQueue<Thread> ready_queue;
}
namespace {

constexpr uint64_t kSyscallInstructionBytes = 2; // syscall: 0f 05

using detail::ready_queue;
volatile uint64_t tick_count = 0;

void account(Thread* thread) {
    if (!thread) return;
    uint64_t now = arch::rdtsc();
    thread->counters.cpu_cycles += now - thread->run_start_cycles;
    thread->run_start_cycles = now;
}

// Releases a stopped thread's slot once nobody can ask about it any more.
void release(Thread* thread) {
    arch::PerCpu& cpu = arch::this_cpu();
    if (cpu.fpu_owner == thread) cpu.fpu_owner = nullptr;
    if (cpu.current == thread) cpu.current = nullptr;
    thread->release();
}

void complete_join(Thread* joiner, Thread* target) {
    auto copied = copy_to_user(*joiner->space, joiner->join_result_address, &target->stop_info,
                               sizeof(target->stop_info));
    joiner->frame.rax = static_cast<uint64_t>(copied ? Status::Ok : copied.error());
    joiner->join_target = nullptr;
    target->joiner = nullptr;
    release(target);
    make_ready(joiner);
}

} // namespace

uint64_t ticks() {
    return tick_count;
}

void make_ready(Thread* thread) {
    thread->state = ThreadState::Ready;
    thread->slice_left = config::kTimeSliceTicks;
    ready_queue.push_back(thread);
}

void make_ready_next(Thread* thread) {
    arch::PerCpu& cpu = arch::this_cpu();
    if (cpu.direct_next || ready_queue.has_above(thread->priority)) {
        make_ready(thread);
        return;
    }
    thread->state = ThreadState::Ready;
    thread->slice_left = config::kTimeSliceTicks;
    cpu.direct_next = thread;
}

// The thread that stopped last, for the report when none is left.
const Thread* last_stopped = nullptr;

// A thread that stops or is suspended while it waits in thread_join stops
// waiting: its target must not complete a join into it later.
void abandon_join(Thread* thread) {
    if (thread->state != ThreadState::BlockedJoin) return;
    if (thread->join_target) thread->join_target->joiner = nullptr;
    thread->join_target = nullptr;
    thread->frame.rax = static_cast<uint64_t>(Status::Preempted);
}

void stop(Thread* thread, const abi::ThreadStopInfo& info) {
    last_stopped = thread;
    abandon_join(thread);
    arch::PerCpu& cpu = arch::this_cpu();
    if (cpu.direct_next == thread)
        cpu.direct_next = nullptr;
    else if (thread->state == ThreadState::Ready)
        ready_queue.remove(thread);
    if (thread->state == ThreadState::BlockedIpc) ipc::cancel_thread(*thread);
    account(thread);
    thread->stop_info = info;
    thread->state = ThreadState::Stopped;
    if (thread->joiner) complete_join(thread->joiner, thread);
}

void suspend(Thread* thread) {
    arch::PerCpu& cpu = arch::this_cpu();
    abandon_join(thread);
    if (cpu.direct_next == thread)
        cpu.direct_next = nullptr;
    else if (thread->state == ThreadState::Ready)
        ready_queue.remove(thread);
    if (thread->state == ThreadState::BlockedIpc) {
        // A thread whose fault waits for its handler keeps its registers
        // (the fault came in the middle of its code): resumed, it runs the
        // faulting instruction again and faults again. One whose exit is
        // being reported calls thread_exit again. A caller whose delayed
        // reply is held has it: its call succeeded. Any other blocked call
        // ends with Preempted.
        bool faulted = thread->ipc_fault;
        bool exiting =
            faulted && abi::MessageInfo::label(thread->fault_message[0]) == abi::kFaultExit;
        bool answered = thread->ipc_wait == IpcWait::Delayed;
        ipc::cancel_thread(*thread);
        if (exiting) {
            thread->frame.rip -= kSyscallInstructionBytes;
            thread->frame.rax = abi::syscall_number::thread_exit;
        } else if (!faulted) {
            thread->frame.rax = static_cast<uint64_t>(answered ? Status::Ok : Status::Preempted);
        }
    }
    if (thread == cpu.current) account(thread);
    thread->state = ThreadState::Inactive;
}

void set_priority(Thread* thread, uint8_t priority) {
    bool queued = thread->state == ThreadState::Ready && arch::this_cpu().direct_next != thread;
    if (queued) ready_queue.remove(thread);
    thread->priority = priority;
    if (queued) ready_queue.push_back(thread);
}

void forget(Thread* thread) {
    arch::PerCpu& cpu = arch::this_cpu();
    if (last_stopped == thread) last_stopped = nullptr;
    if (cpu.fpu_owner == thread) cpu.fpu_owner = nullptr;
    if (cpu.direct_next == thread) cpu.direct_next = nullptr;
}

void yield_current() {
    Thread* self = current();
    if (self && self->state == ThreadState::Running) make_ready(self);
}

void join(Thread* self, Thread* target, uint64_t result_address) {
    if (target->state == ThreadState::Stopped) {
        self->join_result_address = result_address;
        target->joiner = self;
        self->state = ThreadState::BlockedJoin; // complete_join makes it ready again
        complete_join(self, target);
        return;
    }
    self->state = ThreadState::BlockedJoin;
    self->join_target = target;
    self->join_result_address = result_address;
    target->joiner = self;
}

void on_timer_tick() {
    tick_count = tick_count + 1;
    notification::fire_due(tick_count);
    ipc::release_delayed(tick_count);
    Thread* self = current();
    if (self && self->state == ThreadState::Running && --self->slice_left == 0)
        make_ready(self); // back of its level; resume() picks again
}

void resume() {
    arch::PerCpu& cpu = arch::this_cpu();
    for (;;) {
        Thread* self = cpu.current;
        if (Thread* next = cpu.direct_next) {
            // The IPC fast path: the thread that just blocked handed over to
            // `next`, unless something more urgent became ready meanwhile.
            cpu.direct_next = nullptr;
            bool self_runs = self && self->state == ThreadState::Running;
            if (self_runs || ready_queue.has_above(next->priority)) {
                make_ready(next);
            } else {
                switch_to(cpu, next);
                return_to_user(&next->frame);
            }
        }
        if (self && self->state == ThreadState::Running) {
            if (!ready_queue.has_above(self->priority)) {
                switch_to(cpu, self);
                return_to_user(&self->frame);
            }
            make_ready(self); // a higher priority became ready: preempt
        }
        if (Thread* next = ready_queue.pop_highest()) {
            switch_to(cpu, next);
            return_to_user(&next->frame);
        }
        account(cpu.current);
        cpu.current = nullptr;
        // Idle on the kernel's own page tables: the last address space may be
        // about to disappear.
        if (arch::read_cr3() != kernel_space_root()) arch::write_cr3(kernel_space_root());
        if (live_thread_count() == 0) {
            kprintf("kernel: no user thread is left to run; halting.\n");
            if (const Thread* t = last_stopped)
                kprintf("kernel: the last one, '%s' (id %#lx), %s (code %ld, vector %lu)\n",
                        t->name, t->id,
                        t->stop_info.kind == abi::StopKind::Faulted ? "faulted" : "exited",
                        t->stop_info.code, t->stop_info.vector);
            arch::power_off(abi::kQemuExitFailure);
        }
        arch::wait_for_interrupt(); // idle until an interrupt makes a thread ready
    }
}

} // namespace rayos::sched
