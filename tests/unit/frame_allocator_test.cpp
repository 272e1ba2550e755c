// Tests for rayos::FrameAllocator (microkernel/mm/frame_allocator.cpp).
//
// Hand-written cases pin down the documented rules (add_free shrinks inward
// and merges; reserve grows outward and splits; allocate takes the lowest
// frame; LimitReached at kMaxRanges). A randomized test then checks the
// range set against a page-bitmap model after every operation.
#include "mm/frame_allocator.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

using rayos::FrameAllocator;
using rayos::kPageSize;
using rayos::Status;

namespace {

constexpr uint64_t P = kPageSize;

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

Ranges ranges_of(const FrameAllocator& fa) {
    Ranges out;
    for (size_t i = 0; i < fa.range_count(); ++i)
        out.emplace_back(fa.range(i).base, fa.range(i).end);
    return out;
}

// Structural invariants: page aligned, non-empty, sorted, disjoint and
// non-adjacent, and free_bytes() equal to the sum of the sizes.
void check_invariants(const FrameAllocator& fa) {
    REQUIRE(fa.range_count() <= FrameAllocator::kMaxRanges);
    uint64_t total = 0;
    for (size_t i = 0; i < fa.range_count(); ++i) {
        const auto& r = fa.range(i);
        CHECK(r.base % P == 0);
        CHECK(r.end % P == 0);
        CHECK(r.base < r.end);
        CHECK(r.size() == r.end - r.base);
        if (i > 0) CHECK(fa.range(i - 1).end < r.base);
        total += r.size();
    }
    CHECK(fa.free_bytes() == total);
}

uint64_t must_allocate(FrameAllocator& fa) {
    auto frame = fa.allocate();
    REQUIRE(frame.ok());
    return *frame;
}

} // namespace

TEST_CASE("frame allocator: empty allocator has nothing to give") {
    FrameAllocator fa;
    CHECK(fa.range_count() == 0);
    CHECK(fa.free_bytes() == 0);
    auto frame = fa.allocate();
    CHECK_FALSE(frame.ok());
    CHECK(frame.error() == Status::OutOfMemory);
    // Reserving from nothing is harmless.
    CHECK(fa.reserve(0, 0x100000).ok());
    CHECK(fa.range_count() == 0);
}

TEST_CASE("frame allocator: add_free shrinks inward to whole pages") {
    FrameAllocator fa;
    REQUIRE(fa.add_free(0x1001, 0x5FFF).ok());
    CHECK(ranges_of(fa) == Ranges{{0x2000, 0x5000}});
    CHECK(fa.free_bytes() == 3 * P);

    SUBCASE("aligned bounds are kept as they are") {
        REQUIRE(fa.add_free(0x10000, 0x12000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x2000, 0x5000}, {0x10000, 0x12000}});
    }
    SUBCASE("less than a whole page adds nothing") {
        REQUIRE(fa.add_free(0x20001, 0x20FFF).ok());
        REQUIRE(fa.add_free(0x20001, 0x21FFF).ok()); // straddles, but no whole page
        REQUIRE(fa.add_free(0x30000, 0x30FFF).ok());
        CHECK(ranges_of(fa) == Ranges{{0x2000, 0x5000}});
    }
    SUBCASE("empty and inverted ranges add nothing") {
        REQUIRE(fa.add_free(0x40000, 0x40000).ok());
        REQUIRE(fa.add_free(0x50000, 0x40000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x2000, 0x5000}});
    }
    check_invariants(fa);
}

