#include "fastpath.h"

#include "cap/cspace.h"
#include "kernel/scheduler.h"
#include "kernel/switch.h"
#include "object/endpoint_queue.h"
#include "object/notification.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {
namespace {

inline const Capability* cap_at(Thread& self, uint64_t cptr, ObjectType type, uint8_t right) {
    Slot* slot = cspace::lookup_cap_single_level(self.cspace_root.cap, cptr);
    if (!slot || slot->cap.type != type || !slot->cap.has_rights(right)) return nullptr;
    return &slot->cap;
}

inline bool message_fits(uint64_t info) {
    return abi::MessageInfo::registers_only(info);
}

// Call: a receiver with a Reply object waits and may run now.
inline Thread* fast_call(Thread& self, Endpoint& ep, uint64_t badge) {
    Thread* receiver = ep.head;
    if (!receiver || receiver->ipc_wait != IpcWait::Recv || !receiver->ipc_reply ||
        receiver->inject_count || sched::detail::ready_queue.has_above(receiver->priority))
        return nullptr;
    ipc::pop_head(ep);
    Reply* reply = receiver->ipc_reply;
    receiver->ipc_reply = nullptr;
    reply->receiver = nullptr;
    ipc::transfer_registers(self, *receiver, badge);
    receiver->ipc_wait = IpcWait::None;
    receiver->frame.rax = 0;
    receiver->state = ThreadState::Ready;
    reply->caller = &self;
    self.ipc_reply = reply;
    ipc::block(self, IpcWait::Reply);
    return receiver;
}

// ReplyRecv: a (non-fault) caller is bound, no sender waits, the caller may
// run now.
inline Thread* fast_reply_recv(Thread& self, Endpoint& ep, Reply& reply) {
    Thread* caller = reply.caller;
    if (!caller || caller->ipc_fault || reply.receiver || self.inject_count ||
        (ep.head && ipc::waits_to_send(*ep.head)) ||
        sched::detail::ready_queue.has_above(caller->priority))
        return nullptr;
    reply.caller = nullptr;
    caller->ipc_reply = nullptr;
    ipc::transfer_registers(self, *caller, 0);
    caller->ipc_wait = IpcWait::None;
    caller->frame.rax = 0;
    caller->state = ThreadState::Ready;
    self.ipc_reply = &reply;
    reply.receiver = &self;
    ipc::enqueue(ep, self);
    ipc::block(self, IpcWait::Recv);
    return caller;
}

} // namespace

[[gnu::always_inline]] inline void fastpath_call(Thread& self, arch::TrapFrame& frame) {
    if (!message_fits(frame.rsi)) return;
    const Capability* ep = cap_at(self, frame.rdi, ObjectType::Endpoint, abi::rights::kWrite);
    if (!ep) return;
    if (Thread* next = fast_call(self, *reinterpret_cast<Endpoint*>(ep->object), ep->word)) {
        self.ipc_call_rights = ep->rights; // (GrantReply decides at reply time)
        self.counters.ipc++;
        self.counters.syscalls++;
        sched::run_now(next);
    }
}

[[gnu::always_inline]] inline void fastpath_reply_recv(Thread& self, arch::TrapFrame& frame) {
    if (!message_fits(frame.rsi)) return;
    const Capability* ep = cap_at(self, frame.rdi, ObjectType::Endpoint, abi::rights::kRead);
    const Capability* reply = cap_at(self, frame.r12, ObjectType::Reply, 0);
    if (!ep || !reply) return;
    if (Thread* next = fast_reply_recv(self, *reinterpret_cast<Endpoint*>(ep->object),
                                       *reinterpret_cast<Reply*>(reply->object))) {
        self.counters.ipc++;
        self.counters.syscalls++;
        sched::run_now(next);
    }
}

} // namespace rayos::syscall

extern "C" void syscall_fastpath_call(rayos::arch::TrapFrame* frame) {
    rayos::syscall::fastpath_call(*rayos::sched::current(), *frame);
}

extern "C" void syscall_fastpath_reply_recv(rayos::arch::TrapFrame* frame) {
    rayos::syscall::fastpath_reply_recv(*rayos::sched::current(), *frame);
}
