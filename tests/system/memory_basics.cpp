// System test: userspace-managed memory — PageTable and Frame objects mapped
// into init's address space (its VSpace capability), rights, remapping,
// accessed/dirty bits, and unmapping by delete and revoke. Runs as init.
#include "framework/caps.h"
#include "framework/guest_test.h"

#include "framework/tcb_thread.h"

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

constexpr uint64_t kVSpace = abi::kInitSlotVSpace;
constexpr uint64_t kWritable = abi::kMapWritable;
constexpr uint64_t kExecutable = abi::kMapExecutable;

// Each test maps in its own 512 GiB window (its own PML4 entry, so it builds
// every table level itself), far from init's image and stack.
uint64_t next_window = 0x0000500000000000ull;
uint64_t fresh_window() {
    uint64_t w = next_window;
    next_window += 1ull << 39;
    return w;
}

bool prepare_tables(uint64_t va) {
    return test::prepare_tables(kVSpace, va);
}

// How a thread that touches `address` ends (exit 0, or the fault).
abi::ThreadStopInfo touch(uint64_t address, bool write) {
    static volatile uint64_t target;
    static volatile bool do_write;
    target = address;
    do_write = write;
    abi::ThreadStopInfo info{};
    int64_t id = Thread::spawn(
        [](void*) {
            if (do_write)
                *reinterpret_cast<volatile uint64_t*>(target) = 1;
            else
                (void)*reinterpret_cast<volatile uint64_t*>(target);
        },
        nullptr);
    if (id > 0) Thread::join(uint64_t(id), info);
    return info;
}

bool faults(uint64_t address, bool write) {
    auto info = touch(address, write);
    return info.kind == abi::StopKind::Faulted && info.vector == 14 &&
           info.fault_address == address;
}

} // namespace

RAYOS_TEST("memory.map_needs_page_tables") {
    uint64_t va = fresh_window();
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    CHECK(st(inv::frame_map(frame, kVSpace, va, kWritable)) == Status::NotFound);
    uint64_t levels[4];
    for (uint64_t& level : levels) {
        uint64_t table = make_object(ObjectType::PageTable);
        CHECK(table);
        level = uint64_t(inv::page_table_map(table, kVSpace, va));
    }
    CHECK_EQ(levels[0], 3u);
    CHECK_EQ(levels[1], 2u);
    CHECK_EQ(levels[2], 1u);
    CHECK(st(int64_t(levels[3])) == Status::Busy); // the path is complete
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    auto* memory = reinterpret_cast<volatile uint64_t*>(va);
    CHECK_EQ(memory[0], 0u); // frames start zeroed
    memory[0] = 0x1234;
    memory[511] = 0x5678;
    CHECK_EQ(memory[0], 0x1234u);
    CHECK_EQ(memory[511], 0x5678u);
}

RAYOS_TEST("memory.arguments_and_rights_checked") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    uint64_t read_only = fresh_slot();
    CHECK(frame);
    CHECK_EQ(inv::cnode_copy(kRoot, read_only, kDepth, frame, abi::rights::kRead), 0);
    CHECK(st(inv::frame_map(read_only, kVSpace, va, kWritable)) == Status::MissingRights);
    CHECK(st(inv::frame_map(frame, kVSpace, va, 4)) == Status::InvalidArgument);
    CHECK(st(inv::frame_map(frame, kVSpace, va + 8, 0)) == Status::InvalidArgument);
    CHECK(st(inv::frame_map(frame, kVSpace, 0xFFFF800000000000, 0)) == Status::BadAddress);
    CHECK(st(inv::frame_map(frame, kVSpace, 0, 0)) == Status::BadAddress);
    CHECK(st(inv::frame_map(frame, kRoot, va, 0)) == Status::InvalidCapability);
    CHECK(st(inv::frame_map(frame, kVSpace, 0x400000, 0)) == Status::Busy); // init's code
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, 0), 0);
    CHECK(st(inv::frame_map(frame, kVSpace, va + 4096, 0)) == Status::Busy); // mapped once
    CHECK(st(inv::frame_map(read_only, kVSpace, va, 0)) == Status::Busy);    // place taken
    CHECK(st(inv::frame_status(abi::kInitSlotTcb, 0)) == Status::InvalidCapability);
}

