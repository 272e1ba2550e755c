// ELF64 executable validation (see elf.h).
//
// How it works: the file header and each program header are decoded field by
// field from little-endian bytes into local structures, so the input buffer
// may have any alignment and is never accessed through a struct pointer.
// Every range is checked before it is used: the header size, the program
// header table (offset + count * entry size, without wrapping), each PT_LOAD's
// file range (offset + file size inside the image) and memory range
// (vaddr + memory size without wrapping, inside the caller's limits, not
// overlapping an earlier segment byte-wise). Only then is the entry point
// checked against the accepted executable segments.
//
// Why so strict: the kernel loads init (and init loads servers) from boot
// modules it did not build; any malformed field must become an error value,
// never an out-of-bounds read or a mapping in the wrong place.
//
// Policy details beyond elf.h: program headers other than PT_LOAD are
// ignored (PT_NOTE, PT_GNU_STACK, PT_TLS, PT_PHDR, ...) except PT_DYNAMIC and
// PT_INTERP, which mean dynamic linking (NotSupported); a PT_LOAD with
// memory size 0 describes nothing and is skipped; extended program header
// numbering (e_phnum == PN_XNUM) is NotSupported.
//
// Freestanding: no library calls, no allocation.
#include "elf.h"

#include "little_endian.h"

