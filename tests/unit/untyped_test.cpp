// Tests for the untyped placement rules (microkernel/object/untyped.cpp):
// object sizes for every object type and the requested-size bounds, and
// placement of objects above the watermark: alignment, exact fits, off-by-one
// overflow, and counts whose byte size would overflow 64 bits. A randomized
// test compares place() with a 128-bit reference.
#include "object/untyped.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <random>
#include <utility>
#include <vector>

using rayos::Status;
using rayos::abi::ObjectType;
namespace abi = rayos::abi;
namespace untyped = rayos::untyped;

namespace {

Status bits_error(ObjectType type, uint8_t requested) {
    auto r = untyped::object_bits(type, requested);
    return r.ok() ? Status::Ok : r.error();
}

uint8_t bits_ok(ObjectType type, uint8_t requested) {
    auto r = untyped::object_bits(type, requested);
    REQUIRE(r.ok());
    return *r;
}

Status place_error(uint8_t region_bits, uint64_t watermark, uint8_t object_bits, uint64_t count) {
    auto r = untyped::place(region_bits, watermark, object_bits, count);
    return r.ok() ? Status::Ok : r.error();
}

untyped::Placement place_ok(uint8_t region_bits, uint64_t watermark, uint8_t object_bits,
                            uint64_t count) {
    auto r = untyped::place(region_bits, watermark, object_bits, count);
    REQUIRE(r.ok());
    return *r;
}

using u128 = unsigned __int128;

} // namespace

TEST_CASE("untyped: object_bits of fixed-size types ignores the request") {
    struct Fixed {
        ObjectType type;
        uint8_t bits;
    };
    for (Fixed f : {Fixed{ObjectType::Tcb, 11}, Fixed{ObjectType::Endpoint, 4},
                    Fixed{ObjectType::Notification, 6}, Fixed{ObjectType::Reply, 5},
                    Fixed{ObjectType::PageTable, 12}, Fixed{ObjectType::VSpace, 13}}) {
        CAPTURE(abi::object_type_name(f.type));
        CHECK(abi::object_size_bits(f.type) == f.bits);
        for (int requested = 0; requested < 256; ++requested)
            CHECK(bits_ok(f.type, static_cast<uint8_t>(requested)) == f.bits);
    }
}

TEST_CASE("untyped: object_bits of types that cannot be retyped") {
    for (ObjectType type : {ObjectType::Null, ObjectType::IrqControl, ObjectType::IrqHandler,
                            ObjectType::IoPort, static_cast<ObjectType>(abi::kObjectTypeCount),
                            static_cast<ObjectType>(200), static_cast<ObjectType>(255)}) {
        CAPTURE(static_cast<int>(type));
        for (int requested = 0; requested < 256; ++requested)
            CHECK(bits_error(type, static_cast<uint8_t>(requested)) == Status::InvalidArgument);
    }
}

TEST_CASE("untyped: object_bits of Untyped") {
    CHECK(abi::kMinUntypedBits == 4);
    CHECK(abi::kMaxUntypedBits == 47);
    CHECK(bits_error(ObjectType::Untyped, 0) == Status::InvalidArgument);
    CHECK(bits_error(ObjectType::Untyped, 3) == Status::InvalidArgument);
    CHECK(bits_ok(ObjectType::Untyped, 4) == 4);
    CHECK(bits_ok(ObjectType::Untyped, 12) == 12);
    CHECK(bits_ok(ObjectType::Untyped, 47) == 47);
    CHECK(bits_error(ObjectType::Untyped, 48) == Status::InvalidArgument);
    CHECK(bits_error(ObjectType::Untyped, 63) == Status::InvalidArgument);
    CHECK(bits_error(ObjectType::Untyped, 64) == Status::InvalidArgument);
    CHECK(bits_error(ObjectType::Untyped, 255) == Status::InvalidArgument);
    for (int requested = 0; requested < 256; ++requested) {
        bool valid = requested >= 4 && requested <= 47;
        CHECK(untyped::object_bits(ObjectType::Untyped, static_cast<uint8_t>(requested)).ok() ==
              valid);
    }
}

