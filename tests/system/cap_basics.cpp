// System test: init's initial capabilities (BootInfo), capability
// addressing, CNode operations and untyped retype, positive and negative.
// Runs as init (it needs the BootInfo and the initial CSpace).
#include "framework/caps.h"
#include "framework/guest_test.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/runtime.h>
#include <rayos/string.h>
#include <rayos/syscall.h>

using namespace rayos;
using abi::ObjectType;
using abi::Status;
using test::settle;
using test::st;

namespace {

using test::big_untyped;
using test::boot;
using test::fresh_slot;
using test::kDepth;
using test::kRoot;
using test::make_object;

constexpr uint64_t kAll = abi::rights::kAll;

// A fresh 2^bits untyped carved from the big one.
uint64_t small_untyped(uint64_t bits) {
    uint64_t slot = fresh_slot();
    int64_t made =
        inv::untyped_retype(big_untyped(), uint64_t(ObjectType::Untyped), bits, kRoot, slot, 1);
    return made == 1 ? slot : 0;
}

} // namespace

// --- BootInfo ------------------------------------------------------------------

RAYOS_TEST("bootinfo.present_and_consistent") {
    CHECK(start_info().boot_info != nullptr);
    CHECK_EQ(boot().magic, abi::kBootInfoMagic);
    CHECK_EQ(boot().cnode_radix, abi::kInitCNodeRadix);
    CHECK_EQ(boot().untyped_first, abi::kInitFirstUntypedSlot);
    CHECK(boot().untyped_count > 0);
    uint64_t module_frames = 0;
    for (uint64_t i = 0; i < boot().module_count; ++i)
        module_frames += boot().modules[i].frame_count;
    CHECK_EQ(boot().first_free_slot, boot().untyped_first + boot().untyped_count + module_frames);
}

namespace {
bool ends_with(const char* s, const char* suffix) {
    uint64_t n = 0, m = 0;
    while (s[n])
        ++n;
    while (suffix[m])
        ++m;
    if (m > n) return false;
    for (uint64_t i = 0; i < m; ++i)
        if (s[n - m + i] != suffix[i]) return false;
    return true;
}
} // namespace

