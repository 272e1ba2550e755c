// Intrusive FIFO queues of threads waiting on a kernel object (an endpoint's
// senders or receivers, a notification's waiters), linked through the
// threads' ipc_next/ipc_prev. Any object with `Thread* head, *tail` works.
#pragma once

#include "object/thread.h"

namespace rayos {

template <typename Queue> inline void queue_append(Queue& q, Thread& t) {
    t.ipc_next = nullptr;
    t.ipc_prev = q.tail;
    if (q.tail)
        q.tail->ipc_next = &t;
    else
        q.head = &t;
    q.tail = &t;
}

template <typename Queue> inline void queue_remove(Queue& q, Thread& t) {
    if (t.ipc_prev)
        t.ipc_prev->ipc_next = t.ipc_next;
    else
        q.head = t.ipc_next;
    if (t.ipc_next)
        t.ipc_next->ipc_prev = t.ipc_prev;
    else
        q.tail = t.ipc_prev;
    t.ipc_next = t.ipc_prev = nullptr;
}

} // namespace rayos
