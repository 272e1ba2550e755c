// Tests for guarded CNode addressing (microkernel/cap/cspace.cpp).
//
// CNodes are std::vector<Slot> arrays of 2^radix slots, named by CNode
// capabilities (object = array address, size_bits = radix, guard_bits and
// word = guard). Hand-written cases pin down single- and two-level spaces,
// guards, depths and the difference between lookup_slot and lookup_cap; a
// randomized test compares both with a bit-by-bit reference implementation
// written from the description in cspace.h.
#include "cap/cspace.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

using rayos::Capability;
using rayos::ObjectType;
using rayos::Slot;
using rayos::Status;
namespace cspace = rayos::cspace;

namespace {

using Array = std::vector<Slot>;

Array make_array(uint8_t radix) {
    return Array(size_t{1} << radix);
}

Capability cnode_cap(Array& slots, uint8_t radix, uint8_t guard_bits, uint64_t guard) {
    Capability cap;
    cap.type = ObjectType::CNode;
    cap.rights = rayos::abi::rights::kAll;
    cap.object = reinterpret_cast<uint64_t>(slots.data());
    cap.size_bits = radix;
    cap.guard_bits = guard_bits;
    cap.word = guard;
    return cap;
}

Capability endpoint_cap(uint64_t id) {
    Capability cap;
    cap.type = ObjectType::Endpoint;
    cap.rights = rayos::abi::rights::kAll;
    cap.object = id;
    return cap;
}

Slot* slot_ok(const Capability& root, uint64_t cptr, uint8_t depth) {
    auto r = cspace::lookup_slot(root, cptr, depth);
    REQUIRE(r.ok());
    return *r;
}

Status slot_error(const Capability& root, uint64_t cptr, uint8_t depth) {
    auto r = cspace::lookup_slot(root, cptr, depth);
    return r.ok() ? Status::Ok : r.error();
}

Status cap_error(const Capability& root, uint64_t cptr) {
    auto r = cspace::lookup_cap(root, cptr);
    return r.ok() ? Status::Ok : r.error();
}

cspace::Lookup cap_ok(const Capability& root, uint64_t cptr) {
    auto r = cspace::lookup_cap(root, cptr);
    REQUIRE(r.ok());
    return *r;
}

// Reference resolution, read bit by bit from the most significant of the
// `depth` low bits of cptr. stop_at_leaf: lookup_cap semantics (stop at the
// first slot that does not hold a CNode); otherwise lookup_slot semantics.
// Radix 0 CNodes fail: objects.h allows radix 1..kMaxCNodeRadix only.
struct RefResult {
    bool ok;
    Slot* slot;
    int bits_left;
};

RefResult ref_resolve(const Capability& root, uint64_t cptr, int depth, bool stop_at_leaf) {
    const RefResult fail{false, nullptr, 0};
    if (depth < 1 || depth > 64) return fail;
    int left = depth;
    auto next_bit = [&] {
        --left;
        return (cptr >> left) & 1;
    };
    const Capability* node = &root;
    for (;;) {
        if (node->type != ObjectType::CNode || node->size_bits == 0) return fail;
        int guard_bits = node->guard_bits, radix = node->size_bits;
        if (guard_bits + radix > left) return fail;
        for (int k = guard_bits - 1; k >= 0; --k)
            if (next_bit() != ((node->word >> k) & 1)) return fail;
        uint64_t index = 0;
        for (int k = 0; k < radix; ++k)
            index = (index << 1) | next_bit();
        Slot* slot = &cspace::slots_of(*node)[index];
        if (left == 0) return {true, slot, 0};
        if (slot->cap.type != ObjectType::CNode)
            return stop_at_leaf ? RefResult{true, slot, left} : fail;
        node = &slot->cap;
    }
}

} // namespace

