// Capability addressing: how a 64-bit capability address (cptr) names a slot
// in a thread's capability space, a tree of CNodes (seL4's guarded
// page-table scheme).
//
// Resolution starts at the root CNode capability with `depth` bits of the
// cptr to consume, most significant first. At each CNode the next
// guard_bits bits must equal the CNode's guard, the following radix bits
// index its slots. If bits remain and the slot holds another CNode,
// resolution continues there.
//
//  - lookup_slot(root, cptr, depth): the slot exactly `depth` bits name
//    (CNode operations: copy, mint, move, delete, ... and retype targets).
//    Running out of CNodes before `depth` bits are used is LookupFailed.
//  - lookup_cap(root, cptr): for invocations; all 64 bits, stopping at the
//    first slot that does not hold a CNode (the rest of the cptr is ignored,
//    as in seL4). A single-level CSpace with radix r and a guard of 64 - r
//    zero bits therefore names slot i with cptr i.
//
// Pure logic over slot arrays in kernel memory: host-tested.
#pragma once

#include "result.h"
#include "slot.h"

#include <cstdint>

namespace rayos::cspace {

struct Lookup {
    Slot* slot;
    uint8_t bits_left; // bits of the cptr not consumed (lookup_cap only)
};

Result<Slot*> lookup_slot(const Capability& root, uint64_t cptr, uint8_t depth);
Result<Lookup> lookup_cap(const Capability& root, uint64_t cptr);

// The slot array of a CNode capability.
inline Slot* slots_of(const Capability& cnode) {
    return reinterpret_cast<Slot*>(cnode.object);
}

// lookup_cap for the common single-level CSpace (guard + radix = 64 bits)
// in a few instructions; nullptr means "take lookup_cap" (it may still
// resolve, or fail with the precise error).
inline Slot* lookup_cap_single_level(const Capability& root, uint64_t cptr) {
    unsigned radix = root.size_bits;
    if (root.type != ObjectType::CNode || radix + root.guard_bits != 64 || radix == 0 ||
        radix >= 64)
        return nullptr;
    if ((cptr >> radix) != root.word) return nullptr;
    Slot* slot = &slots_of(root)[cptr & ((1ull << radix) - 1)];
    return slot->cap.type == ObjectType::CNode ? nullptr : slot;
}

} // namespace rayos::cspace