RAYOS_TEST("bootinfo.modules_come_as_read_only_frames") {
    // The case boots this program with a second module, "not-an-elf.txt
    // some arguments" (tests/system/cases.py).
    CHECK_EQ(boot().module_count, 2u);
    const abi::ModuleInfo& self = boot().modules[0];
    const abi::ModuleInfo& text = boot().modules[1];
    CHECK(ends_with(self.cmdline, "cap_basics.elf"));
    CHECK(ends_with(text.cmdline, "not-an-elf.txt some arguments"));
    CHECK_EQ(text.size, 135u);
    CHECK_EQ(text.frame_count, (text.offset + text.size + 4095) / 4096);
    CHECK_EQ(self.frames_first, boot().untyped_first + boot().untyped_count);
    CHECK_EQ(text.frames_first, self.frames_first + self.frame_count);
    // Read through the frames: init's own ELF header, the text's first words
    // (which may straddle two frames).
    char elf[4] = {};
    CHECK_EQ(inv::frame_read(self.frames_first, self.offset, reinterpret_cast<uint64_t>(elf), 4),
             4);
    CHECK(elf[0] == 0x7F && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F');
    static char words[32];
    uint64_t first = 4096 - text.offset < 26 ? 4096 - text.offset : 26;
    CHECK_EQ(
        inv::frame_read(text.frames_first, text.offset, reinterpret_cast<uint64_t>(words), first),
        int64_t(first));
    if (first < 26)
        CHECK_EQ(inv::frame_read(text.frames_first + 1, 0,
                                 reinterpret_cast<uint64_t>(words + first), 26 - first),
                 int64_t(26 - first));
    const char expected[] = "This file is a boot module";
    bool same = true;
    for (int i = 0; i < 26; ++i)
        same = same && words[i] == expected[i];
    CHECK(same);
    // Read-only: no writes, no writable mappings.
    CHECK(st(inv::frame_write(text.frames_first, 0, reinterpret_cast<uint64_t>(words), 8)) ==
          Status::MissingRights);
    CHECK(st(inv::frame_map(text.frames_first, abi::kInitSlotVSpace, 0x5000000000,
                            abi::kMapWritable)) == Status::MissingRights);
}

RAYOS_TEST("bootinfo.untyped_aligned_and_cover_ram") {
    uint64_t total = 0;
    for (uint64_t i = 0; i < boot().untyped_count; ++i) {
        const auto& u = boot().untyped[i];
        CHECK(u.size_bits >= 12);
        CHECK_EQ(u.physical % (1ull << u.size_bits), 0u);
        CHECK(u.physical >= 0x100000); // the first MiB stays the kernel's
        total += 1ull << u.size_bits;
    }
    CHECK(total > 400ull << 20); // most of the 512 MiB machine
}

RAYOS_TEST("bootinfo.page_is_read_only") {
    static const abi::BootInfo* info;
    info = start_info().boot_info;
    abi::ThreadStopInfo stop{};
    int64_t id =
        Thread::spawn([](void*) { const_cast<volatile uint64_t&>(info->magic) = 0; }, nullptr);
    CHECK(id > 0);
    CHECK_EQ(Thread::join(uint64_t(id), stop), 0);
    CHECK(stop.kind == abi::StopKind::Faulted);
    CHECK_EQ(stop.vector, 14u);
    CHECK_EQ(boot().magic, abi::kBootInfoMagic);
}

// --- invocation decoding ---------------------------------------------------------

RAYOS_TEST("invoke.unknown_label_rejected") {
    CHECK(st(inv::raw(kRoot, 999)) == Status::InvalidArgument);
    CHECK(st(inv::raw(kRoot, 0)) == Status::InvalidArgument);
}

RAYOS_TEST("invoke.empty_slot_rejected") {
    CHECK(st(inv::cnode_delete(abi::kInitSlotNull, 1, 64)) == Status::InvalidCapability);
    CHECK(st(inv::cnode_delete(4000, 1, 64)) == Status::InvalidCapability);
}

RAYOS_TEST("invoke.unresolvable_address_rejected") {
    // Bits above the root's 12-bit index must match its all-zero guard.
    CHECK(st(inv::cnode_delete(1ull << 40, 1, 64)) == Status::LookupFailed);
    CHECK(st(inv::cnode_delete(~0ull, 1, 64)) == Status::LookupFailed);
}

RAYOS_TEST("invoke.wrong_object_type_rejected") {
    // A CNode operation on an Untyped, a retype on a CNode or TCB.
    CHECK(st(inv::cnode_delete(big_untyped(), 1, 64)) == Status::InvalidCapability);
    CHECK(st(inv::untyped_retype(kRoot, uint64_t(ObjectType::Endpoint), 0, kRoot, 4000, 1)) ==
          Status::InvalidCapability);
    CHECK(st(inv::untyped_retype(abi::kInitSlotTcb, uint64_t(ObjectType::Endpoint), 0, kRoot, 4000,
                                 1)) == Status::InvalidCapability);
}

// --- CNode operations ---------------------------------------------------------------

RAYOS_TEST("cnode.copy_then_delete") {
    uint64_t dest = fresh_slot();
    CHECK_EQ(inv::cnode_copy(kRoot, dest, kDepth, abi::kInitSlotTcb, kAll), 0);
    CHECK(st(inv::cnode_copy(kRoot, dest, kDepth, abi::kInitSlotTcb, kAll)) ==
          Status::SlotOccupied);
    CHECK_EQ(inv::cnode_delete(kRoot, dest, kDepth), 0);
    CHECK(st(inv::cnode_delete(kRoot, dest, kDepth)) == Status::InvalidCapability);
    // The original is untouched.
    uint64_t again = fresh_slot();
    CHECK_EQ(inv::cnode_copy(kRoot, again, kDepth, abi::kInitSlotTcb, kAll), 0);
}

RAYOS_TEST("cnode.copy_from_empty_rejected") {
    uint64_t dest = fresh_slot();
    CHECK(st(inv::cnode_copy(kRoot, dest, kDepth, 4001, kAll)) == Status::InvalidCapability);
    CHECK(st(inv::cnode_copy(kRoot, dest, kDepth, 1ull << 50, kAll)) == Status::LookupFailed);
}

RAYOS_TEST("cnode.bad_depth_rejected") {
    uint64_t dest = fresh_slot();
    CHECK(st(inv::cnode_copy(kRoot, dest, 0, abi::kInitSlotTcb, kAll)) == Status::LookupFailed);
    CHECK(st(inv::cnode_copy(kRoot, dest, 65, abi::kInitSlotTcb, kAll)) == Status::LookupFailed);
    CHECK(st(inv::cnode_copy(kRoot, dest, 12, abi::kInitSlotTcb, kAll)) == Status::LookupFailed);
    CHECK(st(inv::cnode_copy(kRoot, dest, ~0ull, abi::kInitSlotTcb, kAll)) == Status::LookupFailed);
    CHECK(st(inv::cnode_delete(kRoot, dest, 63)) == Status::LookupFailed);
}

RAYOS_TEST("cnode.unknown_rights_rejected") {
    uint64_t dest = fresh_slot();
    CHECK(st(inv::cnode_copy(kRoot, dest, kDepth, abi::kInitSlotTcb, 0x10)) ==
          Status::InvalidArgument);
    CHECK_EQ(inv::cnode_copy(kRoot, dest, kDepth, abi::kInitSlotTcb, 0), 0); // no rights is fine
}

RAYOS_TEST("cnode.untyped_cannot_be_copied") {
    uint64_t dest = fresh_slot();
    CHECK(st(inv::cnode_copy(kRoot, dest, kDepth, big_untyped(), kAll)) == Status::NotSupported);
    CHECK(st(inv::cnode_mint(kRoot, dest, kDepth, big_untyped(), kAll, 0)) == Status::NotSupported);
}

RAYOS_TEST("cnode.move_empties_source") {
    uint64_t a = fresh_slot(), b = fresh_slot(), c = fresh_slot();
    CHECK_EQ(inv::cnode_copy(kRoot, a, kDepth, abi::kInitSlotTcb, kAll), 0);
    CHECK_EQ(inv::cnode_move(kRoot, b, kDepth, a), 0);
    CHECK(st(inv::cnode_copy(kRoot, c, kDepth, a, kAll)) == Status::InvalidCapability);
    CHECK_EQ(inv::cnode_copy(kRoot, c, kDepth, b, kAll), 0);
    CHECK(st(inv::cnode_move(kRoot, c, kDepth, b)) == Status::SlotOccupied);
}

RAYOS_TEST("cnode.untyped_can_be_moved") {
    uint64_t u = small_untyped(16);
    CHECK(u != 0);
    uint64_t moved = fresh_slot();
    CHECK_EQ(inv::cnode_move(kRoot, moved, kDepth, u), 0);
    CHECK_EQ(inv::untyped_retype(moved, uint64_t(ObjectType::Endpoint), 0, kRoot, fresh_slot(), 1),
             1);
}

RAYOS_TEST("cnode.mint_badges_endpoints_once") {
    uint64_t ep = make_object(ObjectType::Endpoint);
    CHECK(ep != 0);
    uint64_t badged = fresh_slot(), twice = fresh_slot(), plain = fresh_slot();
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, ep, kAll, 42), 0);
    CHECK(st(inv::cnode_mint(kRoot, twice, kDepth, badged, kAll, 43)) == Status::InvalidArgument);
    CHECK_EQ(inv::cnode_mint(kRoot, twice, kDepth, badged, kAll, 0), 0); // badge kept
    CHECK_EQ(inv::cnode_mint(kRoot, plain, kDepth, ep, abi::rights::kWrite, 0), 0);
}

