#include "address_space.h"

#include "arch/x86_64/cpu.h"
#include "kernel/config.h"
#include "mm/kernel_space.h"
#include "mm/physmap.h"

#include <rayos/abi/abi.h>

#include <cstring>

namespace rayos {
namespace {
AddressSpace pool[config::kMaxAddressSpaces];

bool is_user_page(uint64_t address) {
    return address >= abi::kUserBase && address < abi::kUserTop;
}
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
    return space;
}

Result<uint64_t> AddressSpace::map_new_page(uint64_t address, Rights rights) {
    if (address % paging::kPageSize4K || !is_user_page(address))
        return Error(Status::InvalidArgument);
    KernelTableMemory memory(*frames_);
    uint64_t frame = TRY(memory.allocate_table()); // a zeroed frame
    uint64_t flags = paging::kUser | (rights.write ? paging::kWritable : 0) |
                     (rights.execute ? 0 : paging::kNoExecute);
    TRY(paging::map(memory, root_, address, frame, flags));
    return frame;
}

Result<uint64_t> AddressSpace::resolve(uint64_t address, bool for_write) {
    if (!is_user_page(address)) return Error(Status::BadAddress);
    KernelTableMemory memory(*frames_);
    auto translation = paging::translate(memory, root_, address);
    if (!translation) return Error(Status::BadAddress);
    uint64_t flags = translation->flags;
    if (!(flags & paging::kUser) || (for_write && !(flags & paging::kWritable)))
        return Error(Status::BadAddress);
    return translation->physical;
}

} // namespace rayos
