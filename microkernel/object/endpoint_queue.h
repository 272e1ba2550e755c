// Endpoint queue operations and register-to-register message transfer:
// the small steps shared by the general IPC path (endpoint.cpp) and the fast
// path (syscall/fastpath.cpp), inline so the fast path compiles to one
// straight function.
#pragma once

#include "endpoint.h"
#include "thread_queue.h"

namespace rayos::ipc {

inline bool waits_to_send(const Thread& t) {
    return t.ipc_wait == IpcWait::Send || t.ipc_wait == IpcWait::Call;
}

inline void enqueue(Endpoint& ep, Thread& t) {
    t.ipc_endpoint = &ep;
    queue_append(ep, t);
}

inline void dequeue(Endpoint& ep, Thread& t) {
    queue_remove(ep, t);
    t.ipc_endpoint = nullptr;
}

inline void block(Thread& t, IpcWait wait) {
    t.state = ThreadState::BlockedIpc;
    t.ipc_wait = wait;
}

// Takes the first thread off an endpoint's queue (the common case of
// dequeue, a few instructions shorter).
inline Thread* pop_head(Endpoint& ep) {
    Thread* t = ep.head;
    ep.head = t->ipc_next;
    if (ep.head)
        ep.head->ipc_prev = nullptr;
    else
        ep.tail = nullptr;
    t->ipc_next = nullptr;
    t->ipc_endpoint = nullptr;
    return t;
}

// The message in registers: info in rsi, then as many of rdx, r10, r8, r9 as
// its length says (the rest of the receiver's registers are undefined); the
// badge goes to the receiver's rdi. The length was checked (<= 4).
inline void transfer_registers(const Thread& from, Thread& to, uint64_t badge) {
    uint64_t info = from.frame.rsi;
    to.frame.rdi = badge;
    to.frame.rsi = info;
    switch (abi::MessageInfo::length(info)) {
    default:
        to.frame.r9 = from.frame.r9;
        [[fallthrough]];
    case 3:
        to.frame.r8 = from.frame.r8;
        [[fallthrough]];
    case 2:
        to.frame.r10 = from.frame.r10;
        [[fallthrough]];
    case 1:
        to.frame.rdx = from.frame.rdx;
        [[fallthrough]];
    case 0:
        break;
    }
}

} // namespace rayos::ipc
