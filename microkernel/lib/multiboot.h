// Multiboot (version 1) boot information, as QEMU's -kernel loader provides
// it: the memory map, the boot modules (-initrd "a.elf args,b.elf") and the
// kernel command line (-append).
//
// The parser reads physical memory through a caller-supplied accessor, so
// the kernel can read via its direct map and host tests via a fake memory;
// every pointer found in the structures is range-checked by the accessor
// (read() fails for memory that does not exist), so a malformed structure is
// an error, not a wild read. Pure logic; host-tested.
#pragma once

#include "result.h"

#include <cstddef>
#include <cstdint>

namespace rayos::multiboot {

constexpr uint32_t kBootloaderMagic = 0x2BADB002; // in eax at kernel entry

enum class MemoryType : uint32_t {
    Available = 1,
    Reserved = 2,
    AcpiReclaimable = 3,
    AcpiNvs = 4,
    Bad = 5,
};

struct MemoryRegion {
    uint64_t base;
    uint64_t length;
    MemoryType type; // any unknown type from the firmware is reported as Reserved
};

constexpr size_t kMaxMemoryRegions = 32;
constexpr size_t kMaxModules = 16;
constexpr size_t kMaxStringLength = 256; // command lines longer than this are an error

struct Module {
    uint64_t start;                 // physical, inclusive
    uint64_t end;                   // physical, exclusive
    char cmdline[kMaxStringLength]; // NUL terminated, e.g. "init.elf args"
};

struct BootInfo {
    char cmdline[kMaxStringLength]; // kernel command line ("" if none); QEMU puts the
                                    // kernel's file name first
    size_t region_count;
    MemoryRegion regions[kMaxMemoryRegions];
    size_t module_count;
    Module modules[kMaxModules];
    // parse() copies everything it returns, so the firmware's structures may
    // be reused afterwards.
};

// Reads `length` bytes of physical memory at `address` into `out`; returns
// false if the range is not readable.
struct PhysicalReader {
    bool (*read)(void* context, uint64_t address, void* out, size_t length);
    void* context;
};

// Parses the multiboot information structure at physical address
// `info_address`. Requires the memory map (flag bit 6); modules (bit 3) and
// the command line (bit 2) are optional. Errors: InvalidArgument for a
// missing memory map, an unreadable structure, an empty/unterminated string,
// a module with end < start; LimitReached when there are more regions,
// modules or string bytes than the limits above.
Result<BootInfo> parse(uint64_t info_address, PhysicalReader reader);

} // namespace rayos::multiboot
