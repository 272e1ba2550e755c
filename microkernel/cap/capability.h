// Capability: an unforgeable reference to a kernel object plus what the
// holder may do with it. Capabilities live only in CNode slots inside the
// kernel; userspace names them by address (cspace.h) and never sees these
// bits.
//
// Field use by type:
//   Untyped       object = physical base, size_bits = log2 size,
//                 word = watermark (bytes already retyped, from base)
//   CNode         object = kernel address of slot array, size_bits = radix,
//                 guard_bits + word = guard
//   Endpoint,
//   Notification  object = kernel address, word = badge (0: unbadged)
//   Frame         object = physical base, size_bits = 12 or 21
//   others        object = kernel address
#pragma once

#include <rayos/abi/objects.h>

#include <cstdint>

namespace rayos {

using abi::ObjectType;

struct Capability {
    ObjectType type = ObjectType::Null;
    uint8_t rights = 0;     // abi::rights mask
    uint8_t size_bits = 0;  // see above
    uint8_t guard_bits = 0; // CNode only
    uint32_t reserved = 0;
    uint64_t object = 0;
    uint64_t word = 0;

    bool is_null() const { return type == ObjectType::Null; }
    bool has_rights(uint8_t needed) const { return (rights & needed) == needed; }
    // Same object (and, for the "typed as a region" kinds, same region).
    bool same_object(const Capability& other) const {
        return type == other.type && object == other.object && size_bits == other.size_bits;
    }
};
static_assert(sizeof(Capability) == 24);

} // namespace rayos