TEST_CASE("untyped: object_bits of CNode is radix + slot bits") {
    CHECK(abi::kSlotBits == 6);
    CHECK(bits_error(ObjectType::CNode, 0) == Status::InvalidArgument);
    CHECK(bits_ok(ObjectType::CNode, 1) == 7);
    CHECK(bits_ok(ObjectType::CNode, 8) == 14);
    CHECK(bits_ok(ObjectType::CNode, 20) == 26);
    CHECK(bits_error(ObjectType::CNode, 21) == Status::InvalidArgument);
    CHECK(bits_error(ObjectType::CNode, 58) == Status::InvalidArgument);
    CHECK(bits_error(ObjectType::CNode, 250) == Status::InvalidArgument); // 250 + 6 wraps
    CHECK(bits_error(ObjectType::CNode, 255) == Status::InvalidArgument);
    for (int requested = 0; requested < 256; ++requested) {
        CAPTURE(requested);
        auto r = untyped::object_bits(ObjectType::CNode, static_cast<uint8_t>(requested));
        bool valid = requested >= 1 && requested <= abi::kMaxCNodeRadix;
        REQUIRE(r.ok() == valid);
        if (valid) CHECK(*r == requested + abi::kSlotBits);
    }
}

TEST_CASE("untyped: object_bits of Frame is 12 or 21") {
    CHECK(bits_ok(ObjectType::Frame, 12) == 12);
    CHECK(bits_ok(ObjectType::Frame, 21) == 21);
    for (int requested = 0; requested < 256; ++requested) {
        if (requested == 12 || requested == 21) continue;
        CAPTURE(requested);
        CHECK(bits_error(ObjectType::Frame, static_cast<uint8_t>(requested)) ==
              Status::InvalidArgument);
    }
}

TEST_CASE("untyped: every object type is covered") {
    // Each type is either retypeable with some size or rejected for every size.
    for (int t = 0; t < abi::kObjectTypeCount; ++t) {
        auto type = static_cast<ObjectType>(t);
        CAPTURE(abi::object_type_name(type));
        int valid = 0;
        for (int requested = 0; requested < 256; ++requested) {
            auto r = untyped::object_bits(type, static_cast<uint8_t>(requested));
            if (!r.ok()) {
                CHECK(r.error() == Status::InvalidArgument);
                continue;
            }
            ++valid;
            // Every valid object fits in the largest untyped region.
            CHECK(*r >= 4);
            CHECK(*r <= abi::kMaxUntypedBits);
        }
        bool retypeable = type != ObjectType::Null && type != ObjectType::IrqControl &&
                          type != ObjectType::IrqHandler && type != ObjectType::IoPort &&
                          type != ObjectType::Log;
        CHECK((valid > 0) == retypeable);
    }
}

TEST_CASE("untyped: place rejects count 0 and objects larger than the region") {
    CHECK(place_error(12, 0, 4, 0) == Status::InvalidArgument);
    CHECK(place_error(47, 0, 0, 0) == Status::InvalidArgument);
    CHECK(place_error(12, 0, 13, 1) == Status::InvalidArgument);
    CHECK(place_error(4, 0, 5, 1) == Status::InvalidArgument);
    CHECK(place_error(0, 0, 1, 1) == Status::InvalidArgument);
    CHECK(place_error(47, 0, 63, 1) == Status::InvalidArgument);
    CHECK(place_error(47, 0, 255, 1) == Status::InvalidArgument);
}

TEST_CASE("untyped: place from an empty region") {
    auto p = place_ok(12, 0, 4, 1);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == 16);
    p = place_ok(12, 0, 4, 10);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == 160);
    // Object as large as the region.
    p = place_ok(12, 0, 12, 1);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == 4096);
    CHECK(place_error(12, 0, 12, 2) == Status::OutOfMemory);
    // Byte-sized objects, region of one byte.
    p = place_ok(0, 0, 0, 1);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == 1);
    CHECK(place_error(0, 0, 0, 2) == Status::OutOfMemory);
    CHECK(place_error(0, 1, 0, 1) == Status::OutOfMemory);
}

