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

#define RAYOS_WITH_CAP(...) (uint64_t cap __VA_OPT__(, ) __VA_ARGS__)
#define RAYOS_AFTER_LABEL(...) __VA_OPT__(, ) __VA_ARGS__
#define RAYOS_INVOCATION(label, type, name, params, arg_names)                                     \
    inline int64_t name RAYOS_WITH_CAP params {                                                    \
        return detail::raw(cap, label RAYOS_AFTER_LABEL arg_names);                                \
    }
#include <rayos/abi/invocations.def>
#undef RAYOS_INVOCATION
#undef RAYOS_AFTER_LABEL
#undef RAYOS_WITH_CAP

// The labels, by name: inv::label::cnode_copy, ...
namespace label {
#define RAYOS_INVOCATION(value, type, name, params, arg_names) constexpr uint64_t name = value;
#include <rayos/abi/invocations.def>
#undef RAYOS_INVOCATION
} // namespace label

// Invocations that return extra words in rdx, r10, r8, r9 (arguments a0, a1
// go in in rdx and r10).
inline int64_t raw_out(uint64_t cap, uint64_t label, uint64_t (&out)[4], uint64_t a0 = 0,
                       uint64_t a1 = 0) {
    int64_t result;
    register uint64_t r10 asm("r10") = a1;
    register uint64_t r8 asm("r8") = 0;
    register uint64_t r9 asm("r9") = 0;
    uint64_t rdx = a0;
    asm volatile("syscall"
                 : "=a"(result), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                 : "a"(sys::number::invoke), "D"(cap), "S"(label)
                 : "rcx", "r11", "memory");
    out[0] = rdx;
    out[1] = r10;
    out[2] = r8;
    out[3] = r9;
    return result;
}

struct TcbStats {
    uint64_t syscalls, cpu_cycles, ipc, faults, context_switches;
};
// tcb_read_stats with its results unpacked.
inline int64_t tcb_stats(uint64_t tcb, TcbStats& stats) {
    uint64_t out[4];
    int64_t r = raw_out(tcb, label::tcb_read_stats, out);
    if (r >= 0) stats = {uint64_t(r), out[0], out[1], out[2], out[3]};
    return r;
}

struct SlotInfo {
    abi::ObjectType type;
    uint8_t rights;
    uint64_t word;     // badge (endpoints, notifications), bytes in use (untyped)
    uint8_t size_bits; // untyped, frames; a CNode's radix + 6
};
// cnode_describe with its results unpacked.
inline int64_t slot_info(uint64_t cnode, uint64_t index, uint64_t depth, SlotInfo& info) {
    uint64_t out[4];
    int64_t r = raw_out(cnode, label::cnode_describe, out, index, depth);
    if (r >= 0) info = {abi::ObjectType(r), uint8_t(out[0]), out[1], uint8_t(out[2])};
    return r;
}

struct TcbRegisters {
    uint64_t rip, rsp, rflags, rax;
};
// tcb_read_registers with its results unpacked.
inline int64_t tcb_registers(uint64_t tcb, TcbRegisters& regs) {
    uint64_t out[4];
    int64_t r = raw_out(tcb, label::tcb_read_registers, out);
    if (r >= 0) regs = {out[0], out[1], out[2], out[3]};
    return r;
}

// Makes a thread crash for real: suspended, pointed at the first user page
// (never mapped) and resumed, so its page fault takes the normal crash path
// (init's kill, the fault injector's crash). `before` gets its registers.
inline int64_t tcb_crash(uint64_t tcb, TcbRegisters& before) {
    int64_t done = tcb_suspend(tcb);
    if (done != 0) return done;
    done = tcb_registers(tcb, before);
    if (done == 0) done = tcb_write_registers(tcb, abi::kUserBase, before.rsp, 0, 0);
    int64_t resumed = tcb_resume(tcb); // (as it was, if that failed)
    return done != 0 ? done : resumed;
}

} // namespace rayos::inv
