// System call dispatch: the number in rax selects a handler from the table
// generated from rayos/abi/syscalls.def; each handler decodes and validates
// its own arguments before changing anything.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "object/thread.h"
#include "result.h"

#include <cstdint>

namespace rayos::syscall {

// Arguments in the order of the syscall ABI (rdi, rsi, rdx, r10, r8, r9).
struct Args {
    uint64_t a[6];
};

using Handler = Result<uint64_t> (*)(Thread& self, const Args& args);

// Runs the call in frame.rax; returns the value for rax (a result >= 0 or a
// negative Status).
int64_t dispatch(Thread& self, arch::TrapFrame& frame);

// Records why a call was rejected (printed in debug builds) and returns the
// error, so handlers can write `return reject(self, Status::X, "why");`.
Error reject(const Thread& self, Status status, const char* why);

// One handler per entry of syscalls.def.
#define RAYOS_SYSCALL(number, name, params, args) Result<uint64_t> sys_##name(Thread&, const Args&);
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL

} // namespace rayos::syscall
