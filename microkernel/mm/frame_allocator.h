// Physical memory at boot: the set of free physical ranges, built from the
// firmware memory map minus everything already in use (the first MiB, the
// kernel image, boot modules, boot information), and 4 KiB frame allocation
// from it.
//
// The kernel uses this only while booting (its own page tables, init's
// image). Whatever is left becomes userspace's untyped memory in the
// capability design; the kernel allocates nothing after boot.
//
// Pure logic (no hardware access): host-tested in tests/unit.
#pragma once

#include "result.h"

#include <cstddef>
#include <cstdint>

namespace rayos {

constexpr uint64_t kPageSize = 4096;

struct PhysRange {
    uint64_t base; // inclusive, page aligned
    uint64_t end;  // exclusive, page aligned
    uint64_t size() const { return end - base; }
};

class FrameAllocator {
public:
    static constexpr size_t kMaxRanges = 64;

    // Adds [base, end) as free memory, shrunk inward to whole pages. Ranges
    // may arrive in any order; overlapping or adjacent ones are merged.
    // LimitReached if the set would need more than kMaxRanges ranges.
    VoidResult add_free(uint64_t base, uint64_t end);
    // Removes [base, end) (grown outward to whole pages) from the free set;
    // an empty range changes nothing. LimitReached (and no change) if the
    // split would need more than kMaxRanges ranges.
    VoidResult reserve(uint64_t base, uint64_t end);

    // The lowest free frame; OutOfMemory when none is left.
    Result<uint64_t> allocate();
    // `pages` contiguous frames, the first aligned to `alignment` bytes (a
    // power of two >= kPageSize), from the lowest range where they fit.
    Result<uint64_t> allocate_run(uint64_t pages, uint64_t alignment);

    // Splits [base, end) into the fewest naturally aligned power-of-two
    // blocks (each at least a page, at most 2^max_bits bytes) and calls
    // emit(block_base, size_bits) for each, in address order. Returns false
    // (stopping early) when emit does.
    template <typename Emit>
    static bool split_aligned(uint64_t base, uint64_t end, uint8_t max_bits, Emit emit) {
        while (base < end && end - base >= kPageSize) {
            uint8_t bits = base == 0 ? 63 : static_cast<uint8_t>(__builtin_ctzll(base));
            if (bits > max_bits) bits = max_bits;
            while (bits > 12 && (1ull << bits) > end - base)
                --bits;
            if (!emit(base, bits)) return false;
            base += 1ull << bits;
        }
        return true;
    }

    // Empties the allocator (the rest of memory is handed to userspace).
    void clear() { count_ = 0; }

    uint64_t free_bytes() const;
    size_t range_count() const { return count_; }
    const PhysRange& range(size_t i) const { return ranges_[i]; }

private:
    VoidResult insert_at(size_t index, PhysRange range);
    void erase_at(size_t index);

    PhysRange ranges_[kMaxRanges]{}; // sorted by base, disjoint, non-adjacent
    size_t count_ = 0;
};

} // namespace rayos
