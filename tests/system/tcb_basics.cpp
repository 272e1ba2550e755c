// System test: threads made from TCB objects (configure, registers,
// priority, resume/suspend, statistics) and faults delivered as messages to
// a fault handler, which resumes or stops the faulting thread. Runs as init.
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
using test::kDepth;
using test::kRoot;
using test::make_object;
using test::settle;
using test::st;
using test::start_tcb_thread;

namespace {

constexpr uint64_t kMainPriority = 100; // init's priority (kernel/config.h)

volatile uint64_t flag = 0;
volatile uint64_t unmapped = 0x10; // read through a volatile: the compiler cannot see the fault

void set_flag_and_exit(void* value) {
    flag = reinterpret_cast<uint64_t>(value);
    exit_thread(0);
}

void fault_on_null_read(void*) {
    flag = *reinterpret_cast<volatile uint64_t*>(unmapped);
    exit_thread(0);
}

void invalid_opcode(void*) {
    asm volatile("ud2");
    exit_thread(0);
}

// rax holds a value across an invalid opcode (its handler resumes it past
// the ud2): what rax holds afterwards goes to `flag`.
void ud2_with_rax_live(void*) {
    uint64_t out;
    asm volatile("mov $0x5EED, %%rax\n\tud2\n\tmov %%rax, %0" : "=r"(out) : : "rax", "memory");
    flag = out;
    exit_thread(0);
}

// Where a fault handler sends a thread it resumes elsewhere.
void recovered(void*) {
    flag = 0xC0FFEE;
    exit_thread(0);
}

} // namespace

// --- TCB objects -----------------------------------------------------------------

RAYOS_TEST("tcb.created_thread_runs") {
    flag = 0;
    auto t = start_tcb_thread(set_flag_and_exit, reinterpret_cast<void*>(7), kMainPriority);
    CHECK(t.tcb != 0);
    settle();
    CHECK_EQ(flag, 7u);
}

RAYOS_TEST("tcb.inactive_until_resumed") {
    flag = 0;
    auto t =
        start_tcb_thread(set_flag_and_exit, reinterpret_cast<void*>(8), kMainPriority, 0, false);
    CHECK(t.tcb != 0);
    settle();
    CHECK_EQ(flag, 0u);
    inv::TcbRegisters regs{};
    CHECK_EQ(inv::tcb_registers(t.tcb, regs), 0);
    CHECK_EQ(regs.rip, reinterpret_cast<uint64_t>(&set_flag_and_exit));
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    settle();
    CHECK_EQ(flag, 8u);
    CHECK(st(inv::tcb_resume(t.tcb)) == Status::Busy); // it ran and exited
}

RAYOS_TEST("tcb.argument_errors") {
    uint64_t tcb = make_object(ObjectType::Tcb);
    CHECK(tcb);
    uint64_t entry = reinterpret_cast<uint64_t>(&set_flag_and_exit);
    uint64_t stack = test::fresh_stack_top();
    CHECK(st(inv::tcb_resume(tcb)) == Status::InvalidArgument); // no address space yet
    CHECK(st(inv::tcb_configure(tcb, abi::kInitSlotTcb, 0, 0)) == Status::InvalidCapability);
    CHECK(st(inv::tcb_configure(tcb, kRoot, abi::kInitSlotTcb, 0)) == Status::InvalidCapability);
    CHECK(st(inv::tcb_configure(abi::kInitSlotTcb, 0, abi::kInitSlotVSpace, 0)) == Status::Busy);
    CHECK(st(inv::tcb_configure(tcb, kRoot, 0, kRoot)) == Status::InvalidCapability);
    CHECK(st(inv::tcb_configure(tcb, 1ull << 40, 0, 0)) == Status::LookupFailed);
    CHECK_EQ(inv::tcb_configure(tcb, kRoot, 0, 0), 0);
    CHECK(st(inv::tcb_write_registers(tcb, 0xFFFFFFFF80100000, stack, 0, 0)) == Status::BadAddress);
    CHECK(st(inv::tcb_write_registers(tcb, entry, 0, 0, 0)) == Status::BadAddress);
    CHECK(st(inv::tcb_write_registers(tcb, entry, stack, 0, ~0ull)) == Status::BadAddress);
    CHECK(st(inv::tcb_set_priority(tcb, 256)) == Status::InvalidArgument);
    CHECK(st(inv::tcb_set_priority(tcb, kMainPriority + 1)) == Status::MissingRights);
    // The running thread's own registers cannot be rewritten or read.
    CHECK(st(inv::tcb_write_registers(abi::kInitSlotTcb, entry, stack, 0, 0)) == Status::Busy);
    inv::TcbRegisters regs{};
    CHECK(st(inv::tcb_registers(abi::kInitSlotTcb, regs)) == Status::Busy);
    // TCB invocations on something else.
    CHECK(st(inv::tcb_resume(kRoot)) == Status::InvalidCapability);
}

