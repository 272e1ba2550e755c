#include "idt.h"

#include "asm_offsets.h"
#include "gdt.h"

extern "C" const uint64_t trap_stub_table[256];

namespace rayos::arch {
namespace {

struct __attribute__((packed)) Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attributes;
    uint16_t offset_middle;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Gate) == 16);

alignas(16) Gate idt[256];

constexpr uint8_t kInterruptGate = 0x8E;     // present, DPL0, 64-bit interrupt gate (clears IF)
constexpr uint8_t kUserInterruptGate = 0xEE; // the same with DPL3: `int3` from user mode

struct Exception {
    const char* mnemonic;
    const char* name;
};
constexpr Exception kExceptions[32] = {
    {"#DE", "divide error"},
    {"#DB", "debug"},
    {"NMI", "non-maskable interrupt"},
    {"#BP", "breakpoint"},
    {"#OF", "overflow"},
    {"#BR", "bound range exceeded"},
    {"#UD", "invalid opcode"},
    {"#NM", "device not available"},
    {"#DF", "double fault"},
    {"CSO", "coprocessor segment overrun"},
    {"#TS", "invalid TSS"},
    {"#NP", "segment not present"},
    {"#SS", "stack-segment fault"},
    {"#GP", "general protection"},
    {"#PF", "page fault"},
    {"#15", "reserved"},
    {"#MF", "x87 floating-point error"},
    {"#AC", "alignment check"},
    {"#MC", "machine check"},
    {"#XM", "SIMD floating-point exception"},
    {"#VE", "virtualization exception"},
    {"#CP", "control protection"},
    {"#22", "reserved"},
    {"#23", "reserved"},
    {"#24", "reserved"},
    {"#25", "reserved"},
    {"#26", "reserved"},
    {"#27", "reserved"},
    {"#HV", "hypervisor injection"},
    {"#VC", "VMM communication"},
    {"#SX", "security exception"},
    {"#31", "reserved"},
};

} // namespace

void init_idt() {
    for (int vector = 0; vector < 256; ++vector) {
        uint64_t address = trap_stub_table[vector];
        Gate& gate = idt[vector];
        gate.offset_low = address & 0xFFFF;
        gate.selector = GDT_KERNEL_CODE;
        gate.ist = 0;
        gate.type_attributes = kInterruptGate;
        gate.offset_middle = (address >> 16) & 0xFFFF;
        gate.offset_high = static_cast<uint32_t>(address >> 32);
        gate.reserved = 0;
    }
    idt[3].type_attributes = kUserInterruptGate; // breakpoints reach debuggers as #BP
    idt[8].ist = kIstDoubleFault;
    idt[2].ist = kIstNmi;
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } pointer{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" ::"m"(pointer));
}

const char* exception_name(uint64_t vector) {
    return vector < 32 ? kExceptions[vector].name : "interrupt";
}
const char* exception_mnemonic(uint64_t vector) {
    return vector < 32 ? kExceptions[vector].mnemonic : "IRQ";
}

} // namespace rayos::arch
