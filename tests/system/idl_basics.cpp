// IDL calls between address spaces: a sample Echo server (echo.capnp) and
// its generated client, including a capability passed as an interface-typed
// parameter, shared-frame calls for large payloads, and malformed requests
// answered with errors while the server keeps serving.
#include "framework/caps.h"
#include "framework/echo_server.h"
#include "framework/guest_test.h"
#include "framework/tcb_thread.h"

#include <rayos/invoke.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

using namespace rayos;
using namespace rayos::test;
using namespace rayos::idl::echo;
using abi::MessageInfo;

namespace {

alignas(abi::kIpcBufferAlignment) abi::IpcBuffer client_buffer;
EchoInstance first, second;

bool ready() {
    static bool done = false;
    if (done) return true;
    if (!rpc::attach_ipc_buffer(abi::kInitSlotTcb, &client_buffer)) return false;
    done = start_echo_server(first, 0) && start_echo_server(second, 1000);
    return done;
}

// A raw call with hand-made words: returns the reply's label.
uint64_t raw_call(uint64_t endpoint, uint64_t label, std::initializer_list<uint64_t> words,
                  uint64_t caps = 0) {
    Message m;
    uint32_t i = 0;
    for (uint64_t w : words) {
        if (i < abi::kMessageRegisters)
            m.words[i] = w;
        else
            client_buffer.words[i] = w;
        ++i;
    }
    m.info = MessageInfo::make(label, i, caps);
    if (ipc::call(endpoint, m) != 0) return ~0ull;
    return MessageInfo::label(m.info);
}

} // namespace

RAYOS_TEST("idl.call_with_integers") {
    CHECK(ready());
    EchoClient echo(first.endpoint);
    auto call = echo.add();
    call.params().set_a(40);
    call.params().set_b(2);
    auto result = call.send();
    CHECK(result.ok());
    if (result) CHECK_EQ(result->sum(), 42u);
}

RAYOS_TEST("idl.data_inline_round_trip") {
    CHECK(ready());
    EchoClient echo(first.endpoint);
    auto call = echo.reverse();
    call.params().set_bytes("abcdef", 6);
    auto result = call.send();
    CHECK(result.ok());
    if (result) {
        CHECK_EQ(result->bytes().size, 6u);
        CHECK(result->bytes().ptr[0] == 'f' && result->bytes().ptr[5] == 'a');
    }
}

RAYOS_TEST("idl.replies_longer_than_the_registers_come_through_the_ipc_buffer") {
    CHECK(ready());
    static const char text[] = "a reply of forty bytes, beyond registers";
    EchoClient echo(first.endpoint);
    for (int round = 0; round < 2; ++round) {
        auto call = echo.reverse();
        call.params().set_bytes(text, 40);
        auto result = call.send();
        CHECK(result.ok());
        if (!result) return;
        wire::Data d = result->bytes();
        CHECK_EQ(d.size, 40u);
        bool same = d.size == 40;
        for (uint32_t i = 0; same && i < 40; ++i)
            same = d.ptr[i] == uint8_t(text[39 - i]);
        CHECK(same);
    }
}

RAYOS_TEST("idl.too_large_for_the_ipc_buffer_is_an_error_not_a_truncation") {
    CHECK(ready());
    static uint8_t payload[1024];
    EchoClient echo(first.endpoint);
    auto call = echo.reverse();
    call.params().set_bytes(payload, sizeof payload);
    auto result = call.send();
    CHECK(!result.ok());
    CHECK(result.error() == RpcError::NoSpace);
}

RAYOS_TEST("idl.one_kib_each_way_through_a_shared_frame") {
    CHECK(ready());
    static rpc::SharedBuffer shared;
    CHECK(shared.words || make_shared_buffer(shared));
    static uint8_t payload[1024];
    for (uint32_t i = 0; i < sizeof payload; ++i)
        payload[i] = uint8_t(i * 7);
    EchoClient echo(first.endpoint);
    for (int round = 0; round < 3; ++round) { // the frame is reusable
        auto call = echo.reverse(shared);
        call.params().set_bytes(payload, sizeof payload);
        auto result = call.send();
        CHECK(result.ok());
        if (!result) return;
        wire::Data d = result->bytes();
        CHECK_EQ(d.size, 1024u);
        bool same = d.size == 1024;
        for (uint32_t i = 0; same && i < d.size; ++i)
            same = d.ptr[i] == payload[1023 - i];
        CHECK(same);
    }
}

