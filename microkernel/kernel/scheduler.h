// The scheduler: fixed priorities 0-255, round-robin with a time slice within
// a priority, preemption on the timer tick, and an idle loop (hlt) when
// nothing is ready.
//
// Control flow: every kernel entry from user mode ends in sched::resume(),
// which picks the thread to run and leaves through return_to_user(). There
// is no kernel stack per thread, so "switching" is choosing whose TrapFrame
// to restore.
#pragma once

#include "arch/x86_64/percpu.h"
#include "kernel/run_queue.h"
#include "object/thread.h"

#include <cstdint>

namespace rayos::sched {

// Makes an inactive or blocked thread ready to run.
void make_ready(Thread* thread);
// The same, for a thread woken by the running thread just before that one
// blocks (IPC call/reply): it runs next without passing through the ready
// queue, unless a thread of higher priority is ready.
void make_ready_next(Thread* thread);
namespace detail {
extern RunQueue<Thread> ready_queue;
}

// The thread running on this CPU (nullptr while idle).
inline Thread* current() {
    return arch::this_cpu().current;
}
// Ends `thread` (exit or fault): records how, completes a waiting join, and
// takes it off the CPU / run queue.
void stop(Thread* thread, const abi::ThreadStopInfo& info);
// Puts the running thread at the back of its priority level.
void yield_current();
// Starts waiting for `target` to stop; its ThreadStopInfo goes to
// `result_address` in the caller's address space (already checked writable).
void join(Thread* self, Thread* target, uint64_t result_address);

// Takes a thread off the CPU and out of every queue; it stays Inactive until
// make_ready. A system call it was blocked in returns Preempted.
void suspend(Thread* thread);
// Changes a thread's priority, requeueing it if it is ready.
void set_priority(Thread* thread, uint8_t priority);
// Forgets every per-CPU reference to a thread whose memory goes away.
void forget(Thread* thread);

// Timer interrupt: advances time and the running thread's slice.
void on_timer_tick();
uint64_t ticks();

// True when the running thread `self` may simply continue after a system
// call: it is still running and nothing of higher priority is ready.
// (A thread handed over with make_ready_next only exists while its waker
// blocks, so a running caller never leaves one behind.)
inline bool may_continue(const Thread* self) {
    return self->state == ThreadState::Running && !detail::ready_queue.has_above(self->priority);
}

// Picks the next thread and returns to user mode (idles while nothing is
// ready; halts the machine when no thread is left alive).
[[noreturn]] void resume();

} // namespace rayos::sched