RAYOS_TEST("cnode.mint_badge_refused_for_other_types") {
    uint64_t dest = fresh_slot();
    CHECK(st(inv::cnode_mint(kRoot, dest, kDepth, abi::kInitSlotTcb, kAll, 7)) ==
          Status::InvalidArgument);
}

RAYOS_TEST("cnode.mutate_sets_badge_and_moves") {
    uint64_t ep = make_object(ObjectType::Notification);
    CHECK(ep != 0);
    uint64_t dest = fresh_slot(), probe = fresh_slot();
    CHECK_EQ(inv::cnode_mutate(kRoot, dest, kDepth, ep, 9), 0);
    CHECK(st(inv::cnode_copy(kRoot, probe, kDepth, ep, kAll)) == Status::InvalidCapability);
    // It is badged now: a second badge is refused.
    CHECK(st(inv::cnode_mint(kRoot, probe, kDepth, dest, kAll, 10)) == Status::InvalidArgument);
}

RAYOS_TEST("cnode.revoke_deletes_descendants_only") {
    uint64_t ep = make_object(ObjectType::Endpoint);
    CHECK(ep != 0);
    uint64_t child = fresh_slot(), grandchild = fresh_slot(), probe = fresh_slot();
    CHECK_EQ(inv::cnode_copy(kRoot, child, kDepth, ep, kAll), 0);
    CHECK_EQ(inv::cnode_mint(kRoot, grandchild, kDepth, child, kAll, 5), 0);
    CHECK_EQ(inv::cnode_revoke(kRoot, ep, kDepth), 0);
    CHECK(st(inv::cnode_copy(kRoot, probe, kDepth, child, kAll)) == Status::InvalidCapability);
    CHECK(st(inv::cnode_copy(kRoot, probe, kDepth, grandchild, kAll)) == Status::InvalidCapability);
    CHECK_EQ(inv::cnode_copy(kRoot, probe, kDepth, ep, kAll), 0); // the revoked cap stays
}

