// GDT layout (selectors in asm_offsets.h): null, kernel code, kernel data,
// user data, user code, TSS (two slots). syscall loads CS/SS from STAR[47:32]
// (kernel code, +8 = kernel data); sysretq loads CS = STAR[63:48] + 16 and
// SS = STAR[63:48] + 8, which is why user data precedes user code.
#include "gdt.h"

#include "asm_offsets.h"

namespace rayos::arch {
namespace {

constexpr uint64_t kCode64 = 0x00AF9A000000FFFF; // present, DPL0, code, long mode
constexpr uint64_t kData = 0x00CF92000000FFFF;   // present, DPL0, data, writable
constexpr uint64_t kDpl3 = 3ull << 45;

alignas(16) uint64_t gdt[7];

struct __attribute__((packed)) DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

} // namespace

void load_gdt_and_tss(Tss& tss) {
    gdt[0] = 0;
    gdt[GDT_KERNEL_CODE / 8] = kCode64;
    gdt[GDT_KERNEL_DATA / 8] = kData;
    gdt[GDT_USER_DATA / 8] = kData | kDpl3;
    gdt[GDT_USER_CODE / 8] = kCode64 | kDpl3;
    // 64-bit TSS descriptor (SDM Vol.3 §8.2.3): type 9 (available), present.
    uint64_t base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = sizeof(Tss) - 1;
    gdt[GDT_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                       (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[GDT_TSS / 8 + 1] = base >> 32;
    tss.iomap_base = sizeof(Tss); // no I/O permission bitmap: all ports denied to ring 3

    DescriptorPointer pointer{sizeof(gdt) - 1, reinterpret_cast<uint64_t>(gdt)};
    asm volatile("lgdt %0\n"
                 // reload CS with a far return, then the data segments
                 "pushq %1\n"
                 "leaq 1f(%%rip), %%rax\n"
                 "pushq %%rax\n"
                 "lretq\n"
                 "1:\n"
                 "movw %w2, %%ds\n"
                 "movw %w2, %%es\n"
                 "movw %w2, %%ss\n"
                 "ltr %w3\n"
                 :
                 : "m"(pointer), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
                 : "rax", "memory");
}

} // namespace rayos::arch
