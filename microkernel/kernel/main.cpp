// kernel_main: the boot sequence, from the boot stub to the first user
// thread.
//
//  1. console, CPU tables (GDT/TSS/IDT), per-CPU block, FPU/SSE, syscalls
//  2. the multiboot information: memory map, boot modules, command line
//  3. physical memory: free RAM minus the first MiB, the kernel and modules
//  4. the kernel's own page tables (direct map + kernel image with rights)
//  5. the timer (PIT, IRQ 0 through the PIC)
//  6. init from the first boot module, then the scheduler takes over.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/pit.h"
#include "arch/x86_64/syscall_setup.h"
#include "kernel/boot_cspace.h"
#include "kernel/config.h"
#include "kernel/init_loader.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/scheduler.h"
#include "kernel/selftest.h"
#include "kernel/version.h"
#include "mm/frame_allocator.h"
#include "mm/kernel_space.h"
#include "mm/physmap.h"
#include "multiboot.h"

#include <rayos/abi/abi.h>
#include <rayos/abi/boot_info.h>

#include <cstring>

extern "C" char __kernel_phys_start[], __kernel_phys_end[];
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
extern "C" uintptr_t __stack_chk_guard;

namespace rayos {
namespace {

FrameAllocator frames;
multiboot::BootInfo boot_info;

bool read_physical(void*, uint64_t address, void* out, size_t length) {
    if (!phys_reachable(address, length)) return false;
    memcpy(out, phys_to_virt(address), length);
    return true;
}

const char* memory_type_name(multiboot::MemoryType type) {
    switch (type) {
    case multiboot::MemoryType::Available:
        return "available";
    case multiboot::MemoryType::AcpiReclaimable:
        return "ACPI reclaimable";
    case multiboot::MemoryType::AcpiNvs:
        return "ACPI NVS";
    case multiboot::MemoryType::Bad:
        return "bad";
    case multiboot::MemoryType::Reserved:
        break;
    }
    return "reserved";
}

void check(VoidResult result, const char* what) {
    if (!result) panic("%s: %s", what, abi::status_name(result.error()));
}

// Builds the free-memory set and returns the end of RAM.
uint64_t setup_physical_memory() {
    uint64_t ram_end = 0, available = 0;
    kprintf("memory map:\n");
    for (size_t i = 0; i < boot_info.region_count; ++i) {
        const auto& r = boot_info.regions[i];
        kprintf("  %016lx-%016lx %s\n", r.base, r.base + r.length, memory_type_name(r.type));
        if (r.type != multiboot::MemoryType::Available) continue;
        check(frames.add_free(r.base, r.base + r.length), "memory map");
        available += r.length;
        if (r.base + r.length > ram_end) ram_end = r.base + r.length;
    }
    // The first MiB holds the BIOS data, the boot information and legacy
    // devices; the kernel image and the modules are in use.
    check(frames.reserve(0, 1ull << 20), "reserving low memory");
    check(frames.reserve(reinterpret_cast<uint64_t>(__kernel_phys_start),
                         reinterpret_cast<uint64_t>(__kernel_phys_end)),
          "reserving the kernel");
    for (size_t i = 0; i < boot_info.module_count; ++i)
        check(frames.reserve(boot_info.modules[i].start, boot_info.modules[i].end),
              "reserving a module");
    kprintf("memory: %lu MiB available, %lu MiB free after kernel and modules\n", available >> 20,
            frames.free_bytes() >> 20);
    return ram_end;
}

void print_modules() {
    kprintf("boot modules: %lu\n", boot_info.module_count);
    for (size_t i = 0; i < boot_info.module_count; ++i) {
        const auto& m = boot_info.modules[i];
        kprintf("  [%lu] %08lx-%08lx %6lu KiB  %s\n", i, m.start, m.end, (m.end - m.start) >> 10,
                m.cmdline);
    }
}

void run_constructors() {
    for (auto* f = __init_array_start; f != __init_array_end; ++f)
        (*f)();
}

} // namespace
} // namespace rayos

using namespace rayos;

// The stack protector's canary is re-seeded here, so this function itself
// must not be protected.
extern "C" [[noreturn]] __attribute__((no_stack_protector)) void kernel_main(uint32_t magic,
                                                                             uint32_t info) {
    uint64_t entered = arch::rdtsc();
    __stack_chk_guard ^= entered << 8;
    log_init();
    run_constructors();
    kprintf("\nRayOS %s - capability microkernel for x86_64 (%s)\n", kVersion, kBuildKind);
    kprintf("boot: kernel entered at TSC %lu (firmware and loader before it)\n", entered);
    if (magic != multiboot::kBootloaderMagic)
        panic("not started by a multiboot loader (eax=%#x)", magic);

    arch::init_boot_cpu();
    arch::init_idt();
    arch::fpu_init();
    arch::syscall_init();

    auto parsed = multiboot::parse(info, multiboot::PhysicalReader{read_physical, nullptr});
    if (!parsed) panic("bad multiboot information: %s", abi::status_name(parsed.error()));
    boot_info = parsed.value();
    if (boot_info.cmdline[0]) kprintf("command line: %s\n", boot_info.cmdline);

    uint64_t ram_end = setup_physical_memory();
    print_modules();
    check(kernel_space_activate(frames, ram_end), "building kernel page tables");

    if (!run_boot_selftest(boot_info.cmdline)) panic("unknown selftest requested");

    arch::pic_init();
    arch::pit_start(config::kTimerHz);
    kprintf("timer: PIT at %u Hz, time slice %u ticks\n", config::kTimerHz,
            config::kTimeSliceTicks);

    if (boot_info.module_count == 0) panic("no boot modules: nothing to run as init");
    auto init = load_init(frames, boot_info.modules[0]);
    if (!init) panic("cannot load init from module 0: %s", abi::status_name(init.error()));
    check(build_init_cspace(frames, *init.value(), boot_info), "building init's capabilities");
    init.value()->frame.rsi = abi::kBootInfoAddress;
    kprintf("starting init '%s' (thread %#lx)\n", init.value()->name, init.value()->id);
    sched::make_ready(init.value());
    sched::resume();
}