TEST_CASE("untyped: place aligns above an unaligned watermark") {
    // 16-byte objects after 1 byte in use: first at 16.
    auto p = place_ok(12, 1, 4, 1);
    CHECK(p.offset == 16);
    CHECK(p.new_watermark == 32);
    // Already aligned: placed right at the watermark.
    p = place_ok(12, 32, 4, 2);
    CHECK(p.offset == 32);
    CHECK(p.new_watermark == 64);
    p = place_ok(12, 17, 4, 2);
    CHECK(p.offset == 32);
    CHECK(p.new_watermark == 64);
    // A page-sized object after a small one.
    p = place_ok(16, 16, 12, 1);
    CHECK(p.offset == 4096);
    CHECK(p.new_watermark == 8192);
    p = place_ok(16, 4095, 12, 1);
    CHECK(p.offset == 4096);
    p = place_ok(16, 4097, 12, 1);
    CHECK(p.offset == 8192);
    CHECK(p.new_watermark == 12288);
    // Byte-sized objects need no alignment.
    p = place_ok(12, 4095, 0, 1);
    CHECK(p.offset == 4095);
    CHECK(p.new_watermark == 4096);
    // Alignment pushes the object past the end.
    CHECK(place_error(12, 1, 12, 1) == Status::OutOfMemory);
    CHECK(place_error(13, 4097, 12, 1) == Status::OutOfMemory);
    p = place_ok(13, 4096, 12, 1);
    CHECK(p.offset == 4096);
    CHECK(p.new_watermark == 8192);
}

TEST_CASE("untyped: place exact fit and one too many") {
    // 4096 bytes hold exactly 256 objects of 16 bytes.
    auto p = place_ok(12, 0, 4, 256);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == 4096);
    CHECK(place_error(12, 0, 4, 257) == Status::OutOfMemory);
    // After alignment from watermark 1 there is room for 255.
    p = place_ok(12, 1, 4, 255);
    CHECK(p.offset == 16);
    CHECK(p.new_watermark == 4096);
    CHECK(place_error(12, 1, 4, 256) == Status::OutOfMemory);
    // Last object ends exactly at the end.
    p = place_ok(12, 4080, 4, 1);
    CHECK(p.offset == 4080);
    CHECK(p.new_watermark == 4096);
    CHECK(place_error(12, 4081, 4, 1) == Status::OutOfMemory);
    CHECK(place_error(12, 4080, 4, 2) == Status::OutOfMemory);
}

TEST_CASE("untyped: place with the watermark at or beyond the end") {
    CHECK(place_error(12, 4096, 4, 1) == Status::OutOfMemory);
    CHECK(place_error(12, 4096, 0, 1) == Status::OutOfMemory);
    CHECK(place_error(12, 4096, 12, 1) == Status::OutOfMemory);
    // Beyond the region: never a placement.
    for (uint64_t watermark : {4097ull, 8192ull, 1ull << 63, ~0ull}) {
        CAPTURE(watermark);
        for (uint8_t object_bits : {0, 4, 12}) {
            Status s = place_error(12, watermark, object_bits, 1);
            CHECK(s != Status::Ok);
            CHECK(s == Status::InvalidArgument);
        }
    }
}