RAYOS_TEST("memory.read_only_mapping_faults_on_write") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, 0), 0);
    CHECK_EQ(touch(va, false).kind, abi::StopKind::Exited);
    auto info = touch(va, true);
    CHECK(info.kind == abi::StopKind::Faulted);
    CHECK_EQ(info.error_code, 0x7u); // protection, write, user
}

RAYOS_TEST("memory.remap_changes_rights") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    CHECK_EQ(touch(va, true).kind, abi::StopKind::Exited);
    CHECK_EQ(inv::frame_remap(frame, 0), 0);
    CHECK(faults(va, true));
    CHECK_EQ(inv::frame_remap(frame, kWritable), 0);
    CHECK_EQ(touch(va, true).kind, abi::StopKind::Exited);
}

RAYOS_TEST("memory.code_runs_only_from_executable_mappings") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    *reinterpret_cast<volatile uint8_t*>(va) = 0xB8; // mov $42, %eax; ret
    *reinterpret_cast<volatile uint32_t*>(va + 1) = 42;
    *reinterpret_cast<volatile uint8_t*>(va + 5) = 0xC3;
    static uint64_t entry;
    entry = va;
    abi::ThreadStopInfo info{};
    int64_t id =
        Thread::spawn([](void*) { exit_thread(reinterpret_cast<int (*)()>(entry)()); }, nullptr);
    CHECK(id > 0);
    CHECK_EQ(Thread::join(uint64_t(id), info), 0);
    CHECK(info.kind == abi::StopKind::Faulted); // writable data is never executable
    CHECK_EQ(info.error_code & 0x10, 0x10u);
    CHECK_EQ(inv::frame_remap(frame, kExecutable), 0); // W^X: now code, not data
    id = Thread::spawn([](void*) { exit_thread(reinterpret_cast<int (*)()>(entry)()); }, nullptr);
    CHECK(id > 0);
    CHECK_EQ(Thread::join(uint64_t(id), info), 0);
    CHECK(info.kind == abi::StopKind::Exited);
    CHECK_EQ(info.code, 42);
}

RAYOS_TEST("memory.accessed_and_dirty_bits") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    CHECK(st(inv::frame_status(frame, 0)) == Status::NotFound); // not mapped
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    CHECK_EQ(inv::frame_status(frame, 0), 0);
    (void)*reinterpret_cast<volatile uint64_t*>(va);
    CHECK_EQ(inv::frame_status(frame, 0), int64_t(abi::kFrameAccessed));
    *reinterpret_cast<volatile uint64_t*>(va) = 5;
    CHECK_EQ(inv::frame_status(frame, 1), int64_t(abi::kFrameAccessed | abi::kFrameDirty));
    CHECK_EQ(inv::frame_status(frame, 0), 0); // cleared
    *reinterpret_cast<volatile uint64_t*>(va) = 6;
    CHECK_EQ(inv::frame_status(frame, 0), int64_t(abi::kFrameAccessed | abi::kFrameDirty));
}

RAYOS_TEST("memory.copies_map_the_same_frame_twice") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    uint64_t copy = fresh_slot();
    CHECK(frame);
    CHECK_EQ(inv::cnode_copy(kRoot, copy, kDepth, frame, abi::rights::kAll), 0);
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    CHECK_EQ(inv::frame_map(copy, kVSpace, va + 4096, 0), 0);
    *reinterpret_cast<volatile uint64_t*>(va) = 77;
    CHECK_EQ(*reinterpret_cast<volatile uint64_t*>(va + 4096), 77u);
}

RAYOS_TEST("memory.unmap_and_delete_remove_mappings") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t a = make_object(ObjectType::Frame, 12), b = make_object(ObjectType::Frame, 12);
    CHECK(a && b);
    CHECK_EQ(inv::frame_map(a, kVSpace, va, kWritable), 0);
    CHECK_EQ(inv::frame_map(b, kVSpace, va + 4096, kWritable), 0);
    CHECK_EQ(inv::frame_unmap(a), 0);
    CHECK(faults(va, false));
    CHECK_EQ(inv::frame_unmap(a), 0); // unmapping twice is harmless
    CHECK_EQ(inv::cnode_delete(kRoot, b, kDepth), 0);
    CHECK(faults(va + 4096, false));
    CHECK_EQ(inv::frame_map(a, kVSpace, va, kWritable), 0); // the place is free again
}

