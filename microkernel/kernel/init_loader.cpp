#include "init_loader.h"

#include "arch/x86_64/cpu.h"
#include "elf.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "mm/physmap.h"
#include "mm/user_memory.h"
#include "object/address_space.h"

#include <rayos/abi/abi.h>

#include <cstring>

namespace rayos {
namespace {

// Copies a segment's pages into fresh frames and maps them.
VoidResult load_segment(AddressSpace& space, const uint8_t* image, const elf::Segment& segment) {
    Rights rights{(segment.flags & elf::kSegmentWrite) != 0,
                  (segment.flags & elf::kSegmentExecute) != 0};
    uint64_t first = segment.vaddr & ~(kPageSize - 1);
    uint64_t end = segment.vaddr + segment.memory_size;
    for (uint64_t page = first; page < end; page += kPageSize) {
        uint64_t frame = TRY(space.map_new_page(page, rights));
        // The part of [vaddr, vaddr + file_size) inside this page.
        uint64_t from = page > segment.vaddr ? page : segment.vaddr;
        uint64_t file_end = segment.vaddr + segment.file_size;
        uint64_t to = page + kPageSize < file_end ? page + kPageSize : file_end;
        if (from < to)
            memcpy(phys_to_virt<uint8_t>(frame) + (from - page),
                   image + segment.file_offset + (from - segment.vaddr), to - from);
    }
    return {};
}

const char* basename_of(const char* cmdline, char* out, size_t size) {
    size_t start = 0, i = 0;
    for (; cmdline[i] && cmdline[i] != ' '; ++i)
        if (cmdline[i] == '/') start = i + 1;
    size_t n = 0;
    for (size_t j = start; j < i && n + 1 < size; ++j) {
        if (cmdline[j] == '.') break; // "init.elf" -> "init"
        out[n++] = cmdline[j];
    }
    out[n] = '\0';
    return out;
}

} // namespace

Result<Thread*> load_init(FrameAllocator& frames, const multiboot::Module& module) {
    uint64_t size = module.end - module.start;
    if (!phys_reachable(module.start, size)) return Error(Status::InvalidArgument);
    const auto* image = phys_to_virt<const uint8_t>(module.start);
    elf::Image elf = TRY(elf::parse(image, size, {abi::kUserBase, config::kInitThreadBlock}));

    AddressSpace* space = TRY(AddressSpace::create(frames));
    for (size_t i = 0; i < elf.segment_count; ++i)
        TRY(load_segment(*space, image, elf.segments[i]));

    // Stack: [top - size, top), read/write, never executable.
    for (uint64_t page = config::kInitStackTop - config::kInitStackSize;
         page < config::kInitStackTop; page += kPageSize)
        TRY(space->map_new_page(page, Rights{true, false}));

    // Thread block with the stack-protector canary (low byte zero, so string
    // overflows cannot reproduce it).
    uint64_t block_frame = TRY(space->map_new_page(config::kInitThreadBlock, Rights{true, false}));
    auto* block = phys_to_virt<abi::ThreadBlock>(block_frame);
    block->self = reinterpret_cast<abi::ThreadBlock*>(config::kInitThreadBlock);
    uint64_t tsc = arch::rdtsc();
    block->stack_guard = ((tsc * 0x9E3779B97F4A7C15ull) ^ 0x5DEECE66Dull ^ module.start) << 8;

    // The command line goes at the top of the stack; rsp stays 16-byte
    // aligned as the System V ABI requires at process entry.
    size_t length = strlen(module.cmdline) + 1;
    uint64_t string_address = config::kInitStackTop - length;
    TRY(copy_to_user(*space, string_address, module.cmdline, length));
    uint64_t stack_top = string_address & ~uint64_t(15);

    char name[config::kThreadNameLength];
    Thread* thread = TRY(Thread::create(space, basename_of(module.cmdline, name, sizeof(name)),
                                        elf.entry, stack_top, string_address,
                                        config::kInitThreadBlock, config::kInitPriority));
    block->thread_id = thread->id;
    return thread;
}

} // namespace rayos