RAYOS_TEST("tcb.higher_priority_runs_first") {
    // Two threads below init's priority: nothing runs until init blocks,
    // then the higher one first.
    static volatile uint64_t order[2];
    static volatile int position = 0;
    position = 0;
    static uint64_t done;
    done = make_object(ObjectType::Notification);
    CHECK(done);
    auto record = [](void* id) {
        order[position] = reinterpret_cast<uint64_t>(id);
        position = position + 1;
        sys::signal(done);
        exit_thread(0);
    };
    auto low = start_tcb_thread(record, reinterpret_cast<void*>(1), 60);
    auto high = start_tcb_thread(record, reinterpret_cast<void*>(2), 80);
    CHECK(low.tcb && high.tcb);
    CHECK_EQ(position, 0); // neither preempted init
    uint64_t word = 0;
    while (position < 2)
        CHECK_EQ(notification::wait(done, word), 0);
    CHECK_EQ(order[0], 2u);
    CHECK_EQ(order[1], 1u);
}

RAYOS_TEST("tcb.suspend_interrupts_a_wait") {
    static uint64_t n;
    static volatile int64_t result = 1;
    n = make_object(ObjectType::Notification);
    CHECK(n);
    result = 1;
    auto waiter = [](void*) {
        uint64_t word;
        result = notification::wait(n, word);
        exit_thread(0);
    };
    auto t = start_tcb_thread(waiter, nullptr, kMainPriority);
    CHECK(t.tcb);
    settle(); // waiting
    CHECK_EQ(inv::tcb_suspend(t.tcb), 0);
    CHECK_EQ(sys::signal(n), 0); // nobody waits now: stays pending
    uint64_t word = 0;
    CHECK_EQ(notification::poll(n, word), 1);
    CHECK_EQ(result, 1);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    settle();
    CHECK(st(result) == Status::Preempted); // the interrupted call says so
}

RAYOS_TEST("tcb.statistics_count") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    auto sender = [](void*) {
        for (int i = 0; i < 5; ++i)
            sys::nb_send(endpoint, 0, 0, 0, 0, 0);
        sys::yield();
        exit_thread(0);
    };
    auto t = start_tcb_thread(sender, nullptr, kMainPriority);
    CHECK(t.tcb);
    settle();
    inv::TcbStats s{};
    CHECK(inv::tcb_stats(t.tcb, s) >= 0);
    CHECK_EQ(s.syscalls, 7u); // 5 nb_send, yield, exit
    CHECK_EQ(s.ipc, 5u);
    CHECK_EQ(s.faults, 0u);
    CHECK(s.context_switches >= 2);
    CHECK(s.cpu_cycles > 0);
    inv::TcbStats mine{};
    CHECK(inv::tcb_stats(abi::kInitSlotTcb, mine) > 0);
}

RAYOS_TEST("tcb.name_is_set") {
    uint64_t tcb = make_object(ObjectType::Tcb);
    CHECK(tcb);
    CHECK_EQ(inv::tcb_set_name(tcb, 0x6D617473796D, 0, 0, 0), 0); // "mystam"
}