RAYOS_TEST("cnode.delete_parent_keeps_children_revocable") {
    uint64_t u = small_untyped(12);
    CHECK(u != 0);
    uint64_t ep = fresh_slot(), copy = fresh_slot(), probe = fresh_slot();
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, ep, 1), 1);
    CHECK_EQ(inv::cnode_copy(kRoot, copy, kDepth, ep, kAll), 0);
    CHECK_EQ(inv::cnode_delete(kRoot, ep, kDepth), 0);
    // The copy moved up under the untyped: revoking the untyped removes it.
    CHECK_EQ(inv::cnode_revoke(kRoot, u, kDepth), 0);
    CHECK(st(inv::cnode_copy(kRoot, probe, kDepth, copy, kAll)) == Status::InvalidCapability);
}

RAYOS_TEST("cnode.second_level_cnode_addressing") {
    uint64_t node = make_object(ObjectType::CNode, 4); // 16 slots, no guard
    CHECK(node != 0);
    // Slot 3 of the new CNode, addressed with it as root: 4 bits.
    CHECK_EQ(inv::cnode_copy(node, 3, 4, abi::kInitSlotTcb, kAll), 0);
    CHECK(st(inv::cnode_copy(node, 3, 4, abi::kInitSlotTcb, kAll)) == Status::SlotOccupied);
    CHECK(st(inv::cnode_copy(node, 16, 5, abi::kInitSlotTcb, kAll)) == Status::LookupFailed);
    CHECK(st(inv::cnode_copy(node, 3, 3, abi::kInitSlotTcb, kAll)) == Status::LookupFailed);
    // Deleting the last capability to the CNode deletes what it holds.
    CHECK_EQ(inv::cnode_delete(kRoot, node, kDepth), 0);
}

