// System test: the kernel's fault injection on a thread (tcb_inject):
// argument checks, memory refused (Starve), replies held (DelayReply) and a
// held caller suspended or deleted. The message-damaging modes are tested
// end to end through the injector (system.injector_basics). Runs as init.
#include "framework/caps.h"
#include "framework/guest_test.h"
#include "framework/tcb_thread.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;
using abi::Injection;
using abi::MessageInfo;
using abi::ObjectType;
using abi::Status;
using test::kDepth;
using test::kRoot;
using test::make_object;
using test::settle;
using test::st;
using test::start_tcb_thread;

namespace {

constexpr uint64_t kMainPriority = 100; // init's priority (kernel/config.h)
constexpr uint64_t kDelay = 20;         // ticks a held reply waits

uint64_t endpoint, reply;

// Answers every call with words[0] + 1, forever.
void increment_server(void*) {
    Message m;
    int64_t r = ipc::recv(endpoint, reply, m);
    while (r == 0) {
        m.info = MessageInfo::make(0, 1);
        m.words[0] += 1;
        r = ipc::reply_recv(endpoint, reply, m);
    }
    exit_thread(r);
}

// The server's thread (a TCB capability).
uint64_t start_server() {
    endpoint = make_object(ObjectType::Endpoint);
    reply = make_object(ObjectType::Reply);
    if (!endpoint || !reply) return 0;
    auto t = start_tcb_thread(increment_server, nullptr, kMainPriority);
    settle(); // in recv
    return t.tcb;
}

int64_t call_increment(uint64_t value, uint64_t& answer) {
    Message m{MessageInfo::make(0, 1), {value, 0, 0, 0}};
    int64_t r = ipc::call(endpoint, m);
    answer = m.words[0];
    return r;
}

uint64_t ticks() {
    return uint64_t(sys::clock_ticks());
}

volatile int64_t caller_result = 1;
volatile uint64_t caller_answer = 0;

void one_call(void*) {
    uint64_t answer = 0;
    caller_result = call_increment(7, answer);
    caller_answer = answer;
    exit_thread(0);
}

} // namespace

RAYOS_TEST("inject.arguments_checked") {
    uint64_t self = abi::kInitSlotTcb;
    CHECK(st(inv::tcb_inject(self, 6, 1, 0, 0)) == Status::InvalidArgument); // no such mode
    CHECK(st(inv::tcb_inject(self, uint64_t(Injection::Starve), 0, 0, 0)) ==
          Status::InvalidArgument); // count 0
    CHECK(st(inv::tcb_inject(self, uint64_t(Injection::Corrupt), 1025, 0, 0)) ==
          Status::InvalidArgument); // above kMaxInjections
    CHECK(st(inv::tcb_inject(self, uint64_t(Injection::DelayReply), 1, 0, 0)) ==
          Status::InvalidArgument); // no delay
    CHECK(st(inv::tcb_inject(self, uint64_t(Injection::DelayReply), 1, 0, 1001)) ==
          Status::InvalidArgument); // above kMaxInjectDelayTicks
    CHECK(st(inv::tcb_inject(kRoot, uint64_t(Injection::Starve), 1, 0, 0)) ==
          Status::InvalidCapability); // not a TCB
    // Nothing was armed: memory comes as ever.
    CHECK(make_object(ObjectType::Notification) != 0);
    CHECK_EQ(inv::tcb_inject(self, uint64_t(Injection::Off), 0, 0, 0), 0);
}

RAYOS_TEST("inject.starve_refuses_memory_then_gives_it") {
    uint64_t self = abi::kInitSlotTcb;
    CHECK_EQ(inv::tcb_inject(self, uint64_t(Injection::Starve), 2, 0, 0), 0);
    uint64_t slot = test::fresh_slot();
    for (int i = 0; i < 2; ++i)
        CHECK(st(inv::untyped_retype(test::big_untyped(), uint64_t(ObjectType::Endpoint), 0, kRoot,
                                     slot, 1)) == Status::OutOfMemory);
    // A bad request is refused for what it is and does not use up a refusal.
    CHECK_EQ(inv::tcb_inject(self, uint64_t(Injection::Starve), 1, 0, 0), 0);
    CHECK(st(inv::untyped_retype(test::big_untyped(), 99, 0, kRoot, slot, 1)) !=
          Status::OutOfMemory);
    CHECK(st(inv::untyped_retype(test::big_untyped(), uint64_t(ObjectType::Endpoint), 0, kRoot,
                                 slot, 1)) == Status::OutOfMemory);
    // Then memory comes again, into the same slot: the refusals made nothing.
    CHECK_EQ(
        inv::untyped_retype(test::big_untyped(), uint64_t(ObjectType::Endpoint), 0, kRoot, slot, 1),
        1);
    // Off cancels what is left.
    CHECK_EQ(inv::tcb_inject(self, uint64_t(Injection::Starve), 5, 0, 0), 0);
    CHECK_EQ(inv::tcb_inject(self, uint64_t(Injection::Off), 0, 0, 0), 5);
    CHECK(make_object(ObjectType::Notification) != 0);
}

RAYOS_TEST("inject.delay_holds_the_caller_then_answers") {
    uint64_t server = start_server();
    CHECK(server);
    CHECK_EQ(inv::tcb_inject(server, uint64_t(Injection::DelayReply), 2, 0, kDelay), 0);
    for (uint64_t i = 0; i < 2; ++i) {
        uint64_t before = ticks(), answer = 0;
        CHECK_EQ(call_increment(40 + i, answer), 0);
        CHECK_EQ(answer, 41 + i); // the reply itself is intact
        CHECK(ticks() - before >= kDelay);
    }
    uint64_t answer = 0;
    CHECK_EQ(call_increment(1, answer), 0); // the count ran out: as ever
    CHECK_EQ(answer, 2u);
    CHECK_EQ(inv::tcb_inject(server, uint64_t(Injection::Off), 0, 0, 0), 0);
}

RAYOS_TEST("inject.a_held_caller_suspended_keeps_its_answer") {
    uint64_t server = start_server();
    CHECK(server);
    CHECK_EQ(inv::tcb_inject(server, uint64_t(Injection::DelayReply), 1, 0, 1000), 0);
    caller_result = 1;
    caller_answer = 0;
    auto caller = start_tcb_thread(one_call, nullptr, kMainPriority);
    CHECK(caller.tcb);
    settle(); // the reply came and is held for 10 s
    CHECK_EQ(caller_result, 1);
    CHECK_EQ(inv::tcb_suspend(caller.tcb), 0);
    CHECK_EQ(inv::tcb_resume(caller.tcb), 0);
    settle();
    // Its call had succeeded: not Preempted (which would make it call again).
    CHECK_EQ(caller_result, 0);
    CHECK_EQ(caller_answer, 8u);
}

RAYOS_TEST("inject.a_held_caller_deleted_is_forgotten") {
    uint64_t server = start_server();
    CHECK(server);
    CHECK_EQ(inv::tcb_inject(server, uint64_t(Injection::DelayReply), 1, 0, 5), 0);
    caller_result = 1;
    auto caller = start_tcb_thread(one_call, nullptr, kMainPriority);
    CHECK(caller.tcb);
    settle(); // held
    CHECK_EQ(inv::cnode_delete(kRoot, caller.tcb, kDepth), 0);
    // The release tick passes with the caller gone; the server serves on.
    uint64_t until = ticks() + 10;
    while (ticks() < until)
        sys::yield();
    CHECK_EQ(caller_result, 1);
    uint64_t answer = 0;
    CHECK_EQ(call_increment(9, answer), 0);
    CHECK_EQ(answer, 10u);
}
