// System test: notifications — signals and badges, waiting and polling,
// rights, deletion while waiting, timers, and notifications bound to a
// thread. Runs as init.
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

// --- notifications -------------------------------------------------------------

RAYOS_TEST("notification.timer_signals_after_its_ticks") {
    uint64_t n = make_object(ObjectType::Notification);
    CHECK(n);
    int64_t before = sys::clock_ticks();
    CHECK_EQ(inv::notification_set_timer(n, 3, 0x40), 0);
    uint64_t word = 0;
    CHECK_EQ(notification::wait(n, word), 0);
    CHECK_EQ(word, 0x40u);
    CHECK(sys::clock_ticks() - before >= 3);
    // A new setting replaces the old one.
    CHECK_EQ(inv::notification_set_timer(n, 100000, 1), 0);
    CHECK_EQ(inv::notification_set_timer(n, 2, 2), 0);
    CHECK_EQ(notification::wait(n, word), 0);
    CHECK_EQ(word, 2u);
}

RAYOS_TEST("notification.timer_cancelled_deleted_and_checked") {
    uint64_t cancelled = make_object(ObjectType::Notification);
    uint64_t deleted = make_object(ObjectType::Notification);
    uint64_t clock = make_object(ObjectType::Notification);
    CHECK(cancelled && deleted && clock);
    CHECK_EQ(inv::notification_set_timer(cancelled, 2, 1), 0);
    CHECK_EQ(inv::notification_set_timer(cancelled, 0, 0), 0); // cancelled
    CHECK_EQ(inv::notification_set_timer(deleted, 2, 1), 0);
    CHECK_EQ(inv::cnode_delete(kRoot, deleted, kDepth), 0); // armed, then gone
    CHECK_EQ(inv::notification_set_timer(clock, 5, 1), 0);
    uint64_t word = 0;
    CHECK_EQ(notification::wait(clock, word), 0); // 5 ticks later: nothing fired
    CHECK_EQ(notification::poll(cancelled, word), 0);
    // Rights and limits.
    uint64_t read_only = copy_cap(clock, abi::rights::kRead);
    CHECK(st(inv::notification_set_timer(read_only, 1, 1)) == Status::MissingRights);
    CHECK(st(inv::notification_set_timer(clock, 1ull << 40, 1)) == Status::InvalidArgument);
    CHECK(st(inv::notification_set_timer(make_object(ObjectType::Endpoint), 1, 1)) ==
          Status::InvalidCapability);
}

RAYOS_TEST("notification.badges_accumulate") {
    uint64_t n = make_object(ObjectType::Notification);
    CHECK(n);
    uint64_t one = fresh_slot(), four = fresh_slot();
    CHECK_EQ(inv::cnode_mint(kRoot, one, kDepth, n, abi::rights::kAll, 1), 0);
    CHECK_EQ(inv::cnode_mint(kRoot, four, kDepth, n, abi::rights::kAll, 4), 0);
    CHECK_EQ(sys::signal(one), 0);
    CHECK_EQ(sys::signal(four), 0);
    CHECK_EQ(sys::signal(one), 0);
    uint64_t word = 0;
    CHECK_EQ(notification::wait(n, word), 0);
    CHECK_EQ(word, 5u);
    CHECK_EQ(notification::poll(n, word), 0); // cleared by the wait
    CHECK_EQ(word, 0u);
}

RAYOS_TEST("notification.poll_reports_pending_signal") {
    uint64_t n = make_object(ObjectType::Notification);
    CHECK(n);
    uint64_t word = 99;
    CHECK_EQ(notification::poll(n, word), 0);
    CHECK_EQ(word, 0u);
    CHECK_EQ(sys::signal(n), 0); // unbadged: pending with word 0
    CHECK_EQ(notification::poll(n, word), 1);
    CHECK_EQ(word, 0u);
    CHECK_EQ(notification::poll(n, word), 0);
}

RAYOS_TEST("notification.wait_blocks_until_signal") {
    static uint64_t n, badged;
    n = make_object(ObjectType::Notification);
    badged = fresh_slot();
    CHECK(n);
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, n, abi::rights::kAll, 0x40), 0);
    int64_t t = Thread::spawn(
        [](void*) {
            uint64_t word = 0;
            if (notification::wait(n, word) != 0) exit_thread(-1);
            exit_thread(int64_t(word));
        },
        nullptr);
    CHECK(t > 0);
    settle(); // it waits
    CHECK_EQ(sys::signal(badged), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK_EQ(info.code, 0x40);
}