RAYOS_TEST("idl.capability_passed_as_an_interface_parameter") {
    CHECK(ready());
    // The caller grants `second` to `first`, which calls it: 1000 is the
    // offset only `second` adds.
    uint64_t granting = copy_cap(first.endpoint, abi::rights::kAll);
    EchoClient echo(granting);
    auto call = echo.forward();
    call.params().set_target(second.endpoint);
    call.params().set_a(1);
    call.params().set_b(2);
    auto result = call.send();
    CHECK(result.ok());
    if (result) CHECK_EQ(result->sum(), 1003u);
    // The server deleted its copy after the call: calling forward again with
    // the same capability works again (the receive slots were freed).
    auto again = echo.forward();
    again.params().set_target(second.endpoint);
    again.params().set_a(5);
    auto second_result = again.send();
    CHECK(second_result.ok());
    if (second_result) CHECK_EQ(second_result->sum(), 1005u);
}

RAYOS_TEST("idl.capability_returned_in_a_result") {
    CHECK(ready());
    uint64_t landing = fresh_slot();
    fresh_slot();
    fresh_slot();
    EchoClient echo(first.endpoint); // all rights, GrantReply included
    auto call = echo.self();
    call.accept_capabilities(kRoot, landing);
    auto result = call.send();
    CHECK(result.ok());
    if (!result) return;
    CHECK(result->echo().valid());
    CHECK_EQ(result->echo().slot, landing);
    // The capability works: call through it.
    EchoClient copy(result->echo());
    auto add = copy.add();
    add.params().set_a(20);
    add.params().set_b(22);
    auto sum = add.send();
    CHECK(sum.ok());
    if (sum) CHECK_EQ(sum->sum(), 42u);
    CHECK_EQ(inv::cnode_delete(kRoot, landing, kDepth), 0);
}

RAYOS_TEST("idl.result_capability_needs_grant_reply_and_a_window") {
    CHECK(ready());
    uint64_t landing = fresh_slot();
    fresh_slot();
    fresh_slot();
    // No receive window: the capability is not accepted, reading fails.
    EchoClient echo(first.endpoint);
    auto plain = echo.self();
    auto result = plain.send();
    CHECK(!result.ok());
    CHECK(result.error() == RpcError::MissingCapability);
    // A window, but an endpoint capability without GrantReply: the same.
    uint64_t no_grant_reply =
        copy_cap(first.endpoint, abi::rights::kRead | abi::rights::kWrite | abi::rights::kGrant);
    EchoClient limited(no_grant_reply);
    auto call = limited.self();
    call.accept_capabilities(kRoot, landing);
    auto refused = call.send();
    CHECK(!refused.ok());
    CHECK(refused.error() == RpcError::MissingCapability);
    CHECK(st(sys::signal(landing)) == abi::Status::InvalidCapability); // nothing landed
}

RAYOS_TEST("idl.missing_capability_is_an_error") {
    CHECK(ready());
    // forward with a capability pointer (index 0) but no capability sent:
    // root struct (1 data word... ForwardRequest has 2 data words, 1 pointer).
    uint64_t label = Echo::Methods::forward;
    uint64_t root = (uint64_t(2) << 32) | (uint64_t(1) << 48);
    CHECK_EQ(raw_call(first.endpoint, label, {root, 1, 2, 3 /* capability 0 */}),
             uint64_t(RpcError::MissingCapability));
    // forward with no target at all: the method itself refuses.
    CHECK_EQ(raw_call(first.endpoint, label, {root, 1, 2, 0}),
             uint64_t(RpcError::MissingCapability));
}

