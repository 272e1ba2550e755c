// System test: synchronous IPC between threads (endpoints, badges, Reply
// objects, non-blocking variants, rights, deletion while threads wait).
// Runs as init; the threads share init's CSpace.
#include "framework/caps.h"
#include "framework/guest_test.h"
#include "framework/tcb_thread.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;
using abi::MessageInfo;
using abi::ObjectType;
using abi::Status;
using test::copy_cap;
using test::fresh_slot;
using test::kDepth;
using test::kRoot;
using test::make_object;
using test::settle;
using test::st;

namespace {

struct Server {
    uint64_t endpoint;
    uint64_t reply;
    volatile uint64_t handled = 0;
    volatile uint64_t last_badge = 0;
};

// Answers every call with words[0] + 1 and the same label, forever (until
// its endpoint is deleted).
void increment_server(void* arg) {
    auto* s = static_cast<Server*>(arg);
    Message m;
    int64_t r = ipc::recv(s->endpoint, s->reply, m);
    while (r == 0) {
        s->last_badge = m.badge;
        s->handled = s->handled + 1;
        m.info = MessageInfo::make(MessageInfo::label(m.info), 1);
        m.words[0] += 1;
        r = ipc::reply_recv(s->endpoint, s->reply, m);
    }
    exit_thread(r);
}

// A server thread with its own endpoint and reply object.
struct RunningServer {
    Server server;
    int64_t thread;
};

bool start_server(RunningServer& rs) {
    rs.server.endpoint = make_object(ObjectType::Endpoint);
    rs.server.reply = make_object(ObjectType::Reply);
    if (!rs.server.endpoint || !rs.server.reply) return false;
    rs.thread = Thread::spawn(increment_server, &rs.server);
    settle(); // the server is now blocked in recv
    return rs.thread > 0;
}

// Destroying the endpoint (revoke its copies, delete the original) releases
// the server with InvalidCapability.
bool stop_server(RunningServer& rs) {
    if (inv::cnode_revoke(kRoot, rs.server.endpoint, kDepth) != 0) return false;
    if (inv::cnode_delete(kRoot, rs.server.endpoint, kDepth) != 0) return false;
    abi::ThreadStopInfo info{};
    return Thread::join(uint64_t(rs.thread), info) == 0 && info.kind == abi::StopKind::Exited &&
           st(info.code) == Status::InvalidCapability;
}

} // namespace

RAYOS_TEST("ipc.call_and_reply") {
    RunningServer rs{};
    CHECK(start_server(rs));
    Message m{MessageInfo::make(7, 1), {41, 0, 0, 0}};
    CHECK_EQ(ipc::call(rs.server.endpoint, m), 0);
    CHECK_EQ(m.words[0], 42u);
    CHECK_EQ(MessageInfo::label(m.info), 7u);
    CHECK_EQ(MessageInfo::length(m.info), 1u);
    for (uint64_t i = 0; i < 100; ++i) {
        Message n{MessageInfo::make(1, 1), {i, 0, 0, 0}};
        CHECK_EQ(ipc::call(rs.server.endpoint, n), 0);
        CHECK_EQ(n.words[0], i + 1);
    }
    CHECK_EQ(rs.server.handled, 101u);
    CHECK(stop_server(rs));
}

RAYOS_TEST("ipc.four_words_each_way") {
    static uint64_t endpoint, reply;
    endpoint = make_object(ObjectType::Endpoint);
    reply = make_object(ObjectType::Reply);
    CHECK(endpoint && reply);
    int64_t t = Thread::spawn(
        [](void*) {
            Message m;
            if (ipc::recv(endpoint, reply, m) != 0) exit_thread(1);
            for (auto& w : m.words)
                w = ~w;
            exit_thread(sys::reply(reply, MessageInfo::make(2, 4), m.words[0], m.words[1],
                                   m.words[2], m.words[3]));
        },
        nullptr);
    CHECK(t > 0);
    settle();
    Message m{MessageInfo::make(1, 4), {1, 2, 3, 4}};
    CHECK_EQ(ipc::call(endpoint, m), 0);
    CHECK_EQ(m.words[0], ~1ull);
    CHECK_EQ(m.words[3], ~4ull);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK_EQ(info.code, 0);
}