TEST_CASE("untyped: place never wraps on huge counts") {
    // 2^60 objects of 16 bytes is 2^64 bytes: 0 if the product wrapped.
    CHECK(place_error(47, 0, 4, 1ull << 60) == Status::OutOfMemory);
    CHECK(place_error(63, 0, 4, 1ull << 60) == Status::OutOfMemory);
    CHECK(place_error(47, 16, 4, 1ull << 60) == Status::OutOfMemory);
    CHECK(place_error(47, 0, 12, 1ull << 52) == Status::OutOfMemory); // 2^64 bytes
    CHECK(place_error(47, 0, 12, (1ull << 52) + 1) == Status::OutOfMemory);
    CHECK(place_error(47, 0, 21, 1ull << 43) == Status::OutOfMemory);
    CHECK(place_error(47, 0, 4, ~0ull) == Status::OutOfMemory);
    CHECK(place_error(47, 0, 0, ~0ull) == Status::OutOfMemory);
    CHECK(place_error(63, 0, 0, ~0ull) == Status::OutOfMemory);
    CHECK(place_error(63, 0, 63, ~0ull) == Status::OutOfMemory);
    CHECK(place_error(12, 0, 4, (1ull << 60) + 1) == Status::OutOfMemory); // wraps to 16
    CHECK(place_error(12, 0, 4, 1ull << 63) == Status::OutOfMemory);
    // Largest untyped region, exactly full and one more.
    auto p = place_ok(47, 0, 4, 1ull << 43);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == 1ull << 47);
    CHECK(place_error(47, 0, 4, (1ull << 43) + 1) == Status::OutOfMemory);
    p = place_ok(47, 0, 21, 1ull << 26);
    CHECK(p.new_watermark == 1ull << 47);
    CHECK(place_error(47, 1, 21, 1ull << 26) == Status::OutOfMemory);
}

TEST_CASE("untyped: place at region_bits 63 and 64") {
    const uint64_t top = 1ull << 63;
    auto p = place_ok(63, 0, 63, 1);
    CHECK(p.offset == 0);
    CHECK(p.new_watermark == top);
    CHECK(place_error(63, 1, 63, 1) == Status::OutOfMemory); // aligns to 2^63: no room
    CHECK(place_error(63, top, 63, 1) == Status::OutOfMemory);
    CHECK(place_error(63, top - 1, 63, 1) == Status::OutOfMemory);
    p = place_ok(63, 0, 0, top);
    CHECK(p.new_watermark == top);
    CHECK(place_error(63, 0, 0, top + 1) == Status::OutOfMemory);
    p = place_ok(63, 0, 4, 1ull << 59);
    CHECK(p.new_watermark == top);
    p = place_ok(63, top - 16, 4, 1);
    CHECK(p.offset == top - 16);
    CHECK(p.new_watermark == top);
    p = place_ok(63, top - 17, 4, 1);
    CHECK(p.offset == top - 16);
    p = place_ok(63, top - 1, 0, 1);
    CHECK(p.offset == top - 1);
    CHECK(p.new_watermark == top);
    // Watermark + alignment near 2^64 must not wrap to a small offset.
    CHECK(place_error(63, top - 1, 62, 1) == Status::OutOfMemory);
    p = place_ok(63, 1, 62, 1);
    CHECK(p.offset == 1ull << 62);
    CHECK(p.new_watermark == top);
    CHECK(place_error(63, top + 1, 0, 1) == Status::InvalidArgument);
    CHECK(place_error(63, ~0ull, 62, 1) == Status::InvalidArgument);

    // A region of 2^64 bytes cannot be described; larger even less so.
    for (uint8_t region_bits : {64, 65, 127, 255}) {
        const int region_bits_int = region_bits;
        CAPTURE(region_bits_int);
        for (uint8_t object_bits : {0, 4, 63, 64}) {
            Status s = place_error(region_bits, 0, object_bits, 1);
            CHECK(s != Status::Ok);
            CHECK(s == Status::InvalidArgument);
        }
        CHECK(place_error(region_bits, ~0ull, 0, ~0ull) != Status::Ok);
    }
}

