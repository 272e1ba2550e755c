// IPC system calls: decode the endpoint / reply capabilities and the message
// descriptor, then hand over to object/endpoint.cpp.
#include "dispatch.h"
#include "invoke.h"

#include "mm/user_memory.h"
#include "object/endpoint.h"
#include "object/notification.h"

#include <rayos/abi/abi.h>

namespace rayos::syscall {
namespace {

struct EndpointCap {
    Endpoint* endpoint;
    uint64_t badge;
    bool grant;       // messages may carry capabilities
    bool grant_reply; // replies to calls through it may carry capabilities
};

Result<EndpointCap> endpoint_at(Thread& self, uint64_t cptr, uint8_t right) {
    const Capability* cap = TRY(typed_cap(self, cptr, ObjectType::Endpoint, right));
    return EndpointCap{reinterpret_cast<Endpoint*>(cap->object), cap->word,
                       cap->has_rights(abi::rights::kGrant),
                       cap->has_rights(abi::rights::kGrantReply)};
}

// 0 names no Reply object.
Result<Reply*> reply_at(Thread& self, uint64_t cptr, bool optional) {
    if (cptr == 0 && optional) return static_cast<Reply*>(nullptr);
    const Capability* cap = TRY(typed_cap(self, cptr, ObjectType::Reply, 0));
    return reinterpret_cast<Reply*>(cap->object);
}

// Words beyond the registers must be readable in the sender's IPC buffer
// now (they are copied when the message is delivered). Capabilities need an
// IPC buffer, and each one named there must exist now.
VoidResult check_message(Thread& self, uint64_t info) {
    if (abi::MessageInfo::reserved(info))
        return reject(self, Status::InvalidArgument, "reserved message-info bits set");
    if (uint64_t count = abi::MessageInfo::caps(info)) {
        if (!self.ipc_buffer)
            return reject(self, Status::InvalidArgument, "capabilities to send but no IPC buffer");
        uint64_t caps[abi::kMaxMessageCaps];
        if (!copy_from_user(*self.space, caps, self.ipc_buffer + offsetof(abi::IpcBuffer, caps),
                            sizeof(caps)))
            return reject(self, Status::BadAddress, "IPC buffer is not readable");
        for (uint64_t i = 0; i < count; ++i) {
            auto slot = lookup_in_cspace(self, caps[i]);
            if (!slot || slot.value()->empty())
                return reject(self, Status::InvalidCapability, "a capability to send is missing");
        }
    }
    uint64_t length = abi::MessageInfo::length(info);
    if (length > abi::kMaxMessageWords)
        return reject(self, Status::MessageTooLong, "message longer than kMaxMessageWords");
    if (length > abi::kMessageRegisters) {
        if (!self.ipc_buffer)
            return reject(self, Status::MessageTooLong, "long message but no IPC buffer");
        uint64_t word;
        uint64_t last = self.ipc_buffer + (length - 1) * sizeof(uint64_t);
        if (!copy_from_user(*self.space, &word, last, sizeof(word)))
            return reject(self, Status::BadAddress, "IPC buffer is not readable");
    }
    return {};
}

Result<uint64_t> do_send(Thread& self, Args args, bool blocking, bool call) {
    self.counters.ipc++;
    EndpointCap ep = TRY(endpoint_at(self, args[0], abi::rights::kWrite));
    if (abi::MessageInfo::caps(args[1]) && !ep.grant)
        return reject(self, Status::MissingRights, "endpoint capability lacks the Grant right");
    TRY(check_message(self, args[1]));
    auto sent = ipc::send(self, *ep.endpoint, ep.badge, blocking, call, ep.grant, ep.grant_reply);
    if (!sent) return reject(self, sent.error(), "no receiver (or it cannot take a call)");
    return 0;
}

Result<uint64_t> do_receive(Thread& self, uint64_t ep_cptr, uint64_t reply_cptr, bool blocking) {
    self.counters.ipc++;
    EndpointCap ep = TRY(endpoint_at(self, ep_cptr, abi::rights::kRead));
    Reply* reply = TRY(reply_at(self, reply_cptr, true));
    auto received = ipc::receive(self, *ep.endpoint, reply, blocking);
    if (!received) return reject(self, received.error(), "cannot receive now");
    return 0;
}

} // namespace

Result<uint64_t> sys_send(Thread& self, Args args) {
    return do_send(self, args, true, false);
}
Result<uint64_t> sys_nb_send(Thread& self, Args args) {
    return do_send(self, args, false, false);
}
Result<uint64_t> sys_call(Thread& self, Args args) {
    return do_send(self, args, true, true);
}

Result<uint64_t> sys_recv(Thread& self, Args args) {
    return do_receive(self, args[0], args[1], true);
}

Result<uint64_t> sys_nb_recv(Thread& self, Args args) {
    return do_receive(self, args[0], args[1], false);
}

Result<uint64_t> sys_reply(Thread& self, Args args) {
    self.counters.ipc++;
    TRY(check_message(self, args[1]));
    Reply* reply = TRY(reply_at(self, args[0], false));
    auto replied = ipc::reply(self, *reply);
    if (!replied) return reject(self, replied.error(), "no caller waits on this reply object");
    return 0;
}

Result<uint64_t> sys_reply_recv(Thread& self, Args args) {
    self.counters.ipc++;
    TRY(check_message(self, args[1]));
    uint64_t reply_cptr = self.frame.r12;
    EndpointCap ep = TRY(endpoint_at(self, args[0], abi::rights::kRead));
    Reply* reply = TRY(reply_at(self, reply_cptr, false));
    if (reply->receiver)
        return reject(self, Status::Busy, "another thread is receiving with this reply object");
    // The caller may run at once only if this receive will block.
    bool will_block = !ipc::has_waiting_sender(*ep.endpoint) &&
                      !(self.bound_notification && self.bound_notification->pending);
    if (reply->caller) TRY(ipc::reply(self, *reply, will_block));
    auto received = ipc::receive(self, *ep.endpoint, reply, true);
    if (!received) return reject(self, received.error(), "cannot receive now");
    return 0;
}

} // namespace rayos::syscall
