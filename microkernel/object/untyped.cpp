#include "untyped.h"

namespace rayos::untyped {

using abi::ObjectType;

Result<uint8_t> object_bits(ObjectType type, uint8_t requested) {
    switch (type) {
    case ObjectType::Untyped:
        if (requested < abi::kMinUntypedBits || requested > abi::kMaxUntypedBits)
            return Error(Status::InvalidArgument);
        return requested;
    case ObjectType::CNode:
        if (requested < 1 || requested > abi::kMaxCNodeRadix) return Error(Status::InvalidArgument);
        return static_cast<uint8_t>(requested + abi::kSlotBits);
    case ObjectType::Frame:
        if (requested != 12 && requested != 21) return Error(Status::InvalidArgument);
        return requested;
    case ObjectType::Tcb:
    case ObjectType::Endpoint:
    case ObjectType::Notification:
    case ObjectType::Reply:
    case ObjectType::PageTable:
    case ObjectType::VSpace:
        return abi::object_size_bits(type);
    case ObjectType::Null:
    case ObjectType::IrqControl:
    case ObjectType::IrqHandler:
    case ObjectType::IoPort:
    case ObjectType::Log:
        break;
    }
    return Error(Status::InvalidArgument);
}

Result<Placement> place(uint8_t region_bits, uint64_t watermark, uint8_t object_bits,
                        uint64_t count) {
    if (count == 0 || object_bits > region_bits || region_bits > 63)
        return Error(Status::InvalidArgument);
    uint64_t region = 1ull << region_bits;
    uint64_t size = 1ull << object_bits;
    if (watermark > region) return Error(Status::InvalidArgument);
    uint64_t start = (watermark + size - 1) & ~(size - 1);
    if (start > region) return Error(Status::OutOfMemory);
    uint64_t room = (region - start) >> object_bits;
    if (count > room) return Error(Status::OutOfMemory);
    return Placement{start, start + count * size};
}

} // namespace rayos::untyped
