#include "endpoint.h"

#include "kernel/scheduler.h"
#include "object/notification.h"

namespace rayos::ipc {
namespace {

bool waits_to_send(const Thread& t) {
    return t.ipc_wait == IpcWait::Send || t.ipc_wait == IpcWait::Call;
}

void enqueue(Endpoint& ep, Thread& t) {
    t.ipc_endpoint = &ep;
    t.ipc_next = nullptr;
    t.ipc_prev = ep.tail;
    if (ep.tail)
        ep.tail->ipc_next = &t;
    else
        ep.head = &t;
    ep.tail = &t;
}

void dequeue(Endpoint& ep, Thread& t) {
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

void block(Thread& t, IpcWait wait) {
    t.state = ThreadState::BlockedIpc;
    t.ipc_wait = wait;
}

// Ends a wait: the thread's pending system call returns `result`. `next`:
// the current thread is about to block, so `t` may run at once.
void wake(Thread& t, Status result, bool next = false) {
    t.ipc_wait = IpcWait::None;
    t.frame.rax = static_cast<uint64_t>(result);
    if (next)
        sched::make_ready_next(&t);
    else
        sched::make_ready(&t);
}

// The message: info in rsi, words in rdx, r10, r8, r9; the badge to rdi.
void transfer(const Thread& from, Thread& to, uint64_t badge) {
    to.frame.rdi = badge;
    to.frame.rsi = from.frame.rsi;
    to.frame.rdx = from.frame.rdx;
    to.frame.r10 = from.frame.r10;
    to.frame.r8 = from.frame.r8;
    to.frame.r9 = from.frame.r9;
}

// After `sender`'s message reached a receiver: a caller now waits on `reply`,
// a plain sender is done.
void complete_send(Thread& sender, bool call, Reply* reply, bool sender_is_current) {
    if (call) {
        reply->caller = &sender;
        sender.ipc_reply = reply;
        block(sender, IpcWait::Reply);
        return;
    }
    if (!sender_is_current) wake(sender, Status::Ok);
}

} // namespace

VoidResult send(Thread& self, Endpoint& ep, uint64_t badge, bool blocking, bool call) {
    Thread* receiver = ep.head && ep.head->ipc_wait == IpcWait::Recv ? ep.head : nullptr;
    if (receiver) {
        if (call && !receiver->ipc_reply) return Error(Status::InvalidArgument);
        dequeue(ep, *receiver);
        Reply* reply = receiver->ipc_reply;
        receiver->ipc_reply = nullptr;
        if (reply) reply->receiver = nullptr;
        transfer(self, *receiver, badge);
        wake(*receiver, Status::Ok, call);
        complete_send(self, call, reply, true);
        return {};
    }
    if (!blocking) return Error(Status::WouldBlock);
    self.ipc_badge = badge;
    enqueue(ep, self);
    block(self, call ? IpcWait::Call : IpcWait::Send);
    return {};
}

VoidResult receive(Thread& self, Endpoint& ep, Reply* reply, bool blocking) {
    if (reply && (reply->caller || reply->receiver)) return Error(Status::Busy);
    Thread* sender = ep.head && waits_to_send(*ep.head) ? ep.head : nullptr;
    if (sender) {
        bool call = sender->ipc_wait == IpcWait::Call;
        if (call && !reply) return Error(Status::InvalidArgument);
        dequeue(ep, *sender);
        transfer(*sender, self, sender->ipc_badge);
        complete_send(*sender, call, reply, false);
        return {};
    }
    if (!blocking) return Error(Status::WouldBlock);
    self.ipc_reply = reply;
    if (reply) reply->receiver = &self;
    enqueue(ep, self);
    block(self, IpcWait::Recv);
    return {};
}

VoidResult reply(Thread& self, Reply& reply, bool replier_blocks) {
    Thread* caller = reply.caller;
    if (!caller) return Error(Status::NotFound);
    reply.caller = nullptr;
    caller->ipc_reply = nullptr;
    transfer(self, *caller, 0);
    wake(*caller, Status::Ok, replier_blocks);
    return {};
}

bool has_waiting_sender(const Endpoint& ep) {
    return ep.head && waits_to_send(*ep.head);
}

Thread* fast_call(Thread& self, Endpoint& ep, uint64_t badge) {
    Thread* receiver = ep.head;
    if (!receiver || receiver->ipc_wait != IpcWait::Recv || !receiver->ipc_reply ||
        sched::detail::ready_queue.has_above(receiver->priority))
        return nullptr;
    dequeue(ep, *receiver);
    Reply* reply = receiver->ipc_reply;
    receiver->ipc_reply = nullptr;
    reply->receiver = nullptr;
    transfer(self, *receiver, badge);
    receiver->ipc_wait = IpcWait::None;
    receiver->frame.rax = 0;
    receiver->state = ThreadState::Ready;
    reply->caller = &self;
    self.ipc_reply = reply;
    block(self, IpcWait::Reply);
    return receiver;
}

Thread* fast_reply_recv(Thread& self, Endpoint& ep, Reply& reply) {
    Thread* caller = reply.caller;
    if (!caller || reply.receiver || (ep.head && waits_to_send(*ep.head)) ||
        sched::detail::ready_queue.has_above(caller->priority))
        return nullptr;
    reply.caller = nullptr;
    caller->ipc_reply = nullptr;
    transfer(self, *caller, 0);
    caller->ipc_wait = IpcWait::None;
    caller->frame.rax = 0;
    caller->state = ThreadState::Ready;
    self.ipc_reply = &reply;
    reply.receiver = &self;
    enqueue(ep, self);
    block(self, IpcWait::Recv);
    return caller;
}

void cancel_endpoint(Endpoint& ep) {
    while (Thread* t = ep.head) {
        dequeue(ep, *t);
        if (t->ipc_reply && t->ipc_wait == IpcWait::Recv) t->ipc_reply->receiver = nullptr;
        t->ipc_reply = nullptr;
        wake(*t, Status::InvalidCapability);
    }
}

void cancel_reply(Reply& reply) {
    if (Thread* caller = reply.caller) {
        reply.caller = nullptr;
        caller->ipc_reply = nullptr;
        wake(*caller, Status::InvalidCapability);
    }
    if (Thread* receiver = reply.receiver) {
        reply.receiver = nullptr;
        receiver->ipc_reply = nullptr;
        if (receiver->ipc_endpoint) dequeue(*receiver->ipc_endpoint, *receiver);
        wake(*receiver, Status::InvalidCapability);
    }
}

void cancel_thread(Thread& t) {
    if (t.ipc_wait == IpcWait::Wait) {
        notification::cancel_thread(t);
        return;
    }
    if (t.ipc_endpoint) dequeue(*t.ipc_endpoint, t);
    if (t.ipc_reply) {
        if (t.ipc_wait == IpcWait::Reply) t.ipc_reply->caller = nullptr;
        if (t.ipc_wait == IpcWait::Recv) t.ipc_reply->receiver = nullptr;
        t.ipc_reply = nullptr;
    }
    t.ipc_wait = IpcWait::None;
}

} // namespace rayos::ipc