TEST_CASE("frame allocator: add_free merges overlapping and adjacent ranges") {
    FrameAllocator fa;

    SUBCASE("out of order, disjoint: kept sorted and separate") {
        REQUIRE(fa.add_free(0x30000, 0x40000).ok());
        REQUIRE(fa.add_free(0x10000, 0x20000).ok());
        REQUIRE(fa.add_free(0x50000, 0x60000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x20000}, {0x30000, 0x40000}, {0x50000, 0x60000}});
    }
    SUBCASE("adjacent below and above") {
        REQUIRE(fa.add_free(0x20000, 0x30000).ok());
        REQUIRE(fa.add_free(0x10000, 0x20000).ok());
        REQUIRE(fa.add_free(0x30000, 0x31000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x31000}});
    }
    SUBCASE("adjacent only after shrinking inward") {
        REQUIRE(fa.add_free(0x10000, 0x20000).ok());
        REQUIRE(fa.add_free(0x1F001, 0x25000).ok()); // -> [0x20000, 0x25000)
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x25000}});
    }
    SUBCASE("overlapping") {
        REQUIRE(fa.add_free(0x10000, 0x20000).ok());
        REQUIRE(fa.add_free(0x18000, 0x28000).ok());
        REQUIRE(fa.add_free(0x8000, 0x12000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x8000, 0x28000}});
    }
    SUBCASE("contained and duplicate ranges change nothing") {
        REQUIRE(fa.add_free(0x10000, 0x20000).ok());
        REQUIRE(fa.add_free(0x12000, 0x13000).ok());
        REQUIRE(fa.add_free(0x10000, 0x20000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x20000}});
        CHECK(fa.free_bytes() == 0x10000);
    }
    SUBCASE("one range bridging and swallowing several") {
        REQUIRE(fa.add_free(0x10000, 0x11000).ok());
        REQUIRE(fa.add_free(0x13000, 0x14000).ok());
        REQUIRE(fa.add_free(0x16000, 0x17000).ok());
        REQUIRE(fa.add_free(0x19000, 0x1A000).ok());
        REQUIRE(fa.add_free(0x30000, 0x31000).ok());
        REQUIRE(fa.range_count() == 5);
        REQUIRE(fa.add_free(0x11000, 0x19000).ok()); // touches the 1st, swallows 2 and 3
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x1A000}, {0x30000, 0x31000}});
    }
    SUBCASE("a range covering everything") {
        REQUIRE(fa.add_free(0x10000, 0x11000).ok());
        REQUIRE(fa.add_free(0x13000, 0x14000).ok());
        REQUIRE(fa.add_free(0x0, 0x100000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x0, 0x100000}});
    }
    check_invariants(fa);
}

TEST_CASE("frame allocator: reserve grows outward and splits") {
    FrameAllocator fa;
    REQUIRE(fa.add_free(0x10000, 0x20000).ok());

    SUBCASE("one byte in the middle reserves its whole page, splitting the range") {
        REQUIRE(fa.reserve(0x14001, 0x14002).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x14000}, {0x15000, 0x20000}});
    }
    SUBCASE("unaligned bounds straddling pages reserve both pages") {
        REQUIRE(fa.reserve(0x14FFF, 0x15001).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x14000}, {0x16000, 0x20000}});
    }
    SUBCASE("trim the head") {
        REQUIRE(fa.reserve(0x8000, 0x12001).ok());
        CHECK(ranges_of(fa) == Ranges{{0x13000, 0x20000}});
    }
    SUBCASE("trim the tail") {
        REQUIRE(fa.reserve(0x1EFFF, 0x30000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x1E000}});
    }
    SUBCASE("exactly the whole range") {
        REQUIRE(fa.reserve(0x10000, 0x20000).ok());
        CHECK(fa.range_count() == 0);
        CHECK(fa.allocate().error() == Status::OutOfMemory);
    }
    SUBCASE("more than the whole range") {
        REQUIRE(fa.reserve(0x0, 0x100000).ok());
        CHECK(fa.range_count() == 0);
    }
    SUBCASE("memory that is not free is a no-op") {
        REQUIRE(fa.reserve(0x0, 0x10000).ok());     // just below, adjacent
        REQUIRE(fa.reserve(0x20000, 0x30000).ok()); // just above, adjacent
        REQUIRE(fa.reserve(0x40000, 0x50000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x20000}});
    }
    SUBCASE("inverted and empty ranges are no-ops") {
        REQUIRE(fa.reserve(0x15000, 0x14000).ok());
        REQUIRE(fa.reserve(0x15000, 0x15000).ok());
        REQUIRE(fa.reserve(0x15800, 0x15800).ok()); // empty, inside a page
        REQUIRE(fa.reserve(0x15900, 0x15800).ok()); // inverted, inside a page
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x20000}});
    }
    SUBCASE("one reservation spanning several ranges") {
        REQUIRE(fa.add_free(0x30000, 0x40000).ok());
        REQUIRE(fa.add_free(0x50000, 0x60000).ok());
        REQUIRE(fa.add_free(0x70000, 0x80000).ok());
        REQUIRE(fa.reserve(0x18000, 0x58000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x18000}, {0x58000, 0x60000}, {0x70000, 0x80000}});
    }
    SUBCASE("reserved memory can be given back") {
        REQUIRE(fa.reserve(0x14000, 0x15000).ok());
        REQUIRE(fa.add_free(0x14000, 0x15000).ok());
        CHECK(ranges_of(fa) == Ranges{{0x10000, 0x20000}});
    }
    check_invariants(fa);
}

