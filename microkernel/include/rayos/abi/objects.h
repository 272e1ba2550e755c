// Kernel object types, sizes and capability rights: the part of the
// capability ABI that userspace names when it retypes untyped memory or
// mints capabilities.
#pragma once

#include <cstdint>

namespace rayos::abi {

// X(name, value, size_bits): size_bits is log2 of the object's size in
// bytes; 0 means the size is chosen at retype time (Untyped: the requested
// size; CNode: radix + kSlotBits; Frame: 12 or 21).
#define RAYOS_OBJECT_TYPE_LIST(X)                                                                  \
    X(Null, 0, 0)                                                                                  \
    X(Untyped, 1, 0)                                                                               \
    X(CNode, 2, 0)                                                                                 \
    X(Tcb, 3, 11)                                                                                  \
    X(Endpoint, 4, 4)                                                                              \
    X(Notification, 5, 6)                                                                          \
    X(Reply, 6, 5)                                                                                 \
    X(Frame, 7, 0)                                                                                 \
    X(PageTable, 8, 12)                                                                            \
    X(VSpace, 9, 13)                                                                               \
    X(IrqControl, 10, 0)                                                                           \
    X(IrqHandler, 11, 0)                                                                           \
    X(IoPort, 12, 0)                                                                               \
    X(Log, 13, 0)

enum class ObjectType : uint8_t {
#define RAYOS_OBJECT_ENUM(name, value, bits) name = value,
    RAYOS_OBJECT_TYPE_LIST(RAYOS_OBJECT_ENUM)
#undef RAYOS_OBJECT_ENUM
};

constexpr uint8_t kObjectTypeCount = 14;

constexpr const char* object_type_name(ObjectType type) {
    switch (type) {
#define RAYOS_OBJECT_NAME(name, value, bits)                                                       \
    case ObjectType::name:                                                                         \
        return #name;
        RAYOS_OBJECT_TYPE_LIST(RAYOS_OBJECT_NAME)
#undef RAYOS_OBJECT_NAME
    }
    return "Unknown";
}

// log2 of the fixed size of an object type, 0 if the size is chosen at retype.
constexpr uint8_t object_size_bits(ObjectType type) {
    switch (type) {
#define RAYOS_OBJECT_BITS(name, value, bits)                                                       \
    case ObjectType::name:                                                                         \
        return bits;
        RAYOS_OBJECT_TYPE_LIST(RAYOS_OBJECT_BITS)
#undef RAYOS_OBJECT_BITS
    }
    return 0;
}

// A CNode slot is 64 bytes: a CNode of radix r occupies 2^(r + 6) bytes.
constexpr uint8_t kSlotBits = 6;
// Untyped regions are at least 16 bytes and at most 2^47 bytes.
constexpr uint8_t kMinUntypedBits = 4;
constexpr uint8_t kMaxUntypedBits = 47;
// A CNode has between 2^1 and 2^kMaxCNodeRadix slots.
constexpr uint8_t kMaxCNodeRadix = 20;

// Capability rights (a mask): what the holder may do with the object.
// frame_map/frame_remap attributes.
constexpr uint64_t kMapWritable = 1 << 0;
constexpr uint64_t kMapExecutable = 1 << 1;
// frame_status result bits.
constexpr uint64_t kFrameAccessed = 1 << 0;
constexpr uint64_t kFrameDirty = 1 << 1;

namespace rights {
constexpr uint8_t kRead = 1 << 0;       // receive on endpoints, wait on notifications, map readable
constexpr uint8_t kWrite = 1 << 1;      // send/signal, map writable
constexpr uint8_t kGrant = 1 << 2;      // transfer capabilities with messages
constexpr uint8_t kGrantReply = 1 << 3; // callers may be replied to with capabilities
constexpr uint8_t kAll = kRead | kWrite | kGrant | kGrantReply;
} // namespace rights

} // namespace rayos::abi
