// Endpoint and Reply: synchronous IPC.
//
// An Endpoint is a rendezvous point with one queue of waiting threads, all
// waiting in the same direction (senders or receivers: the head's ipc_wait
// tells which). A message is the sender's info word and message registers,
// copied register to register into the receiver's saved frame together with
// the badge of the capability the sender used.
//
// A Call additionally makes the caller wait for a reply. The receiver names a
// Reply object when it receives; the caller is bound to it until someone
// replies through it (or it is deleted), so a server can hold many pending
// callers, one per Reply object (seL4 MCS style).
//
// Every operation is decided before anything changes: a call that fails
// leaves the endpoint, the reply object and both threads as they were.
#pragma once

#include "object/thread.h"
#include "result.h"

#include <cstdint>

namespace rayos {

struct Endpoint {
    Thread* head;
    Thread* tail;
};
static_assert(sizeof(Endpoint) <= (1u << abi::object_size_bits(abi::ObjectType::Endpoint)));

struct Reply {
    Thread* caller;   // waiting for the reply, or nullptr
    Thread* receiver; // blocked in recv with this object, or nullptr
    uint64_t reserved[2];
};
static_assert(sizeof(Reply) <= (1u << abi::object_size_bits(abi::ObjectType::Reply)));

namespace ipc {

// Send (or Call, when `call`) the message in self's registers.
// !blocking: WouldBlock when no receiver waits.
// `grant`: the endpoint capability used has the Grant right (capabilities
// in the message are transferred); `grant_reply`: it has GrantReply (the
// reply to this call may carry capabilities).
VoidResult send(Thread& self, Endpoint& endpoint, uint64_t badge, bool blocking, bool call,
                bool grant = false, bool grant_reply = false);
// Receive into self's registers; `reply` is bound to a caller (may be null).
VoidResult receive(Thread& self, Endpoint& endpoint, Reply* reply, bool blocking);
// Reply with the message in self's registers to the caller bound to `reply`.
// `replier_blocks`: self waits next (reply_recv), so the caller may run at
// once.
VoidResult reply(Thread& self, Reply& reply, bool replier_blocks = false);
// Would a receive on `ep` find a message at once?
bool has_waiting_sender(const Endpoint& ep);

// Sends `t`'s CPU exception to its fault handler as a call (abi.h
// kFaultPage...). False if it has no usable handler (then it stops).
bool deliver_fault(Thread& t, uint64_t vector, uint64_t error, uint64_t address);
// Reports `t`'s thread_exit(code) to its fault handler (abi.h kFaultExit);
// false if it has none (then it just stops).
bool deliver_exit(Thread& t, int64_t code);

// Object destruction and thread teardown: every waiter is released with an
// InvalidCapability result.
void cancel_endpoint(Endpoint& endpoint);
void cancel_reply(Reply& reply);
// Takes a stopping thread out of any IPC it is blocked in (a caller whose
// delayed reply is held has its reply: it is only let go early).
void cancel_thread(Thread& thread);
// Every timer tick: lets callers whose delayed replies are due go on
// (fault injection, abi::Injection::DelayReply).
void release_delayed(uint64_t now);

} // namespace ipc
} // namespace rayos
