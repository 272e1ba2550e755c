// Kernel limits and tunables, all in one place. Each is a compile-time
// constant; change it here and rebuild. (docs/ARCHITECTURE.md §Limits lists
// them for users.) Until userspace retypes untyped memory into kernel
// objects, threads and address spaces come from these fixed pools.
#pragma once

#include <cstddef>
#include <cstdint>

#include <rayos/abi/abi.h>

namespace rayos::config {

// Scheduler tick frequency (PIT channel 0): the ABI's clock rate.
constexpr uint32_t kTimerHz = abi::kClockHz;
// Ticks a thread runs before the scheduler rotates its priority level.
constexpr uint32_t kTimeSliceTicks = 2;
// Maximum number of threads alive at once (including stopped, unjoined ones).
constexpr size_t kMaxThreads = 64;
// Maximum number of boot-time user address spaces (init's).
constexpr size_t kMaxAddressSpaces = 16;
// Address-space identifiers: at most this many address spaces (VSpace
// objects and boot ones) exist at once.
constexpr uint32_t kMaxAsids = 1024;
// Priority of the first user thread (0 lowest .. 255 highest).
constexpr uint8_t kInitPriority = 100;
// Thread names (diagnostics) are truncated to this many bytes.
constexpr size_t kThreadNameLength = 32;
// Largest single debug_write.
constexpr uint64_t kMaxDebugWrite = 4096;
// The kernel keeps the last this many bytes of its console output for
// log_read (the shell's `log`).
constexpr uint64_t kLogRingBytes = 16384;

// Capabilities a single delete or revoke call deletes before it returns
// Preempted (so the caller repeats it and the kernel stays responsive).
constexpr uint32_t kRevokeBudget = 256;
// Objects one untyped_retype call may create.
constexpr uint64_t kMaxRetypeCount = 256;
// The longest a notification timer may be set for (about 11 days at 100 Hz).
constexpr uint64_t kMaxTimerTicks = 1ull << 27;
// Fault injections armed on one thread at once (tcb_inject), and the
// longest a delayed reply may be held (10 s at 100 Hz).
constexpr uint64_t kMaxInjections = 1024;
constexpr uint64_t kMaxInjectDelayTicks = 1000;

// Initial user stack of init (top is exclusive; a guard page below and the
// page above stay unmapped) and its thread block.
constexpr uint64_t kInitStackTop = 0x00007FFFFFFF0000ull;
constexpr uint64_t kInitStackSize = 64 * 1024;
constexpr uint64_t kInitThreadBlock = 0x00007FFFFFFD0000ull;

} // namespace rayos::config
