// The system-call numbers by name (abi::syscall_number::thread_exit, ...),
// from syscalls.def: for the kernel and userspace alike.
#pragma once

#include <cstdint>

namespace rayos::abi::syscall_number {

#define RAYOS_SYSCALL(num, name, params, args) constexpr uint64_t name = num;
#include <rayos/abi/syscalls.def>
#undef RAYOS_SYSCALL

} // namespace rayos::abi::syscall_number
