#include "cspace.h"

namespace rayos::cspace {
namespace {

constexpr uint64_t mask(uint8_t bits) {
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

// Consumes one CNode level. On success returns the slot and reduces `left`.
Result<Slot*> step(const Capability& node, uint64_t cptr, uint8_t& left) {
    if (node.type != ObjectType::CNode) return Error(Status::LookupFailed);
    uint8_t radix = node.size_bits, guard_bits = node.guard_bits;
    if (radix > 64 || guard_bits > 64) return Error(Status::LookupFailed); // never made so
    uint8_t level = static_cast<uint8_t>(radix + guard_bits);
    if (radix == 0 || level > left) return Error(Status::LookupFailed);
    if (guard_bits) {
        uint64_t guard = (cptr >> (left - guard_bits)) & mask(guard_bits);
        if (guard != (node.word & mask(guard_bits))) return Error(Status::LookupFailed);
    }
    uint64_t index = (cptr >> (left - level)) & mask(radix);
    left = static_cast<uint8_t>(left - level);
    return &slots_of(node)[index];
}

} // namespace

Result<Slot*> lookup_slot(const Capability& root, uint64_t cptr, uint8_t depth) {
    if (depth == 0 || depth > 64) return Error(Status::LookupFailed);
    if (depth < 64) cptr &= mask(depth);
    const Capability* node = &root;
    uint8_t left = depth;
    for (;;) {
        Slot* slot = TRY(step(*node, cptr, left));
        if (left == 0) return slot;
        if (slot->cap.type != ObjectType::CNode) return Error(Status::LookupFailed);
        node = &slot->cap;
    }
}

Result<Lookup> lookup_cap(const Capability& root, uint64_t cptr) {
    const Capability* node = &root;
    uint8_t left = 64;
    for (;;) {
        Slot* slot = TRY(step(*node, cptr, left));
        if (left == 0 || slot->cap.type != ObjectType::CNode) return Lookup{slot, left};
        node = &slot->cap;
    }
}

} // namespace rayos::cspace