namespace rayos::elf {
namespace {

// --- ELF constants (only the ones this parser needs) -----------------------

constexpr size_t kIdentSize = 16;
constexpr uint8_t kMagic[4] = {0x7F, 'E', 'L', 'F'};
constexpr size_t kIdentClass = 4;
constexpr size_t kIdentData = 5;
constexpr size_t kIdentVersion = 6;

constexpr uint8_t kClass32 = 1;
constexpr uint8_t kClass64 = 2;
constexpr uint8_t kDataLittleEndian = 1;
constexpr uint8_t kDataBigEndian = 2;
constexpr uint32_t kVersionCurrent = 1;

constexpr uint16_t kTypeExecutable = 2;         // ET_EXEC
constexpr uint16_t kMachineX86_64 = 62;         // EM_X86_64
constexpr uint16_t kExtendedNumbering = 0xFFFF; // PN_XNUM

constexpr uint32_t kProgramLoad = 1;    // PT_LOAD
constexpr uint32_t kProgramDynamic = 2; // PT_DYNAMIC
constexpr uint32_t kProgramInterp = 3;  // PT_INTERP

constexpr uint32_t kKnownSegmentFlags = kSegmentExecute | kSegmentWrite | kSegmentRead;

// --- On-disk structures, decoded into these local copies --------------------

// Elf64_Ehdr: 64 bytes on disk.
struct FileHeader {
    uint8_t ident[kIdentSize];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};
constexpr size_t kFileHeaderSize = 64;

// Elf64_Phdr: 56 bytes on disk.
struct ProgramHeader {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};
constexpr size_t kProgramHeaderSize = 56;

using le::read16;
using le::read32;
using le::read64;

FileHeader decode_file_header(const uint8_t* p) {
    FileHeader h;
    for (size_t i = 0; i < kIdentSize; ++i)
        h.ident[i] = p[i];
    h.type = read16(p + 16);
    h.machine = read16(p + 18);
    h.version = read32(p + 20);
    h.entry = read64(p + 24);
    h.phoff = read64(p + 32);
    h.shoff = read64(p + 40);
    h.flags = read32(p + 48);
    h.ehsize = read16(p + 52);
    h.phentsize = read16(p + 54);
    h.phnum = read16(p + 56);
    h.shentsize = read16(p + 58);
    h.shnum = read16(p + 60);
    h.shstrndx = read16(p + 62);
    return h;
}

ProgramHeader decode_program_header(const uint8_t* p) {
    ProgramHeader h;
    h.type = read32(p + 0);
    h.flags = read32(p + 4);
    h.offset = read64(p + 8);
    h.vaddr = read64(p + 16);
    h.paddr = read64(p + 24);
    h.filesz = read64(p + 32);
    h.memsz = read64(p + 40);
    h.align = read64(p + 48);
    return h;
}

// a + b without wrapping; false if the sum does not fit.
bool checked_add(uint64_t a, uint64_t b, uint64_t& sum) {
    if (a > UINT64_MAX - b) return false;
    sum = a + b;
    return true;
}

// The identification bytes: magic, then class/encoding/version. 32-bit and
// big-endian files are real ELF files of another kind (NotSupported); any
// other value there is garbage (InvalidArgument).
Status check_ident(const uint8_t* ident) {
    for (size_t i = 0; i < sizeof(kMagic); ++i) {
        if (ident[i] != kMagic[i]) return Status::InvalidArgument;
    }
    const uint8_t elf_class = ident[kIdentClass];
    if (elf_class == kClass32) return Status::NotSupported;
    if (elf_class != kClass64) return Status::InvalidArgument;
    const uint8_t data = ident[kIdentData];
    if (data == kDataBigEndian) return Status::NotSupported;
    if (data != kDataLittleEndian) return Status::InvalidArgument;
    if (ident[kIdentVersion] != kVersionCurrent) return Status::InvalidArgument;
    return Status::Ok;
}

Status check_file_header(const FileHeader& h) {
    if (h.version != kVersionCurrent) return Status::InvalidArgument;
    if (h.machine != kMachineX86_64) return Status::NotSupported;
    if (h.type != kTypeExecutable) return Status::NotSupported;
    if (h.ehsize < kFileHeaderSize) return Status::InvalidArgument;
    if (h.phnum == kExtendedNumbering) return Status::NotSupported;
    if (h.phnum == 0) return Status::InvalidArgument; // nothing to load
    if (h.phentsize < kProgramHeaderSize) return Status::InvalidArgument;
    return Status::Ok;
}

// Validates one PT_LOAD against the image size, the limits and the segments
// accepted so far, and converts it.
Status check_load(const ProgramHeader& ph, uint64_t image_size, const Limits& limits,
                  const Image& image, Segment& out) {
    if (ph.filesz > ph.memsz) return Status::InvalidArgument;

    uint64_t file_end;
    if (!checked_add(ph.offset, ph.filesz, file_end)) return Status::InvalidArgument;
    if (file_end > image_size) return Status::InvalidArgument;

    uint64_t memory_end;
    if (!checked_add(ph.vaddr, ph.memsz, memory_end)) return Status::InvalidArgument;
    if (ph.vaddr < limits.lowest_address) return Status::InvalidArgument;
    if (memory_end > limits.highest_address) return Status::InvalidArgument;

    // [a, a_end) and [b, b_end) intersect iff each starts before the other ends.
    // Both are non-empty and non-wrapping here.
    for (size_t i = 0; i < image.segment_count; ++i) {
        const Segment& other = image.segments[i];
        const uint64_t other_end = other.vaddr + other.memory_size;
        if (ph.vaddr < other_end && other.vaddr < memory_end) return Status::InvalidArgument;
    }

    out.vaddr = ph.vaddr;
    out.memory_size = ph.memsz;
    out.file_offset = ph.offset;
    out.file_size = ph.filesz;
    out.flags = ph.flags & kKnownSegmentFlags;
    return Status::Ok;
}

bool entry_is_executable(const Image& image) {
    for (size_t i = 0; i < image.segment_count; ++i) {
        const Segment& s = image.segments[i];
        // entry - vaddr < size also rules out entry < vaddr (it wraps).
        if (image.entry >= s.vaddr && image.entry - s.vaddr < s.memory_size) {
            return (s.flags & kSegmentExecute) != 0;
        }
    }
    return false;
}

} // namespace

Result<Image> parse(const void* data, size_t size, const Limits& limits) {
    if (data == nullptr) return Error(Status::InvalidArgument);
    const auto* bytes = static_cast<const uint8_t*>(data);

    // The identification first: it tells a 32-bit ELF (whose header is
    // shorter than ours) from a truncated one.
    if (size < kIdentSize) return Error(Status::InvalidArgument);
    if (Status s = check_ident(bytes); s != Status::Ok) return Error(s);
    if (size < kFileHeaderSize) return Error(Status::InvalidArgument);

    const FileHeader header = decode_file_header(bytes);
    if (Status s = check_file_header(header); s != Status::Ok) return Error(s);

    // The program header table: phnum and phentsize are 16-bit, so their
    // product cannot overflow; phoff + table size can.
    const uint64_t table_size = static_cast<uint64_t>(header.phnum) * header.phentsize;
    uint64_t table_end;
    if (!checked_add(header.phoff, table_size, table_end)) return Error(Status::InvalidArgument);
    if (table_end > size) return Error(Status::InvalidArgument);

    Image image{};
    image.entry = header.entry;
    image.segment_count = 0;

    for (uint16_t i = 0; i < header.phnum; ++i) {
        const uint8_t* entry_bytes =
            bytes + header.phoff + static_cast<uint64_t>(i) * header.phentsize;
        const ProgramHeader ph = decode_program_header(entry_bytes);

        if (ph.type == kProgramDynamic || ph.type == kProgramInterp) {
            return Error(Status::NotSupported);
        }
        if (ph.type != kProgramLoad) continue;

        // An empty PT_LOAD (memory size 0) occupies nothing; a file size
        // larger than that is still malformed.
        if (ph.memsz == 0) {
            if (ph.filesz != 0) return Error(Status::InvalidArgument);
            continue;
        }
        if (image.segment_count == kMaxSegments) return Error(Status::LimitReached);

        Segment segment{};
        if (Status s = check_load(ph, size, limits, image, segment); s != Status::Ok) {
            return Error(s);
        }
        image.segments[image.segment_count++] = segment;
    }

    if (!entry_is_executable(image)) return Error(Status::InvalidArgument);
    return image;
}

} // namespace rayos::elf
