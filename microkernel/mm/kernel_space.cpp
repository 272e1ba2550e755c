#include "kernel_space.h"

#include "arch/x86_64/cpu.h"
#include "physmap.h"

#include <cstring>

extern "C" char __text_start[], __text_end[];
extern "C" char __rodata_start[], __rodata_end[];
extern "C" char __data_start[], __data_end[];
extern "C" char kernel_stack_guard[];

namespace rayos {

namespace physmap_detail {
uint64_t offset = kKernelVma;
uint64_t limit = kBootWindowSize;
} // namespace physmap_detail

namespace {
uint64_t kernel_root = 0;

VoidResult map_range(KernelTableMemory& memory, uint64_t root, const char* start, const char* end,
                     uint64_t flags) {
    for (auto va = reinterpret_cast<uint64_t>(start); va < reinterpret_cast<uint64_t>(end);
         va += paging::kPageSize4K) {
        if (va == reinterpret_cast<uint64_t>(kernel_stack_guard)) continue; // guard page
        TRY(paging::map(memory, root, va, va - kKernelVma, flags));
    }
    return {};
}
} // namespace

uint64_t* KernelTableMemory::table(uint64_t physical) {
    return phys_to_virt<uint64_t>(physical);
}

uint64_t* PhysTableMemory::table(uint64_t physical) {
    return phys_to_virt<uint64_t>(physical);
}

Result<uint64_t> KernelTableMemory::allocate_table() {
    uint64_t frame = TRY(frames_.allocate());
    if (!phys_reachable(frame, paging::kPageSize4K)) return Error(Status::OutOfMemory);
    memset(phys_to_virt(frame), 0, paging::kPageSize4K);
    return frame;
}

VoidResult kernel_space_activate(FrameAllocator& frames, uint64_t ram_end) {
    KernelTableMemory memory(frames);
    uint64_t root = TRY(memory.allocate_table());
    using namespace paging;
    // Direct map, 2 MiB pages.
    uint64_t end = (ram_end + kPageSize2M - 1) & ~(kPageSize2M - 1);
    for (uint64_t pa = 0; pa < end; pa += kPageSize2M)
        TRY(map(memory, root, kPhysmapBase + pa, pa, kWritable | kGlobal | kNoExecute,
                PageSize::Size2M));
    // The kernel image, section by section.
    TRY(map_range(memory, root, __text_start, __text_end, kGlobal));
    TRY(map_range(memory, root, __rodata_start, __rodata_end, kGlobal | kNoExecute));
    TRY(map_range(memory, root, __data_start, __data_end, kWritable | kGlobal | kNoExecute));
    arch::write_cr4(arch::read_cr4() | (1ull << 7)); // CR4.PGE: global pages
    arch::write_cr3(root);
    physmap_detail::offset = kPhysmapBase;
    physmap_detail::limit = end;
    kernel_root = root;
    return {};
}

uint64_t kernel_space_root() {
    return kernel_root;
}

} // namespace rayos
