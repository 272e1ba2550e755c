// Kernel symbol table: maps a kernel address to "function+offset" for
// exception reports and panics.
//
// The table is generated at build time (microkernel/tools/gen_ksyms.py) from
// the kernel's own text symbols and linked into the kernel in a second link
// step; the text layout is the same in both links, so the addresses are
// exact. Layout (all little endian, 8-byte aligned):
//   uint64_t count;
//   struct { uint64_t address; uint64_t name_offset; } entries[count]; // sorted by address
//   char names[];  // NUL-terminated names; name_offset is relative to names
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::ksyms {

struct Symbol {
    const char* name; // nullptr if not found
    uint64_t offset;  // address - symbol address
};

// Finds the symbol with the greatest address <= `address` in the table at
// `table` (`table_size` bytes). Returns {nullptr, 0} for an empty or
// malformed table, or an address below the first symbol. The last symbol is
// considered to end at `text_end`; addresses at or above it are not found.
Symbol lookup(const void* table, size_t table_size, uint64_t text_end, uint64_t address);

} // namespace rayos::ksyms
