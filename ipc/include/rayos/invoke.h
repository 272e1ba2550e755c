// Typed wrappers for kernel object invocations, generated from the single
// definition in rayos/abi/invocations.def: rayos::inv::cnode_copy(cnode, ...),
// rayos::inv::untyped_retype(untyped, ...), ... The first argument is the
// address of the invoked capability in the caller's CSpace. Each returns the
// raw result: >= 0 on success, a negative abi::Status on error.
#pragma once

#include <rayos/abi/abi.h>
#include <rayos/abi/objects.h>
#include <rayos/syscall.h>

#include <cstdint>

namespace rayos::inv {

namespace detail {
inline int64_t raw(uint64_t cap, uint64_t label, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                   uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0) {
    int64_t result;
    register uint64_t r10 asm("r10") = a1;
    register uint64_t r8 asm("r8") = a2;
    register uint64_t r9 asm("r9") = a3;
    register uint64_t r12 asm("r12") = a4;
    register uint64_t r13 asm("r13") = a5;
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(sys::number::invoke), "D"(cap), "S"(label), "d"(a0), "r"(r10), "r"(r8),
                   "r"(r9), "r"(r12), "r"(r13)
                 : "rcx", "r11", "memory");
    return result;
}

} // namespace detail

using detail::raw;

#define RAYOS_WITH_CAP(...) (uint64_t cap, __VA_ARGS__)
#define RAYOS_UNPACK(...) __VA_ARGS__
#define RAYOS_INVOCATION(label, type, name, params, arg_names)                                     \
    inline int64_t name RAYOS_WITH_CAP params {                                                    \
        return detail::raw(cap, label, RAYOS_UNPACK arg_names);                                    \
    }
#include <rayos/abi/invocations.def>
#undef RAYOS_INVOCATION
#undef RAYOS_UNPACK
#undef RAYOS_WITH_CAP

} // namespace rayos::inv
