// Untyped memory: a power-of-two region of physical memory that userspace
// retypes into kernel objects. Objects are carved from a watermark that only
// grows; it returns to zero only when every object made from the region is
// gone (the Untyped capability has no children left, e.g. after a revoke).
// That is why the kernel never needs a heap after boot.
//
// This file holds the pure placement rules (host-tested); the retype
// invocation (syscall layer) creates the objects and their capabilities.
#pragma once

#include "result.h"

#include <rayos/abi/objects.h>

#include <cstdint>

namespace rayos::untyped {

// log2 size of one object of `type`; `requested` is the size argument of the
// retype: the size for Untyped, the radix for CNode, 12 or 21 for Frame, and
// ignored for fixed-size types. InvalidArgument for types that cannot be
// made from untyped memory or a size out of range.
Result<uint8_t> object_bits(abi::ObjectType type, uint8_t requested);

struct Placement {
    uint64_t offset;        // of the first object, from the region's base
    uint64_t new_watermark; // after the last object
};

// Where `count` objects of 2^object_bits bytes go in a region of
// 2^region_bits bytes whose first `watermark` bytes are in use: the first
// suitably aligned offset at or above the watermark. InvalidArgument for
// count 0 or objects larger than the region; OutOfMemory if they do not fit.
Result<Placement> place(uint8_t region_bits, uint64_t watermark, uint8_t object_bits,
                        uint64_t count);

} // namespace rayos::untyped