RAYOS_TEST("tcb.deleting_a_thread_stops_it") {
    static volatile uint64_t spins = 0;
    auto spinner = [](void*) {
        for (;;)
            spins = spins + 1;
    };
    auto t = start_tcb_thread(spinner, nullptr, kMainPriority);
    CHECK(t.tcb);
    settle();
    CHECK(spins > 0);
    CHECK_EQ(inv::cnode_delete(kRoot, t.tcb, kDepth), 0);
    uint64_t before = spins;
    settle();
    CHECK_EQ(spins, before);
}

// --- fault messages -----------------------------------------------------------------

RAYOS_TEST("fault.page_fault_reaches_handler_and_resumes") {
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    uint64_t badged = test::fresh_slot();
    CHECK(ep && reply);
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, ep, abi::rights::kAll, 0x99), 0);
    flag = 0;
    auto t = start_tcb_thread(fault_on_null_read, nullptr, kMainPriority, badged);
    CHECK(t.tcb);
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(m.badge, 0x99u);
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultPage);
    CHECK_EQ(MessageInfo::length(m.info), 4u);
    CHECK_EQ(m.words[0], 14u);
    CHECK_EQ(m.words[1], 4u); // not present, read, user
    CHECK_EQ(m.words[2], 0x10u);
    uint64_t rip = m.words[3];
    CHECK(rip >= reinterpret_cast<uint64_t>(&fault_on_null_read));
    // Resume elsewhere, on a fresh stack.
    CHECK_EQ(sys::reply(reply, MessageInfo::make(abi::kFaultResume, 2),
                        reinterpret_cast<uint64_t>(&recovered), test::fresh_stack_top(), 0, 0),
             0);
    settle();
    CHECK_EQ(flag, 0xC0FFEEu);
    inv::TcbStats s{};
    CHECK(inv::tcb_stats(t.tcb, s) >= 0);
    CHECK_EQ(s.faults, 1u);
}

RAYOS_TEST("fault.suspended_while_its_fault_waits_keeps_its_registers") {
    // Mixed seed 4000, faults 459 and 2519: the injector stopped memhog while
    // its page fault waited for the pager, and the suspension wrote
    // Preempted into its rax, in the middle of its code: one page read back
    // wrong. Now it keeps its registers, faults again when resumed, and
    // goes on as if nothing happened.
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    CHECK(ep && reply);
    flag = 0;
    auto t = start_tcb_thread(ud2_with_rax_live, nullptr, kMainPriority, ep);
    CHECK(t.tcb);
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultException);
    uint64_t rip = m.words[3];
    CHECK_EQ(inv::tcb_suspend(t.tcb), 0); // (its fault message is answered by nobody now)
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    CHECK_EQ(ipc::recv(ep, reply, m), 0); // the same fault again
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultException);
    CHECK_EQ(m.words[3], rip);
    CHECK_EQ(sys::reply(reply, MessageInfo::make(abi::kFaultResume, 1), rip + 2, 0, 0, 0), 0);
    settle();
    CHECK_EQ(flag, 0x5EEDu);
}

RAYOS_TEST("fault.suspended_while_its_exit_is_reported_exits_again") {
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    CHECK(ep && reply);
    auto t = start_tcb_thread(set_flag_and_exit, reinterpret_cast<void*>(3), kMainPriority, ep);
    CHECK(t.tcb);
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultExit);
    CHECK_EQ(inv::tcb_suspend(t.tcb), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    CHECK_EQ(ipc::recv(ep, reply, m), 0); // reported again, same code
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultExit);
    CHECK_EQ(m.words[0], 0u);
}

RAYOS_TEST("fault.handler_can_stop_the_thread") {
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    CHECK(ep && reply);
    auto t = start_tcb_thread(invalid_opcode, nullptr, kMainPriority, ep);
    CHECK(t.tcb);
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultException);
    CHECK_EQ(m.words[0], 6u);
    uint64_t rip = m.words[3];
    CHECK_EQ(sys::reply(reply, MessageInfo::make(abi::kFaultStop, 0), 0, 0, 0, 0), 0);
    settle();
    inv::TcbRegisters regs{};
    CHECK_EQ(inv::tcb_registers(t.tcb, regs), 0); // stopped, so readable
    CHECK_EQ(regs.rip, rip);
    CHECK(st(inv::tcb_resume(t.tcb)) == Status::Busy);
}

