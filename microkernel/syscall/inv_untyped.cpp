// Untyped retype: carve kernel objects out of untyped memory.
#include "dispatch.h"
#include "invoke.h"

#include "kernel/config.h"
#include "mm/physmap.h"
#include "object/address_space.h"
#include "object/thread.h"
#include "object/untyped.h"

#include <cstring>

namespace rayos::syscall {
namespace {

// Object types retype can make today; the others are refused loudly until
// their invocations exist (docs/CAVEATS.md).
bool can_make(ObjectType type) {
    return type == ObjectType::Untyped || type == ObjectType::CNode ||
           type == ObjectType::Endpoint || type == ObjectType::Notification ||
           type == ObjectType::Reply || type == ObjectType::Tcb || type == ObjectType::Frame ||
           type == ObjectType::PageTable || type == ObjectType::VSpace;
}

Capability capability_for(ObjectType type, uint64_t physical, uint8_t bits, uint64_t requested) {
    Capability cap;
    cap.type = type;
    cap.rights = abi::rights::kAll;
    switch (type) {
    case ObjectType::Untyped:
    case ObjectType::Frame:
        cap.object = physical;
        cap.size_bits = bits;
        break;
    case ObjectType::PageTable:
        cap.object = physical;
        break;
    case ObjectType::CNode:
        cap.object = reinterpret_cast<uint64_t>(phys_to_virt(physical));
        cap.size_bits = static_cast<uint8_t>(requested);
        break;
    default:
        cap.object = reinterpret_cast<uint64_t>(phys_to_virt(physical));
        break;
    }
    return cap;
}

} // namespace

Result<uint64_t> inv_untyped_retype(Thread& self, Slot& invoked, InvocationArgs args) {
    uint64_t type_value = args[0], requested = args[1], dest_cnode = args[2];
    uint64_t offset = args[3], count = args[4];
    if (type_value >= abi::kObjectTypeCount)
        return reject(self, Status::InvalidArgument, "unknown object type");
    auto type = static_cast<ObjectType>(type_value);
    if (requested > 255) return reject(self, Status::InvalidArgument, "size out of range");
    auto bits = untyped::object_bits(type, static_cast<uint8_t>(requested));
    if (!bits) return reject(self, bits.error(), "not a retypable type, or size out of range");
    if (!can_make(type))
        return reject(self, Status::NotSupported, "this object type cannot be retyped yet");
    if (count == 0 || count > config::kMaxRetypeCount)
        return reject(self, Status::InvalidArgument, "count must be 1..kMaxRetypeCount");

    auto node = lookup_in_cspace(self, dest_cnode);
    if (!node) return reject(self, node.error(), "destination CNode does not resolve");
    const Capability& cnode = node.value()->cap;
    if (cnode.type != ObjectType::CNode)
        return reject(self, Status::InvalidCapability, "destination is not a CNode");
    uint64_t slots = 1ull << cnode.size_bits;
    if (offset >= slots || count > slots - offset)
        return reject(self, Status::InvalidArgument, "destination range exceeds the CNode");
    Slot* dest = reinterpret_cast<Slot*>(cnode.object) + offset;
    for (uint64_t i = 0; i < count; ++i)
        if (!dest[i].empty())
            return reject(self, Status::SlotOccupied, "a destination slot is not empty");

    if (type == ObjectType::VSpace && asid::free_count() < count)
        return reject(self, Status::LimitReached, "no free address-space identifier (kMaxAsids)");

    if (self.inject_count && self.inject_mode == abi::Injection::Starve) {
        // Fault injection: refused as if the memory had run out.
        --self.inject_count;
        return reject(self, Status::OutOfMemory, "memory refused (fault injection: starve)");
    }
    Capability& region = invoked.cap;
    uint64_t watermark = invoked.has_children() ? region.word : 0; // nothing left: start over
    auto placement = untyped::place(region.size_bits, watermark, bits.value(), count);
    if (!placement) return reject(self, placement.error(), "not enough untyped memory left");

    uint64_t size = 1ull << bits.value();
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t physical = region.object + placement->offset + i * size;
        if (type != ObjectType::Untyped) memset(phys_to_virt(physical), 0, size);
        if (type == ObjectType::Tcb) Thread::construct_in(phys_to_virt(physical));
        Capability cap = capability_for(type, physical, bits.value(), requested);
        if (type == ObjectType::VSpace)
            cap.object = reinterpret_cast<uint64_t>(AddressSpace::construct_in(physical));
        cdt::insert(&invoked, dest[i], cap);
    }
    region.word = placement->new_watermark;
    return count;
}

} // namespace rayos::syscall