RAYOS_TEST("memory.revoking_untyped_unmaps_everything") {
    uint64_t u = fresh_slot();
    CHECK_EQ(
        inv::untyped_retype(test::big_untyped(), uint64_t(ObjectType::Untyped), 16, kRoot, u, 1),
        1);
    uint64_t va = fresh_window();
    uint64_t slots = fresh_slot();
    for (int i = 1; i < 8; ++i)
        fresh_slot();
    // Three page tables and two frames, all from the small untyped.
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::PageTable), 0, kRoot, slots, 3), 3);
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Frame), 12, kRoot, slots + 3, 2), 2);
    for (uint64_t i = 0; i < 3; ++i)
        CHECK(inv::page_table_map(slots + i, kVSpace, va) > 0);
    CHECK_EQ(inv::frame_map(slots + 3, kVSpace, va, kWritable), 0);
    CHECK_EQ(inv::frame_map(slots + 4, kVSpace, va + 4096, kWritable), 0);
    *reinterpret_cast<volatile uint64_t*>(va) = 1;
    CHECK_EQ(inv::cnode_revoke(kRoot, u, kDepth), 0);
    CHECK(faults(va, false));
    CHECK(faults(va + 4096, true));
    // The tables went too: a new frame needs new tables.
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(st(inv::frame_map(frame, kVSpace, va, 0)) == Status::NotFound);
}

RAYOS_TEST("memory.frame_read_and_write_without_mapping") {
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    static uint8_t out[64], in[64];
    for (int i = 0; i < 64; ++i)
        out[i] = uint8_t(i * 3 + 1);
    CHECK_EQ(inv::frame_write(frame, 4000, reinterpret_cast<uint64_t>(out), 64), 64);
    CHECK_EQ(inv::frame_read(frame, 4000, reinterpret_cast<uint64_t>(in), 64), 64);
    bool same = true;
    for (int i = 0; i < 64; ++i)
        same = same && in[i] == out[i];
    CHECK(same);
    // A fresh frame reads as zeros elsewhere.
    uint64_t word = 1;
    CHECK_EQ(inv::frame_read(frame, 0, reinterpret_cast<uint64_t>(&word), 8), 8);
    CHECK_EQ(word, 0u);
}

RAYOS_TEST("memory.frame_read_and_write_are_checked_and_all_or_nothing") {
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    static uint8_t buffer[16];
    uint64_t address = reinterpret_cast<uint64_t>(buffer);
    // Outside the frame, overflowing offsets.
    CHECK(st(inv::frame_read(frame, 4090, address, 16)) == Status::InvalidArgument);
    CHECK(st(inv::frame_write(frame, 4097, address, 0)) == Status::InvalidArgument);
    CHECK(st(inv::frame_read(frame, ~0ull, address, 2)) == Status::InvalidArgument);
    // Bad user memory: the kernel half, unmapped pages, a range running off
    // the end of the mapped image.
    CHECK(st(inv::frame_read(frame, 0, 0xFFFFFFFF80100000ull, 8)) == Status::BadAddress);
    CHECK(st(inv::frame_write(frame, 0, 0x7F0000000000ull, 8)) == Status::BadAddress);
    // Nothing changed by a failed write: the frame still reads as zeros.
    for (auto& b : buffer)
        b = 0xAA;
    CHECK(st(inv::frame_write(frame, 0, 0x7F0000000000ull - 8, 16)) == Status::BadAddress);
    CHECK_EQ(inv::frame_read(frame, 0, address, 16), 16);
    CHECK_EQ(buffer[0], 0u);
    // Rights: a read-only copy cannot write, a write-only copy cannot read.
    uint64_t read_only = test::copy_cap(frame, abi::rights::kRead);
    uint64_t write_only = test::copy_cap(frame, abi::rights::kWrite);
    CHECK(st(inv::frame_write(read_only, 0, address, 8)) == Status::MissingRights);
    CHECK(st(inv::frame_read(write_only, 0, address, 8)) == Status::MissingRights);
    CHECK_EQ(inv::frame_read(read_only, 0, address, 8), 8);
    // Reading into read-only memory (this program's text) is refused.
    CHECK(st(inv::frame_read(frame, 0, reinterpret_cast<uint64_t>(&fresh_slot), 8)) ==
          Status::BadAddress);
}

