// The IPC fast path: Call and ReplyRecv in their common case (single-level
// CSpace, message in registers, partner waiting, nothing more urgent ready)
// decided and done in one short function, then a direct switch to the
// partner. Anything unusual falls through to the general path, which gives
// the same result with full checks and error reporting.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "object/thread.h"

namespace rayos::syscall {

// The syscall numbers of the fast-path calls (from syscalls.def).
namespace fast_numbers {
#define RAYOS_SYSCALL(number, name, params, args) constexpr uint64_t name = number;
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL
} // namespace fast_numbers

// Each returns only if it could not handle the call.
void fastpath_call(Thread& self, arch::TrapFrame& frame);
void fastpath_reply_recv(Thread& self, arch::TrapFrame& frame);

// Does not return if it handled the call. Inline: every other system call
// pays two compares for it.
inline void try_fastpath(Thread& self, arch::TrapFrame& frame) {
    if (frame.rax == fast_numbers::call)
        fastpath_call(self, frame);
    else if (frame.rax == fast_numbers::reply_recv)
        fastpath_reply_recv(self, frame);
}

} // namespace rayos::syscall
