// The kernel's own page tables, built once at boot: the direct map of RAM and
// the kernel image with per-section rights (text read+execute, rodata
// read-only, data and bss read+write no-execute, the stack guard page
// unmapped). Every user address space shares these upper-half entries.
#pragma once

#include "frame_allocator.h"
#include "paging.h"

namespace rayos {

// PageTableMemory over the current phys_to_virt window, allocating zeroed
// table pages from a FrameAllocator.
class KernelTableMemory final : public paging::PageTableMemory {
public:
    explicit KernelTableMemory(FrameAllocator& frames) : frames_(frames) {}
    uint64_t* table(uint64_t physical) override;
    Result<uint64_t> allocate_table() override;

private:
    FrameAllocator& frames_;
};

// PageTableMemory over the direct map that never allocates: for walking
// tables, and for user address spaces whose tables userspace supplies
// (a missing table is NotFound).
class PhysTableMemory final : public paging::PageTableMemory {
public:
    uint64_t* table(uint64_t physical) override;
    Result<uint64_t> allocate_table() override { return Error(Status::NotFound); }
};

// Builds the kernel tables covering physical memory up to `ram_end` and
// switches CR3 to them; from then on phys_to_virt uses the direct map.
VoidResult kernel_space_activate(FrameAllocator& frames, uint64_t ram_end);

// Physical address of the kernel's PML4 (user address spaces copy its upper
// half).
uint64_t kernel_space_root();

} // namespace rayos