TEST_CASE("untyped: filling a region with mixed objects never overlaps") {
    // Retype a 64 KiB region into a mix of objects until it is full.
    std::mt19937_64 rng(99);
    const ObjectType kinds[] = {ObjectType::Endpoint, ObjectType::Notification, ObjectType::Tcb,
                                ObjectType::Frame,    ObjectType::CNode,        ObjectType::Untyped,
                                ObjectType::PageTable};
    for (int round = 0; round < 50; ++round) {
        const uint8_t region_bits = 16;
        uint64_t watermark = 0;
        std::vector<std::pair<uint64_t, uint64_t>> used;
        for (int i = 0; i < 200; ++i) {
            ObjectType type = kinds[rng() % std::size(kinds)];
            uint8_t requested = type == ObjectType::Frame   ? 12
                                : type == ObjectType::CNode ? static_cast<uint8_t>(1 + rng() % 6)
                                                            : static_cast<uint8_t>(4 + rng() % 10);
            uint8_t bits = bits_ok(type, requested);
            uint64_t count = 1 + rng() % 4;
            auto r = untyped::place(region_bits, watermark, bits, count);
            if (!r.ok()) {
                CHECK(r.error() == Status::OutOfMemory);
                continue;
            }
            CHECK(r->offset >= watermark);
            CHECK(r->offset % (1ull << bits) == 0);
            CHECK(r->new_watermark == r->offset + count * (1ull << bits));
            CHECK(r->new_watermark <= (1ull << region_bits));
            CHECK(r->new_watermark > watermark);
            if (!used.empty()) CHECK(used.back().second <= r->offset);
            used.emplace_back(r->offset, r->new_watermark);
            watermark = r->new_watermark;
        }
    }
}

TEST_CASE("untyped: place randomized against a 128-bit reference") {
    std::mt19937_64 rng(4242);
    auto edgy = [&](uint64_t limit) -> uint64_t { // values near 0, limit, powers of two
        switch (rng() % 6) {
        case 0:
            return rng() % 4;
        case 1:
            return limit - (rng() % 4);
        case 2:
            return limit + (rng() % 4);
        case 3:
            return 1ull << (rng() % 64);
        case 4:
            return (1ull << (rng() % 64)) + 1 - (rng() % 3);
        default:
            return limit == ~0ull ? rng() : rng() % (limit + 1);
        }
    };
    size_t ok = 0, oom = 0, invalid = 0;
    for (int i = 0; i < 200000; ++i) {
        uint8_t region_bits = static_cast<uint8_t>(rng() % 66);
        uint8_t object_bits = static_cast<uint8_t>(rng() % 66);
        if (rng() % 4) object_bits = static_cast<uint8_t>(rng() % (region_bits + 1));
        u128 region = u128{1} << region_bits;
        u128 size = u128{1} << object_bits;
        uint64_t region64 = region_bits < 64 ? static_cast<uint64_t>(region) : ~0ull;
        uint64_t watermark = edgy(region64);
        uint64_t room_guess = region_bits < 64 ? static_cast<uint64_t>(region >> object_bits) : 0;
        uint64_t count = rng() % 2 ? edgy(room_guess) : edgy(~0ull);

        const int region_bits_int = region_bits, object_bits_int = object_bits;
        CAPTURE(region_bits_int);
        CAPTURE(watermark);
        CAPTURE(object_bits_int);
        CAPTURE(count);
        auto r = untyped::place(region_bits, watermark, object_bits, count);

        Status expected = Status::Ok;
        u128 start = 0, end = 0;
        if (count == 0 || object_bits > region_bits || region_bits > 63 || watermark > region) {
            expected = Status::InvalidArgument;
        } else {
            start = (u128{watermark} + size - 1) / size * size;
            end = start + u128{count} * size;
            if (end > region) expected = Status::OutOfMemory;
        }
        if (expected == Status::Ok) {
            REQUIRE(r.ok());
            REQUIRE(u128{r->offset} == start);
            REQUIRE(u128{r->new_watermark} == end);
            ++ok;
        } else {
            REQUIRE_FALSE(r.ok());
            REQUIRE(r.error() == expected);
            ++(expected == Status::OutOfMemory ? oom : invalid);
        }
    }
    CHECK(ok > 10000);
    CHECK(oom > 10000);
    CHECK(invalid > 10000);
}