RAYOS_TEST("ipc.badge_identifies_the_sender") {
    RunningServer rs{};
    CHECK(start_server(rs));
    uint64_t badged = fresh_slot();
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, rs.server.endpoint, abi::rights::kAll, 77), 0);
    Message m{MessageInfo::make(0, 1), {1, 0, 0, 0}};
    CHECK_EQ(ipc::call(badged, m), 0);
    CHECK_EQ(rs.server.last_badge, 77u);
    CHECK_EQ(ipc::call(rs.server.endpoint, m), 0);
    CHECK_EQ(rs.server.last_badge, 0u);
    CHECK(stop_server(rs));
}

RAYOS_TEST("ipc.send_then_receive") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    int64_t t = Thread::spawn(
        [](void*) { exit_thread(sys::send(endpoint, MessageInfo::make(3, 2), 10, 20, 0, 0)); },
        nullptr);
    CHECK(t > 0);
    settle(); // the sender is queued on the endpoint
    Message m;
    CHECK_EQ(ipc::recv(endpoint, 0, m), 0);
    CHECK_EQ(MessageInfo::label(m.info), 3u);
    CHECK_EQ(m.words[0], 10u);
    CHECK_EQ(m.words[1], 20u);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK_EQ(info.code, 0);
}

RAYOS_TEST("ipc.senders_are_served_in_order") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    int64_t threads[3];
    for (uint64_t i = 0; i < 3; ++i) {
        threads[i] = Thread::spawn(
            [](void* arg) {
                sys::send(endpoint, MessageInfo::make(0, 1), reinterpret_cast<uint64_t>(arg), 0, 0,
                          0);
            },
            reinterpret_cast<void*>(100 + i));
        CHECK(threads[i] > 0);
        settle();
    }
    for (uint64_t i = 0; i < 3; ++i) {
        Message m;
        CHECK_EQ(ipc::recv(endpoint, 0, m), 0);
        CHECK_EQ(m.words[0], 100 + i);
    }
    for (auto t : threads) {
        abi::ThreadStopInfo info{};
        CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    }
}

RAYOS_TEST("ipc.non_blocking_without_partner") {
    uint64_t endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    CHECK(st(sys::nb_send(endpoint, MessageInfo::make(0, 0), 0, 0, 0, 0)) == Status::WouldBlock);
    Message m;
    CHECK(st(ipc::nb_recv(endpoint, 0, m)) == Status::WouldBlock);
}

RAYOS_TEST("ipc.non_blocking_with_partner") {
    RunningServer rs{};
    CHECK(start_server(rs));
    // The server waits with a Reply object but a plain send needs no reply.
    CHECK_EQ(sys::nb_send(rs.server.endpoint, MessageInfo::make(0, 1), 5, 0, 0, 0), 0);
    settle();
    CHECK_EQ(rs.server.handled, 1u);
    CHECK(stop_server(rs));
}

RAYOS_TEST("ipc.bad_messages_rejected") {
    uint64_t endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    CHECK(st(sys::nb_send(endpoint, MessageInfo::make(0, 5), 0, 0, 0, 0)) ==
          Status::MessageTooLong);
    CHECK(st(sys::nb_send(endpoint, 1ull << 7, 0, 0, 0, 0)) == Status::InvalidArgument);
    Message m{MessageInfo::make(0, 100), {}};
    CHECK(st(ipc::call(endpoint, m)) == Status::MessageTooLong);
}

RAYOS_TEST("ipc.wrong_capabilities_rejected") {
    Message m;
    CHECK(st(ipc::call(abi::kInitSlotTcb, m)) == Status::InvalidCapability);
    CHECK(st(ipc::call(4090, m)) == Status::InvalidCapability);
    CHECK(st(ipc::call(1ull << 40, m)) == Status::LookupFailed);
    CHECK(st(ipc::nb_recv(abi::kInitSlotCNode, 0, m)) == Status::InvalidCapability);
    uint64_t endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    // The reply argument must be a Reply object.
    CHECK(st(ipc::nb_recv(endpoint, endpoint, m)) == Status::InvalidCapability);
    CHECK(st(sys::reply(endpoint, 0, 0, 0, 0, 0)) == Status::InvalidCapability);
}