TEST_CASE("cspace: single level, radix 8 with a 56-bit zero guard") {
    Array root_slots = make_array(8);
    for (size_t i = 0; i < root_slots.size(); i += 3)
        root_slots[i].cap = endpoint_cap(1000 + i);
    Capability root = cnode_cap(root_slots, 8, 56, 0);

    for (uint64_t i = 0; i < 256; ++i) {
        CAPTURE(i);
        auto found = cap_ok(root, i);
        CHECK(found.slot == &root_slots[i]);
        CHECK(found.bits_left == 0);
        CHECK(slot_ok(root, i, 64) == &root_slots[i]);
    }
    CHECK(cspace::slots_of(root) == root_slots.data());
    CHECK(cap_ok(root, 3).slot->cap.object == 1003);
    // An empty slot is still found; the caller decides what to do with it.
    CHECK(cap_ok(root, 1).slot->empty());

    // Any non-zero bit in the guard: LookupFailed.
    for (int bit = 8; bit < 64; ++bit) {
        CAPTURE(bit);
        CHECK(cap_error(root, (1ull << bit) | 5) == Status::LookupFailed);
        CHECK(slot_error(root, (1ull << bit) | 5, 64) == Status::LookupFailed);
    }
    // Depths that do not cover guard + radix.
    for (int depth = 1; depth < 64; ++depth) {
        CAPTURE(depth);
        CHECK(slot_error(root, 5, static_cast<uint8_t>(depth)) == Status::LookupFailed);
    }
    CHECK(slot_error(root, 5, 0) == Status::LookupFailed);
    CHECK(slot_error(root, 5, 65) == Status::LookupFailed);
    CHECK(slot_error(root, 5, 255) == Status::LookupFailed);
}

