// Notification: asynchronous signals. A notification holds a word that
// signals OR their capability's badge into, and a queue of waiting threads.
// Signal never blocks; Wait blocks until the notification has been
// signalled and returns (and clears) the accumulated word; Poll returns it
// without waiting. Interrupts will be delivered as signals.
#pragma once

#include "object/thread.h"
#include "result.h"

#include <cstdint>

namespace rayos {

struct Notification {
    Thread* head; // waiting threads, FIFO
    Thread* tail;
    uint64_t word;            // badges signalled since the last wait/poll
    uint64_t pending;         // 1 if signalled since the last wait/poll (the word may be 0)
    Thread* bound;            // the thread it is bound to (tcb_bind_notification), or nullptr
    uint64_t timer_due;       // tick at which the timer signals it (0: not armed)
    uint64_t timer_badge;     // what the timer signals
    Notification* timer_next; // armed notifications, a list
};
static_assert(sizeof(Notification) <= (1u << abi::object_size_bits(abi::ObjectType::Notification)));

namespace notification {

void signal(Notification& n, uint64_t badge);
// Returns true (word in self's rdi) when a signal was pending; otherwise
// `self` now waits (blocking) or nothing changed (!blocking).
bool wait(Thread& self, Notification& n, bool blocking);
void cancel(Notification& n); // object destroyed: waiters get InvalidCapability
// Bound notifications: bind (both unbound before), unbind, and the check a
// receive makes first — true if a pending signal was delivered to `self`.
void bind(Thread& thread, Notification& n);
void unbind(Thread& thread);
bool take_bound_signal(Thread& self);
void cancel_thread(Thread& self); // a waiting thread stops

// One-shot timers: `n` is signalled with `badge` at tick `due` (replacing
// an earlier setting); disarm() cancels. fire_due() runs on every timer
// tick; its cost is linear in the number of armed notifications.
void arm(Notification& n, uint64_t due, uint64_t badge);
void disarm(Notification& n);
void fire_due(uint64_t now);

} // namespace notification
} // namespace rayos