RAYOS_TEST("ipc.rights_checked") {
    uint64_t endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    uint64_t read_only = copy_cap(endpoint, abi::rights::kRead);
    uint64_t write_only = copy_cap(endpoint, abi::rights::kWrite);
    CHECK(read_only && write_only);
    CHECK(st(sys::nb_send(read_only, 0, 0, 0, 0, 0)) == Status::MissingRights);
    Message m;
    CHECK(st(ipc::call(read_only, m)) == Status::MissingRights);
    CHECK(st(ipc::nb_recv(write_only, 0, m)) == Status::MissingRights);
    CHECK(st(ipc::nb_recv(read_only, 0, m)) == Status::WouldBlock);
    CHECK(st(sys::nb_send(write_only, 0, 0, 0, 0, 0)) == Status::WouldBlock);
}

RAYOS_TEST("ipc.reply_without_caller_rejected") {
    uint64_t reply = make_object(ObjectType::Reply);
    CHECK(reply);
    CHECK(st(sys::reply(reply, 0, 0, 0, 0, 0)) == Status::NotFound);
}

RAYOS_TEST("ipc.call_needs_a_reply_object") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    int64_t t = Thread::spawn(
        [](void*) {
            Message m;
            exit_thread(ipc::recv(endpoint, 0, m) == 0 ? int64_t(m.words[0]) : -1);
        },
        nullptr);
    CHECK(t > 0);
    settle(); // receiving without a Reply object
    Message m{MessageInfo::make(0, 1), {9, 0, 0, 0}};
    CHECK(st(ipc::call(endpoint, m)) == Status::InvalidArgument);
    // Nothing changed: the receiver still takes a plain send.
    CHECK_EQ(sys::send(endpoint, MessageInfo::make(0, 1), 9, 0, 0, 0), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK_EQ(info.code, 9);
}

RAYOS_TEST("ipc.several_pending_callers") {
    // One server thread holds two callers at once with two Reply objects and
    // answers them in reverse order.
    static uint64_t endpoint, reply_a, reply_b;
    endpoint = make_object(ObjectType::Endpoint);
    reply_a = make_object(ObjectType::Reply);
    reply_b = make_object(ObjectType::Reply);
    CHECK(endpoint && reply_a && reply_b);
    auto client = [](void* arg) {
        Message m{MessageInfo::make(0, 1), {reinterpret_cast<uint64_t>(arg), 0, 0, 0}};
        if (ipc::call(endpoint, m) != 0) exit_thread(-1);
        exit_thread(int64_t(m.words[0]));
    };
    int64_t c1 = Thread::spawn(client, reinterpret_cast<void*>(1));
    int64_t c2 = Thread::spawn(client, reinterpret_cast<void*>(2));
    CHECK(c1 > 0 && c2 > 0);
    settle(); // both callers are queued
    Message a, b;
    CHECK_EQ(ipc::recv(endpoint, reply_a, a), 0);
    CHECK_EQ(ipc::recv(endpoint, reply_b, b), 0);
    CHECK(st(ipc::nb_recv(endpoint, reply_a, a)) == Status::Busy); // reply_a has a caller
    CHECK_EQ(sys::reply(reply_b, MessageInfo::make(0, 1), b.words[0] * 10, 0, 0, 0), 0);
    CHECK_EQ(sys::reply(reply_a, MessageInfo::make(0, 1), a.words[0] * 10, 0, 0, 0), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(c1), info), 0);
    CHECK_EQ(info.code, 10);
    CHECK_EQ(Thread::join(uint64_t(c2), info), 0);
    CHECK_EQ(info.code, 20);
}

RAYOS_TEST("ipc.endpoint_deleted_while_callers_wait") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    int64_t t = Thread::spawn(
        [](void*) {
            Message m{MessageInfo::make(0, 0), {}};
            exit_thread(ipc::call(endpoint, m));
        },
        nullptr);
    CHECK(t > 0);
    settle(); // blocked in call: nobody receives
    CHECK_EQ(inv::cnode_delete(kRoot, endpoint, kDepth), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK(st(info.code) == Status::InvalidCapability);
}

RAYOS_TEST("ipc.reply_object_deleted_while_caller_waits") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    uint64_t reply = make_object(ObjectType::Reply);
    CHECK(endpoint && reply);
    int64_t t = Thread::spawn(
        [](void*) {
            Message m{MessageInfo::make(0, 0), {}};
            exit_thread(ipc::call(endpoint, m));
        },
        nullptr);
    CHECK(t > 0);
    settle();
    Message m;
    CHECK_EQ(ipc::recv(endpoint, reply, m), 0); // the caller now waits on `reply`
    CHECK_EQ(inv::cnode_delete(kRoot, reply, kDepth), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK(st(info.code) == Status::InvalidCapability);
}

