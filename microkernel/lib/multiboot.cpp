// Multiboot 1 boot information parsing (see multiboot.h).
//
// How it works: every byte comes through the caller's PhysicalReader, in
// small pieces (the 52 bytes of the info structure we use, one memory map
// entry, one module entry, one string byte at a time), into local buffers
// that are decoded as little-endian fields. Nothing is ever dereferenced as a
// pointer, so the same code runs in the kernel (reader = direct map) and in
// host tests (reader = fake memory), and a bad address is a failed read,
// i.e. an error value.
//
// Layout used (Multiboot 1 specification, section 3.3):
//   info:   flags @0, cmdline @16, mods_count @20, mods_addr @24,
//           mmap_length @44, mmap_addr @48 (all uint32)
//   mmap:   uint32 size (of the rest), uint64 base, uint64 length,
//           uint32 type; the next entry starts size + 4 bytes later
//   module: uint32 mod_start, mod_end (exclusive), string, reserved
//
// Termination: a memory map entry must be at least 20 bytes (its base,
// length and type) and lie inside mmap_length, so the walk advances by at
// least 24 bytes per entry and stops at kMaxMemoryRegions + 1 regions.
//
// Policy details beyond multiboot.h: a memory map without any non-empty
// region counts as missing; zero-length regions are skipped; a region whose
// base + length does not fit in 64 bits is malformed; the kernel command line
// may be empty, but a module must have a non-empty string (its name, which is
// how RayOS finds its boot programs); a module string address of 0 means "no
// string" per the specification, so it is rejected the same way.
//
// Freestanding: no library calls, no allocation.
#include "multiboot.h"

#include "little_endian.h"

namespace rayos::multiboot {
namespace {

constexpr uint32_t kFlagCmdline = 1u << 2;
constexpr uint32_t kFlagModules = 1u << 3;
constexpr uint32_t kFlagMemoryMap = 1u << 6;

// Offsets in the info structure; we read it up to and including mmap_addr.
constexpr size_t kInfoFlags = 0;
constexpr size_t kInfoCmdline = 16;
constexpr size_t kInfoModsCount = 20;
constexpr size_t kInfoModsAddr = 24;
constexpr size_t kInfoMmapLength = 44;
constexpr size_t kInfoMmapAddr = 48;
constexpr size_t kInfoReadSize = 52;

constexpr size_t kMmapSizeField = 4;  // the leading size field
constexpr size_t kMmapEntryBody = 20; // base (8), length (8), type (4)
constexpr size_t kModuleEntrySize = 16;

using le::read32;
using le::read64;

// Physical memory through the caller's reader, with address arithmetic that
// cannot wrap: a range reaching 2^64 is unreadable by definition.
class Memory {
public:
    explicit Memory(PhysicalReader reader) : reader_(reader) {}

