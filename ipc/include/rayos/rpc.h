// IDL calls over kernel IPC: what generated client stubs and server
// skeletons (rayos/idl/<schema>.rpc.h) are built on.
//
// A call's message is a Cap'n Proto message whose root is the method's
// parameter struct; its IPC label is the method's label (wire::method_label).
//
// * Inline: the message is built directly in the caller's IPC buffer
//   (words 0-3 travel in registers, the rest in the buffers; at most
//   abi::kMaxMessageWords words). A message that does not fit fails with
//   NoSpace: nothing is truncated or sent.
// * Shared frame: the caller passes a SharedBuffer (one 4 KiB frame mapped
//   in its address space); the message is built there and the frame
//   capability is granted with the call (label bit wire::kLabelShared, word
//   0 = message length). The server never maps it: it copies the request
//   out with frame_read (the caller could change the frame while it is
//   read), builds the reply privately, copies it in with frame_write and
//   replies with the reply's offset and length. After the reply the client
//   revokes the server's copy of the frame capability, so the server keeps
//   no access. Client code says which one it uses.
//
// Interface-typed fields are capabilities: the sender lists them with the
// message (at most 3) and the receiver gets copies in its receive slots; a
// server deletes the ones a method did not keep (CallContext::keep).
//
// Replies: label 0 (or kLabelShared) and the result message on success;
// otherwise the label is the RpcError. A malformed request is answered with
// its decoding error; the server keeps serving.
#pragma once

#include <rayos/abi/abi.h>
#include <rayos/ipc.h>
#include <rayos/wire/types.h>

#include <cstdint>

// The per-call paths: no stack canary (they hold no arrays; the check costs
// a tenth of a small call).
#define RAYOS_RPC_HOT __attribute__((no_stack_protector))

