// IDL calls over kernel IPC: the client's send path and the server loop
// (see rayos/rpc.h for the protocol).
#include <rayos/invoke.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/string.h>

namespace rayos::rpc {
namespace {

constexpr uint64_t kDepth = 64; // slot addresses: one level, all 64 bits

// The reply label of an error.
uint64_t error_label(RpcError e) {
    return uint64_t(e);
}

abi::ThreadBlock* block() {
    return thread_block();
}

} // namespace

RpcError detail::reply_error(uint64_t label) {
    if (label > 0 && label < kRpcErrorCount) return RpcError(label);
    return RpcError::BadReply;
}

RpcResult<void> attach_ipc_buffer(uint64_t tcb, abi::IpcBuffer* buffer) {
    if (inv::tcb_set_ipc_buffer(tcb, reinterpret_cast<uint64_t>(buffer)) != 0)
        return RpcFailure(RpcError::IpcFailed);
    block()->user[0] = reinterpret_cast<uint64_t>(buffer);
    return {};
}

RpcResult<void> detail::call(uint64_t endpoint, uint64_t label, wire::Arena& arena,
                             SharedBuffer* shared, Message& m, wire::Segment& reply) {
    if (arena.error != RpcError::Ok) return RpcFailure(arena.error);
    abi::IpcBuffer* buffer = ipc_buffer();
    uint32_t caps = arena.cap_count + (shared ? 1 : 0);
    // (A shared call's frame takes one of the message's capabilities.)
    if (caps > abi::kMaxMessageCaps) return RpcFailure(RpcError::TooManyCapabilities);
    if (caps && !buffer) return RpcFailure(RpcError::NoIpcBuffer);
    for (uint32_t i = 0; i < arena.cap_count; ++i)
        buffer->caps[i] = arena.caps[i];
    if (shared) {
        if (shared->copied &&
            inv::frame_write(shared->frame, 0, reinterpret_cast<uint64_t>(shared->words),
                             uint64_t(arena.used) * sizeof(uint64_t)) < 0)
            return RpcFailure(RpcError::NoSharedBuffer);
        buffer->caps[arena.cap_count] = shared->frame;
        m.info = abi::MessageInfo::make(label | wire::kLabelShared, 1, caps);
        m.words[0] = arena.used;
    } else {
        m.info = abi::MessageInfo::make(label, arena.used, caps);
        if (arena.words != m.words)
            for (uint32_t i = 0; i < abi::kMessageRegisters; ++i)
                m.words[i] = arena.words[i];
    }
    int64_t sent = ipc::call(endpoint, m);
    if (shared) {
        // Whatever happened, the server keeps no access to the frame.
        while (inv::cnode_revoke(shared->cnode, shared->frame, kDepth) ==
               int64_t(abi::Status::Preempted)) {
        }
    }
    if (sent < 0) return RpcFailure(RpcError::IpcFailed);

    uint64_t reply_label = abi::MessageInfo::label(m.info);
    if (shared) {
        if (reply_label != wire::kLabelShared) return RpcFailure(reply_error(reply_label));
        uint64_t offset = m.words[0], length = m.words[1];
        if (offset > SharedBuffer::kWords || length > SharedBuffer::kWords - offset)
            return RpcFailure(RpcError::BadReply);
        if (shared->copied && inv::frame_read(shared->frame, offset * sizeof(uint64_t),
                                              reinterpret_cast<uint64_t>(shared->words + offset),
                                              length * sizeof(uint64_t)) < 0)
            return RpcFailure(RpcError::NoSharedBuffer);
        reply = {shared->words + offset, uint32_t(length)};
        return {};
    }
    if (reply_label != 0) return RpcFailure(reply_error(reply_label));
    uint64_t length = abi::MessageInfo::length(m.info);
    if (!buffer && length > abi::kMessageRegisters) return RpcFailure(RpcError::NoIpcBuffer);
    // Words 0-3 came in registers: put them where the segment starts. (A
    // thread without an IPC buffer reads short replies from the arena.)
    uint64_t* words = buffer ? buffer->words : arena.words;
    for (uint32_t i = 0; i < abi::kMessageRegisters; ++i)
        words[i] = m.words[i];
    reply = {words, uint32_t(length)};
    return {};
}

RpcResult<uint64_t> CallContext::keep_index(uint32_t index, uint64_t slot) {
    if (index >= received_ || (kept_ & (1u << index)))
        return RpcFailure(RpcError::MissingCapability);
    if (inv::cnode_move(config_->cnode, slot, kDepth, config_->receive_slot + index) != 0)
        return RpcFailure(RpcError::ServerFailed);
    kept_ |= 1u << index;
    return slot;
}

RpcError Server::receive_shared(Message& m, uint32_t& received, uint64_t& frame_slot) {
    // The frame is the last capability of the call. It is never mapped: a
    // caller could revoke it under a mapping and fault the server.
    if (received == 0) return RpcError::NoSharedBuffer;
    uint64_t slot = config_.receive_slot + received - 1;
    uint64_t length = m.words[0] < SharedBuffer::kWords ? m.words[0] : SharedBuffer::kWords;
    // A private copy: the caller could change the frame while it is read.
    if (inv::frame_read(slot, 0, reinterpret_cast<uint64_t>(request_words_),
                        length * sizeof(uint64_t)) < 0)
        return RpcError::NoSharedBuffer;
    frame_slot = slot;
    in_.segment_ = {request_words_, uint32_t(length)};
    in_.reply_ = wire::Arena(reply_words_, SharedBuffer::kWords);
    --received; // the frame is not a capability of the message
    return RpcError::Ok;
}

uint32_t Server::reply_caps() {
    // Capabilities of the result (interface-typed fields) go with the reply;
    // the kernel delivers them if the caller's capability has GrantReply.
    uint32_t count = in_.reply_.cap_count;
    for (uint32_t i = 0; i < count; ++i)
        ipc_buffer()->caps[i] = in_.reply_.caps[i];
    in_.reply_.cap_count = 0;
    return count;
}

void Server::release_slot(uint64_t slot) {
    while (inv::cnode_delete(config_.cnode, slot, kDepth) == int64_t(abi::Status::Preempted)) {
    }
}

[[gnu::always_inline]] inline const uint64_t* Server::handle(Message& m) {
    uint64_t info = m.info;
    uint64_t length = abi::MessageInfo::length(info);
    // The common call: registers only, no capabilities (info bits 7-11), no
    // shared frame (label bit 51 = info bit 63).
    constexpr uint64_t kNotFast = 0xF80 | (wire::kLabelShared << 12);
    if ((info & kNotFast) == 0 && length <= abi::kMessageRegisters) {
        ++calls_;
        in_.method_label_ = abi::MessageInfo::label(info);
        in_.context_.badge_ = m.badge;
        // Read where the registers landed; the reply replaces them only
        // after the method returns.
        in_.segment_ = {m.words, uint32_t(length)};
        in_.reply_.used = 0; // (its error is Ok: reset below after a failure)
        if (RpcError error = dispatcher_.dispatch(in_); error != RpcError::Ok) {
            ++errors_;
            in_.reply_.error = RpcError::Ok;
            in_.reply_.cap_count = 0;
            m.info = abi::MessageInfo::make(error_label(error), 0);
            return m.words;
        }
        return inline_reply(m);
    }
    if (abi::MessageInfo::label(info) == abi::kLabelNotification) {
        // A signal of the notification bound to this thread: no caller to
        // answer, the word is in the badge.
        in_.method_label_ = abi::kLabelNotification;
        in_.context_.badge_ = m.badge;
        in_.segment_ = {m.words, 0};
        (void)dispatcher_.other(in_);
        m.info = abi::MessageInfo::make(0, 0);
        return m.words;
    }
    return handle_general(m);
}

[[gnu::always_inline]] inline const uint64_t* Server::inline_reply(Message& m) {
    uint32_t length = in_.reply_.used;
    for (uint32_t i = abi::kMessageRegisters; i < length; ++i)
        ipc_buffer()->words[i] = reply_words_[i];
    m.info = abi::MessageInfo::make(0, length, reply_caps());
    return reply_words_; // words 0-3 go straight into registers
}

[[gnu::noinline]] const uint64_t* Server::handle_general(Message& m) {
    uint64_t label = abi::MessageInfo::label(m.info);
    bool shared = (label & wire::kLabelShared) != 0;
    uint32_t received = config_.cnode ? uint32_t(abi::MessageInfo::caps(m.info)) : 0;
    const uint32_t arrived = received;
    ++calls_;

    Incoming& in = in_;
    in.method_label_ = label & ~wire::kLabelShared;
    in.context_.badge_ = m.badge;
    in.context_.kept_ = 0;

    RpcError error = RpcError::Ok;
    const uint64_t* reply = m.words; // where the reply's words 0-3 are
    uint64_t frame_slot = 0;
    if (shared) {
        error = config_.cnode ? receive_shared(m, received, frame_slot) : RpcError::NoSharedBuffer;
    } else {
        uint64_t length = abi::MessageInfo::length(m.info);
        if (length <= abi::kMessageRegisters) {
            // Read where the registers landed; the reply replaces them only
            // after the method returns.
            in.segment_ = {m.words, uint32_t(length)};
        } else {
            // Copied out of the IPC buffer: the method may make calls of its own.
            for (uint64_t i = 0; i < abi::kMessageRegisters; ++i)
                request_words_[i] = m.words[i];
            for (uint64_t i = abi::kMessageRegisters; i < length; ++i)
                request_words_[i] = ipc_buffer()->words[i];
            in.segment_ = {request_words_, uint32_t(length)};
        }
        in.reply_.used = 0;
        in.reply_.error = RpcError::Ok;
    }

    if (error == RpcError::Ok) {
        in.context_.received_ = received;
        in.message_.cap_count = received;
        error = dispatcher_.dispatch(in);
    }

    if (error == RpcError::Ok && shared &&
        inv::frame_write(frame_slot, 0, reinterpret_cast<uint64_t>(reply_words_),
                         uint64_t(in.reply_.used) * sizeof(uint64_t)) < 0)
        error = RpcError::NoSharedBuffer; // the caller took its frame away
    if (error != RpcError::Ok) {
        ++errors_;
        m.info = abi::MessageInfo::make(error_label(error), 0);
    } else if (shared) {
        m.info = abi::MessageInfo::make(wire::kLabelShared, 2, reply_caps());
        m.words[0] = 0; // the reply's offset in the frame
        m.words[1] = in.reply_.used;
    } else {
        reply = inline_reply(m);
    }
    // Back to the inline arena (as long as an IPC buffer) for the next call.
    in.reply_ = wire::Arena(reply_words_, abi::kMaxMessageWords);

    // Everything that arrived and was not kept goes (the frame included).
    for (uint32_t i = 0; i < arrived; ++i)
        if (!(in.context_.kept_ & (1u << i))) release_slot(config_.receive_slot + i);
    in.context_.received_ = 0;
    in.context_.kept_ = 0;
    in.message_.cap_count = 0;
    return reply;
}

RpcResult<Deferred> CallContext::defer() {
    if (!server_) return RpcFailure(RpcError::Busy);
    return server_->defer();
}

void Server::add_spare_reply(uint64_t reply) {
    if (spare_count_ < kMaxDeferred) spare_replies_[spare_count_++] = reply;
}

// The caller stays bound to the current Reply object; the server receives
// with a spare one from now on (a reply_recv with an unbound Reply object
// only receives).
RpcResult<Deferred> Server::defer() {
    // (Once per call: calls_ counts the calls received.)
    if (spare_count_ == 0 || deferred_at_ == calls_) return RpcFailure(RpcError::Busy);
    deferred_at_ = calls_;
    Deferred call{config_.reply};
    config_.reply = spare_replies_[--spare_count_];
    return call;
}

RpcError Server::send_answer(Deferred& answered, RpcError error, uint32_t words) {
    Deferred call = answered;
    answered = Deferred{};
    if (!call.reply) return RpcError::BadReply;
    uint64_t info;
    if (error != RpcError::Ok) {
        info = abi::MessageInfo::make(error_label(error), 0);
        words = 0;
    } else {
        info = abi::MessageInfo::make(0, words);
        for (uint32_t i = abi::kMessageRegisters; i < words; ++i)
            ipc_buffer()->words[i] = deferred_words_[i];
    }
    const uint64_t* w = deferred_words_;
    int64_t sent = sys::reply(call.reply, info, words > 0 ? w[0] : 0, words > 1 ? w[1] : 0,
                              words > 2 ? w[2] : 0, words > 3 ? w[3] : 0);
    add_spare_reply(call.reply); // free again (also when the caller has gone)
    return sent < 0 ? RpcError::IpcFailed : RpcError::Ok;
}

RAYOS_RPC_HOT RpcError Server::run() {
    abi::IpcBuffer* buffer = ipc_buffer();
    if (!buffer) return RpcError::NoIpcBuffer;
    buffer->receive_cnode = config_.cnode;
    buffer->receive_index = config_.receive_slot;
    buffer->receive_depth = kDepth;
    in_.context_.config_ = &config_;
    in_.context_.server_ = this;
    for (uint32_t i = 0; i < wire::Arena::kMaxCaps; ++i)
        in_.caps_[i] = config_.receive_slot + i;
    in_.message_ = wire::Message{&in_.segment_, 1, in_.caps_, 0};
    in_.reply_ = wire::Arena(reply_words_, abi::kMaxMessageWords);
    Message m;
    if (!receive(m)) return RpcError::IpcFailed;
    for (;;) {
        const uint64_t* reply_words = handle(m);
        int64_t received = ipc::reply_recv(config_.endpoint, config_.reply, m.info, reply_words, m);
        // Suspended while waiting (the reply had gone): receive again.
        if (received < 0 && (sys::status(received) != abi::Status::Preempted || !receive(m)))
            return RpcError::IpcFailed;
    }
}

// A receive that the thread's suspension (tcb_suspend: a debugger, the
// fault injector's `stop`) interrupted ends with Preempted: it is repeated.
bool Server::receive(Message& m) {
    for (;;) {
        int64_t received = ipc::recv(config_.endpoint, config_.reply, m);
        if (received >= 0) return true;
        if (sys::status(received) != abi::Status::Preempted) return false;
    }
}

} // namespace rayos::rpc