RAYOS_TEST("fault.resume_to_kernel_address_stops_instead") {
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    CHECK(ep && reply);
    auto t = start_tcb_thread(invalid_opcode, nullptr, kMainPriority, ep);
    CHECK(t.tcb);
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(
        sys::reply(reply, MessageInfo::make(abi::kFaultResume, 1), 0xFFFFFFFF80100000, 0, 0, 0), 0);
    settle();
    inv::TcbRegisters regs{};
    CHECK_EQ(inv::tcb_registers(t.tcb, regs), 0);
}

RAYOS_TEST("fault.exit_is_reported_to_the_handler") {
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    CHECK(ep && reply);
    flag = 0;
    auto t = start_tcb_thread(set_flag_and_exit, reinterpret_cast<void*>(5), kMainPriority, ep);
    CHECK(t.tcb);
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(flag, 5u);
    CHECK_EQ(MessageInfo::label(m.info), abi::kFaultExit);
    CHECK_EQ(m.words[0], 0u); // the exit code
    // Even a Resume reply leaves it stopped: an exit is final.
    CHECK_EQ(sys::reply(reply, MessageInfo::make(abi::kFaultResume, 0), 0, 0, 0, 0), 0);
    settle();
    CHECK(st(inv::tcb_resume(t.tcb)) == Status::Busy);
    CHECK(st(inv::tcb_suspend(t.tcb)) == Status::InvalidArgument); // it has ended
}

RAYOS_TEST("tcb.state_tells_what_the_thread_does") {
    using A = abi::ThreadActivity;
    uint64_t ep = make_object(ObjectType::Endpoint), reply = make_object(ObjectType::Reply);
    CHECK(ep && reply);
    CHECK_EQ(inv::tcb_read_state(abi::kInitSlotTcb), int64_t(A::Ready)); // itself
    auto idle = start_tcb_thread(set_flag_and_exit, nullptr, kMainPriority, 0, false);
    CHECK(idle.tcb);
    CHECK_EQ(inv::tcb_read_state(idle.tcb), int64_t(A::Inactive));
    // A thread that faults with a handler is calling it until answered.
    auto faulting = start_tcb_thread(invalid_opcode, nullptr, kMainPriority, ep);
    CHECK(faulting.tcb);
    settle();
    CHECK_EQ(inv::tcb_read_state(faulting.tcb), int64_t(A::Calling));
    Message m;
    CHECK_EQ(ipc::recv(ep, reply, m), 0);
    CHECK_EQ(sys::reply(reply, MessageInfo::make(abi::kFaultStop, 0), 0, 0, 0, 0), 0);
    settle();
    CHECK_EQ(inv::tcb_read_state(faulting.tcb), int64_t(A::Stopped));
    CHECK(st(inv::tcb_read_state(ep)) == Status::InvalidCapability);
}

RAYOS_TEST("fault.without_handler_stops_the_thread") {
    flag = 0;
    auto t = start_tcb_thread(fault_on_null_read, nullptr, kMainPriority);
    CHECK(t.tcb);
    settle();
    CHECK_EQ(flag, 0u);
    inv::TcbRegisters regs{};
    CHECK_EQ(inv::tcb_registers(t.tcb, regs), 0);
    CHECK(regs.rip >= reinterpret_cast<uint64_t>(&fault_on_null_read));
}

RAYOS_TEST("fault.handler_endpoint_deleted_while_fault_waits") {
    uint64_t ep = make_object(ObjectType::Endpoint);
    CHECK(ep);
    flag = 0;
    auto t = start_tcb_thread(fault_on_null_read, nullptr, kMainPriority, ep);
    CHECK(t.tcb);
    settle(); // faulted, queued on the endpoint: nobody receives
    // The TCB holds a copy of the endpoint capability: revoke it too.
    CHECK_EQ(inv::cnode_revoke(kRoot, ep, kDepth), 0);
    CHECK_EQ(inv::cnode_delete(kRoot, ep, kDepth), 0);
    settle();
    CHECK_EQ(flag, 0u);
    inv::TcbRegisters regs{};
    CHECK_EQ(inv::tcb_registers(t.tcb, regs), 0); // stopped, not resumed
}

