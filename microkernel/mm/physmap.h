// The kernel's view of physical memory.
//
// Kernel virtual layout (upper canonical half):
//   0xFFFF800000000000  direct map of all RAM (2 MiB pages, no-execute)
//   0xFFFFFFFF80000000  the kernel image (KERNEL_VMA + physical address)
// While booting, before the kernel's own page tables are live, only the boot
// stub's window is mapped (first GiB at KERNEL_VMA), so phys_to_virt uses
// that window until kernel_space_activate() switches to the direct map.
#pragma once

#include <cstdint>

namespace rayos {

constexpr uint64_t kPhysmapBase = 0xFFFF800000000000ull;
constexpr uint64_t kKernelVma = 0xFFFFFFFF80000000ull;
constexpr uint64_t kBootWindowSize = 1ull << 30; // mapped by boot.S

namespace physmap_detail {
extern uint64_t offset; // kKernelVma during early boot, then kPhysmapBase
extern uint64_t limit;  // first physical address not reachable through offset
} // namespace physmap_detail

template <typename T = void> inline T* phys_to_virt(uint64_t physical) {
    return reinterpret_cast<T*>(physical + physmap_detail::offset);
}
inline bool phys_reachable(uint64_t physical, uint64_t length) {
    return physical <= physmap_detail::limit && length <= physmap_detail::limit - physical;
}
// Physical address of a kernel-image symbol.
inline uint64_t kernel_virt_to_phys(const void* pointer) {
    return reinterpret_cast<uint64_t>(pointer) - kKernelVma;
}

} // namespace rayos
