#include "endpoint.h"

#include "endpoint_queue.h"

#include "cap/cspace.h"
#include "cap/operations.h"
#include "kernel/scheduler.h"
#include "mm/user_memory.h"
#include "object/notification.h"

namespace rayos::ipc {
namespace {

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

// Callers whose reply arrived but is held (IpcWait::Delayed), linked by
// ipc_next/ipc_prev (they are on no endpoint queue).
Thread* delayed_head = nullptr;

void hold(Thread& caller, uint64_t ticks) {
    caller.ipc_wait = IpcWait::Delayed;
    caller.delay_due = sched::ticks() + ticks;
    caller.ipc_prev = nullptr;
    caller.ipc_next = delayed_head;
    if (delayed_head) delayed_head->ipc_prev = &caller;
    delayed_head = &caller;
}

void unhold(Thread& t) {
    if (t.ipc_prev)
        t.ipc_prev->ipc_next = t.ipc_next;
    else
        delayed_head = t.ipc_next;
    if (t.ipc_next) t.ipc_next->ipc_prev = t.ipc_prev;
    t.ipc_next = t.ipc_prev = nullptr;
}

// Words 4.. of a long message, from the sender's IPC buffer to the
// receiver's. If either buffer is not usable the receiver gets the message
// cut to what travelled in registers (its info says so).
void transfer_buffer(Thread& from, Thread& to, uint64_t length) {
    constexpr uint64_t first = abi::kMessageRegisters;
    uint64_t words[abi::kMaxMessageWords];
    uint64_t bytes = (length - first) * sizeof(uint64_t);
    uint64_t offset = first * sizeof(uint64_t);
    bool ok = from.ipc_buffer && to.ipc_buffer && from.space && to.space &&
              copy_from_user(*from.space, words, from.ipc_buffer + offset, bytes) &&
              copy_to_user(*to.space, to.ipc_buffer + offset, words, bytes);
    if (!ok) to.frame.rsi = abi::MessageInfo::make(abi::MessageInfo::label(to.frame.rsi), first);
}

// The message: info in rsi, words in rdx, r10, r8, r9 (or a fault message);
// the badge to rdi.
// Capabilities named in the sender's IPC buffer, copied into the slots the
// receiver's IPC buffer names; stops at the first that cannot be placed.
uint64_t transfer_caps(Thread& from, Thread& to, uint64_t count) {
    abi::IpcBuffer out{}, in{};
    constexpr uint64_t caps_offset = offsetof(abi::IpcBuffer, caps);
    constexpr uint64_t caps_bytes = sizeof(abi::IpcBuffer) - caps_offset;
    if (!from.ipc_buffer || !to.ipc_buffer || !from.space || !to.space ||
        !copy_from_user(*from.space, &out.caps, from.ipc_buffer + caps_offset, caps_bytes) ||
        !copy_from_user(*to.space, &in.caps, to.ipc_buffer + caps_offset, caps_bytes))
        return 0;
    uint64_t moved = 0;
    auto window = cspace::lookup_cap(to.cspace_root.cap, in.receive_cnode);
    if (in.receive_cnode && window && window->slot->cap.type == ObjectType::CNode &&
        in.receive_depth >= 1 && in.receive_depth <= 64) {
        for (; moved < count; ++moved) {
            auto source = cspace::lookup_slot(from.cspace_root.cap, out.caps[moved], 64);
            auto dest = cspace::lookup_slot(window->slot->cap, in.receive_index + moved,
                                            static_cast<uint8_t>(in.receive_depth));
            if (!source || !dest || source.value()->empty() || !dest.value()->empty()) break;
            auto copy = caps::derive(source.value()->cap, abi::rights::kAll, 0, false);
            if (!copy) break;
            cdt::insert(source.value(), *dest.value(), copy.value());
        }
    }
    in.received = moved;
    (void)copy_to_user(*to.space, to.ipc_buffer + offsetof(abi::IpcBuffer, received), &in.received,
                       sizeof(in.received));
    return moved;
}

// A random number from the thread's injection state (splitmix64).
uint64_t injection_random(Thread& t) {
    uint64_t z = (t.inject_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Fault injection on a message `to` has just received (tcb_inject):
// one bit of its label or of one of its words flipped (in registers or in
// the receiver's IPC buffer), or its length cut.
void damage_received(Thread& to) {
    if (to.inject_mode != abi::Injection::Corrupt && to.inject_mode != abi::Injection::Truncate)
        return;
    --to.inject_count;
    uint64_t info = to.frame.rsi;
    uint64_t length = abi::MessageInfo::length(info);
    uint64_t random = injection_random(to);
    if (to.inject_mode == abi::Injection::Truncate) {
        uint64_t shorter = length ? random % length : 0;
        to.frame.rsi = (info & ~uint64_t(0x7F)) | shorter; // (length: info bits 0-6)
        return;
    }
    uint64_t which = random % (length + 1); // 0: the label, else word which - 1
    uint64_t bit = (random >> 32) % 64;
    uint64_t* words[] = {&to.frame.rdx, &to.frame.r10, &to.frame.r8, &to.frame.r9};
    if (which == 0) {
        to.frame.rsi = info ^ (1ull << (12 + bit % 52)); // (the label: bits 12-63)
    } else if (which <= abi::kMessageRegisters) {
        *words[which - 1] ^= 1ull << bit;
    } else if (to.space) { // (transfer_buffer put it there)
        uint64_t address = to.ipc_buffer + (which - 1) * sizeof(uint64_t), word = 0;
        if (copy_from_user(*to.space, &word, address, sizeof word)) {
            word ^= 1ull << bit;
            (void)copy_to_user(*to.space, address, &word, sizeof word);
        }
    }
}

void transfer(Thread& from, Thread& to, uint64_t badge, bool grant = false) {
    to.frame.rdi = badge;
    if (from.ipc_fault) {
        to.frame.rsi = from.fault_message[0];
        to.frame.rdx = from.fault_message[1];
        to.frame.r10 = from.fault_message[2];
        to.frame.r8 = from.fault_message[3];
        to.frame.r9 = from.fault_message[4];
        return;
    }
    transfer_registers(from, to, badge);
    uint64_t length = abi::MessageInfo::length(from.frame.rsi);
    if (length > abi::kMessageRegisters) transfer_buffer(from, to, length);
    uint64_t count = abi::MessageInfo::caps(from.frame.rsi);
    if (count) {
        uint64_t moved = 0;
        if (grant) {
            moved = transfer_caps(from, to, count);
        } else if (to.ipc_buffer && to.space) { // none may travel: say so
            (void)copy_to_user(*to.space, to.ipc_buffer + offsetof(abi::IpcBuffer, received),
                               &moved, sizeof(moved));
        }
        to.frame.rsi = (to.frame.rsi & ~(3ull << 7)) | (moved << 7);
    }
    if (to.inject_count) damage_received(to);
}

abi::ThreadStopInfo fault_stop_info(const Thread& t) {
    abi::ThreadStopInfo info{};
    if (abi::MessageInfo::label(t.fault_message[0]) == abi::kFaultExit) {
        info.kind = abi::StopKind::Exited;
        info.code = static_cast<int64_t>(t.fault_message[1]);
        return info;
    }
    info.kind = abi::StopKind::Faulted;
    info.vector = t.fault_message[1];
    info.error_code = t.fault_message[2];
    info.fault_address = t.fault_message[3];
    info.rip = t.fault_message[4];
    return info;
}

// A waiter whose partner went away: a faulted thread stays stopped (nobody
// will handle its fault), any other gets `result` from its system call.
void release_waiter(Thread& t, Status result) {
    if (t.ipc_fault) {
        t.ipc_fault = false;
        t.ipc_wait = IpcWait::None;
        sched::stop(&t, fault_stop_info(t));
        return;
    }
    wake(t, result);
}

// The handler's reply to a fault: resume (optionally at a new rip/rsp) or
// stop. A resume address outside user space stops the thread instead.
void answer_fault(const Thread& handler, Thread& faulted, bool handler_blocks) {
    uint64_t info = handler.frame.rsi;
    uint64_t length = abi::MessageInfo::length(info);
    faulted.ipc_fault = false;
    faulted.ipc_wait = IpcWait::None;
    bool resume = abi::MessageInfo::label(info) == abi::kFaultResume &&
                  abi::MessageInfo::label(faulted.fault_message[0]) != abi::kFaultExit;
    if (resume && length >= 1) {
        uint64_t rip = handler.frame.rdx;
        if (!is_user_address(rip)) resume = false;
        faulted.frame.rip = rip;
    }
    if (resume && length >= 2) faulted.frame.rsp = handler.frame.r10;
    if (!resume) {
        sched::stop(&faulted, fault_stop_info(faulted));
        return;
    }
    if (handler_blocks)
        sched::make_ready_next(&faulted);
    else
        sched::make_ready(&faulted);
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

VoidResult send(Thread& self, Endpoint& ep, uint64_t badge, bool blocking, bool call, bool grant,
                bool grant_reply) {
    if (call) self.ipc_call_rights = grant_reply ? abi::rights::kGrantReply : 0;
    Thread* receiver = ep.head && ep.head->ipc_wait == IpcWait::Recv ? ep.head : nullptr;
    if (receiver) {
        if (call && !receiver->ipc_reply) return Error(Status::InvalidArgument);
        dequeue(ep, *receiver);
        Reply* reply = receiver->ipc_reply;
        receiver->ipc_reply = nullptr;
        if (reply) reply->receiver = nullptr;
        transfer(self, *receiver, badge, grant);
        wake(*receiver, Status::Ok, call);
        complete_send(self, call, reply, true);
        return {};
    }
    if (!blocking) return Error(Status::WouldBlock);
    self.ipc_badge = badge;
    self.ipc_can_grant = grant;
    enqueue(ep, self);
    block(self, call ? IpcWait::Call : IpcWait::Send);
    return {};
}

VoidResult receive(Thread& self, Endpoint& ep, Reply* reply, bool blocking) {
    if (reply && (reply->caller || reply->receiver)) return Error(Status::Busy);
    if (notification::take_bound_signal(self)) return {}; // a pending signal comes first
    Thread* sender = ep.head && waits_to_send(*ep.head) ? ep.head : nullptr;
    if (sender) {
        bool call = sender->ipc_wait == IpcWait::Call;
        if (call && !reply) return Error(Status::InvalidArgument);
        dequeue(ep, *sender);
        transfer(*sender, self, sender->ipc_badge, sender->ipc_can_grant);
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
    if (caller->ipc_fault) {
        answer_fault(self, *caller, replier_blocks);
        return {};
    }
    if (self.inject_count && self.inject_mode == abi::Injection::DropReply) {
        // Fault injection: the reply is lost, as if the server had gone.
        --self.inject_count;
        wake(*caller, Status::InvalidCapability, replier_blocks);
        return {};
    }
    transfer(self, *caller, 0, (caller->ipc_call_rights & abi::rights::kGrantReply) != 0);
    if (self.inject_count && self.inject_mode == abi::Injection::DelayReply) {
        // Fault injection: the reply is there, but the caller waits on.
        --self.inject_count;
        hold(*caller, self.inject_delay);
        return {};
    }
    wake(*caller, Status::Ok, replier_blocks);
    return {};
}

void release_delayed(uint64_t now) {
    for (Thread* t = delayed_head; t;) {
        Thread* next = t->ipc_next;
        if (t->delay_due <= now) {
            unhold(*t);
            wake(*t, Status::Ok);
        }
        t = next;
    }
}

namespace {

// Sends `t`'s fault message (label, words) to its fault handler as a call.
bool send_fault(Thread& t, uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2) {
    const Capability& handler = t.fault_handler.cap;
    if (handler.type != ObjectType::Endpoint || !handler.has_rights(abi::rights::kWrite))
        return false;
    t.fault_message[0] = abi::MessageInfo::make(label, 4);
    t.fault_message[1] = w0;
    t.fault_message[2] = w1;
    t.fault_message[3] = w2;
    t.fault_message[4] = t.frame.rip;
    t.ipc_fault = true;
    if (!send(t, *reinterpret_cast<Endpoint*>(handler.object), handler.word, true, true)) {
        t.ipc_fault = false; // a receiver that cannot take a call: no handling
        return false;
    }
    return true;
}

} // namespace

bool deliver_fault(Thread& t, uint64_t vector, uint64_t error, uint64_t address) {
    return send_fault(t, vector == 14 ? abi::kFaultPage : abi::kFaultException, vector, error,
                      address);
}

bool deliver_exit(Thread& t, int64_t code) {
    return send_fault(t, abi::kFaultExit, static_cast<uint64_t>(code), 0, 0);
}

bool has_waiting_sender(const Endpoint& ep) {
    return ep.head && waits_to_send(*ep.head);
}

void cancel_endpoint(Endpoint& ep) {
    while (Thread* t = ep.head) {
        dequeue(ep, *t);
        if (t->ipc_reply && t->ipc_wait == IpcWait::Recv) t->ipc_reply->receiver = nullptr;
        t->ipc_reply = nullptr;
        release_waiter(*t, Status::InvalidCapability);
    }
}

void cancel_reply(Reply& reply) {
    if (Thread* caller = reply.caller) {
        reply.caller = nullptr;
        caller->ipc_reply = nullptr;
        release_waiter(*caller, Status::InvalidCapability);
    }
    if (Thread* receiver = reply.receiver) {
        reply.receiver = nullptr;
        receiver->ipc_reply = nullptr;
        if (receiver->ipc_endpoint) dequeue(*receiver->ipc_endpoint, *receiver);
        wake(*receiver, Status::InvalidCapability);
    }
}

void cancel_thread(Thread& t) {
    t.ipc_fault = false;
    if (t.ipc_wait == IpcWait::Delayed) {
        unhold(t);
        t.ipc_wait = IpcWait::None;
        return;
    }
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