namespace rayos::rpc {

// The calling thread's IPC buffer (nullptr if none is attached): kept in
// its thread block (abi::ThreadBlock::user[0], at %fs:0x38).
inline abi::IpcBuffer* ipc_buffer() {
    abi::IpcBuffer* buffer;
    asm("mov %%fs:0x38, %0" : "=r"(buffer));
    return buffer;
}
// Makes `buffer` the IPC buffer of the calling thread, whose TCB is `tcb`.
[[nodiscard]] RpcResult<void> attach_ipc_buffer(uint64_t tcb, abi::IpcBuffer* buffer);

// One 4 KiB frame shared with servers for large messages. `frame` is the
// Frame capability (granted with each call; its slot in the CNode `cnode`
// addresses, with depth 64), mapped writable at `words` — or, with
// `copied`, not mapped at all: `words` is then private memory of 4 KiB, the
// request is copied into the frame (frame_write) before the call and the
// reply out of it (frame_read) after, so a program without its own address
// space capability can make large calls too.
struct SharedBuffer {
    static constexpr uint32_t kWords = 512;
    uint64_t frame = 0;
    uint64_t* words = nullptr;
    uint64_t cnode = 0;
    bool copied = false;
};

namespace detail {

// Sends the message built in `arena` and waits; `reply` receives the reply's
// segment and `m` its info and registers. The shared-frame and
// capability-carrying path.
[[nodiscard]] RpcResult<void> call(uint64_t endpoint, uint64_t label, wire::Arena& arena,
                                   SharedBuffer* shared, Message& m, wire::Segment& reply);

RpcError reply_error(uint64_t label);

// The common case, inline: a message in the IPC buffer without capabilities.
// `m` receives the reply's registers; a short reply is read right there.
[[nodiscard]] RAYOS_RPC_HOT inline RpcResult<void> call_inline(uint64_t endpoint, uint64_t label,
                                                               wire::Arena& arena, Message& m,
                                                               wire::Segment& reply) {
    if (arena.error != RpcError::Ok) return RpcFailure(arena.error);
    if (arena.cap_count) return call(endpoint, label, arena, nullptr, m, reply);
    m.info = abi::MessageInfo::make(label, arena.used);
    uint64_t* words = arena.words; // the IPC buffer's words, or m's own
    if (words != m.words) {
        m.words[0] = words[0];
        m.words[1] = words[1];
        m.words[2] = words[2];
        m.words[3] = words[3];
    }
    if (ipc::call(endpoint, m) < 0) return RpcFailure(RpcError::IpcFailed);
    uint64_t reply_label = abi::MessageInfo::label(m.info);
    if (reply_label != 0) return RpcFailure(reply_error(reply_label));
    uint32_t length = uint32_t(abi::MessageInfo::length(m.info));
    if (length <= abi::kMessageRegisters) {
        reply = {m.words, length};
        return {};
    }
    // A long reply: its words 4 and up are in the IPC buffer.
    abi::IpcBuffer* buffer = ipc_buffer();
    if (!buffer) return RpcFailure(RpcError::NoIpcBuffer);
    buffer->words[0] = m.words[0];
    buffer->words[1] = m.words[1];
    buffer->words[2] = m.words[2];
    buffer->words[3] = m.words[3];
    reply = {buffer->words, length};
    return {};
}

} // namespace detail

// A call being prepared: build the parameters with params(), then send().
// The reader send() returns stays valid while the Request lives and until
// the thread's next call.
template <typename P, typename R> class Request {
public:
    Request(uint64_t endpoint, uint64_t label)
        : endpoint_(endpoint), label_(label), arena_(arena_for(registers_)),
          params_(wire::init_message<P>(arena_)) {}
    Request(uint64_t endpoint, uint64_t label, SharedBuffer& shared)
        : endpoint_(endpoint), label_(label), shared_(&shared),
          arena_(shared.words, SharedBuffer::kWords), params_(wire::init_message<P>(arena_)) {}
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;

    typename P::Builder params() { return params_; }

    // Capabilities in the reply (interface-typed results) land in slots
    // first_slot, first_slot + 1, ... of the CNode at `cnode` (depth 64); the
    // endpoint capability needs the GrantReply right. Without this, a reply's
    // capabilities are not accepted and reading it fails with
    // MissingCapability.
    Request& accept_capabilities(uint64_t cnode, uint64_t first_slot) {
        accept_cnode_ = cnode;
        accept_slot_ = first_slot;
        return *this;
    }

    [[nodiscard]] RAYOS_RPC_HOT RpcResult<typename R::Reader> send() {
        if (accept_cnode_) return send_accepting();
        auto sent = shared_ ? detail::call(endpoint_, label_, arena_, shared_, registers_, reply_)
                            : detail::call_inline(endpoint_, label_, arena_, registers_, reply_);
        if (!sent) return RpcFailure(sent.error());
        message_.segments = &reply_;
        message_.segment_count = 1;
        message_.caps = nullptr;
        message_.cap_count = 0;
        return wire::decode<R>(message_);
    }

private:
    // send() with a receive window for the reply's capabilities, set for
    // this call only (a server's own window is left as it was).
    [[gnu::noinline]] RpcResult<typename R::Reader> send_accepting() {
        abi::IpcBuffer* buffer = ipc_buffer();
        if (!buffer) return RpcFailure(RpcError::NoIpcBuffer);
        uint64_t saved[3] = {buffer->receive_cnode, buffer->receive_index, buffer->receive_depth};
        buffer->receive_cnode = accept_cnode_;
        buffer->receive_index = accept_slot_;
        buffer->receive_depth = 64;
        auto sent = shared_ ? detail::call(endpoint_, label_, arena_, shared_, registers_, reply_)
                            : detail::call(endpoint_, label_, arena_, nullptr, registers_, reply_);
        buffer->receive_cnode = saved[0];
        buffer->receive_index = saved[1];
        buffer->receive_depth = saved[2];
        if (!sent) return RpcFailure(sent.error());
        uint32_t arrived = uint32_t(abi::MessageInfo::caps(registers_.info));
        for (uint32_t i = 0; i < arrived; ++i)
            reply_caps_[i] = accept_slot_ + i;
        message_.segments = &reply_;
        message_.segment_count = 1;
        message_.caps = reply_caps_;
        message_.cap_count = arrived;
        return wire::decode<R>(message_);
    }

    // Parameters without pointers that fit in the message registers are
    // built right there: no IPC buffer needed.
    static constexpr bool kInRegisters =
        P::kPointers == 0 && 1u + P::kDataWords <= abi::kMessageRegisters;

    static wire::Arena arena_for(Message& registers) {
        if constexpr (kInRegisters) {
            for (uint32_t i = 1u + P::kDataWords; i < abi::kMessageRegisters; ++i)
                registers.words[i] = 0;
            return wire::Arena(registers.words, abi::kMessageRegisters);
        } else {
            abi::IpcBuffer* buffer = ipc_buffer();
            if (!buffer) return wire::Arena(RpcError::NoIpcBuffer);
            return wire::Arena(buffer->words, abi::kMaxMessageWords);
        }
    }

    uint64_t endpoint_;
    uint64_t label_;
    SharedBuffer* shared_ = nullptr;
    uint64_t accept_cnode_ = 0;
    uint64_t accept_slot_ = 0;
    wire::Arena arena_;
    typename P::Builder params_;
    // Set by send() (left uninitialised until then: this is the per-call
    // path, and unions are not default-initialised).
    union {
        wire::Segment reply_;
    };
    union {
        wire::Message message_;
    };
    union {
        Message registers_;
    };
    union {
        uint64_t reply_caps_[abi::kMaxMessageCaps];
    };
};

// What generated clients derive from: the endpoint capability they call.
class ClientBase {
public:
    ClientBase() = default;
    explicit ClientBase(uint64_t endpoint) : endpoint_(endpoint) {}
    uint64_t endpoint() const { return endpoint_; }

private:
    uint64_t endpoint_ = 0;
};

// --- serving ----------------------------------------------------------------------

// How a server receives. The thread that runs the server must have its IPC
// buffer attached (attach_ipc_buffer).
struct ServerConfig {
    uint64_t endpoint = 0; // receives calls (Read right)
    uint64_t reply = 0;    // a Reply object
    // Where transferred capabilities land: the CNode (its address in the
    // server's CSpace; 0 = accept none, which also refuses shared-frame
    // calls) and the first of 3 free slots.
    uint64_t cnode = 0;
    uint64_t receive_slot = 0;
};

class Server;

// A call that is answered later (Server::answer): the Reply object its
// caller waits on.
struct Deferred {
    uint64_t reply = 0;
};

// One call as a method implementation sees it.
class CallContext {
public:
    // The badge of the caller's endpoint capability: who is calling.
    uint64_t badge() const { return badge_; }
    // Keeps a capability that came with the call by moving it to `slot` of
    // the receive CNode (otherwise it is deleted after the reply).
    template <typename I> [[nodiscard]] RpcResult<uint64_t> keep(wire::Cap<I> cap, uint64_t slot) {
        return keep_index(cap.index, slot);
    }
    // Answers this call later (e.g. a read that waits for input): the
    // caller stays blocked until Server::answer. The method must then
    // return Ok (its own result is not sent; answer errors with
    // answer_error). Busy when the server has no spare Reply object left or
    // the call was deferred already.
    [[nodiscard]] RpcResult<Deferred> defer();

private:
    friend class Server;
    friend class Incoming;
    RpcResult<uint64_t> keep_index(uint32_t index, uint64_t slot);

