#include "address_space.h"

#include "arch/x86_64/cpu.h"
#include "kernel/config.h"
#include "mm/kernel_space.h"
#include "mm/physmap.h"
#include "mm/user_memory.h"

#include <rayos/abi/abi.h>

#include <cstring>
#include <new>

namespace rayos {
namespace {
AddressSpace pool[config::kMaxAddressSpaces];

struct AsidEntry {
    AddressSpace* space;
    uint16_t generation;
};
AsidEntry asids[config::kMaxAsids];

} // namespace

Result<AddressSpace*> AddressSpace::create(FrameAllocator& frames) {
    AddressSpace* space = nullptr;
    for (auto& candidate : pool) {
        if (!candidate.in_use_) {
            space = &candidate;
            break;
        }
    }
    if (!space) return Error(Status::LimitReached);
    KernelTableMemory memory(frames);
    uint64_t root = TRY(memory.allocate_table());
    // Share the kernel half: copy the upper 256 PML4 entries.
    memcpy(phys_to_virt<uint64_t>(root) + 256, phys_to_virt<uint64_t>(kernel_space_root()) + 256,
           256 * sizeof(uint64_t));
    space->root_ = root;
    space->frames_ = &frames;
    space->in_use_ = true;
    space->asid_ = asid::assign(space);
    return space;
}

AddressSpace* AddressSpace::construct_in(uint64_t object_physical) {
    auto* space = new (phys_to_virt(object_physical + paging::kPageSize4K)) AddressSpace();
    uint32_t id = asid::assign(space);
    if (!id) return nullptr;
    uint64_t* pml4 = phys_to_virt<uint64_t>(object_physical);
    memcpy(pml4 + 256, phys_to_virt<uint64_t>(kernel_space_root()) + 256, 256 * sizeof(uint64_t));
    space->root_ = object_physical;
    space->asid_ = id;
    space->in_use_ = true;
    return space;
}

void AddressSpace::destroy() {
    if (frames_) return; // a boot address space stays
    // Never leave the CPU on page tables whose memory is about to be reused.
    if (arch::read_cr3() == root_) arch::write_cr3(kernel_space_root());
    asid::release(asid_);
    asid_ = 0;
    in_use_ = false;
}

namespace asid {
uint32_t assign(AddressSpace* space) {
    for (uint32_t i = 1; i < config::kMaxAsids; ++i) {
        if (!asids[i].space) {
            asids[i].space = space;
            return i | (uint32_t(asids[i].generation) << 16);
        }
    }
    return 0;
}

uint32_t free_count() {
    uint32_t n = 0;
    for (uint32_t i = 1; i < config::kMaxAsids; ++i)
        if (!asids[i].space) ++n;
    return n;
}

AddressSpace* lookup(uint32_t id) {
    uint32_t index = id & 0xFFFF;
    if (index == 0 || index >= config::kMaxAsids) return nullptr;
    if (asids[index].generation != (id >> 16)) return nullptr;
    return asids[index].space;
}

void release(uint32_t id) {
    if (!lookup(id)) return;
    uint32_t index = id & 0xFFFF;
    asids[index].space = nullptr;
    asids[index].generation++;
}
} // namespace asid

Result<uint64_t> AddressSpace::map_new_page(uint64_t address, Rights rights) {
    if (!frames_) return Error(Status::NotSupported);
    if (address % paging::kPageSize4K || !is_user_address(address))
        return Error(Status::InvalidArgument);
    KernelTableMemory memory(*frames_);
    uint64_t frame = TRY(memory.allocate_table()); // a zeroed frame
    uint64_t flags = paging::kUser | (rights.write ? paging::kWritable : 0) |
                     (rights.execute ? 0 : paging::kNoExecute);
    TRY(paging::map(memory, root_, address, frame, flags));
    return frame;
}

Result<uint64_t> AddressSpace::resolve(uint64_t address, bool for_write) {
    if (!is_user_address(address)) return Error(Status::BadAddress);
    PhysTableMemory memory;
    auto translation = paging::translate(memory, root_, address);
    if (!translation) return Error(Status::BadAddress);
    uint64_t flags = translation->flags;
    if (!(flags & paging::kUser) || (for_write && !(flags & paging::kWritable)))
        return Error(Status::BadAddress);
    return translation->physical;
}

} // namespace rayos
