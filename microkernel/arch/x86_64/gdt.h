// Global descriptor table and task state segment (Intel SDM Vol.3 §3.4,
// §8.7). The TSS only supplies stack pointers: RSP0 for entries from user
// mode and IST stacks for double faults and NMIs.
#pragma once

#include <cstdint>

namespace rayos::arch {

struct __attribute__((packed)) Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

constexpr int kIstDoubleFault = 1;
constexpr int kIstNmi = 2;

void load_gdt_and_tss(Tss& tss);

} // namespace rayos::arch
