// What the kernel tells init at start-up: where its initial capabilities are
// and which untyped memory it owns. A read-only page at kBootInfoAddress;
// init receives its address in rsi.
//
// Init's CSpace is one CNode of 2^kInitCNodeRadix slots whose guard makes
// capability address i name slot i.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::abi {

constexpr uint8_t kInitCNodeRadix = 12;

// Fixed slots of init's root CNode.
constexpr uint64_t kInitSlotNull = 0;
constexpr uint64_t kInitSlotTcb = 1;        // init's own thread
constexpr uint64_t kInitSlotCNode = 2;      // the root CNode itself
constexpr uint64_t kInitSlotIrqControl = 3; // creates IRQ handlers
constexpr uint64_t kInitSlotIoPorts = 4;    // every I/O port
constexpr uint64_t kInitSlotVSpace = 5;     // init's own address space
constexpr uint64_t kInitSlotLog = 6;        // reads the kernel console's recent output
constexpr uint64_t kInitFirstUntypedSlot = 16;

constexpr size_t kMaxBootUntyped = 64;
constexpr size_t kMaxBootModules = 16;
constexpr size_t kModuleCmdlineLength = 96;

struct UntypedInfo {
    uint64_t physical;  // base address
    uint8_t size_bits;  // 2^size_bits bytes
    uint8_t is_device;  // device memory (not RAM): frames only, never zeroed
    uint8_t reserved[6];
};
static_assert(sizeof(UntypedInfo) == 16);

constexpr uint64_t kBootInfoMagic = 0x4F464E49544F4F42; // "BOOTINFO"

// A boot module (init's own is modules[0]), readable by init through
// read-only Frame capabilities (4 KiB, consecutive slots) that cover it:
// byte i of the module is byte (offset + i) % 4096 of frame (offset + i) /
// 4096. Read it with frame_read or map it read-only; the frames are never
// reused for anything else.
struct ModuleInfo {
    char cmdline[kModuleCmdlineLength]; // "pager.elf args", NUL-terminated (cut if longer)
    uint64_t size;                      // bytes
    uint64_t offset;                    // of the first byte in the first frame
    uint64_t frames_first;              // slot of the first frame capability
    uint64_t frame_count;
};
static_assert(sizeof(ModuleInfo) == 128);

struct BootInfo {
    uint64_t magic;
    uint64_t cnode_radix;      // init's root CNode has 2^cnode_radix slots
    uint64_t first_free_slot;  // slots from here to the end are empty
    uint64_t untyped_first;    // slot of untyped[0]
    uint64_t untyped_count;    // untyped capabilities in consecutive slots
    UntypedInfo untyped[kMaxBootUntyped];
    uint64_t module_count;
    ModuleInfo modules[kMaxBootModules];
};
static_assert(sizeof(BootInfo) <= 4096);

constexpr uint64_t kBootInfoAddress = 0x00007FFFFFFC0000ull;

} // namespace rayos::abi