RAYOS_TEST("memory.large_frames") {
    uint64_t va = fresh_window();
    // PDPT and PD only: a 2 MiB frame sits in the PD.
    for (int i = 0; i < 2; ++i) {
        uint64_t table = make_object(ObjectType::PageTable);
        CHECK(table);
        CHECK(inv::page_table_map(table, kVSpace, va) > 0);
    }
    uint64_t big = make_object(ObjectType::Frame, 21);
    CHECK(big);
    CHECK(st(inv::frame_map(big, kVSpace, va + 4096, kWritable)) == Status::InvalidArgument);
    CHECK_EQ(inv::frame_map(big, kVSpace, va, kWritable), 0);
    reinterpret_cast<volatile uint64_t*>(va)[0] = 1;
    reinterpret_cast<volatile uint64_t*>(va + (2u << 20) - 8)[0] = 2;
    CHECK_EQ(reinterpret_cast<volatile uint64_t*>(va + (2u << 20) - 8)[0], 2u);
    CHECK(st(inv::untyped_retype(test::big_untyped(), uint64_t(ObjectType::Frame), 13, kRoot,
                                 fresh_slot(), 1)) == Status::InvalidArgument);
}

// --- address spaces -------------------------------------------------------------------

namespace {
volatile uint64_t isolated = 0;
uint64_t done_notification = 0;
uint64_t echo_endpoint = 0, echo_reply = 0;

void write_isolated(void*) {
    isolated = 42; // in the copy: init's variable does not change
    sys::signal(done_notification);
    exit_thread(0);
}

void echo_in_other_space(void*) {
    Message m;
    int64_t r = ipc::recv(echo_endpoint, echo_reply, m);
    while (r == 0) {
        m.words[0] += 1;
        r = ipc::reply_recv(echo_endpoint, echo_reply, m);
    }
    exit_thread(0);
}
} // namespace

