// Mapping a frame into an address space whose page tables may be missing:
// the kernel refuses with NotFound while a table is missing on the way, and
// page_table_map puts a new one at the highest level missing, so at most
// three are made.
#pragma once

#include <rayos/invoke.h>
#include <rayos/syscall.h>

namespace rayos {

// Maps `frame` at `vaddr` in `vspace` with `attributes` (abi::kMap*);
// make_table() makes the PageTable objects needed (their slot, 0 if it
// cannot: OutOfMemory).
template <typename MakeTable>
[[nodiscard]] abi::Status map_frame(uint64_t frame, uint64_t vspace, uint64_t vaddr,
                                    uint64_t attributes, MakeTable&& make_table) {
    for (int tables = 0; tables <= 3; ++tables) {
        int64_t mapped = inv::frame_map(frame, vspace, vaddr, attributes);
        if (sys::status(mapped) != abi::Status::NotFound) return sys::status(mapped);
        uint64_t table = make_table();
        if (!table) return abi::Status::OutOfMemory;
        int64_t level = inv::page_table_map(table, vspace, vaddr);
        if (level < 0) return sys::status(level);
    }
    return abi::Status::NotFound;
}

} // namespace rayos
