// x86-64 4-level page tables (Intel SDM Vol.3 §4.5): entry bits, address
// decomposition, and map/unmap/translate over tables reached through a
// PageTableMemory (the kernel's direct map, or a fake memory in host tests).
//
// Intermediate entries are created present+writable (+user for user
// addresses); the leaf entry alone carries the mapping's rights, so the
// effective rights are exactly the leaf's.
#pragma once

#include "result.h"

#include <cstddef>
#include <cstdint>

namespace rayos::paging {

constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kWritable = 1ull << 1;
constexpr uint64_t kUser = 1ull << 2;
constexpr uint64_t kWriteThrough = 1ull << 3;
constexpr uint64_t kCacheDisable = 1ull << 4;
constexpr uint64_t kAccessed = 1ull << 5;
constexpr uint64_t kDirty = 1ull << 6;
constexpr uint64_t kHuge = 1ull << 7; // 2 MiB page in a PD entry
constexpr uint64_t kGlobal = 1ull << 8;
constexpr uint64_t kNoExecute = 1ull << 63;
constexpr uint64_t kAddressMask = 0x000FFFFFFFFFF000ull;
constexpr uint64_t kFlagsMask = ~kAddressMask;

constexpr uint64_t kPageSize4K = 4096;
constexpr uint64_t kPageSize2M = 2ull << 20;
constexpr size_t kEntries = 512;

enum class PageSize { Size4K, Size2M };

// Index of `address` in the table at `level` (4 = PML4 ... 1 = PT).
constexpr size_t table_index(uint64_t address, int level) {
    return (address >> (12 + 9 * (level - 1))) & 0x1FF;
}

// Canonical: bits 63..47 all equal (48-bit virtual addresses).
constexpr bool is_canonical(uint64_t address) {
    uint64_t top = address >> 47;
    return top == 0 || top == 0x1FFFF;
}

// Access to page-table pages by physical address.
class PageTableMemory {
public:
    // The 512 entries of the table page at physical address `table`.
    virtual uint64_t* table(uint64_t physical) = 0;
    // A new zeroed table page (its physical address).
    virtual Result<uint64_t> allocate_table() = 0;

protected:
    ~PageTableMemory() = default;
};

struct Translation {
    uint64_t physical; // physical address of `virtual_address` itself
    uint64_t flags;    // leaf entry flags (kPresent, kWritable, kUser, kNoExecute, ...)
    PageSize size;
};

// Maps one page. Errors: InvalidArgument for unaligned or non-canonical
// addresses or flags containing address bits; Busy if something is already
// mapped there (including a 2 MiB page covering a 4 KiB request, and a page
// table covering a 2 MiB request: tables stay after unmap, even when empty);
// OutOfMemory if a table page could not be allocated.
VoidResult map(PageTableMemory& memory, uint64_t root, uint64_t virtual_address,
               uint64_t physical_address, uint64_t flags, PageSize size = PageSize::Size4K);

// Installs the page-table page `table` on the path to `virtual_address`
// at the highest level where the path is missing (PDPT, PD or PT), so
// userspace builds the tables its mappings need from its own memory.
// Returns the level (3, 2 or 1). Busy if the path is complete down to a
// page table (or ends in a 2 MiB page); InvalidArgument for an unaligned
// table or a non-canonical address.
Result<int> map_table(PageTableMemory& memory, uint64_t root, uint64_t virtual_address,
                      uint64_t table);

// The leaf entry for `virtual_address` (to read or change its rights and
// accessed/dirty bits), or NotFound.
Result<uint64_t*> leaf_entry(PageTableMemory& memory, uint64_t root, uint64_t virtual_address);

// Removes the mapping of the page containing `virtual_address` and returns the
// old leaf entry. NotFound if nothing is mapped. (Table pages are kept.)
// 1 GiB pages are never created; translate and unmap treat them as absent.
Result<uint64_t> unmap(PageTableMemory& memory, uint64_t root, uint64_t virtual_address);

// Walks the tables. NotFound if the address is not mapped.
Result<Translation> translate(PageTableMemory& memory, uint64_t root, uint64_t virtual_address);

} // namespace rayos::paging
