#include "cspace.h"

namespace rayos::cspace {
namespace {

constexpr uint64_t mask(uint8_t bits) {
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

// Consumes one CNode level: the next guard_bits + radix bits of the cptr
// hold the guard (which must match) and the index. Returns nullptr when the
// level does not resolve; on success reduces `left`. Hot on every system
// call that names a capability, so it is branch-light and allocation-free.
inline Slot* step(const Capability& node, uint64_t cptr, uint8_t& left) {
    uint8_t radix = node.size_bits, guard_bits = node.guard_bits;
    unsigned level = radix + guard_bits;
    if (node.type != ObjectType::CNode || radix == 0 || radix > 64 || level > left) return nullptr;
    uint64_t bits = (cptr >> (left - level)) & mask(static_cast<uint8_t>(level));
    if ((bits >> radix) != node.word) return nullptr; // guard mismatch
    left = static_cast<uint8_t>(left - level);
    return &slots_of(node)[bits & mask(radix)];
}

} // namespace

Result<Slot*> lookup_slot(const Capability& root, uint64_t cptr, uint8_t depth) {
    if (depth == 0 || depth > 64) return Error(Status::LookupFailed);
    if (depth < 64) cptr &= mask(depth);
    const Capability* node = &root;
    uint8_t left = depth;
    for (;;) {
        Slot* slot = step(*node, cptr, left);
        if (!slot) return Error(Status::LookupFailed);
        if (left == 0) return slot;
        if (slot->cap.type != ObjectType::CNode) return Error(Status::LookupFailed);
        node = &slot->cap;
    }
}

Result<Lookup> lookup_cap(const Capability& root, uint64_t cptr) {
    const Capability* node = &root;
    uint8_t left = 64;
    for (;;) {
        Slot* slot = step(*node, cptr, left);
        if (!slot) return Error(Status::LookupFailed);
        if (left == 0 || slot->cap.type != ObjectType::CNode) return Lookup{slot, left};
        node = &slot->cap;
    }
}

} // namespace rayos::cspace
