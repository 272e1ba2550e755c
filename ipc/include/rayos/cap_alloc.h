// Capability-slot allocation: the free slots of the program's root CNode,
// handed out one at a time (a bitmap over limits::kFirstAllocatableSlot ..
// + kAllocatableSlots). Thread-safe. A slot must be empty again (deleted or
// moved away) before it is freed.
#pragma once

#include <result.h>

#include <cstdint>

namespace rayos::slots {

// A free slot's address, or LimitReached when none is left.
[[nodiscard]] Result<uint64_t> allocate();
// `count` consecutive free slots (e.g. an IPC receive window); the first.
[[nodiscard]] Result<uint64_t> allocate_range(uint32_t count);
// Returns slots to the pool; addresses outside it are ignored.
void free(uint64_t slot, uint32_t count = 1);
uint32_t available();

} // namespace rayos::slots