RAYOS_TEST("ipc.endpoint_survives_deleting_one_copy") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    uint64_t copy = copy_cap(endpoint, abi::rights::kAll);
    CHECK(endpoint && copy);
    int64_t t = Thread::spawn(
        [](void*) {
            Message m;
            exit_thread(ipc::recv(endpoint, 0, m));
        },
        nullptr);
    CHECK(t > 0);
    settle();
    // Deleting one of two capabilities does not destroy the endpoint...
    CHECK_EQ(inv::cnode_delete(kRoot, copy, kDepth), 0);
    CHECK_EQ(sys::nb_send(endpoint, MessageInfo::make(0, 1), 5, 0, 0, 0), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK_EQ(info.code, 0);
}

// --- long messages through IPC buffers -------------------------------------------

namespace {
alignas(abi::kIpcBufferAlignment) abi::IpcBuffer client_buffer;
alignas(abi::kIpcBufferAlignment) abi::IpcBuffer server_buffer;
uint64_t long_endpoint = 0, long_reply = 0;
volatile uint64_t server_saw_length = 0;

// Answers with as many words as it got, each doubled (words 4.. in its
// IPC buffer), or with length 0 when it has no buffer to read them from.
void long_server(void*) {
    Message m;
    int64_t r = ipc::recv(long_endpoint, long_reply, m);
    while (r == 0) {
        uint64_t length = MessageInfo::length(m.info);
        server_saw_length = length;
        for (uint64_t i = 0; i < 4; ++i)
            m.words[i] *= 2;
        for (uint64_t i = 4; i < length; ++i)
            server_buffer.words[i] *= 2;
        m.info = MessageInfo::make(5, length);
        r = ipc::reply_recv(long_endpoint, long_reply, m);
    }
    exit_thread(0);
}
} // namespace

RAYOS_TEST("ipc.long_message_through_ipc_buffers") {
    long_endpoint = make_object(ObjectType::Endpoint);
    long_reply = make_object(ObjectType::Reply);
    CHECK(long_endpoint && long_reply);
    auto t = test::start_tcb_thread(long_server, nullptr, 100, 0, false);
    CHECK(t.tcb);
    CHECK_EQ(inv::tcb_set_ipc_buffer(t.tcb, reinterpret_cast<uint64_t>(&server_buffer)), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    CHECK_EQ(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, reinterpret_cast<uint64_t>(&client_buffer)),
             0);
    Message m{MessageInfo::make(1, abi::kMaxMessageWords), {1, 2, 3, 4}};
    for (uint64_t i = 4; i < abi::kMaxMessageWords; ++i)
        client_buffer.words[i] = i * 100;
    CHECK_EQ(ipc::call(long_endpoint, m), 0);
    CHECK_EQ(server_saw_length, abi::kMaxMessageWords);
    CHECK_EQ(MessageInfo::length(m.info), abi::kMaxMessageWords);
    CHECK_EQ(m.words[3], 8u);
    for (uint64_t i = 4; i < abi::kMaxMessageWords; ++i)
        CHECK_EQ(client_buffer.words[i], i * 200);
    CHECK(st(sys::nb_send(long_endpoint, MessageInfo::make(0, abi::kMaxMessageWords + 1), 0, 0, 0,
                          0)) == Status::MessageTooLong);
}

RAYOS_TEST("ipc.receiver_without_buffer_gets_the_registers") {
    // A receiver without an IPC buffer gets a long message cut to the four
    // register words, and its info says so.
    CHECK_EQ(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, reinterpret_cast<uint64_t>(&client_buffer)),
             0);
    Message m{MessageInfo::make(1, 10), {1, 2, 3, 4}};
    // A fresh server that has no IPC buffer.
    long_endpoint = make_object(ObjectType::Endpoint);
    long_reply = make_object(ObjectType::Reply);
    auto t = test::start_tcb_thread(long_server, nullptr, 100);
    CHECK(t.tcb);
    settle();
    CHECK_EQ(ipc::call(long_endpoint, m), 0);
    CHECK_EQ(server_saw_length, 4u);
    CHECK_EQ(MessageInfo::length(m.info), 4u);
}

