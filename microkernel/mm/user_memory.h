// Typed user pointers and copies across the user/kernel boundary.
//
// The kernel never dereferences a user address. copy_from_user/copy_to_user
// resolve every page of the range through the thread's page tables (present,
// user-accessible, writable for copy_to_user) and copy through the direct
// map, so a bad pointer from userspace is a BadAddress error, never a kernel
// fault — whatever address space happens to be loaded.
#pragma once

#include "object/address_space.h"
#include "result.h"

#include <rayos/abi/abi.h>

#include <cstddef>
#include <cstdint>

namespace rayos {

// Can userspace use this address (page 0 and the kernel half excluded)?
inline bool is_user_address(uint64_t address) {
    return address >= abi::kUserBase && address < abi::kUserTop;
}

template <typename T> class UserPtr {
public:
    explicit UserPtr(uint64_t address) : address_(address) {}
    uint64_t address() const { return address_; }
    bool is_null() const { return address_ == 0; }

private:
    uint64_t address_;
};

VoidResult copy_from_user(AddressSpace& space, void* destination, uint64_t source, size_t length);
VoidResult copy_to_user(AddressSpace& space, uint64_t destination, const void* source,
                        size_t length);
// Checks that [address, address+length) is mapped user-writable without
// copying (so a call can be rejected before it changes anything).
VoidResult check_user_writable(AddressSpace& space, uint64_t address, size_t length);
// The same for mapped user-readable.
VoidResult check_user_readable(AddressSpace& space, uint64_t address, size_t length);

template <typename T> Result<T> read_user(AddressSpace& space, UserPtr<T> pointer) {
    T value;
    TRY(copy_from_user(space, &value, pointer.address(), sizeof(T)));
    return value;
}

template <typename T>
VoidResult write_user(AddressSpace& space, UserPtr<T> pointer, const T& value) {
    return copy_to_user(space, pointer.address(), &value, sizeof(T));
}

} // namespace rayos