RAYOS_TEST("notification.rights_and_types_checked") {
    uint64_t n = make_object(ObjectType::Notification);
    CHECK(n);
    uint64_t read_only = copy_cap(n, abi::rights::kRead);
    uint64_t write_only = copy_cap(n, abi::rights::kWrite);
    uint64_t word = 0;
    CHECK(st(sys::signal(read_only)) == Status::MissingRights);
    CHECK(st(notification::poll(write_only, word)) == Status::MissingRights);
    CHECK(st(sys::signal(abi::kInitSlotTcb)) == Status::InvalidCapability);
    CHECK(st(notification::poll(4092, word)) == Status::InvalidCapability);
    uint64_t endpoint = make_object(ObjectType::Endpoint);
    CHECK(st(sys::signal(endpoint)) == Status::InvalidCapability);
    Message m;
    CHECK(st(ipc::nb_recv(n, 0, m)) == Status::InvalidCapability);
}

RAYOS_TEST("notification.deleted_while_waiting") {
    static uint64_t n;
    n = make_object(ObjectType::Notification);
    CHECK(n);
    int64_t t = Thread::spawn(
        [](void*) {
            uint64_t word = 0;
            exit_thread(notification::wait(n, word));
        },
        nullptr);
    CHECK(t > 0);
    settle();
    CHECK_EQ(inv::cnode_delete(kRoot, n, kDepth), 0);
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(t), info), 0);
    CHECK(st(info.code) == Status::InvalidCapability);
}

// --- bound notifications ------------------------------------------------------------

namespace {
uint64_t bound_endpoint = 0;
volatile uint64_t bound_label = 0, bound_word = 0;

void receive_once(void*) {
    Message m;
    if (ipc::recv(bound_endpoint, 0, m) == 0) {
        bound_label = MessageInfo::label(m.info);
        bound_word = m.badge;
    }
    exit_thread(0);
}
} // namespace

RAYOS_TEST("notification.bound_signal_ends_a_receive") {
    bound_endpoint = make_object(ObjectType::Endpoint);
    uint64_t n = make_object(ObjectType::Notification), badged = fresh_slot();
    CHECK(bound_endpoint && n);
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, n, abi::rights::kAll, 0x20), 0);
    bound_label = 0;
    bound_word = 0;
    auto t = test::start_tcb_thread(receive_once, nullptr, 100, 0, false);
    CHECK(t.tcb);
    CHECK_EQ(inv::tcb_bind_notification(t.tcb, n), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    settle(); // it waits on the endpoint
    CHECK_EQ(bound_label, 0u);
    CHECK_EQ(sys::signal(badged), 0);
    settle();
    CHECK_EQ(bound_label, abi::kLabelNotification);
    CHECK_EQ(bound_word, 0x20u);
}

RAYOS_TEST("notification.pending_bound_signal_comes_first") {
    uint64_t endpoint = make_object(ObjectType::Endpoint),
             n = make_object(ObjectType::Notification);
    CHECK(endpoint && n);
    CHECK_EQ(inv::tcb_bind_notification(abi::kInitSlotTcb, n), 0);
    Message m;
    CHECK(st(ipc::nb_recv(endpoint, 0, m)) == Status::WouldBlock); // nothing pending
    CHECK_EQ(sys::signal(n), 0);
    CHECK_EQ(ipc::nb_recv(endpoint, 0, m), 0);
    CHECK_EQ(MessageInfo::label(m.info), abi::kLabelNotification);
    CHECK(st(ipc::nb_recv(endpoint, 0, m)) == Status::WouldBlock); // consumed
    // Binding rules.
    uint64_t other = make_object(ObjectType::Notification);
    CHECK(st(inv::tcb_bind_notification(abi::kInitSlotTcb, other)) == Status::Busy);
    CHECK(st(inv::tcb_bind_notification(abi::kInitSlotTcb, endpoint)) == Status::InvalidCapability);
    CHECK_EQ(inv::tcb_bind_notification(abi::kInitSlotTcb, 0), 0);
    CHECK_EQ(inv::tcb_bind_notification(abi::kInitSlotTcb, other), 0);
    CHECK_EQ(inv::tcb_bind_notification(abi::kInitSlotTcb, 0), 0);
}
