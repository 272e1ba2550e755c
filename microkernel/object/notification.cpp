#include "notification.h"

#include "kernel/scheduler.h"

namespace rayos::notification {
namespace {

void dequeue(Notification& n, Thread& t) {
    if (t.ipc_prev)
        t.ipc_prev->ipc_next = t.ipc_next;
    else
        n.head = t.ipc_next;
    if (t.ipc_next)
        t.ipc_next->ipc_prev = t.ipc_prev;
    else
        n.tail = t.ipc_prev;
    t.ipc_next = t.ipc_prev = nullptr;
    t.ipc_notification = nullptr;
    t.ipc_wait = IpcWait::None;
}

} // namespace

void signal(Notification& n, uint64_t badge) {
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
    self.ipc_next = nullptr;
    self.ipc_prev = n.tail;
    if (n.tail)
        n.tail->ipc_next = &self;
    else
        n.head = &self;
    n.tail = &self;
    self.ipc_wait = IpcWait::Wait;
    self.state = ThreadState::BlockedIpc;
    return false;
}

void cancel(Notification& n) {
    while (Thread* t = n.head) {
        dequeue(n, *t);
        t->frame.rax = static_cast<uint64_t>(Status::InvalidCapability);
        sched::make_ready(t);
    }
}

void cancel_thread(Thread& self) {
    if (self.ipc_notification) dequeue(*self.ipc_notification, self);
}

} // namespace rayos::notification