TEST_CASE("cspace: single level with a short guard and smaller depths") {
    // radix 4, guard 0b101 (3 bits): 7 bits per lookup.
    Array slots = make_array(4);
    slots[9].cap = endpoint_cap(9);
    Capability root = cnode_cap(slots, 4, 3, 0b101);

    CHECK(slot_ok(root, 0b101'1001, 7) == &slots[9]);
    // Bits above depth are ignored.
    CHECK(slot_ok(root, 0xFFFF'FF00'0000'0000ull | 0b101'1001, 7) == &slots[9]);
    CHECK(slot_ok(root, (0xABCull << 7) | 0b101'0011, 7) == &slots[3]);
    // Wrong guard.
    CHECK(slot_error(root, 0b100'1001, 7) == Status::LookupFailed);
    CHECK(slot_error(root, 0b001'1001, 7) == Status::LookupFailed);
    // Depth 6: too small. Depth 8: the slot holds an endpoint, not a CNode,
    // and one bit is left over.
    CHECK(slot_error(root, 0b101'1001, 6) == Status::LookupFailed);
    CHECK(slot_error(root, 0b1011'0010, 8) == Status::LookupFailed);
    CHECK(slot_error(root, 0b1011'0011, 8) == Status::LookupFailed);
    // Depth 8 reaching an empty slot also fails (no CNode to continue in).
    CHECK(slot_error(root, 0b1010'0000, 8) == Status::LookupFailed);

    // lookup_cap uses all 64 bits: the guard sits in bits 63..61.
    auto found = cap_ok(root, (0b101ull << 61) | (9ull << 57) | 0x1234);
    CHECK(found.slot == &slots[9]);
    CHECK(found.bits_left == 57);
    CHECK(cap_error(root, 0b101'1001) == Status::LookupFailed);
}

TEST_CASE("cspace: two levels") {
    // Root: radix 8, guard 24 zero bits (32 bits). Slot 5 -> L2: radix 8,
    // guard 24 bits 0 (32 bits). Slot 6: endpoint. Slot 7: empty.
    // Slot 8 -> L2 again but with guard 0x00ABCD in 24 bits.
    Array root_slots = make_array(8), l2_slots = make_array(8);
    Capability root = cnode_cap(root_slots, 8, 24, 0);
    root_slots[5].cap = cnode_cap(l2_slots, 8, 24, 0);
    root_slots[6].cap = endpoint_cap(66);
    root_slots[8].cap = cnode_cap(l2_slots, 8, 24, 0xABCD);
    l2_slots[7].cap = endpoint_cap(77);

    const uint64_t to_l2_7 = (5ull << 32) | 7;
    SUBCASE("lookup_cap walks both levels") {
        auto found = cap_ok(root, to_l2_7);
        CHECK(found.slot == &l2_slots[7]);
        CHECK(found.bits_left == 0);
        CHECK(found.slot->cap.object == 77);
        // An empty second-level slot is still a result.
        CHECK(cap_ok(root, (5ull << 32) | 200).slot == &l2_slots[200]);
        // Per-capability guard.
        CHECK(cap_ok(root, (8ull << 32) | (0xABCDull << 8) | 7).slot == &l2_slots[7]);
        CHECK(cap_error(root, (8ull << 32) | (0xABCEull << 8) | 7) == Status::LookupFailed);
        CHECK(cap_error(root, (8ull << 32) | 7) == Status::LookupFailed);
    }
    SUBCASE("lookup_cap stops at the first slot without a CNode") {
        auto found = cap_ok(root, (6ull << 32) | 0xDEADBEEF);
        CHECK(found.slot == &root_slots[6]);
        CHECK(found.bits_left == 32);
        found = cap_ok(root, 7ull << 32);
        CHECK(found.slot == &root_slots[7]);
        CHECK(found.slot->empty());
        CHECK(found.bits_left == 32);
        // The rest of the cptr is ignored, even bits that look like a bad guard.
        CHECK(cap_ok(root, (6ull << 32) | 0xFFFFFFFF).slot == &root_slots[6]);
    }
    SUBCASE("lookup_slot with depth 64 reaches the second level") {
        CHECK(slot_ok(root, to_l2_7, 64) == &l2_slots[7]);
        CHECK(slot_ok(root, (5ull << 32) | 0, 64) == &l2_slots[0]);
    }
    SUBCASE("lookup_slot with depth 32 names the first-level slot") {
        CHECK(slot_ok(root, 5, 32) == &root_slots[5]);
        CHECK(slot_ok(root, 6, 32) == &root_slots[6]);
        CHECK(slot_ok(root, 7, 32) == &root_slots[7]); // empty: a valid target
        // Bits above the depth are ignored.
        CHECK(slot_ok(root, 0xDEADBEEF'00000005ull, 32) == &root_slots[5]);
    }
    SUBCASE("lookup_slot: non-CNode before the depth is used up") {
        CHECK(slot_error(root, (6ull << 32) | 7, 64) == Status::LookupFailed);
        CHECK(slot_error(root, (7ull << 32) | 7, 64) == Status::LookupFailed);
        CHECK(slot_error(root, (6ull << 8) | 7, 40) == Status::LookupFailed);
    }
    SUBCASE("lookup_slot: depth between levels") {
        // 40 bits: the root takes 32 and lands on the CNode in slot 5, whose
        // 32 bits do not fit in the 8 that are left.
        CHECK(slot_error(root, 5ull << 8, 40) == Status::LookupFailed);
        for (int depth = 33; depth < 64; ++depth) {
            CAPTURE(depth);
            uint64_t cptr = (5ull << (depth - 32)) | 1;
            CHECK(slot_error(root, cptr, static_cast<uint8_t>(depth)) == Status::LookupFailed);
        }
        // Less than the root's 32 bits.
        CHECK(slot_error(root, 5, 31) == Status::LookupFailed);
        CHECK(slot_error(root, 5, 8) == Status::LookupFailed);
    }
    SUBCASE("guard mismatch at either level") {
        CHECK(slot_error(root, (1ull << 63) | to_l2_7, 64) == Status::LookupFailed);
        CHECK(slot_error(root, (1ull << 40) | to_l2_7, 64) == Status::LookupFailed);
        CHECK(slot_error(root, (1ull << 31) | to_l2_7, 64) == Status::LookupFailed);
        CHECK(slot_error(root, (1ull << 8) | to_l2_7, 64) == Status::LookupFailed);
        CHECK(cap_error(root, (1ull << 8) | to_l2_7) == Status::LookupFailed);
        CHECK(cap_error(root, (1ull << 60) | to_l2_7) == Status::LookupFailed);
    }
}

TEST_CASE("cspace: lookup_cap fails when the next CNode needs more bits than are left") {
    // Root: radix 4, guard 0 bits (4 bits). Slot 1 -> CNode of radix 4 with a
    // 60-bit guard: 64 bits, more than the 60 left after the root.
    Array root_slots = make_array(4), l2 = make_array(4);
    Capability root = cnode_cap(root_slots, 4, 0, 0);
    root_slots[1].cap = cnode_cap(l2, 4, 60, 0);
    root_slots[2].cap = cnode_cap(l2, 4, 56, 0);
    CHECK(cap_error(root, 1ull << 60) == Status::LookupFailed);
    auto found = cap_ok(root, (2ull << 60) | 3);
    CHECK(found.slot == &l2[3]);
    CHECK(found.bits_left == 0);
}

TEST_CASE("cspace: CNode cycles terminate") {
    // A CNode whose slot 0 names itself: every level consumes 4 bits.
    Array slots = make_array(2);
    Capability self = cnode_cap(slots, 2, 2, 0);
    slots[0].cap = self;
    slots[3].cap = endpoint_cap(3);
    // 16 levels of "00 00" then... all zero: lands on slot 0 with 0 bits left.
    auto found = cap_ok(self, 0);
    CHECK(found.slot == &slots[0]);
    CHECK(found.bits_left == 0);
    // Four levels then slot 3.
    found = cap_ok(self, 3ull << 48);
    CHECK(found.slot == &slots[3]);
    CHECK(found.bits_left == 48);
    CHECK(slot_ok(self, 3, 16) == &slots[3]);
    CHECK(slot_error(self, 3ull << 4, 16) == Status::LookupFailed);
}

TEST_CASE("cspace: root that is not a CNode") {
    Array slots = make_array(4);
    Capability null_root;
    Capability ep = endpoint_cap(1);
    Capability untyped;
    untyped.type = ObjectType::Untyped;
    untyped.object = reinterpret_cast<uint64_t>(slots.data());
    untyped.size_bits = 4;
    for (const Capability* root : {&null_root, &ep, &untyped}) {
        CHECK(cap_error(*root, 0) == Status::LookupFailed);
        CHECK(cap_error(*root, 1) == Status::LookupFailed);
        CHECK(slot_error(*root, 0, 64) == Status::LookupFailed);
        CHECK(slot_error(*root, 1, 4) == Status::LookupFailed);
    }
}

TEST_CASE("cspace: radix 0 CNode never resolves") {
    // objects.h allows radix 1..20 only; a radix 0 capability must not be
    // used to resolve anything (it would consume no index bits).
    Array slots = make_array(0);
    Capability guard_only = cnode_cap(slots, 0, 8, 0);
    Capability nothing = cnode_cap(slots, 0, 0, 0);
    CHECK(cap_error(guard_only, 0) == Status::LookupFailed);
    CHECK(slot_error(guard_only, 0, 8) == Status::LookupFailed);
    CHECK(cap_error(nothing, 0) == Status::LookupFailed);
    CHECK(slot_error(nothing, 0, 1) == Status::LookupFailed);
    CHECK(slot_error(nothing, 0, 64) == Status::LookupFailed);
    // As a second level too.
    Array root_slots = make_array(4);
    root_slots[2].cap = guard_only;
    Capability root = cnode_cap(root_slots, 4, 0, 0);
    CHECK(slot_error(root, 2ull << 8, 12) == Status::LookupFailed);
    CHECK(slot_ok(root, 2, 4) == &root_slots[2]);
}

TEST_CASE("cspace: guard 44 bits, radix 20 (the largest CNode)") {
    Array slots = make_array(20);
    const uint64_t guard = 0xA'BCDE'F012'3456ull & ((1ull << 44) - 1);
    Capability root = cnode_cap(slots, 20, 44, guard);
    for (uint64_t index : {0ull, 1ull, 0x12345ull, 0xFFFFFull}) {
        CAPTURE(index);
        uint64_t cptr = (guard << 20) | index;
        auto found = cap_ok(root, cptr);
        CHECK(found.slot == &slots[index]);
        CHECK(found.bits_left == 0);
        CHECK(slot_ok(root, cptr, 64) == &slots[index]);
        CHECK(slot_error(root, cptr, 63) == Status::LookupFailed);
        CHECK(cap_error(root, cptr ^ (1ull << 63)) == Status::LookupFailed);
        CHECK(cap_error(root, cptr ^ (1ull << 20)) == Status::LookupFailed);
    }
    // Guard 0 bits, radix 20: 20-bit depth.
    Capability flat = cnode_cap(slots, 20, 0, 0);
    CHECK(slot_ok(flat, 0xFFFFF, 20) == &slots[0xFFFFF]);
    CHECK(slot_ok(flat, 0xABCDE, 20) == &slots[0xABCDE]);
    auto found = cap_ok(flat, 0xABCDEull << 44);
    CHECK(found.slot == &slots[0xABCDE]);
    CHECK(found.bits_left == 44);
    // Guard 63 bits, radix 1: 64 bits in one level.
    Array two = make_array(1);
    Capability deep = cnode_cap(two, 1, 63, 0x7FFF'FFFF'FFFF'FFFFull);
    CHECK(cap_ok(deep, ~0ull).slot == &two[1]);
    CHECK(cap_ok(deep, ~1ull).slot == &two[0]);
    CHECK(cap_error(deep, 1) == Status::LookupFailed);
    // 64 guard bits leave nothing for the index.
    Capability too_long = cnode_cap(two, 1, 64, 0);
    CHECK(cap_error(too_long, 0) == Status::LookupFailed);
    CHECK(slot_error(too_long, 0, 64) == Status::LookupFailed);
}

TEST_CASE("cspace: randomized against a reference implementation") {
    std::mt19937_64 rng(20240611);
    size_t resolved_slot = 0, resolved_cap = 0, failed = 0, partial = 0;

    for (int space = 0; space < 60; ++space) {
        CAPTURE(space);
        // A handful of CNodes, each slot empty, an endpoint, or a capability
        // (with its own guard) to a random CNode, including itself.
        const int node_count = 2 + static_cast<int>(rng() % 6);
        std::vector<std::unique_ptr<Array>> arrays;
        std::vector<uint8_t> radixes;
        for (int n = 0; n < node_count; ++n) {
            uint8_t radix = static_cast<uint8_t>(1 + rng() % 5);
            arrays.push_back(std::make_unique<Array>(make_array(radix)));
            radixes.push_back(radix);
        }
        // Small guards make deep paths; large ones exercise the 64-bit ends.
        auto random_cnode_cap = [&]() {
            size_t n = rng() % arrays.size();
            uint8_t radix = radixes[n];
            int max_guard = (rng() % 4 == 0) ? 64 - radix : 12;
            uint8_t guard_bits = static_cast<uint8_t>(rng() % (max_guard + 1));
            uint64_t guard = guard_bits ? rng() & (~0ull >> (64 - guard_bits)) : 0;
            return cnode_cap(*arrays[n], radix, guard_bits, guard);
        };
        for (auto& array : arrays)
            for (Slot& s : *array) {
                int kind = static_cast<int>(rng() % 10);
                if (kind < 4)
                    s.cap = random_cnode_cap();
                else if (kind < 7)
                    s.cap = endpoint_cap(rng());
            }

        for (int query = 0; query < 400; ++query) {
            Capability root = rng() % 20 ? random_cnode_cap() : endpoint_cap(1);
            // A 64-bit cptr along an actual path, mostly with correct guards,
            // remembering where each level ends.
            uint64_t bits = 0;
            int used = 0;
            std::vector<int> boundaries;
            auto append = [&](uint64_t value, int count) {
                for (int k = count - 1; k >= 0 && used < 64; --k) {
                    bits = (bits << 1) | ((value >> k) & 1);
                    ++used;
                }
            };
            const Capability* node = &root;
            while (used < 64) {
                if (node->type != ObjectType::CNode || rng() % 16 == 0) {
                    append(rng(), 64 - used);
                    break;
                }
                uint64_t guard = rng() % 16 ? node->word : rng();
                append(guard, node->guard_bits);
                uint64_t index = rng() % (1ull << node->size_bits);
                append(index, node->size_bits);
                boundaries.push_back(used);
                node = &cspace::slots_of(*node)[index].cap;
            }
            const uint64_t full_cptr = bits;
            // Depth: mostly where a level ends (or next to it), sometimes anything.
            int depth;
            uint64_t pick = rng() % 10;
            if (pick < 5 && !boundaries.empty())
                depth = std::min(64, boundaries[rng() % boundaries.size()]);
            else if (pick < 6 && !boundaries.empty())
                depth = boundaries[rng() % boundaries.size()] + (rng() % 2 ? 1 : -1);
            else if (pick < 7)
                depth = static_cast<int>(rng() % 67); // includes 0, 65, 66
            else if (pick < 8)
                depth = 1 + static_cast<int>(rng() % 64);
            else
                depth = 64;
            // The lookup_slot cptr: the first `depth` bits of the path, in
            // the low bits, with garbage above.
            uint64_t cptr = full_cptr;
            if (depth >= 1 && depth < 64) cptr = (full_cptr >> (64 - depth)) | (rng() << depth);

            CAPTURE(depth);
            CAPTURE(cptr);
            RefResult expect = ref_resolve(root, cptr, depth, false);
            auto got = cspace::lookup_slot(root, cptr, static_cast<uint8_t>(depth));
            REQUIRE(got.ok() == expect.ok);
            if (expect.ok) {
                REQUIRE(*got == expect.slot);
                ++resolved_slot;
            } else {
                REQUIRE(got.error() == Status::LookupFailed);
                ++failed;
            }

            CAPTURE(full_cptr);
            RefResult expect_cap = ref_resolve(root, full_cptr, 64, true);
            auto got_cap = cspace::lookup_cap(root, full_cptr);
            REQUIRE(got_cap.ok() == expect_cap.ok);
            if (expect_cap.ok) {
                REQUIRE(got_cap->slot == expect_cap.slot);
                REQUIRE(got_cap->bits_left == expect_cap.bits_left);
                ++resolved_cap;
                if (expect_cap.bits_left) ++partial;
            } else {
                REQUIRE(got_cap.error() == Status::LookupFailed);
            }
        }
    }
    // The generator reaches every kind of outcome.
    CHECK(resolved_slot > 1000);
    CHECK(resolved_cap > 1000);
    CHECK(partial > 100);
    CHECK(failed > 1000);
}
