// AddressSpace: one user virtual address space (a PML4 whose upper half is
// the kernel's). User memory is mapped page by page with explicit rights;
// page 0 and everything at or above abi::kUserTop can never be mapped.
#pragma once

#include "mm/frame_allocator.h"
#include "mm/paging.h"
#include "result.h"

#include <cstddef>
#include <cstdint>

namespace rayos {

// User mapping rights.
struct Rights {
    bool write = false;
    bool execute = false;
};

class AddressSpace {
public:
    // Creates an empty user address space; tables come from `frames`.
    static Result<AddressSpace*> create(FrameAllocator& frames);

    // Maps a fresh zeroed frame at `address` (page aligned, user range) and
    // returns its physical address.
    Result<uint64_t> map_new_page(uint64_t address, Rights rights);

    // The physical address behind user address `address` if it is mapped
    // with user access (and writable, if `for_write`). BadAddress otherwise.
    Result<uint64_t> resolve(uint64_t address, bool for_write);

    uint64_t root() const { return root_; }
    // Loads this address space into CR3 (if it is not loaded already).
    void activate() const {
        uint64_t current;
        asm volatile("mov %%cr3, %0" : "=r"(current));
        if (current != root_) asm volatile("mov %0, %%cr3" ::"r"(root_) : "memory");
    }

private:
    uint64_t root_ = 0;
    FrameAllocator* frames_ = nullptr;
    bool in_use_ = false;
};

} // namespace rayos
