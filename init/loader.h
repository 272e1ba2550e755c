// Starts a program from a boot module: a fresh address space with the ELF
// file's segments (copied from the module's read-only frames), a stack, a
// start page (thread block with the stack-protector canary, IPC buffer,
// command line), its own CNode as its CSpace root, and a thread — all made
// from init's untyped memory. The program's runtime starts as for init:
// main(args), with no BootInfo.
#pragma once

#include "objects.h"

#include <elf.h>
#include <rayos/abi/boot_info.h>

#include <cstdint>

namespace rayos::init {

// The address-space layout of every program init starts.
constexpr uint64_t kProgramStackTop = 0x00007FFF00000000ull;
constexpr uint64_t kProgramStackPages = 4;
constexpr uint64_t kProgramStartPage = 0x00007FFF00010000ull; // thread block, IPC buffer, args
constexpr uint64_t kStartIpcBufferOffset = 1024;
constexpr uint64_t kStartArgsOffset = 2048;
constexpr uint64_t kMaxArgsLength = 2047;
// Where init maps a module while reading it (one window per module).
constexpr uint64_t kModuleWindow = 0x0000600000000000ull;
constexpr uint64_t kModuleWindowStride = 0x0000000100000000ull;

struct LoadRequest {
    uint64_t module_index = 0; // in BootInfo.modules
    const char* name = "";     // its thread's name (kernel diagnostics)
    const char* args = "";     // the program's command line (main's argument)
    uint8_t priority = 100;
    uint64_t fault_endpoint = 0; // in init's CSpace; 0: none
    uint8_t cnode_radix = 8;     // the program's CSpace: 2^radix slots, cptr i = slot i
    // Makes the page tables that map the module into init (those must
    // outlive the program); nullptr: the program's maker.
    ObjectMaker* init_maker = nullptr;
};

struct Program {
    uint64_t tcb = 0;
    uint64_t vspace = 0;
    uint64_t cnode = 0;      // to fill the program's slots: index i at depth cnode_radix
    uint64_t cnode_root = 0; // the same CNode as the program's CSpace root (guarded)
    uint8_t cnode_radix = 0;
    uint64_t entry = 0;
    // Page-aligned ranges of its ELF code (executable segments) and data
    // (writable segments): where a fault injector flips bits.
    uint64_t code_start = 0, code_end = 0, data_start = 0, data_end = 0;
};

// Builds the program and leaves its thread suspended: give it capabilities
// (cnode_copy into `cnode`), then start it with start().
[[nodiscard]] Result<Program> load(ObjectMaker& maker, const abi::BootInfo& boot,
                                   const LoadRequest& request);
[[nodiscard]] VoidResult start(const Program& program);

// The memory a program from boot module `index` needs for its image,
// stack, page tables, CSpace and thread (its ELF segments in memory).
[[nodiscard]] Result<uint64_t> image_bytes(ObjectMaker& init_maker, const abi::BootInfo& boot,
                                           uint64_t index, uint8_t cnode_radix);
// The bytes of boot module `index`, mapped read-only in init (once).
[[nodiscard]] Result<const uint8_t*> module_bytes(ObjectMaker& maker, const abi::BootInfo& boot,
                                                  uint64_t index);
// Boot module `index` as a program: its bytes and its ELF segments, checked
// to lie where programs may (below the stack, above the first megabyte).
struct ProgramFile {
    const uint8_t* bytes;
    elf::Image image;
};
[[nodiscard]] Result<ProgramFile> program_file(ObjectMaker& maker, const abi::BootInfo& boot,
                                               uint64_t index);
// The module's file name: its command line's first word without the path.
void module_name(const abi::ModuleInfo& module, const char*& name, uint32_t& length);

} // namespace rayos::init
