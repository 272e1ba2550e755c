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
    // Creates an empty user address space at boot; tables come from
    // `frames` (init's address space).
    static Result<AddressSpace*> create(FrameAllocator& frames);
    // Builds an address space in the memory of a VSpace object: its PML4 is
    // the object's first page (zeroed), this object lives in the second.
    // False if no ASID is free.
    static AddressSpace* construct_in(uint64_t object_physical);
    // A VSpace object whose last capability goes: its ASID is retired, so
    // frames and page tables still recorded as mapped in it count as unmapped.
    void destroy();

    // Maps a fresh zeroed frame at `address` (page aligned, user range) and
    // returns its physical address. Boot-time address spaces only.
    Result<uint64_t> map_new_page(uint64_t address, Rights rights);

    // The physical address behind user address `address` if it is mapped
    // with user access (and writable, if `for_write`). BadAddress otherwise.
    Result<uint64_t> resolve(uint64_t address, bool for_write);

    uint64_t root() const { return root_; }
    uint32_t asid() const { return asid_; }
    // Loads this address space into CR3 (if it is not loaded already).
    void activate() const {
        uint64_t current;
        asm volatile("mov %%cr3, %0" : "=r"(current));
        if (current != root_) asm volatile("mov %0, %%cr3" ::"r"(root_) : "memory");
    }

private:
    uint64_t root_ = 0;
    FrameAllocator* frames_ = nullptr; // boot address spaces only
    bool in_use_ = false;
    uint32_t asid_ = 0;
};

// Address-space identifiers: a mapped Frame or PageTable capability records
// the ASID of its address space, never a pointer, so a capability that
// outlives its VSpace finds the ASID retired instead of reused memory.
// ASID = index | generation << 16.
namespace asid {
uint32_t assign(AddressSpace* space); // 0 when the table is full
uint32_t free_count();
AddressSpace* lookup(uint32_t asid); // nullptr for a retired ASID
void release(uint32_t asid);
} // namespace asid

} // namespace rayos
