// Capability-slot allocation (rayos/cap_alloc.h): one bit per slot.
#include "lock.h"

#include <rayos/cap_alloc.h>
#include <rayos/limits.h>

namespace rayos::slots {
namespace {

constexpr uint64_t kFirst = limits::kFirstAllocatableSlot;
constexpr uint64_t kCount = limits::kAllocatableSlots;
uint64_t used[(kCount + 63) / 64];
uint32_t in_use = 0;
detail::SpinLock lock;

bool taken(uint64_t i) {
    return (used[i / 64] >> (i % 64)) & 1;
}
void mark(uint64_t i, bool value) {
    if (value)
        used[i / 64] |= 1ull << (i % 64);
    else
        used[i / 64] &= ~(1ull << (i % 64));
}

} // namespace

Result<uint64_t> allocate() {
    return allocate_range(1);
}

Result<uint64_t> allocate_range(uint32_t count) {
    if (count == 0 || count > kCount) return Error(abi::Status::InvalidArgument);
    detail::Guard guard(lock);
    uint64_t run = 0;
    for (uint64_t i = 0; i < kCount; ++i) {
        run = taken(i) ? 0 : run + 1;
        if (run == count) {
            uint64_t first = i + 1 - count;
            for (uint64_t j = first; j <= i; ++j)
                mark(j, true);
            in_use += count;
            return kFirst + first;
        }
    }
    return Error(abi::Status::LimitReached);
}

void free(uint64_t slot, uint32_t count) {
    detail::Guard guard(lock);
    for (uint64_t s = slot; s < slot + count; ++s) {
        if (s < kFirst || s >= kFirst + kCount || !taken(s - kFirst)) continue;
        mark(s - kFirst, false);
        --in_use;
    }
}

uint32_t available() {
    return uint32_t(kCount) - in_use;
}

} // namespace rayos::slots
