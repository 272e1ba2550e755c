// Helpers for guest tests that run as init and use its initial capabilities:
// a bump allocator over the free slots of the root CNode and object creation
// from the largest boot untyped region.
#pragma once

#include <rayos/abi/boot_info.h>
#include <rayos/abi/objects.h>
#include <rayos/syscall.h>

#include <cstdint>

namespace rayos::test {

constexpr uint64_t kRoot = abi::kInitSlotCNode; // the root CNode capability
constexpr uint64_t kDepth = 64;                 // root slots: guard + radix = 64 bits

const abi::BootInfo& boot();
// The next free slot of the root CNode.
uint64_t fresh_slot();
// The slot of the largest boot untyped region.
uint64_t big_untyped();
// A new object in a fresh slot (0 on failure).
uint64_t make_object(abi::ObjectType type, uint64_t size = 0);
// A copy of `cap` with `rights` in a fresh slot (0 on failure).
uint64_t copy_cap(uint64_t cap, uint8_t rights);

// The Status of a raw system-call result (Ok for any value >= 0).
inline abi::Status st(int64_t result) {
    return sys::status(result);
}
// Lets every other ready thread of the same priority run until it blocks.
inline void settle() {
    for (int i = 0; i < 8; ++i)
        sys::yield();
}

} // namespace rayos::test
