// System call dispatch: the number in rax selects a handler from the table
// generated from rayos/abi/syscalls.def; each handler decodes and validates
// its own arguments before changing anything. The entry point,
// syscall_from_user (dispatch.cpp), is called by arch/x86_64/entry.S.
#pragma once

#include "arch/x86_64/trap_frame.h"
#include "object/thread.h"
#include "result.h"

#include <cstdint>

namespace rayos::syscall {

// The arguments of a call, read from the caller's saved registers in the
// order of the syscall ABI: rdi, rsi, rdx, r10, r8, r9.
class Args {
public:
    explicit Args(const arch::TrapFrame& frame) : frame_(frame) {}
    uint64_t operator[](int index) const {
        switch (index) {
        case 0:
            return frame_.rdi;
        case 1:
            return frame_.rsi;
        case 2:
            return frame_.rdx;
        case 3:
            return frame_.r10;
        case 4:
            return frame_.r8;
        default:
            return frame_.r9;
        }
    }

private:
    const arch::TrapFrame& frame_;
};

using Handler = Result<uint64_t> (*)(Thread& self, Args args);

// Records why a call was rejected (printed in debug builds) and returns the
// error, so handlers can write `return reject(self, Status::X, "why");`.
Error<> reject(const Thread& self, Status status, const char* why);

// One handler per entry of syscalls.def.
#define RAYOS_SYSCALL(number, name, params, args) Result<uint64_t> sys_##name(Thread&, Args);
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL

} // namespace rayos::syscall