TEST_CASE("frame allocator: allocate returns the lowest frame first") {
    FrameAllocator fa;
    REQUIRE(fa.add_free(0x50000, 0x52000).ok());
    REQUIRE(fa.add_free(0x10000, 0x12000).ok());
    REQUIRE(fa.add_free(0x30000, 0x31000).ok());
    CHECK(fa.free_bytes() == 5 * P);

    const uint64_t expected[] = {0x10000, 0x11000, 0x30000, 0x50000, 0x51000};
    uint64_t left = 5 * P;
    for (uint64_t frame : expected) {
        CHECK(must_allocate(fa) == frame);
        left -= P;
        CHECK(fa.free_bytes() == left);
        check_invariants(fa);
    }
    CHECK(fa.range_count() == 0);
    CHECK(fa.allocate().error() == Status::OutOfMemory);
    CHECK(fa.allocate().error() == Status::OutOfMemory); // stays empty

    // Freeing again makes frames available again.
    REQUIRE(fa.add_free(0x11000, 0x12000).ok());
    CHECK(must_allocate(fa) == 0x11000);
}

TEST_CASE("frame allocator: allocation then add_free re-merges") {
    FrameAllocator fa;
    REQUIRE(fa.add_free(0x10000, 0x14000).ok());
    CHECK(must_allocate(fa) == 0x10000);
    CHECK(ranges_of(fa) == Ranges{{0x11000, 0x14000}});
    REQUIRE(fa.add_free(0x10000, 0x11000).ok());
    CHECK(ranges_of(fa) == Ranges{{0x10000, 0x14000}});
    // Frame 0 is a valid frame.
    REQUIRE(fa.add_free(0, P).ok());
    CHECK(ranges_of(fa) == Ranges{{0, P}, {0x10000, 0x14000}});
    CHECK(must_allocate(fa) == 0);
}

TEST_CASE("frame allocator: addresses near the top of the address space") {
    FrameAllocator fa;
    constexpr uint64_t kTopPage = UINT64_MAX & ~(P - 1); // 0xFFFF'FFFF'FFFF'F000

    SUBCASE("the whole address space") {
        REQUIRE(fa.add_free(0, UINT64_MAX).ok());
        CHECK(ranges_of(fa) == Ranges{{0, kTopPage}});
        CHECK(fa.free_bytes() == kTopPage);
        REQUIRE(fa.reserve(0x100000, UINT64_MAX).ok());
        CHECK(ranges_of(fa) == Ranges{{0, 0x100000}});
    }
    SUBCASE("a base in the last page does not wrap around") {
        REQUIRE(fa.add_free(kTopPage + 1, UINT64_MAX).ok());
        REQUIRE(fa.add_free(UINT64_MAX, UINT64_MAX).ok());
        CHECK(fa.range_count() == 0);
    }
    SUBCASE("a range ending in the last page") {
        REQUIRE(fa.add_free(kTopPage - 4 * P, UINT64_MAX).ok());
        CHECK(ranges_of(fa) == Ranges{{kTopPage - 4 * P, kTopPage}});
        REQUIRE(fa.reserve(kTopPage - 2 * P + 1, UINT64_MAX).ok());
        CHECK(ranges_of(fa) == Ranges{{kTopPage - 4 * P, kTopPage - 2 * P}});
        CHECK(must_allocate(fa) == kTopPage - 4 * P);
    }
    check_invariants(fa);
}

TEST_CASE("frame allocator: LimitReached at kMaxRanges") {
    FrameAllocator fa;
    constexpr uint64_t kStride = 4 * P;
    for (size_t i = 0; i < FrameAllocator::kMaxRanges; ++i)
        REQUIRE(fa.add_free(0x100000 + i * kStride, 0x100000 + i * kStride + P).ok());
    REQUIRE(fa.range_count() == FrameAllocator::kMaxRanges);
    const Ranges full = ranges_of(fa);
    const uint64_t full_bytes = fa.free_bytes();
    const uint64_t last_end = 0x100000 + (FrameAllocator::kMaxRanges - 1) * kStride + P;

    SUBCASE("a new disjoint range fails and changes nothing") {
        auto below = fa.add_free(0x10000, 0x11000);
        CHECK(below.error() == Status::LimitReached);
        auto above = fa.add_free(last_end + P, last_end + 2 * P);
        CHECK(above.error() == Status::LimitReached);
        auto between = fa.add_free(0x100000 + 2 * P, 0x100000 + 3 * P); // gap on both sides
        CHECK(between.error() == Status::LimitReached);
        CHECK(ranges_of(fa) == full);
        CHECK(fa.free_bytes() == full_bytes);
    }
    SUBCASE("ranges that merge still fit") {
        REQUIRE(fa.add_free(0x100000 + P, 0x100000 + 2 * P).ok()); // extends the first
        CHECK(fa.range_count() == FrameAllocator::kMaxRanges);
        REQUIRE(fa.add_free(last_end, last_end + P).ok()); // extends the last
        CHECK(fa.range_count() == FrameAllocator::kMaxRanges);
        REQUIRE(fa.add_free(0x100000, 0x100000 + kStride + P).ok()); // bridges first two
        CHECK(fa.range_count() == FrameAllocator::kMaxRanges - 1);
        // Now there is room for one more disjoint range.
        REQUIRE(fa.add_free(0x10000, 0x11000).ok());
        CHECK(fa.range_count() == FrameAllocator::kMaxRanges);
        CHECK(fa.add_free(0x20000, 0x21000).error() == Status::LimitReached);
    }
    SUBCASE("reserve that needs no new range works at the limit") {
        REQUIRE(fa.reserve(0x100000, 0x100000 + P).ok()); // removes the first
        CHECK(fa.range_count() == FrameAllocator::kMaxRanges - 1);
    }
    SUBCASE("a split at the limit fails and changes nothing") {
        // Make the first range 3 pages so reserving its middle page splits it.
        REQUIRE(fa.add_free(0x100000, 0x100000 + 3 * P).ok());
        REQUIRE(fa.range_count() == FrameAllocator::kMaxRanges);
        const uint64_t before = fa.free_bytes();
        const Ranges ranges_before = ranges_of(fa);
        auto split = fa.reserve(0x100000 + P, 0x100000 + 2 * P);
        CHECK(split.error() == Status::LimitReached);
        CHECK(fa.free_bytes() == before);
        CHECK(ranges_of(fa) == ranges_before);
        check_invariants(fa);
    }
    check_invariants(fa);
}

