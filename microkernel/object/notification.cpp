#include "notification.h"

#include "kernel/scheduler.h"
#include "object/endpoint.h"
#include "object/thread_queue.h"

#include <rayos/abi/abi.h>

namespace rayos::notification {
namespace {

void dequeue(Notification& n, Thread& t) {
    queue_remove(n, t);
    t.ipc_notification = nullptr;
    t.ipc_wait = IpcWait::None;
}

// The signal as a message to a receive that it ends (bound notification).
void deliver_as_message(Thread& t, uint64_t word) {
    t.frame.rdi = word;
    t.frame.rsi = abi::MessageInfo::make(abi::kLabelNotification, 0);
    t.frame.rax = 0;
}

} // namespace

void bind(Thread& thread, Notification& n) {
    thread.bound_notification = &n;
    n.bound = &thread;
}

void unbind(Thread& thread) {
    if (thread.bound_notification) thread.bound_notification->bound = nullptr;
    thread.bound_notification = nullptr;
}

bool take_bound_signal(Thread& self) {
    Notification* n = self.bound_notification;
    if (!n || !n->pending) return false;
    deliver_as_message(self, n->word);
    n->word = 0;
    n->pending = 0;
    return true;
}

void signal(Notification& n, uint64_t badge) {
    Thread* bound = n.bound;
    if (!n.head && bound && bound->state == ThreadState::BlockedIpc &&
        bound->ipc_wait == IpcWait::Recv) {
        // The bound thread waits on an endpoint: the signal ends its receive.
        ipc::cancel_thread(*bound);
        deliver_as_message(*bound, n.word | badge);
        n.word = 0;
        n.pending = 0;
        sched::make_ready(bound);
        return;
    }
    if (Thread* waiter = n.head) {
        dequeue(n, *waiter);
        waiter->frame.rdi = n.word | badge;
        waiter->frame.rax = 0;
        n.word = 0;
        n.pending = 0;
        sched::make_ready(waiter);
        return;
    }
    n.word |= badge;
    n.pending = 1;
}

bool wait(Thread& self, Notification& n, bool blocking) {
    if (n.pending) {
        self.frame.rdi = n.word;
        n.word = 0;
        n.pending = 0;
        return true;
    }
    if (!blocking) return false;
    self.ipc_notification = &n;
    queue_append(n, self);
    self.ipc_wait = IpcWait::Wait;
    self.state = ThreadState::BlockedIpc;
    return false;
}

void cancel(Notification& n) {
    disarm(n);
    if (n.bound) unbind(*n.bound);
    while (Thread* t = n.head) {
        dequeue(n, *t);
        t->frame.rax = static_cast<uint64_t>(Status::InvalidCapability);
        sched::make_ready(t);
    }
}

void cancel_thread(Thread& self) {
    if (self.ipc_notification) dequeue(*self.ipc_notification, self);
}

namespace {
Notification* armed = nullptr; // notifications with a timer set
} // namespace

void arm(Notification& n, uint64_t due, uint64_t badge) {
    if (!n.timer_due) {
        n.timer_next = armed;
        armed = &n;
    }
    n.timer_due = due;
    n.timer_badge = badge;
}

void disarm(Notification& n) {
    if (!n.timer_due) return;
    for (Notification** link = &armed; *link; link = &(*link)->timer_next) {
        if (*link == &n) {
            *link = n.timer_next;
            break;
        }
    }
    n.timer_due = 0;
    n.timer_next = nullptr;
}

void fire_due(uint64_t now) {
    Notification** link = &armed;
    while (Notification* n = *link) {
        if (n->timer_due > now) {
            link = &n->timer_next;
            continue;
        }
        *link = n->timer_next;
        n->timer_due = 0;
        n->timer_next = nullptr;
        signal(*n, n->timer_badge);
    }
}

} // namespace rayos::notification
