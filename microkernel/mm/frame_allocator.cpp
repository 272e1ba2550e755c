#include "frame_allocator.h"

namespace rayos {
namespace {
constexpr uint64_t align_down(uint64_t v) {
    return v & ~(kPageSize - 1);
}
constexpr uint64_t align_up(uint64_t v) {
    return v > UINT64_MAX - (kPageSize - 1) ? align_down(UINT64_MAX)
                                            : align_down(v + kPageSize - 1);
}
} // namespace

VoidResult FrameAllocator::insert_at(size_t index, PhysRange range) {
    if (count_ == kMaxRanges) return Error(Status::LimitReached);
    for (size_t i = count_; i > index; --i)
        ranges_[i] = ranges_[i - 1];
    ranges_[index] = range;
    ++count_;
    return {};
}

void FrameAllocator::erase_at(size_t index) {
    for (size_t i = index; i + 1 < count_; ++i)
        ranges_[i] = ranges_[i + 1];
    --count_;
}

VoidResult FrameAllocator::add_free(uint64_t base, uint64_t end) {
    base = align_up(base);
    end = align_down(end);
    if (end <= base) return {};
    // Merge with every range that overlaps or touches [base, end).
    size_t i = 0;
    while (i < count_ && ranges_[i].end < base)
        ++i;
    while (i < count_ && ranges_[i].base <= end) {
        if (ranges_[i].base < base) base = ranges_[i].base;
        if (ranges_[i].end > end) end = ranges_[i].end;
        erase_at(i);
    }
    return insert_at(i, PhysRange{base, end});
}

VoidResult FrameAllocator::reserve(uint64_t base, uint64_t end) {
    if (end <= base) return {};
    base = align_down(base);
    end = align_up(end);
    if (end <= base) return {};
    for (size_t i = 0; i < count_;) {
        PhysRange r = ranges_[i];
        if (r.end <= base || r.base >= end) {
            ++i;
            continue;
        }
        if (r.base < base && r.end > end) {                               // split in two
            if (count_ == kMaxRanges) return Error(Status::LimitReached); // nothing changed
            ranges_[i].end = base;
            return insert_at(i + 1, PhysRange{end, r.end});
        }
        if (r.base < base) {
            ranges_[i].end = base;
            ++i;
        } else if (r.end > end) {
            ranges_[i].base = end;
            ++i;
        } else {
            erase_at(i);
        }
    }
    return {};
}

Result<uint64_t> FrameAllocator::allocate() {
    if (count_ == 0) return Error(Status::OutOfMemory);
    uint64_t frame = ranges_[0].base;
    ranges_[0].base += kPageSize;
    if (ranges_[0].base == ranges_[0].end) erase_at(0);
    return frame;
}

Result<uint64_t> FrameAllocator::allocate_run(uint64_t pages, uint64_t alignment) {
    if (pages == 0 || alignment < kPageSize || (alignment & (alignment - 1)))
        return Error(Status::InvalidArgument);
    for (size_t i = 0; i < count_; ++i) {
        uint64_t start = (ranges_[i].base + alignment - 1) & ~(alignment - 1);
        if (start < ranges_[i].base || start >= ranges_[i].end) continue;
        if ((ranges_[i].end - start) / kPageSize < pages) continue;
        uint64_t end = start + pages * kPageSize;
        TRY(reserve(start, end));
        return start;
    }
    return Error(Status::OutOfMemory);
}

uint64_t FrameAllocator::free_bytes() const {
    uint64_t total = 0;
    for (size_t i = 0; i < count_; ++i)
        total += ranges_[i].size();
    return total;
}

} // namespace rayos