RAYOS_TEST("cnode.guard_set_by_mint") {
    uint64_t node = make_object(ObjectType::CNode, 4);
    CHECK(node != 0);
    uint64_t guarded = fresh_slot();
    // Guard of 4 bits with value 0b1010: slot i is now (0b1010 << 4) | i, depth 8.
    CHECK_EQ(inv::cnode_mint(kRoot, guarded, kDepth, node, kAll, (0b1010ull << 6) | 4), 0);
    CHECK_EQ(inv::cnode_copy(guarded, (0b1010 << 4) | 5, 8, abi::kInitSlotTcb, kAll), 0);
    CHECK(st(inv::cnode_copy(guarded, (0b1011 << 4) | 6, 8, abi::kInitSlotTcb, kAll)) ==
          Status::LookupFailed);
    // Guard value wider than its size, or guard + radix > 64 bits.
    uint64_t bad = fresh_slot();
    CHECK(st(inv::cnode_mint(kRoot, bad, kDepth, node, kAll, (0b10000ull << 6) | 4)) ==
          Status::InvalidArgument);
    CHECK(st(inv::cnode_mint(kRoot, bad, kDepth, node, kAll, 61)) == Status::InvalidArgument);
}

// --- Untyped retype ---------------------------------------------------------------

RAYOS_TEST("untyped.retype_argument_errors") {
    uint64_t u = big_untyped(), slot = fresh_slot();
    auto retype = [&](uint64_t type, uint64_t size, uint64_t cnode, uint64_t offset,
                      uint64_t count) {
        return st(inv::untyped_retype(u, type, size, cnode, offset, count));
    };
    CHECK(retype(99, 0, kRoot, slot, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Null), 0, kRoot, slot, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::IrqControl), 0, kRoot, slot, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, kRoot, slot, 0) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, kRoot, slot, 257) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, kRoot, 4095, 2) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, kRoot, 4096, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, kRoot, abi::kInitSlotTcb, 1) ==
          Status::SlotOccupied);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, abi::kInitSlotTcb, 0, 1) ==
          Status::InvalidCapability);
    CHECK(retype(uint64_t(ObjectType::Endpoint), 0, 4000, 0, 1) == Status::InvalidCapability);
    CHECK(retype(uint64_t(ObjectType::CNode), 0, kRoot, slot, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::CNode), 21, kRoot, slot, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Untyped), 3, kRoot, slot, 1) == Status::InvalidArgument);
    CHECK(retype(uint64_t(ObjectType::Untyped), 300, kRoot, slot, 1) == Status::InvalidArgument);
    // Nothing was created by any of these.
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, slot, 1), 1);
}

RAYOS_TEST("untyped.every_object_type_can_be_made") {
    const struct {
        ObjectType type;
        uint64_t size;
    } kinds[] = {{ObjectType::Untyped, 12},     {ObjectType::CNode, 2},
                 {ObjectType::Tcb, 0},          {ObjectType::Endpoint, 0},
                 {ObjectType::Notification, 0}, {ObjectType::Reply, 0},
                 {ObjectType::Frame, 12},       {ObjectType::Frame, 21},
                 {ObjectType::PageTable, 0},    {ObjectType::VSpace, 0}};
    for (const auto& kind : kinds) {
        uint64_t slot = fresh_slot();
        CHECK_EQ(inv::untyped_retype(big_untyped(), uint64_t(kind.type), kind.size, kRoot, slot, 1),
                 1);
        CHECK_EQ(inv::cnode_delete(kRoot, slot, kDepth), 0);
    }
}

RAYOS_TEST("untyped.exhaustion_is_an_error_and_revoke_resets") {
    uint64_t u = small_untyped(14); // 16 KiB
    CHECK(u != 0);
    uint64_t first = fresh_slot();
    for (int i = 0; i < 3; ++i)
        fresh_slot();
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Untyped), 12, kRoot, first, 4), 4);
    uint64_t extra = fresh_slot();
    CHECK(st(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, extra, 1)) ==
          Status::OutOfMemory);
    CHECK_EQ(inv::cnode_revoke(kRoot, u, kDepth), 0);
    // The children are gone and the whole region is available again.
    CHECK(st(inv::cnode_delete(kRoot, first, kDepth)) == Status::InvalidCapability);
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Untyped), 12, kRoot, first, 4), 4);
}