    bool read(uint64_t base, uint64_t offset, void* out, size_t length) const {
        if (offset > UINT64_MAX - base) return false;
        const uint64_t address = base + offset;
        if (length > UINT64_MAX - address) return false;
        return reader_.read(reader_.context, address, out, length);
    }

private:
    PhysicalReader reader_;
};

MemoryType memory_type(uint32_t raw) {
    switch (raw) {
    case 1:
        return MemoryType::Available;
    case 3:
        return MemoryType::AcpiReclaimable;
    case 4:
        return MemoryType::AcpiNvs;
    case 5:
        return MemoryType::Bad;
    default: // 2, and anything the firmware invents
        return MemoryType::Reserved;
    }
}

// Copies the NUL-terminated string at `address` into `out`, one byte per
// read so that a string ending just before unreadable memory is fine.
Status read_string(const Memory& memory, uint64_t address, char (&out)[kMaxStringLength]) {
    for (size_t i = 0; i < kMaxStringLength; ++i) {
        uint8_t c;
        if (!memory.read(address, i, &c, 1)) return Status::InvalidArgument;
        out[i] = static_cast<char>(c);
        if (c == 0) return Status::Ok;
    }
    out[kMaxStringLength - 1] = '\0';
    return Status::LimitReached;
}

Status parse_memory_map(const Memory& memory, uint64_t address, uint64_t length, BootInfo& info) {
    uint64_t offset = 0;
    while (offset < length) {
        const uint64_t remaining = length - offset;
        if (remaining < kMmapSizeField) return Status::InvalidArgument;
        uint8_t size_field[kMmapSizeField];
        if (!memory.read(address, offset, size_field, sizeof(size_field))) {
            return Status::InvalidArgument;
        }
        // A size of 0 would never advance; anything below 20 cannot hold
        // the fields; anything past mmap_length is truncated.
        const uint32_t entry_size = read32(size_field);
        if (entry_size < kMmapEntryBody) return Status::InvalidArgument;
        if (entry_size > remaining - kMmapSizeField) return Status::InvalidArgument;

        uint8_t body[kMmapEntryBody];
        if (!memory.read(address, offset + kMmapSizeField, body, sizeof(body))) {
            return Status::InvalidArgument;
        }
        offset += kMmapSizeField + entry_size;

        const uint64_t base = read64(body);
        const uint64_t region_length = read64(body + 8);
        const uint32_t type = read32(body + 16);
        if (region_length == 0) continue;
        if (region_length > UINT64_MAX - base) return Status::InvalidArgument;
        if (info.region_count == kMaxMemoryRegions) return Status::LimitReached;
        info.regions[info.region_count++] = MemoryRegion{base, region_length, memory_type(type)};
    }
    if (info.region_count == 0) return Status::InvalidArgument;
    return Status::Ok;
}

Status parse_modules(const Memory& memory, uint64_t address, uint32_t count, BootInfo& info) {
    if (count > kMaxModules) return Status::LimitReached;
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t entry[kModuleEntrySize];
        if (!memory.read(address, static_cast<uint64_t>(i) * kModuleEntrySize, entry,
                         sizeof(entry))) {
            return Status::InvalidArgument;
        }
        const uint32_t start = read32(entry);
        const uint32_t end = read32(entry + 4);
        const uint32_t string = read32(entry + 8);
        if (end < start) return Status::InvalidArgument;
        if (string == 0) return Status::InvalidArgument;

        Module& module = info.modules[info.module_count];
        module.start = start;
        module.end = end;
        if (Status s = read_string(memory, string, module.cmdline); s != Status::Ok) return s;
        if (module.cmdline[0] == '\0') return Status::InvalidArgument;
        ++info.module_count;
    }
    return Status::Ok;
}

Status parse_into(const Memory& memory, uint64_t info_address, BootInfo& info) {
    uint8_t raw[kInfoReadSize];
    if (!memory.read(info_address, 0, raw, sizeof(raw))) return Status::InvalidArgument;
    const uint32_t flags = read32(raw + kInfoFlags);

    if ((flags & kFlagMemoryMap) == 0) return Status::InvalidArgument;
    if (Status s = parse_memory_map(memory, read32(raw + kInfoMmapAddr),
                                    read32(raw + kInfoMmapLength), info);
        s != Status::Ok) {
        return s;
    }

    if ((flags & kFlagCmdline) != 0) {
        if (Status s = read_string(memory, read32(raw + kInfoCmdline), info.cmdline);
            s != Status::Ok) {
            return s;
        }
    }

    if ((flags & kFlagModules) != 0) {
        if (Status s = parse_modules(memory, read32(raw + kInfoModsAddr),
                                     read32(raw + kInfoModsCount), info);
            s != Status::Ok) {
            return s;
        }
    }
    return Status::Ok;
}

} // namespace

Result<BootInfo> parse(uint64_t info_address, PhysicalReader reader) {
    if (reader.read == nullptr) return Error(Status::InvalidArgument);
    BootInfo info{};
    if (Status s = parse_into(Memory(reader), info_address, info); s != Status::Ok) {
        return Error(s);
    }
    return info;
}

} // namespace rayos::multiboot