RAYOS_TEST("vspace.thread_runs_in_its_own_address_space") {
    done_notification = make_object(ObjectType::Notification);
    CHECK(done_notification);
    isolated = 0;
    auto t = test::start_tcb_thread(write_isolated, nullptr, 100, 0, false);
    CHECK(t.tcb);
    uint64_t vspace = test::copy_program_vspace();
    CHECK(vspace);
    CHECK_EQ(inv::tcb_configure(t.tcb, 0, vspace, 0), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    uint64_t word = 0;
    CHECK_EQ(notification::wait(done_notification, word), 0);
    CHECK_EQ(isolated, 0u);
}

RAYOS_TEST("vspace.ipc_between_address_spaces") {
    echo_endpoint = make_object(ObjectType::Endpoint);
    echo_reply = make_object(ObjectType::Reply);
    CHECK(echo_endpoint && echo_reply);
    auto t = test::start_tcb_thread(echo_in_other_space, nullptr, 100, 0, false);
    CHECK(t.tcb);
    uint64_t vspace = test::copy_program_vspace();
    CHECK(vspace);
    CHECK_EQ(inv::tcb_configure(t.tcb, 0, vspace, 0), 0);
    CHECK_EQ(inv::tcb_resume(t.tcb), 0);
    for (uint64_t i = 0; i < 50; ++i) {
        Message m{abi::MessageInfo::make(1, 1), {i, 0, 0, 0}};
        CHECK_EQ(ipc::call(echo_endpoint, m), 0);
        CHECK_EQ(m.words[0], i + 1);
    }
    // Deleting the address space stops the thread that runs in it.
    CHECK_EQ(inv::cnode_revoke(kRoot, vspace, kDepth), 0);
    CHECK_EQ(inv::cnode_delete(kRoot, vspace, kDepth), 0);
    Message m{abi::MessageInfo::make(1, 1), {0, 0, 0, 0}};
    CHECK(st(sys::nb_send(echo_endpoint, m.info, 0, 0, 0, 0)) == Status::WouldBlock);
    CHECK(st(inv::tcb_resume(t.tcb)) == Status::InvalidArgument); // no address space any more
}

// Regression (review finding): a page table unmapped and installed again at
// another level must not bring its old entries along.
RAYOS_TEST("memory.reinstalled_page_table_starts_empty") {
    uint64_t a = fresh_window();
    uint64_t p1 = make_object(ObjectType::PageTable), p2 = make_object(ObjectType::PageTable);
    CHECK(p1 && p2);
    CHECK_EQ(inv::page_table_map(p1, kVSpace, a), 3); // PDPT for window a
    CHECK_EQ(inv::page_table_map(p2, kVSpace, a), 2); // PD: entry 0 of p1
    CHECK_EQ(inv::page_table_unmap(p1), 0);
    uint64_t b = fresh_window();
    for (int i = 0; i < 2; ++i) {
        uint64_t table = make_object(ObjectType::PageTable);
        CHECK(table);
        CHECK(inv::page_table_map(table, kVSpace, b) > 1);
    }
    CHECK_EQ(inv::page_table_map(p1, kVSpace, b), 1); // now a PT for b
    CHECK(faults(b, false));                          // its old entry 0 (pointing at p2) is gone
}

RAYOS_TEST("vspace.read_and_write_another_address_space") {
    // Through a VSpace capability (init's own here: the kernel does not
    // care whose): reads, writes, and writes into a read-only mapping.
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    uint64_t read_only = make_object(ObjectType::Frame, 12);
    CHECK(frame && read_only);
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    CHECK_EQ(inv::frame_map(read_only, kVSpace, va + 4096, 0), 0);
    auto* memory = reinterpret_cast<volatile uint8_t*>(va);
    for (int i = 0; i < 32; ++i)
        memory[4080 + i % 16] = uint8_t(i);
    uint8_t in[32] = {};
    // Across the two pages: 16 bytes of each.
    CHECK_EQ(inv::vspace_read(kVSpace, va + 4080, reinterpret_cast<uint64_t>(in), 32), 32);
    CHECK_EQ(in[0], memory[4080]);
    CHECK_EQ(in[16], 0u); // the read-only page starts zeroed
    uint8_t out[32];
    for (int i = 0; i < 32; ++i)
        out[i] = uint8_t(0xA0 + i);
    CHECK_EQ(inv::vspace_write(kVSpace, va + 4080, reinterpret_cast<uint64_t>(out), 32), 32);
    CHECK_EQ(memory[4080], 0xA0u);
    CHECK_EQ(memory[4096 + 15], 0xAFu + 16); // written through a read-only mapping
    CHECK(faults(va + 4096, true));          // which its owner still cannot write
}

RAYOS_TEST("vspace.read_and_write_are_checked_and_all_or_nothing") {
    uint64_t va = fresh_window();
    CHECK(prepare_tables(va));
    uint64_t frame = make_object(ObjectType::Frame, 12);
    CHECK(frame);
    CHECK_EQ(inv::frame_map(frame, kVSpace, va, kWritable), 0);
    auto* memory = reinterpret_cast<volatile uint8_t*>(va);
    memory[4095] = 0x11;
    uint8_t buffer[64] = {};
    uint64_t b = reinterpret_cast<uint64_t>(buffer);
    // The page after it is not mapped: nothing is written, not even the first byte.
    buffer[0] = 0x22;
    CHECK(st(inv::vspace_write(kVSpace, va + 4095, b, 2)) == Status::BadAddress);
    CHECK_EQ(memory[4095], 0x11u);
    CHECK(st(inv::vspace_read(kVSpace, va + 4095, b, 2)) == Status::BadAddress);
    CHECK(st(inv::vspace_read(kVSpace, va, b, 0)) == Status::InvalidArgument);
    CHECK(st(inv::vspace_read(kVSpace, va, b, 4097)) == Status::InvalidArgument);
    CHECK(st(inv::vspace_read(kVSpace, 0xFFFF800000000000ull, b, 8)) == Status::BadAddress);
    CHECK(st(inv::vspace_read(kVSpace, va, 0xFFFFFFFF80100000ull, 8)) == Status::BadAddress);
    CHECK(st(inv::vspace_write(kVSpace, va, 0x7F0000000000ull, 8)) == Status::BadAddress);
    CHECK_EQ(memory[0], 0u);
    CHECK(st(inv::vspace_read(frame, va, b, 8)) == Status::InvalidCapability); // not a VSpace
    uint64_t reader = fresh_slot();
    CHECK_EQ(inv::cnode_copy(kRoot, reader, kDepth, kVSpace, abi::rights::kRead), 0);
    CHECK_EQ(inv::vspace_read(reader, va + 4095, b, 1), 1);
    CHECK_EQ(buffer[0], 0x11u);
    CHECK(st(inv::vspace_write(reader, va, b, 1)) == Status::MissingRights);
    CHECK_EQ(memory[0], 0u);
}