TEST_CASE("frame allocator: randomized against a page bitmap model") {
    // A universe of kPages pages; at most kPages/2 = 60 runs, so the range set
    // never needs more than kMaxRanges entries and every operation succeeds.
    constexpr uint64_t kBase = 0x200000;
    constexpr size_t kPages = 120;
    static_assert(kPages / 2 <= FrameAllocator::kMaxRanges);

    for (uint32_t seed = 1; seed <= 20; ++seed) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        FrameAllocator fa;
        std::vector<bool> model(kPages, false);

        auto random_address = [&] {
            // Anywhere from a little below the universe to a little above it,
            // aligned or not.
            uint64_t page = rng() % (kPages + 4);
            uint64_t offset = (rng() % 3 == 0) ? 0 : rng() % P;
            return kBase - 2 * P + page * P + offset;
        };
        auto page_of = [&](uint64_t address) {
            return (int64_t(address) - int64_t(kBase)) / int64_t(P);
        };

        for (int step = 0; step < 2000; ++step) {
            CAPTURE(step);
            unsigned op = rng() % 10;
            if (op < 4) {
                uint64_t a = random_address();
                uint64_t b = a + rng() % (24 * P);
                REQUIRE(fa.add_free(a, b).ok());
                // Pages wholly inside [a, b), clipped to the universe (ranges
                // never leave it: the model starts empty and only grows inside).
                uint64_t first = (a + P - 1) / P * P;
                uint64_t last = b / P * P;
                for (uint64_t p = first; p < last; p += P) {
                    int64_t i = page_of(p);
                    if (i >= 0 && i < int64_t(kPages)) model[size_t(i)] = true;
                }
                // Keep everything inside the universe so the model stays exact.
                REQUIRE(fa.reserve(0, kBase).ok());
                REQUIRE(fa.reserve(kBase + kPages * P, UINT64_MAX).ok());
            } else if (op < 8) {
                uint64_t a = random_address();
                // Non-empty: reserve(x, x) with x unaligned takes x's page (grows outward).
                uint64_t b = a + 1 + rng() % (16 * P);
                REQUIRE(fa.reserve(a, b).ok());
                // Pages touching [a, b).
                uint64_t first = a / P * P;
                uint64_t last = (b + P - 1) / P * P;
                for (uint64_t p = first; p < last; p += P) {
                    int64_t i = page_of(p);
                    if (i >= 0 && i < int64_t(kPages)) model[size_t(i)] = false;
                }
            } else {
                int n = int(rng() % 5) + 1;
                for (int k = 0; k < n; ++k) {
                    size_t lowest = 0;
                    while (lowest < kPages && !model[lowest])
                        ++lowest;
                    auto frame = fa.allocate();
                    if (lowest == kPages) {
                        CHECK(frame.error() == Status::OutOfMemory);
                    } else {
                        REQUIRE(frame.ok());
                        CHECK(*frame == kBase + lowest * P);
                        model[lowest] = false;
                    }
                }
            }

            // Compare: the maximal runs of free pages in the model.
            Ranges expected;
            for (size_t i = 0; i < kPages;) {
                if (!model[i]) {
                    ++i;
                    continue;
                }
                size_t j = i;
                while (j < kPages && model[j])
                    ++j;
                expected.emplace_back(kBase + i * P, kBase + j * P);
                i = j;
            }
            REQUIRE(ranges_of(fa) == expected);
            check_invariants(fa);
        }
    }
}
