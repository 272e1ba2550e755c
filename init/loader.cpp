// Starting programs from boot modules (see loader.h).
#include "loader.h"

#include <elf.h>
#include <rayos/abi/abi.h>
#include <rayos/cap_alloc.h>
#include <rayos/invoke.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace rayos::init {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kDepth = 64;

VoidResult check(int64_t result) {
    if (result < 0) return Error(sys::status(result));
    return {};
}

// Maps the module's frames read-only at its window in init; the address of
// its first byte.
Result<const uint8_t*> map_module(ObjectMaker& maker, const abi::ModuleInfo& module,
                                  uint64_t index) {
    static uint32_t mapped = 0; // modules mapped already (bit per index)
    uint64_t window = kModuleWindow + index * kModuleWindowStride;
    if (!(mapped & (1u << index))) {
        for (uint64_t i = 0; i < module.frame_count; ++i)
            TRY(maker.map(module.frames_first + i, abi::kInitSlotVSpace, window + i * kPage, 0,
                          ObjectMaker::Tables::OnlyMine));
        mapped |= 1u << index;
    }
    return reinterpret_cast<const uint8_t*>(window + module.offset);
}

// One page of the program: a new frame with `bytes` (may be fewer than a
// page; the rest stays zero) at `page_offset`, mapped at `vaddr`.
VoidResult add_page(ObjectMaker& maker, uint64_t vspace, uint64_t vaddr, uint64_t attributes,
                    const uint8_t* bytes, uint64_t page_offset, uint64_t length,
                    uint64_t* frame_out = nullptr) {
    uint64_t frame = TRY(maker.make(abi::ObjectType::Frame, 12));
    if (length)
        TRY(check(inv::frame_write(frame, page_offset, reinterpret_cast<uint64_t>(bytes), length)));
    TRY(maker.map(frame, vspace, vaddr, attributes, ObjectMaker::Tables::OnlyMine));
    if (frame_out) *frame_out = frame;
    return {};
}

VoidResult load_segment(ObjectMaker& maker, uint64_t vspace, const uint8_t* file,
                        const elf::Segment& s) {
    uint64_t attributes = ((s.flags & elf::kSegmentWrite) ? abi::kMapWritable : 0) |
                          ((s.flags & elf::kSegmentExecute) ? abi::kMapExecutable : 0);
    uint64_t first = s.vaddr & ~(kPage - 1);
    uint64_t end = s.vaddr + s.memory_size;
    for (uint64_t page = first; page < end; page += kPage) {
        // The part of this page that comes from the file.
        uint64_t from = page < s.vaddr ? s.vaddr : page;
        uint64_t to = page + kPage;
        uint64_t file_end = s.vaddr + s.file_size;
        if (to > file_end) to = file_end;
        uint64_t length = to > from ? to - from : 0;
        TRY(add_page(maker, vspace, page, attributes, file + s.file_offset + (from - s.vaddr),
                     from - page, length));
    }
    return {};
}

// The start page: thread block (self pointer, canary), IPC buffer, args.
VoidResult add_start_page(ObjectMaker& maker, uint64_t vspace, const char* args) {
    struct {
        abi::ThreadBlock block;
        uint8_t pad[kStartArgsOffset - sizeof(abi::ThreadBlock)];
        char args[kMaxArgsLength + 1];
    } start{};
    static_assert(sizeof(start) == kPage);
    start.block.self = reinterpret_cast<abi::ThreadBlock*>(kProgramStartPage);
    // A canary of its own (low byte zero, so string overflows stop at it).
    uint64_t tsc = __builtin_ia32_rdtsc();
    start.block.stack_guard = ((tsc * 0x9E3779B97F4A7C15ull) ^ thread_block()->stack_guard) << 8;
    start.block.user[0] = kProgramStartPage + kStartIpcBufferOffset; // rpc::ipc_buffer()
    uint64_t n = 0;
    for (; args[n] && n < kMaxArgsLength; ++n)
        start.args[n] = args[n];
    return add_page(maker, vspace, kProgramStartPage, abi::kMapWritable,
                    reinterpret_cast<const uint8_t*>(&start), 0, sizeof start);
}

} // namespace