RAYOS_TEST("tcb.deleting_a_blocked_thread_leaves_the_endpoint_queue") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    CHECK(endpoint);
    auto receiver = [](void*) {
        Message m;
        ipc::recv(endpoint, 0, m);
        flag = 0xBAD; // never reached: the thread is deleted while it waits
        exit_thread(0);
    };
    flag = 0;
    auto t = start_tcb_thread(receiver, nullptr, kMainPriority);
    CHECK(t.tcb);
    settle(); // blocked in recv
    CHECK_EQ(inv::cnode_delete(kRoot, t.tcb, kDepth), 0);
    // Nobody receives on the endpoint any more.
    CHECK(st(sys::nb_send(endpoint, MessageInfo::make(0, 0), 0, 0, 0, 0)) == Status::WouldBlock);
    settle();
    CHECK_EQ(flag, 0u);
}

// Regression (review finding): a thread's CSpace root is a reference, not
// an owner: the CNode goes (with its contents) when its last capability does.
RAYOS_TEST("tcb.cspace_root_does_not_keep_a_cnode_alive") {
    static uint64_t endpoint;
    endpoint = make_object(ObjectType::Endpoint);
    uint64_t node = make_object(ObjectType::CNode, 2);
    CHECK(endpoint && node);
    CHECK_EQ(inv::cnode_copy(node, 0, 2, endpoint, abi::rights::kAll), 0);
    uint64_t tcb = make_object(ObjectType::Tcb);
    CHECK(tcb);
    CHECK_EQ(inv::tcb_configure(tcb, node, 0, 0), 0);
    int64_t watcher = Thread::spawn(
        [](void*) {
            Message m;
            exit_thread(ipc::recv(endpoint, 0, m));
        },
        nullptr);
    CHECK(watcher > 0);
    settle();
    CHECK_EQ(inv::cnode_delete(kRoot, node, kDepth), 0);     // the copy inside goes too
    CHECK_EQ(inv::cnode_delete(kRoot, endpoint, kDepth), 0); // so this one is the last
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(watcher), info), 0);
    CHECK(st(info.code) == Status::InvalidCapability);
}

// Regression (review finding): a thread deleted while it waits in
// thread_join is no longer joined when its target stops.
RAYOS_TEST("tcb.deleted_joiner_is_forgotten") {
    static uint64_t n;
    static int64_t target;
    static abi::ThreadStopInfo joiner_info;
    n = make_object(ObjectType::Notification);
    CHECK(n);
    target = Thread::spawn(
        [](void*) {
            uint64_t word;
            notification::wait(n, word);
            exit_thread(5);
        },
        nullptr);
    CHECK(target > 0);
    auto joiner = start_tcb_thread(
        [](void*) { exit_thread(sys::thread_join(uint64_t(target), &joiner_info)); }, nullptr,
        kMainPriority);
    CHECK(joiner.tcb);
    settle(); // the joiner waits in thread_join
    CHECK_EQ(inv::cnode_delete(kRoot, joiner.tcb, kDepth), 0);
    CHECK_EQ(sys::signal(n), 0); // the target exits: nobody to tell
    abi::ThreadStopInfo info{};
    CHECK_EQ(Thread::join(uint64_t(target), info), 0);
    CHECK_EQ(info.code, 5);
}

// Last: lowers init's own priority, which it cannot raise again.
RAYOS_TEST("tcb.zz_higher_priority_preempts_at_once") {
    flag = 0;
    auto t =
        start_tcb_thread(set_flag_and_exit, reinterpret_cast<void*>(9), kMainPriority, 0, false);
    CHECK(t.tcb);
    CHECK_EQ(inv::tcb_set_priority(abi::kInitSlotTcb, 50), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0); // priority 100 > 50: runs before this returns
    CHECK_EQ(flag, 9u);
}
