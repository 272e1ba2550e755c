// Address spaces, page tables and frames as capabilities: the mapping
// operations behind the PageTable and Frame invocations, and the unmapping
// that deleting such a capability implies.
//
// A mapped PageTable or Frame capability records where it is mapped: word =
// virtual address | kMappedBit (| level << 1 for page tables), reserved =
// the ASID of the address space (object/address_space.h), so a mapping in
// an address space that is gone reads as unmapped. Copies start unmapped.
#pragma once

#include "cap/capability.h"
#include "result.h"

#include <cstdint>

namespace rayos::vspace {

constexpr uint64_t kMappedBit = 1;

inline bool is_mapped(const Capability& cap) {
    return cap.word & kMappedBit;
}
inline uint64_t mapped_address(const Capability& cap) {
    return cap.word & ~0xFFFull;
}
// The PML4 of the address space the capability is mapped in; 0 if it is
// not mapped or that address space is gone.
uint64_t mapped_root(const Capability& cap);

// Maps/unmaps in the address space whose PML4 is at physical `root`; the
// TLB entry is flushed when that address space is loaded.
Result<int> map_table(uint64_t root, uint64_t vaddr, uint64_t table);
VoidResult map_frame(uint64_t root, uint64_t vaddr, uint64_t physical, uint8_t size_bits,
                     uint64_t flags);
// Removes whatever `cap` (a mapped Frame or PageTable) mapped, if it is still
// there; leaves the capability unmapped.
void unmap(Capability& cap);
// The leaf entry of a mapped frame (nullptr if it is gone).
uint64_t* frame_entry(const Capability& cap);
void flush(uint64_t root, uint64_t vaddr);

} // namespace rayos::vspace