    uint64_t badge_ = 0;
    const ServerConfig* config_ = nullptr;
    Server* server_ = nullptr;
    uint32_t received_ = 0;
    uint32_t kept_ = 0; // bit i: capability i was moved away
};

// A received call, handed to Dispatcher::dispatch.
class Incoming {
public:
    uint64_t method_label() const { return method_label_; }
    uint64_t badge() const { return context_.badge(); }
    // The raw message (for messages that are not IDL calls, e.g. faults).
    const wire::Segment& segment() const { return segment_; }

    // Decodes the parameters as P, runs `handler`, encodes its R result.
    template <typename P, typename R, typename F>
    [[gnu::always_inline]] RpcError serve(F&& handler) {
        auto params = wire::decode<P>(message_);
        if (!params) return params.error();
        auto result = wire::init_message<R>(reply_);
        if (RpcError e = handler(context_, params.value(), result); e != RpcError::Ok) return e;
        return reply_.error;
    }

private:
    friend class Server;
    uint64_t method_label_ = 0;
    wire::Segment segment_;
    wire::Message message_;
    uint64_t caps_[wire::Arena::kMaxCaps] = {};
    wire::Arena reply_;
    CallContext context_;
};

// A server skeleton (generated <Interface>Server classes derive from it).
class Dispatcher {
public:
    virtual RpcError dispatch(Incoming& in) = 0;
    // A message whose label is none of the interface's methods (a fault
    // message, a protocol of the server's own, or a signal of a notification
    // bound to the server's thread: label abi::kLabelNotification, the word
    // as the badge, nobody to reply to): UnknownMethod unless the server
    // says otherwise.
    virtual RpcError other(Incoming&) { return RpcError::UnknownMethod; }

protected:
    ~Dispatcher() = default;
};

// The server loop: receive, dispatch, reply and receive the next call.
// About 9 KiB (request and reply copies): give it static storage rather
// than a small thread stack.
class Server {
public:
    Server(const ServerConfig& config, Dispatcher& dispatcher)
        : config_(config), dispatcher_(dispatcher) {}

