// Endpoint queue operations and register-to-register message transfer:
// the small steps shared by the general IPC path (endpoint.cpp) and the fast
// path (syscall/fastpath.cpp), inline so the fast path compiles to one
// straight function.
#pragma once

#include "endpoint.h"

namespace rayos::ipc {

inline bool waits_to_send(const Thread& t) {
    return t.ipc_wait == IpcWait::Send || t.ipc_wait == IpcWait::Call;
}

inline void enqueue(Endpoint& ep, Thread& t) {
    t.ipc_endpoint = &ep;
    t.ipc_next = nullptr;
    t.ipc_prev = ep.tail;
    if (ep.tail)
        ep.tail->ipc_next = &t;
    else
        ep.head = &t;
    ep.tail = &t;
}

inline void dequeue(Endpoint& ep, Thread& t) {
    if (t.ipc_prev)
        t.ipc_prev->ipc_next = t.ipc_next;
    else
        ep.head = t.ipc_next;
    if (t.ipc_next)
        t.ipc_next->ipc_prev = t.ipc_prev;
    else
        ep.tail = t.ipc_prev;
    t.ipc_next = t.ipc_prev = nullptr;
    t.ipc_endpoint = nullptr;
}

inline void block(Thread& t, IpcWait wait) {
    t.state = ThreadState::BlockedIpc;
    t.ipc_wait = wait;
}

// The message in registers: info in rsi, words in rdx, r10, r8, r9; the
// badge goes to the receiver's rdi.
inline void transfer_registers(const Thread& from, Thread& to, uint64_t badge) {
    to.frame.rdi = badge;
    to.frame.rsi = from.frame.rsi;
    to.frame.rdx = from.frame.rdx;
    to.frame.r10 = from.frame.r10;
    to.frame.r8 = from.frame.r8;
    to.frame.r9 = from.frame.r9;
}

} // namespace rayos::ipc