RAYOS_TEST("ipc.ipc_buffer_arguments_checked") {
    CHECK(st(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, 0x1200)) == Status::InvalidArgument);
    CHECK(st(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, 0xFFFFFFFF80100000)) == Status::BadAddress);
    CHECK_EQ(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, 0x7F0000000000), 0); // unmapped: allowed
    Message m{MessageInfo::make(0, 8), {}};
    CHECK(st(ipc::call(long_endpoint, m)) == Status::BadAddress); // ...but checked when used
    CHECK_EQ(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, 0), 0);
    CHECK(st(ipc::call(long_endpoint, m)) == Status::MessageTooLong);
}

// --- capability transfer --------------------------------------------------------------

namespace {
alignas(abi::kIpcBufferAlignment) abi::IpcBuffer cap_client_buffer;
alignas(abi::kIpcBufferAlignment) abi::IpcBuffer cap_server_buffer;
uint64_t cap_endpoint = 0, cap_reply = 0, cap_landing = 0;
volatile uint64_t caps_seen = 0;

// Receives capabilities into slots cap_landing.., replies with how many came.
void cap_server(void*) {
    cap_server_buffer.receive_cnode = kRoot;
    cap_server_buffer.receive_index = cap_landing;
    cap_server_buffer.receive_depth = kDepth;
    Message m;
    int64_t r = ipc::recv(cap_endpoint, cap_reply, m);
    while (r == 0) {
        caps_seen = MessageInfo::caps(m.info);
        m.words[0] = cap_server_buffer.received;
        m.info = MessageInfo::make(0, 1);
        r = ipc::reply_recv(cap_endpoint, cap_reply, m);
    }
    exit_thread(0);
}
} // namespace

RAYOS_TEST("ipc.capabilities_travel_with_grant") {
    cap_endpoint = make_object(ObjectType::Endpoint);
    cap_reply = make_object(ObjectType::Reply);
    cap_landing = fresh_slot();
    fresh_slot();
    CHECK(cap_endpoint && cap_reply);
    auto t = test::start_tcb_thread(cap_server, nullptr, 100, 0, false);
    CHECK(t.tcb);
    CHECK_EQ(inv::tcb_set_ipc_buffer(t.tcb, reinterpret_cast<uint64_t>(&cap_server_buffer)), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    CHECK_EQ(
        inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, reinterpret_cast<uint64_t>(&cap_client_buffer)),
        0);
    // Send a notification capability and a badged copy of it.
    uint64_t n = make_object(ObjectType::Notification), badged = fresh_slot();
    CHECK(n);
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, n, abi::rights::kAll, 0x8), 0);
    cap_client_buffer.caps[0] = n;
    cap_client_buffer.caps[1] = badged;
    Message m{MessageInfo::make(0, 0, 2), {}};
    CHECK_EQ(ipc::call(cap_endpoint, m), 0);
    CHECK_EQ(caps_seen, 2u);
    CHECK_EQ(m.words[0], 2u);
    // The copies work: signal through the received badged copy.
    CHECK_EQ(sys::signal(cap_landing + 1), 0);
    uint64_t word = 0;
    CHECK_EQ(notification::poll(n, word), 1);
    CHECK_EQ(word, 0x8u);
    // They derive from the originals: revoking the original removes them.
    CHECK_EQ(inv::cnode_revoke(kRoot, n, kDepth), 0);
    CHECK(st(sys::signal(cap_landing)) == Status::InvalidCapability);
}

RAYOS_TEST("ipc.capability_transfer_checked") {
    CHECK(cap_endpoint);
    uint64_t no_grant = copy_cap(cap_endpoint, abi::rights::kWrite | abi::rights::kRead);
    CHECK(no_grant);
    cap_client_buffer.caps[0] = abi::kInitSlotTcb;
    Message m{MessageInfo::make(0, 0, 1), {}};
    CHECK(st(ipc::call(no_grant, m)) == Status::MissingRights);
    cap_client_buffer.caps[0] = 4094; // empty slot
    m.info = MessageInfo::make(0, 0, 1);
    CHECK(st(ipc::call(cap_endpoint, m)) == Status::InvalidCapability);
    // Occupied landing slots: the message arrives, the capability does not.
    cap_client_buffer.caps[0] = abi::kInitSlotTcb;
    uint64_t occupied = fresh_slot();
    CHECK_EQ(inv::cnode_copy(kRoot, occupied, kDepth, abi::kInitSlotTcb, abi::rights::kAll), 0);
    cap_server_buffer.receive_index = occupied;
    m.info = MessageInfo::make(0, 0, 1);
    CHECK_EQ(ipc::call(cap_endpoint, m), 0);
    CHECK_EQ(m.words[0], 0u);
    CHECK_EQ(caps_seen, 0u);
    // Without a caller, a reply (with or without capabilities) has nowhere to go.
    CHECK(st(sys::reply(cap_reply, MessageInfo::make(0, 0, 1), 0, 0, 0, 0)) == Status::NotFound);
}