RAYOS_TEST("cnode.describe_tells_type_rights_badge_and_use") {
    inv::SlotInfo info{};
    uint64_t empty = fresh_slot();
    CHECK_EQ(inv::slot_info(kRoot, empty, kDepth, info), int64_t(ObjectType::Null));
    CHECK_EQ(inv::slot_info(kRoot, abi::kInitSlotTcb, kDepth, info), int64_t(ObjectType::Tcb));
    uint64_t ep = make_object(ObjectType::Endpoint), badged = fresh_slot();
    CHECK(ep != 0);
    CHECK_EQ(inv::cnode_mint(kRoot, badged, kDepth, ep, abi::rights::kWrite, 77), 0);
    CHECK_EQ(inv::slot_info(kRoot, badged, kDepth, info), int64_t(ObjectType::Endpoint));
    CHECK_EQ(info.rights, abi::rights::kWrite);
    CHECK_EQ(info.word, 77u);
    uint64_t u = small_untyped(14);
    CHECK(u != 0);
    CHECK_EQ(inv::slot_info(kRoot, u, kDepth, info), int64_t(ObjectType::Untyped));
    CHECK_EQ(info.size_bits, 14u);
    CHECK_EQ(info.word, 0u);
    uint64_t child = fresh_slot();
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Untyped), 12, kRoot, child, 1), 1);
    CHECK_EQ(inv::slot_info(kRoot, u, kDepth, info), int64_t(ObjectType::Untyped));
    CHECK_EQ(info.word, 4096u); // bytes in use
    CHECK_EQ(inv::cnode_delete(kRoot, child, kDepth), 0);
    CHECK_EQ(inv::slot_info(kRoot, u, kDepth, info), int64_t(ObjectType::Untyped));
    CHECK_EQ(info.word, 0u); // nothing made from it is left
    CHECK(st(inv::slot_info(kRoot, 1ull << 40, kDepth, info)) == Status::LookupFailed);
}

RAYOS_TEST("log.read_returns_recent_console_output") {
    print("log marker 6b1f\n");
    static char recent[64];
    int64_t n =
        inv::log_read(abi::kInitSlotLog, reinterpret_cast<uint64_t>(recent), sizeof(recent));
    CHECK(n > 16);
    bool found = false;
    for (int64_t i = 0; i + 16 <= n; ++i)
        if (memcmp(recent + i, "log marker 6b1f\n", 16) == 0) found = true;
    CHECK(found);
    CHECK(st(inv::log_read(abi::kInitSlotLog, 0xFFFFFFFF80000000ull, 8)) == Status::BadAddress);
    // Only a Log capability reads it.
    CHECK(st(inv::log_read(abi::kInitSlotTcb, reinterpret_cast<uint64_t>(recent), 8)) ==
          Status::InvalidCapability);
}

RAYOS_TEST("untyped.watermark_resets_when_children_deleted") {
    uint64_t u = small_untyped(12); // exactly one 4 KiB object
    CHECK(u != 0);
    uint64_t a = fresh_slot();
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Untyped), 12, kRoot, a, 1), 1);
    CHECK(st(inv::untyped_retype(u, uint64_t(ObjectType::Untyped), 12, kRoot, fresh_slot(), 1)) ==
          Status::OutOfMemory);
    CHECK_EQ(inv::cnode_delete(kRoot, a, kDepth), 0);
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Untyped), 12, kRoot, a, 1), 1);
}

RAYOS_TEST("untyped.objects_are_aligned_and_packed") {
    uint64_t u = small_untyped(12);
    CHECK(u != 0);
    uint64_t first = fresh_slot();
    for (int i = 1; i < 256; ++i)
        fresh_slot();
    // 2^12 / 2^4 = 256 endpoints fit exactly; one more does not.
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, first, 256), 256);
    CHECK(st(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, fresh_slot(), 1)) ==
          Status::OutOfMemory);
}

