// Limits of the userspace runtime and the IDL layer, in one place. Each is a
// compile-time constant; change it here and rebuild.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::limits {

// Decoding (rayos/wire): how deep structs and lists may nest, and how many
// words a decoder may visit per word of message (amplification: several
// pointers to the same object, huge lists of empty elements). Validation
// recurses once per level, about 400 bytes of stack each in the release
// build: 16 levels stay well inside an 8 KiB thread stack.
constexpr uint32_t kWireMaxDepth = 16;
constexpr uint32_t kWireTraversalFactor = 8;
// Segments a flat (host or file) message may have.
constexpr uint32_t kWireMaxSegments = 64;

// The heap every program gets (rayos/heap.h), in .bss.
constexpr size_t kHeapBytes = 256 * 1024;

// Capability slots the slot allocator hands out (rayos/cap_alloc.h):
// root CNode slots [kFirstAllocatableSlot, kFirstAllocatableSlot + kSlots).
constexpr uint64_t kFirstAllocatableSlot = 1024;
constexpr uint64_t kAllocatableSlots = 2048;

// Init's check of the programs' code (the manifest's codeCheckTicks): the
// read-only pages it compares with their ELF files each time (about 8,000
// instructions a page), round robin over the running programs.
constexpr uint32_t kInitCodeCheckPages = 8;

// The console server (servers/console): keyboard bytes buffered until a
// read takes them (more wait in the UART), the most one read
// returns, the callers that may wait in read at once, and the longest text
// one write takes (longer writes are refused; the shell writes in pieces).
constexpr uint32_t kConsoleInputBytes = 1024;
constexpr uint32_t kConsoleMaxRead = 256;
constexpr uint32_t kConsoleWaitingReaders = 4;
constexpr uint32_t kConsoleMaxWrite = 400;

// The compression pager (servers/pager): the clients one pager serves, the
// largest paged region (pages, from paging::kRegionBase) and resident
// budget (frames) a manifest may declare, and the pager's compressed store
// (pages of 4 KiB; when it is full, faults that need room are refused).
constexpr uint32_t kPagerMaxClients = 4;
constexpr uint32_t kPagerMaxRegionPages = 4096;
constexpr uint32_t kPagerMaxBudget = 64;
constexpr uint32_t kPagerStorePages = 256;

// The shell (shell/): words in a command line.
constexpr uint32_t kShellMaxWords = 16;

} // namespace rayos::limits