// --- capabilities in replies (GrantReply) ----------------------------------------------

namespace {
alignas(abi::kIpcBufferAlignment) abi::IpcBuffer grant_client_buffer;
alignas(abi::kIpcBufferAlignment) abi::IpcBuffer grant_server_buffer;
uint64_t grant_endpoint = 0, grant_reply_object = 0, grant_gift = 0;
volatile int64_t missing_cap_status = 0;

// Answers every call with a copy of `grant_gift` (a notification). The first
// reply first names an empty slot, which must be refused with the caller
// still waiting.
void grant_reply_server(void*) {
    Message m;
    int64_t r = ipc::recv(grant_endpoint, grant_reply_object, m);
    bool first = true;
    while (r == 0) {
        if (first) {
            grant_server_buffer.caps[0] = 4093; // empty
            missing_cap_status =
                sys::reply(grant_reply_object, MessageInfo::make(0, 0, 1), 0, 0, 0, 0);
            first = false;
        }
        grant_server_buffer.caps[0] = grant_gift;
        m.info = MessageInfo::make(0, 1, 1);
        m.words[0] = 0x600d;
        r = ipc::reply_recv(grant_endpoint, grant_reply_object, m);
    }
    exit_thread(0);
}
} // namespace

RAYOS_TEST("ipc.replies_carry_capabilities_to_callers_with_grant_reply") {
    grant_endpoint = make_object(ObjectType::Endpoint);
    grant_reply_object = make_object(ObjectType::Reply);
    grant_gift = make_object(ObjectType::Notification);
    CHECK(grant_endpoint && grant_reply_object && grant_gift);
    auto t = test::start_tcb_thread(grant_reply_server, nullptr, 100, 0, false);
    CHECK(t.tcb);
    CHECK_EQ(inv::tcb_set_ipc_buffer(t.tcb, reinterpret_cast<uint64_t>(&grant_server_buffer)), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    CHECK_EQ(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb,
                                     reinterpret_cast<uint64_t>(&grant_client_buffer)),
             0);
    uint64_t landing = fresh_slot();
    grant_client_buffer.receive_cnode = kRoot;
    grant_client_buffer.receive_index = landing;
    grant_client_buffer.receive_depth = kDepth;

    // With GrantReply: the capability arrives (after the refused first reply).
    Message m{MessageInfo::make(0, 0), {}};
    CHECK_EQ(ipc::call(grant_endpoint, m), 0);
    CHECK(st(missing_cap_status) == Status::InvalidCapability);
    CHECK_EQ(m.words[0], 0x600du);
    CHECK_EQ(MessageInfo::caps(m.info), 1u);
    CHECK_EQ(grant_client_buffer.received, 1u);
    CHECK_EQ(sys::signal(landing), 0); // the copy works
    uint64_t word = 0;
    CHECK_EQ(notification::poll(grant_gift, word), 1);

    // Without GrantReply: the reply arrives, its capability does not.
    uint64_t landing2 = fresh_slot();
    grant_client_buffer.receive_index = landing2;
    uint64_t plain =
        copy_cap(grant_endpoint, abi::rights::kRead | abi::rights::kWrite | abi::rights::kGrant);
    m.info = MessageInfo::make(0, 0);
    CHECK_EQ(ipc::call(plain, m), 0);
    CHECK_EQ(m.words[0], 0x600du);
    CHECK_EQ(MessageInfo::caps(m.info), 0u);
    CHECK_EQ(grant_client_buffer.received, 0u);
    CHECK(st(sys::signal(landing2)) == Status::InvalidCapability); // the slot stayed empty
    CHECK_EQ(inv::tcb_set_ipc_buffer(abi::kInitSlotTcb, 0), 0);
}
