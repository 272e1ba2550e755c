// Typed system call wrappers, generated from the kernel ABI's single
// definition (rayos/abi/syscalls.def): rayos::sys::null(),
// rayos::sys::debug_write(text, length), ... Each returns the raw result:
// >= 0 on success, a negative abi::Status on error (see status()).
#pragma once

#include <rayos/abi/abi.h>
#include <rayos/abi/syscall_numbers.h>

#include <cstdint>
#include <type_traits>

namespace rayos::sys {

namespace detail {
template <typename T> inline uint64_t word(T value) {
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<uint64_t>(value);
    else
        return static_cast<uint64_t>(value);
}

inline int64_t raw(uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                   uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    int64_t result;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(number), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return result;
}

template <uint64_t Number> struct Call {
    template <typename... Args> static int64_t with(Args... args) {
        return raw(Number, word(args)...);
    }
};
} // namespace detail

// Raw access for tests that need to pass what the typed wrappers cannot
// (unknown numbers, garbage arguments).
using detail::raw;

#define RAYOS_SYSCALL(number, name, params, args)                                                  \
    inline int64_t name params {                                                                   \
        return detail::Call<number>::with args;                                                    \
    }
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL

// The call numbers, by name: sys::number::debug_write, ...
namespace number = abi::syscall_number;

// Number of system calls (numbers are 0 .. kSyscallCount-1).
constexpr uint64_t kSyscallCount = 0
#define RAYOS_SYSCALL(number, name, params, args) +1
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL
    ;

// The Status carried by a raw result (Ok for any non-negative value).
inline abi::Status status(int64_t result) {
    return result >= 0 ? abi::Status::Ok : static_cast<abi::Status>(result);
}

} // namespace rayos::sys