RAYOS_TEST("idl.malformed_requests_get_errors_and_the_server_keeps_serving") {
    CHECK(ready());
    uint64_t add = Echo::Methods::add;
    // Root pointer far outside the message.
    CHECK_EQ(raw_call(first.endpoint, add, {0x0000000200001000ull}),
             uint64_t(RpcError::OutOfBounds));
    // Empty message.
    CHECK_EQ(raw_call(first.endpoint, add, {}), uint64_t(RpcError::OutOfBounds));
    // A list where the root struct should be.
    CHECK_EQ(raw_call(first.endpoint, add, {1, 0}), uint64_t(RpcError::WrongType));
    // Payload whose Data list runs past the message.
    uint64_t payload_root = uint64_t(1) << 48;
    CHECK_EQ(raw_call(first.endpoint, Echo::Methods::reverse,
                      {payload_root, 1 | (uint64_t(2) << 32) | (uint64_t(500) << 35)}),
             uint64_t(RpcError::OutOfBounds));
    // A method the interface does not have, and a label of another interface.
    CHECK_EQ(raw_call(first.endpoint, add + 7, {0}), uint64_t(RpcError::UnknownMethod));
    CHECK_EQ(raw_call(first.endpoint, 0x1234, {0}), uint64_t(RpcError::UnknownMethod));
    // A shared-frame call without a frame.
    CHECK_EQ(raw_call(first.endpoint, add | wire::kLabelShared, {3}),
             uint64_t(RpcError::NoSharedBuffer));
    // Still serving.
    EchoClient echo(first.endpoint);
    auto call = echo.add();
    call.params().set_a(7);
    auto result = call.send();
    CHECK(result.ok());
    if (result) CHECK_EQ(result->sum(), 7u);
}

RAYOS_TEST("idl.calls_without_rights_fail_cleanly") {
    CHECK(ready());
    // An endpoint capability without Write cannot send: IpcFailed, no hang.
    uint64_t read_only = copy_cap(first.endpoint, abi::rights::kRead);
    EchoClient echo(read_only);
    auto call = echo.add();
    auto result = call.send();
    CHECK(!result.ok());
    CHECK(result.error() == RpcError::IpcFailed);
    // Passing a capability needs Grant on the endpoint.
    uint64_t no_grant = copy_cap(first.endpoint, abi::rights::kRead | abi::rights::kWrite);
    EchoClient limited(no_grant);
    auto forward = limited.forward();
    forward.params().set_target(second.endpoint);
    auto denied = forward.send();
    CHECK(!denied.ok());
}

// --- regression tests for findings of the IDL code review -------------------------

namespace {

rpc::SharedBuffer revoking_shared;
uint64_t revoker_endpoint = 0, revoker_reply = 0;

// Answers one Echo.add after revoking the caller's shared frame, as a hostile
// client would while the server is busy with its request.
void revoker(void*) {
    Message m;
    if (ipc::recv(revoker_endpoint, revoker_reply, m) == 0) {
        while (inv::cnode_revoke(kRoot, revoking_shared.frame, kDepth) ==
               int64_t(abi::Status::Preempted)) {
        }
        // AddResult: root pointer, one data word.
        (void)sys::reply(revoker_reply, MessageInfo::make(0, 2), uint64_t(1) << 32, 7, 0, 0);
    }
    rayos::exit_thread(0);
}

} // namespace

RAYOS_TEST("review.revoking_a_shared_frame_mid_call_does_not_crash_the_server") {
    CHECK(ready());
    CHECK(revoking_shared.words || make_shared_buffer(revoking_shared));
    revoker_endpoint = make_object(abi::ObjectType::Endpoint);
    revoker_reply = make_object(abi::ObjectType::Reply);
    auto t = start_tcb_thread(revoker, nullptr, 100);
    CHECK(t.tcb);
    // forward(target = our revoker) in a shared frame: while the server waits
    // for the revoker, the frame disappears from under it.
    EchoClient echo(first.endpoint);
    auto call = echo.forward(revoking_shared);
    call.params().set_target(revoker_endpoint);
    call.params().set_a(1);
    auto result = call.send();
    CHECK(!result.ok());
    CHECK(result.error() == RpcError::NoSharedBuffer);
    // The server is alive and serves the next call.
    auto add = echo.add();
    add.params().set_a(5);
    add.params().set_b(6);
    auto sum = add.send();
    CHECK(sum.ok());
    if (sum) CHECK_EQ(sum->sum(), 11u);
}

RAYOS_TEST("review.a_shared_call_with_three_capabilities_is_refused_before_sending") {
    CHECK(ready());
    static rpc::SharedBuffer shared;
    CHECK(shared.words || make_shared_buffer(shared));
    uint64_t receive_cnode = client_buffer.receive_cnode;
    EchoClient echo(first.endpoint);
    auto call = echo.forward(shared);
    for (int i = 0; i < 3; ++i) // three capabilities in the message, plus the frame
        call.params().set_target(second.endpoint);
    auto result = call.send();
    CHECK(!result.ok());
    CHECK(result.error() == RpcError::TooManyCapabilities);
    CHECK_EQ(client_buffer.receive_cnode, receive_cnode); // nothing written past caps[]
}