    // Serves until the endpoint fails (then returns IpcFailed).
    RpcError run();

    uint64_t calls() const { return calls_; }
    uint64_t errors() const { return errors_; }

    // Spare Reply objects (slots) for deferred calls: up to kMaxDeferred
    // callers can wait at once.
    static constexpr uint32_t kMaxDeferred = 8;
    void add_spare_reply(uint64_t reply);
    // Answers a deferred call with an R that fill(R::Builder) builds (it
    // returns Ok or the error to send instead). Inline replies only (at
    // most abi::kMaxMessageWords), without capabilities.
    // Each Deferred is answered once (it is emptied; a second answer is
    // BadReply). IpcFailed: the caller is gone (its Reply object is free
    // again all the same).
    template <typename R, typename F> RpcError answer(Deferred& call, F&& fill) {
        wire::Arena arena(deferred_words_, abi::kMaxMessageWords);
        auto result = wire::init_message<R>(arena);
        RpcError e = fill(result);
        if (e == RpcError::Ok) e = arena.error;
        return send_answer(call, e, arena.used);
    }
    // Answers a deferred call with an error.
    RpcError answer_error(Deferred& call, RpcError error) { return send_answer(call, error, 0); }

private:
    friend class CallContext;
    RpcResult<Deferred> defer();
    RpcError send_answer(Deferred& call, RpcError error, uint32_t words);

    // Receives the next message into `m` (again after a suspension).
    bool receive(Message& m);
    // Handles the call in `m`: leaves the reply's info in m.info and returns
    // where the reply's words 0-3 are.
    const uint64_t* handle(Message& m);
    // Calls with capabilities, long messages, shared frames.
    const uint64_t* handle_general(Message& m);
    // An inline reply from reply_words_: the long part to the IPC buffer,
    // the info to m; where words 0-3 are.
    const uint64_t* inline_reply(Message& m);
    // A call whose message is in a shared frame.
    RpcError receive_shared(Message& m, uint32_t& received, uint64_t& frame_slot);
    // Deletes a received capability (repeating while the kernel says
    // Preempted), so the slot is free for the next call.
    void release_slot(uint64_t slot);
    // Lists the result's capabilities in the IPC buffer; their number.
    uint32_t reply_caps();

    ServerConfig config_;
    Dispatcher& dispatcher_;
    Incoming in_; // reused for every call
    // Requests and replies are kept privately (a shared frame is 4 KiB).
    uint64_t request_words_[SharedBuffer::kWords] = {};
    uint64_t reply_words_[SharedBuffer::kWords] = {};
    uint64_t calls_ = 0;
    uint64_t errors_ = 0;
    uint64_t spare_replies_[kMaxDeferred] = {};
    uint32_t spare_count_ = 0;
    uint64_t deferred_at_ = ~0ull; // calls_ when the last call was deferred
    uint64_t deferred_words_[abi::kMaxMessageWords] = {};
};

} // namespace rayos::rpc
