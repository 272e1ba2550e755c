#include "vspace.h"

#include "arch/x86_64/cpu.h"
#include "mm/kernel_space.h"
#include "mm/paging.h"
#include "mm/physmap.h"

#include "object/address_space.h"
#include <cstring>

namespace rayos::vspace {
uint64_t mapped_root(const Capability& cap) {
    if (!is_mapped(cap)) return 0;
    AddressSpace* space = asid::lookup(cap.reserved);
    return space ? space->root() : 0;
}

void flush(uint64_t root, uint64_t vaddr) {
    if (arch::read_cr3() == root) arch::invlpg(vaddr);
}

Result<int> map_table(uint64_t root, uint64_t vaddr, uint64_t table) {
    PhysTableMemory memory;
    return paging::map_table(memory, root, vaddr, table);
}

VoidResult map_frame(uint64_t root, uint64_t vaddr, uint64_t physical, uint8_t size_bits,
                     uint64_t flags) {
    PhysTableMemory memory;
    return paging::map(memory, root, vaddr, physical, flags,
                       size_bits == 21 ? paging::PageSize::Size2M : paging::PageSize::Size4K);
}

uint64_t* frame_entry(const Capability& cap) {
    uint64_t root = mapped_root(cap);
    if (!root) return nullptr;
    PhysTableMemory memory;
    auto entry = paging::leaf_entry(memory, root, mapped_address(cap));
    if (!entry) return nullptr;
    uint64_t mask = cap.size_bits == 21 ? ~((1ull << 21) - 1) : ~0xFFFull;
    if (((*entry.value() & paging::kAddressMask) & mask) != cap.object) return nullptr;
    return entry.value();
}

void unmap(Capability& cap) {
    uint64_t root = mapped_root(cap), vaddr = mapped_address(cap);
    if (!root) { // never mapped, or its address space is gone
        cap.word = 0;
        cap.reserved = 0;
        return;
    }
    PhysTableMemory memory;
    if (cap.type == ObjectType::Frame) {
        if (uint64_t* entry = frame_entry(cap)) *entry = 0;
    } else if (cap.type == ObjectType::PageTable) {
        // Find the entry that points at this table and clear it.
        uint64_t table = root;
        for (int level = 4; level > 1; --level) {
            uint64_t& entry = memory.table(table)[paging::table_index(vaddr, level)];
            if (!(entry & paging::kPresent) || (entry & paging::kHuge)) break;
            if ((entry & paging::kAddressMask) == cap.object) {
                entry = 0;
                // What was mapped below it goes with it (never reachable
                // again through this table, wherever it is installed next).
                memset(phys_to_virt(cap.object), 0, paging::kPageSize4K);
                break;
            }
            table = entry & paging::kAddressMask;
        }
    }
    if (arch::read_cr3() == root) arch::write_cr3(root); // flush the whole range it covered
    cap.word = 0;
    cap.reserved = 0;
}

} // namespace rayos::vspace
