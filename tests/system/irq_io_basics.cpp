// System test: I/O port capabilities and interrupts delivered to userspace
// as notification signals (COM1's IRQ 4 provoked through its own registers).
// Runs as init.
#include "framework/caps.h"
#include "framework/guest_test.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;
using abi::ObjectType;
using abi::Status;
using test::fresh_slot;
using test::kDepth;
using test::kRoot;
using test::make_object;
using test::settle;
using test::st;

namespace {

constexpr uint64_t kPorts = abi::kInitSlotIoPorts;
constexpr uint64_t kIrqControl = abi::kInitSlotIrqControl;
constexpr uint64_t kCom1 = 0x3F8;
constexpr uint64_t kCom1Scratch = kCom1 + 7;

uint64_t ports(uint64_t first, uint64_t last) {
    return first | (last << 16);
}

uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}

} // namespace

RAYOS_TEST("ioport.read_back_scratch_register") {
    CHECK_EQ(inv::ioport_out(kPorts, kCom1Scratch, 1, 0x5A), 0);
    CHECK_EQ(inv::ioport_in(kPorts, kCom1Scratch, 1), 0x5A);
    CHECK_EQ(inv::ioport_out(kPorts, kCom1Scratch, 1, 0xA5), 0);
    CHECK_EQ(inv::ioport_in(kPorts, kCom1Scratch, 1), 0xA5);
}

RAYOS_TEST("ioport.kernel_ports_refused") {
    CHECK(st(inv::ioport_in(kPorts, 0x21, 1)) == Status::MissingRights);           // PIC
    CHECK(st(inv::ioport_out(kPorts, 0x43, 1, 0)) == Status::MissingRights);       // PIT
    CHECK(st(inv::ioport_out(kPorts, 0xF4, 1, 0)) == Status::MissingRights);       // debug exit
    CHECK(st(inv::ioport_out(kPorts, 0x604, 2, 0x2000)) == Status::MissingRights); // ACPI off
    CHECK(st(inv::ioport_in(kPorts, 0x3E, 4)) == Status::MissingRights);           // overlaps 0x40
}

RAYOS_TEST("ioport.arguments_checked") {
    CHECK(st(inv::ioport_in(kPorts, kCom1Scratch, 3)) == Status::InvalidArgument);
    CHECK(st(inv::ioport_in(kPorts, kCom1Scratch, 0)) == Status::InvalidArgument);
    CHECK(st(inv::ioport_out(kPorts, kCom1Scratch, 1, 0x100)) == Status::InvalidArgument);
    CHECK(st(inv::ioport_out(kPorts, kCom1Scratch, 4, 1ull << 32)) == Status::InvalidArgument);
    CHECK(st(inv::ioport_in(kPorts, 0x10000, 1)) == Status::MissingRights);
    CHECK(st(inv::ioport_in(kPorts, 0xFFFF, 2)) == Status::MissingRights);
    CHECK(st(inv::ioport_in(kRoot, kCom1Scratch, 1)) == Status::InvalidCapability);
}

RAYOS_TEST("ioport.mint_narrows_the_range") {
    uint64_t com1 = fresh_slot(), wider = fresh_slot();
    CHECK_EQ(
        inv::cnode_mint(kRoot, com1, kDepth, kPorts, abi::rights::kAll, ports(kCom1, kCom1 + 7)),
        0);
    CHECK_EQ(inv::ioport_in(com1, kCom1Scratch, 1) >= 0, true);
    CHECK(st(inv::ioport_in(com1, 0x2F8, 1)) == Status::MissingRights);
    CHECK(st(inv::ioport_in(com1, kCom1 + 6, 4)) == Status::MissingRights); // runs past the end
    CHECK(st(inv::cnode_mint(kRoot, wider, kDepth, com1, abi::rights::kAll,
                             ports(kCom1, kCom1 + 8))) == Status::InvalidArgument);
    CHECK(st(inv::cnode_mint(kRoot, wider, kDepth, kPorts, abi::rights::kAll,
                             ports(0x400, 0x300))) == Status::InvalidArgument);
}

RAYOS_TEST("irq.reserved_lines_and_bad_slots_refused") {
    uint64_t dest = fresh_slot();
    CHECK(st(inv::irq_control_get(kIrqControl, 0, dest)) == Status::InvalidArgument); // timer
    CHECK(st(inv::irq_control_get(kIrqControl, 2, dest)) == Status::InvalidArgument); // cascade
    CHECK(st(inv::irq_control_get(kIrqControl, 16, dest)) == Status::InvalidArgument);
    CHECK(st(inv::irq_control_get(kIrqControl, 5, abi::kInitSlotTcb)) == Status::SlotOccupied);
    CHECK(st(inv::irq_control_get(kRoot, 5, dest)) == Status::InvalidCapability);
}

RAYOS_TEST("irq.one_handler_per_line") {
    uint64_t first = fresh_slot(), second = fresh_slot();
    CHECK_EQ(inv::irq_control_get(kIrqControl, 5, first), 0);
    CHECK(st(inv::irq_control_get(kIrqControl, 5, second)) == Status::Busy);
    CHECK_EQ(inv::cnode_delete(kRoot, first, kDepth), 0);
    CHECK_EQ(inv::irq_control_get(kIrqControl, 5, second), 0);
    CHECK(st(inv::irq_handler_set_notification(second, kRoot)) == Status::InvalidCapability);
    CHECK_EQ(inv::cnode_delete(kRoot, second, kDepth), 0);
}

RAYOS_TEST("irq.serial_interrupt_arrives_as_signal") {
    uint64_t handler = fresh_slot(), badged = fresh_slot();
    uint64_t n = make_object(ObjectType::Notification);
    CHECK(n);
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, n, abi::rights::kAll, 0x10), 0);
    CHECK_EQ(inv::irq_control_get(kIrqControl, 4, handler), 0);
    CHECK_EQ(inv::irq_handler_set_notification(handler, badged), 0);
    // COM1: interrupt when the transmitter is empty (it is), OUT2 gates the
    // line to the PIC.
    CHECK_EQ(inv::ioport_out(kPorts, kCom1 + 4, 1, 0x0B), 0);
    CHECK_EQ(inv::ioport_out(kPorts, kCom1 + 1, 1, 0x02), 0);
    uint64_t word = 0;
    int64_t got = 0;
    uint64_t deadline = rdtsc() + 100'000'000;
    while ((got = notification::poll(n, word)) == 0 && rdtsc() < deadline)
        sys::yield();
    // Quiet the UART again before checking, so a failure cannot storm.
    CHECK_EQ(inv::ioport_out(kPorts, kCom1 + 1, 1, 0x00), 0);
    CHECK_EQ(inv::ioport_out(kPorts, kCom1 + 4, 1, 0x03), 0);
    CHECK_EQ(got, 1);
    CHECK_EQ(word, 0x10u);
    CHECK_EQ(inv::irq_handler_ack(handler), 0);
    CHECK_EQ(inv::cnode_delete(kRoot, handler, kDepth), 0);
}
