#include "panic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/power.h"
#include "ksyms.h"
#include "log.h"

#include <rayos/abi/abi.h>

#include <cstdarg>

extern "C" char __ksyms_start[];
extern "C" char __ksyms_end[];
extern "C" char __text_end[];
extern "C" char kernel_stack_bottom[];
extern "C" char nmi_stack_top[];

namespace rayos {
namespace {
bool panicking = false;

// Frame pointers are only followed inside the kernel's own stacks, so a
// corrupted chain cannot make the panic path fault.
bool on_kernel_stack(uint64_t address) {
    return address >= reinterpret_cast<uint64_t>(kernel_stack_bottom) &&
           address + 16 <= reinterpret_cast<uint64_t>(nmi_stack_top) && address % 8 == 0;
}
} // namespace

void print_symbol(uint64_t address) {
    auto symbol = ksyms::lookup(__ksyms_start, static_cast<size_t>(__ksyms_end - __ksyms_start),
                                reinterpret_cast<uint64_t>(__text_end), address);
    if (symbol.name)
        kprintf("%016lx <%s+0x%lx>", address, symbol.name, symbol.offset);
    else
        kprintf("%016lx", address);
}

void print_backtrace(uint64_t rbp) {
    kprintf("backtrace:\n");
    for (int depth = 0; depth < 32 && on_kernel_stack(rbp); ++depth) {
        auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        uint64_t return_address = frame[1];
        if (return_address == 0) break;
        kprintf("  #%d ", depth);
        print_symbol(return_address);
        kprintf("\n");
        if (frame[0] <= rbp) break; // the chain must go up the stack
        rbp = frame[0];
    }
}

void panic(const char* fmt, ...) {
    arch::disable_interrupts();
    if (panicking) arch::power_off(abi::kQemuExitPanic); // a panic while panicking
    panicking = true;
    kprintf("\nKERNEL PANIC: ");
    va_list args;
    va_start(args, fmt);
    vkprintf(fmt, args);
    va_end(args);
    kprintf("\ncalled from ");
    print_symbol(reinterpret_cast<uint64_t>(__builtin_return_address(0)));
    kprintf("\n");
    print_backtrace(reinterpret_cast<uint64_t>(__builtin_frame_address(0)));
    kprintf("System halted.\n");
    arch::power_off(abi::kQemuExitPanic);
}

} // namespace rayos
