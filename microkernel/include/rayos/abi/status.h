// The one status code enumeration of the RayOS kernel ABI.
//
// Every system call returns a signed 64-bit value in rax: a non-negative value
// is success (and may carry a result), a negative value is one of the errors
// below. The same enumeration is used inside the kernel and by the userspace
// runtime, so a status never needs translating.
#pragma once

#include <cstdint>

namespace rayos::abi {

// X(name, value, description)
#define RAYOS_STATUS_LIST(X)                                                                       \
    X(Ok, 0, "success")                                                                            \
    X(InvalidSyscall, -1, "unknown system call number")                                            \
    X(BadAddress, -2, "pointer is not a mapped user address with the required access")             \
    X(InvalidArgument, -3, "argument out of range")                                                \
    X(NotFound, -4, "no such object")                                                              \
    X(OutOfMemory, -5, "not enough memory")                                                        \
    X(Busy, -6, "object is in use")                                                                \
    X(NotSupported, -7, "operation not supported")                                                 \
    X(LimitReached, -8, "a configured limit was reached")                                          \
    X(Deadlock, -9, "operation would wait forever")                                              \
    X(InvalidCapability, -10, "slot is empty or holds the wrong kind of capability")             \
    X(LookupFailed, -11, "capability address does not resolve (guard or depth mismatch)")       \
    X(MissingRights, -12, "capability lacks a right the operation needs")                        \
    X(SlotOccupied, -13, "destination slot is not empty")                                         \
    X(RevokeFirst, -14, "object still has derived capabilities")                                  \
    X(Preempted, -15, "long operation interrupted; repeat the call to continue")                \
    X(WouldBlock, -16, "no partner is waiting (non-blocking call)")                             \
    X(MessageTooLong, -17, "message longer than the registers and IPC buffer allow")

enum class Status : int64_t {
#define RAYOS_STATUS_ENUM(name, value, text) name = value,
    RAYOS_STATUS_LIST(RAYOS_STATUS_ENUM)
#undef RAYOS_STATUS_ENUM
};

constexpr const char* status_name(Status s) {
    switch (s) {
#define RAYOS_STATUS_NAME(name, value, text)                                                       \
    case Status::name:                                                                             \
        return #name;
        RAYOS_STATUS_LIST(RAYOS_STATUS_NAME)
#undef RAYOS_STATUS_NAME
    }
    return "UnknownStatus";
}

constexpr const char* status_text(Status s) {
    switch (s) {
#define RAYOS_STATUS_TEXT(name, value, text)                                                       \
    case Status::name:                                                                             \
        return text;
        RAYOS_STATUS_LIST(RAYOS_STATUS_TEXT)
#undef RAYOS_STATUS_TEXT
    }
    return "unknown status";
}

} // namespace rayos::abi