RAYOS_TEST("cnode.revoke_is_preemptible") {
    uint64_t u = small_untyped(16);
    CHECK(u != 0);
    uint64_t first = fresh_slot();
    for (int i = 1; i < 600; ++i)
        fresh_slot();
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, first, 256), 256);
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, first + 256, 256),
             256);
    CHECK_EQ(inv::untyped_retype(u, uint64_t(ObjectType::Endpoint), 0, kRoot, first + 512, 88), 88);
    int calls = 1;
    int64_t r = inv::cnode_revoke(kRoot, u, kDepth);
    while (st(r) == Status::Preempted && calls < 100) {
        ++calls;
        r = inv::cnode_revoke(kRoot, u, kDepth);
    }
    CHECK_EQ(r, 0);
    CHECK(calls >= 3); // 600 deletions at 256 per call
    CHECK(st(inv::cnode_delete(kRoot, first + 599, kDepth)) == Status::InvalidCapability);
}

// --- deleting CNodes with contents ---------------------------------------------------

namespace {
// A thread blocked on `endpoint` until the endpoint is destroyed, which
// shows that its last capability is gone.
uint64_t watched_endpoint = 0;
int64_t start_watcher() {
    return Thread::spawn(
        [](void*) {
            Message m;
            exit_thread(ipc::recv(watched_endpoint, 0, m));
        },
        nullptr);
}
bool endpoint_destroyed(int64_t watcher) {
    abi::ThreadStopInfo info{};
    return Thread::join(uint64_t(watcher), info) == 0 && st(info.code) == Status::InvalidCapability;
}
} // namespace

RAYOS_TEST("cnode.deleting_a_full_cnode_is_preemptible") {
    watched_endpoint = make_object(ObjectType::Endpoint);
    uint64_t node = make_object(ObjectType::CNode, 10); // 1024 slots
    CHECK(watched_endpoint && node);
    for (uint64_t i = 0; i < 600; ++i)
        CHECK_EQ(inv::cnode_copy(node, i, 10, watched_endpoint, kAll), 0);
    int64_t watcher = start_watcher();
    CHECK(watcher > 0);
    test::settle();
    int calls = 1;
    int64_t r = inv::cnode_delete(kRoot, node, kDepth);
    while (st(r) == Status::Preempted && calls < 100) {
        ++calls;
        r = inv::cnode_delete(kRoot, node, kDepth);
    }
    CHECK_EQ(r, 0);
    CHECK(calls >= 3); // 600 copies at 256 per call
    // Every copy went with the CNode: deleting the original is final.
    CHECK_EQ(inv::cnode_delete(kRoot, watched_endpoint, kDepth), 0);
    CHECK(endpoint_destroyed(watcher));
}

RAYOS_TEST("cnode.nested_cnodes_are_emptied_without_recursion") {
    watched_endpoint = make_object(ObjectType::Endpoint);
    CHECK(watched_endpoint);
    // A chain of CNodes, each holding the only capability to the next; the
    // last holds a copy of the endpoint. Deleting the first empties them all.
    constexpr int kChain = 100;
    uint64_t nodes[kChain];
    for (auto& node : nodes) {
        node = make_object(ObjectType::CNode, 1);
        CHECK(node);
    }
    CHECK_EQ(inv::cnode_copy(nodes[kChain - 1], 1, 1, watched_endpoint, kAll), 0);
    for (int i = kChain - 1; i > 0; --i)
        CHECK_EQ(inv::cnode_move(nodes[i - 1], 0, 1, nodes[i]), 0);
    int64_t watcher = start_watcher();
    CHECK(watcher > 0);
    test::settle();
    CHECK_EQ(inv::cnode_delete(kRoot, nodes[0], kDepth), 0);
    CHECK_EQ(inv::cnode_delete(kRoot, watched_endpoint, kDepth), 0);
    CHECK(endpoint_destroyed(watcher));
}