Result<Program> load(ObjectMaker& maker, const abi::BootInfo& boot, const LoadRequest& request) {
    if (request.module_index >= boot.module_count) return Error(abi::Status::NotFound);
    ObjectMaker& init_maker = request.init_maker ? *request.init_maker : maker;
    auto [file, image] = TRY(program_file(init_maker, boot, request.module_index));

    Program p;
    p.entry = image.entry;
    p.cnode_radix = request.cnode_radix;
    p.vspace = TRY(maker.make(abi::ObjectType::VSpace));
    for (size_t i = 0; i < image.segment_count; ++i) {
        const elf::Segment& s = image.segments[i];
        TRY(load_segment(maker, p.vspace, file, s));
        uint64_t first = s.vaddr & ~(kPage - 1);
        uint64_t end = (s.vaddr + s.memory_size + kPage - 1) & ~(kPage - 1);
        uint64_t& start = (s.flags & elf::kSegmentExecute) ? p.code_start : p.data_start;
        uint64_t& stop = (s.flags & elf::kSegmentExecute) ? p.code_end : p.data_end;
        if ((s.flags & (elf::kSegmentExecute | elf::kSegmentWrite)) == 0) continue;
        if (start == 0 || first < start) start = first;
        if (end > stop) stop = end;
    }
    for (uint64_t i = 1; i <= kProgramStackPages; ++i)
        TRY(add_page(maker, p.vspace, kProgramStackTop - i * kPage, abi::kMapWritable, nullptr, 0,
                     0));
    TRY(add_start_page(maker, p.vspace, request.args));

    // Its CSpace: a CNode whose guard makes cptr i name slot i.
    p.cnode = TRY(maker.make(abi::ObjectType::CNode, request.cnode_radix));
    uint64_t root = TRY(slots::allocate());
    maker.adopt(root); // derived from the CNode: goes when the region is revoked
    p.cnode_root = root;
    uint64_t guard_bits = 64 - request.cnode_radix;
    TRY(check(inv::cnode_mint(abi::kInitSlotCNode, root, kDepth, p.cnode, abi::rights::kAll,
                              guard_bits)));

    p.tcb = TRY(maker.make(abi::ObjectType::Tcb));
    TRY(check(inv::tcb_configure(p.tcb, root, p.vspace, request.fault_endpoint)));
    TRY(check(inv::tcb_set_ipc_buffer(p.tcb, kProgramStartPage + kStartIpcBufferOffset)));
    TRY(check(inv::tcb_set_priority(p.tcb, request.priority)));
    uint64_t name[4] = {};
    for (size_t i = 0; request.name[i] && i < sizeof(name) - 1; ++i)
        name[i / 8] |= uint64_t(uint8_t(request.name[i])) << (8 * (i % 8));
    TRY(check(inv::tcb_set_name(p.tcb, name[0], name[1], name[2], name[3])));
    // rsp 16-byte aligned at the first instruction, as the runtime expects.
    TRY(check(inv::tcb_write_registers(p.tcb, image.entry, kProgramStackTop,
                                       kProgramStartPage + kStartArgsOffset, kProgramStartPage)));
    return p;
}

Result<uint64_t> image_bytes(ObjectMaker& init_maker, const abi::BootInfo& boot, uint64_t index,
                             uint8_t cnode_radix) {
    elf::Image image = TRY(program_file(init_maker, boot, index)).image;
    uint64_t pages = kProgramStackPages + 1; // stack, start page
    for (size_t i = 0; i < image.segment_count; ++i) {
        const elf::Segment& s = image.segments[i];
        uint64_t first = s.vaddr & ~(kPage - 1);
        pages += (s.vaddr + s.memory_size - first + kPage - 1) / kPage;
    }
    // Page tables: one per 2 MiB mapped plus the upper levels of the image
    // and the stack; the CSpace; the VSpace, TCB and small objects.
    uint64_t tables = pages / 512 + 8;
    return (pages + tables) * kPage + (1ull << (cnode_radix + abi::kSlotBits)) + (64ull << 10);
}

Result<const uint8_t*> module_bytes(ObjectMaker& maker, const abi::BootInfo& boot, uint64_t index) {
    if (index >= boot.module_count) return Error(abi::Status::NotFound);
    return map_module(maker, boot.modules[index], index);
}

Result<ProgramFile> program_file(ObjectMaker& maker, const abi::BootInfo& boot, uint64_t index) {
    if (index >= boot.module_count) return Error(abi::Status::NotFound);
    const abi::ModuleInfo& module = boot.modules[index];
    const uint8_t* bytes = TRY(map_module(maker, module, index));
    elf::Image image =
        TRY(elf::parse(bytes, module.size, {0x100000, kProgramStackTop - (1ull << 30)}));
    return ProgramFile{bytes, image};
}

void module_name(const abi::ModuleInfo& module, const char*& name, uint32_t& length) {
    const char* line = module.cmdline;
    uint32_t end = 0;
    while (line[end] && line[end] != ' ')
        ++end;
    uint32_t start = end;
    while (start > 0 && line[start - 1] != '/')
        --start;
    name = line + start;
    length = end - start;
}

VoidResult start(const Program& program) {
    return check(inv::tcb_resume(program.tcb));
}

} // namespace rayos::init
