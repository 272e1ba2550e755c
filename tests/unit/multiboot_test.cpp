// Tests for rayos::multiboot::parse (microkernel/lib/multiboot.cpp).
//
// A FakeMemory stands in for physical memory: a byte vector mapped at a base
// address, whose reader fails for any range not entirely inside it. The
// BootBuilder lays out a Multiboot 1 information structure in it the way a
// boot loader would (info, command line, memory map, module list, module
// strings), and each test changes one thing.
#include "lib/multiboot.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using rayos::Status;
namespace mb = rayos::multiboot;

namespace {

constexpr uint32_t kFlagMemory = 1u << 0;
constexpr uint32_t kFlagCmdline = 1u << 2;
constexpr uint32_t kFlagModules = 1u << 3;
constexpr uint32_t kFlagMemoryMap = 1u << 6;
constexpr uint32_t kFlagLoaderName = 1u << 9;

class FakeMemory {
public:
    FakeMemory(uint64_t base, size_t size) : base_(base), bytes_(size, 0) {}

    uint64_t base() const { return base_; }
    uint64_t end() const { return base_ + bytes_.size(); }
    size_t largest_read() const { return largest_read_; }

    mb::PhysicalReader reader() { return {&FakeMemory::read, this}; }

    void put8(uint64_t address, uint8_t value) { *at(address, 1) = value; }
    void put32(uint64_t address, uint64_t value) { put(address, value, 4); }
    void put64(uint64_t address, uint64_t value) { put(address, value, 8); }
    void put_bytes(uint64_t address, const void* data, size_t length) {
        std::memcpy(at(address, length), data, length);
    }
    void put_string(uint64_t address, const std::string& text) {
        put_bytes(address, text.c_str(), text.size() + 1);
    }

private:
    static bool read(void* context, uint64_t address, void* out, size_t length) {
        auto* self = static_cast<FakeMemory*>(context);
        if (length > self->largest_read_) self->largest_read_ = length;
        if (address < self->base_) return false;
        const uint64_t offset = address - self->base_;
        if (offset > self->bytes_.size() || length > self->bytes_.size() - offset) return false;
        std::memcpy(out, self->bytes_.data() + offset, length);
        return true;
    }

    uint8_t* at(uint64_t address, size_t length) {
        REQUIRE(address >= base_);
        REQUIRE(address - base_ + length <= bytes_.size());
        return bytes_.data() + (address - base_);
    }
    void put(uint64_t address, uint64_t value, size_t width) {
        uint8_t* p = at(address, width);
        for (size_t i = 0; i < width; ++i)
            p[i] = static_cast<uint8_t>(value >> (8 * i));
    }

    uint64_t base_;
    std::vector<uint8_t> bytes_;
    size_t largest_read_ = 0;
};

// Physical layout of the fake boot information.
constexpr uint64_t kBase = 0x10000;
constexpr size_t kMemorySize = 0x8000;
constexpr uint64_t kInfo = kBase;
constexpr uint64_t kCmdline = kBase + 0x100;
constexpr uint64_t kMmap = kBase + 0x400;
constexpr uint64_t kMods = kBase + 0x1000;
constexpr uint64_t kStrings = kBase + 0x2000; // module i's string at + i * 0x200
constexpr uint64_t kUnreadable = 0x900000;

class BootBuilder {
public:
    FakeMemory memory{kBase, kMemorySize};
    uint32_t flags = kFlagMemoryMap;
    uint32_t cmdline_address = 0;
    uint32_t mods_count = 0;
    uint32_t mods_address = kMods;
    uint32_t mmap_length = 0;
    uint32_t mmap_address = kMmap;

    void cmdline(const std::string& text) {
        flags |= kFlagCmdline;
        cmdline_address = kCmdline;
        memory.put_string(kCmdline, text);
    }

    // Appends a memory map entry whose size field is `size` (20 normally).
    void region(uint64_t base, uint64_t length, uint32_t type, uint32_t size = 20) {
        const uint64_t entry = kMmap + mmap_length;
        memory.put32(entry, size);
        memory.put64(entry + 4, base);
        memory.put64(entry + 12, length);
        memory.put32(entry + 20, type);
        mmap_length += size + 4;
    }

    // The entry address of module `index` (to patch fields).
    static uint64_t module_entry(size_t index) { return kMods + index * 16; }

    void module(uint32_t start, uint32_t end, const std::string& name) {
        flags |= kFlagModules;
        const uint64_t entry = module_entry(mods_count);
        const uint64_t string = kStrings + mods_count * 0x200;
        memory.put32(entry + 0, start);
        memory.put32(entry + 4, end);
        memory.put32(entry + 8, string);
        memory.put32(entry + 12, 0);
        memory.put_string(string, name);
        ++mods_count;
    }

    // Typical QEMU-like memory: low memory, a hole, the rest above 1 MiB.
    void typical_memory() {
        region(0, 0x9FC00, 1);
        region(0x9FC00, 0x400, 2);
        region(0xF0000, 0x10000, 2);
        region(0x100000, 0x7EE0000, 1);
        region(0xFFFC0000, 0x40000, 2);
    }

    void write_info() {
        memory.put32(kInfo + 0, flags);
        memory.put32(kInfo + 4, 639);    // mem_lower (ignored)
        memory.put32(kInfo + 8, 130000); // mem_upper (ignored)
        memory.put32(kInfo + 16, cmdline_address);
        memory.put32(kInfo + 20, mods_count);
        memory.put32(kInfo + 24, mods_address);
        memory.put32(kInfo + 44, mmap_length);
        memory.put32(kInfo + 48, mmap_address);
    }

    rayos::Result<mb::BootInfo> parse() {
        write_info();
        return mb::parse(kInfo, memory.reader());
    }
    Status status() { return parse().error(); }
};

} // namespace

TEST_CASE("multiboot: a complete boot information structure") {
    BootBuilder boot;
    boot.flags |= kFlagMemory | kFlagLoaderName; // other flags are ignored
    boot.cmdline("build/kernel.elf log=debug");
    boot.typical_memory();
    boot.module(0x200000, 0x203456, "init.elf --verbose");
    boot.module(0x204000, 0x210000, "console.elf");

    auto result = boot.parse();
    REQUIRE(result.ok());
    const mb::BootInfo& info = result.value();

    CHECK(std::string(info.cmdline) == "build/kernel.elf log=debug");

    REQUIRE(info.region_count == 5);
    CHECK(info.regions[0].base == 0);
    CHECK(info.regions[0].length == 0x9FC00);
    CHECK(info.regions[0].type == mb::MemoryType::Available);
    CHECK(info.regions[1].type == mb::MemoryType::Reserved);
    CHECK(info.regions[3].base == 0x100000);
    CHECK(info.regions[3].length == 0x7EE0000);
    CHECK(info.regions[3].type == mb::MemoryType::Available);
    CHECK(info.regions[4].base == 0xFFFC0000);

    REQUIRE(info.module_count == 2);
    CHECK(info.modules[0].start == 0x200000);
    CHECK(info.modules[0].end == 0x203456);
    CHECK(std::string(info.modules[0].cmdline) == "init.elf --verbose");
    CHECK(info.modules[1].start == 0x204000);
    CHECK(info.modules[1].end == 0x210000);
    CHECK(std::string(info.modules[1].cmdline) == "console.elf");
}

TEST_CASE("multiboot: memory is read in small pieces") {
    BootBuilder boot;
    boot.cmdline("kernel");
    boot.typical_memory();
    boot.module(0x200000, 0x201000, "init.elf");
    REQUIRE(boot.parse().ok());
    CHECK(boot.memory.largest_read() <= 64);
}

TEST_CASE("multiboot: the reader") {
    BootBuilder boot;
    boot.typical_memory();
    boot.write_info();
    CHECK(mb::parse(kInfo, {nullptr, nullptr}).error() == Status::InvalidArgument);
    CHECK(mb::parse(kInfo, boot.memory.reader()).ok());
}

TEST_CASE("multiboot: unreadable info structure") {
    BootBuilder boot;
    boot.typical_memory();
    boot.write_info();
    auto reader = boot.memory.reader();
    CHECK(mb::parse(kUnreadable, reader).error() == Status::InvalidArgument);
    CHECK(mb::parse(0, reader).error() == Status::InvalidArgument);
    CHECK(mb::parse(boot.memory.end() - 20, reader).error() == Status::InvalidArgument);
    CHECK(mb::parse(UINT64_MAX - 8, reader).error() == Status::InvalidArgument);
    CHECK(mb::parse(UINT64_MAX, reader).error() == Status::InvalidArgument);
}

TEST_CASE("multiboot: the memory map is required") {
    SUBCASE("flag clear") {
        BootBuilder boot;
        boot.typical_memory();
        boot.flags = kFlagMemory | kFlagCmdline;
        boot.cmdline_address = kCmdline;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("empty map") {
        BootBuilder boot;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("only empty regions") {
        BootBuilder boot;
        boot.region(0x100000, 0, 1);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("unreadable map") {
        BootBuilder boot;
        boot.typical_memory();
        boot.mmap_address = kUnreadable;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("map running off the end of memory") {
        BootBuilder boot;
        boot.typical_memory();
        // The size field is the last readable word; the entry body is not.
        const uint64_t entry = boot.memory.end() - 4;
        boot.memory.put32(entry, 20);
        boot.mmap_address = static_cast<uint32_t>(entry);
        boot.mmap_length = 24;
        CHECK(boot.status() == Status::InvalidArgument);
    }
}

TEST_CASE("multiboot: memory types") {
    BootBuilder boot;
    for (uint32_t type = 0; type <= 7; ++type)
        boot.region(0x100000 * (type + 1), 0x1000, type);
    boot.region(0x900000, 0x1000, 0xFFFFFFFF);
    auto result = boot.parse();
    REQUIRE(result.ok());
    const auto& regions = result.value().regions;
    REQUIRE(result.value().region_count == 9);
    CHECK(regions[0].type == mb::MemoryType::Reserved); // 0: unknown
    CHECK(regions[1].type == mb::MemoryType::Available);
    CHECK(regions[2].type == mb::MemoryType::Reserved);
    CHECK(regions[3].type == mb::MemoryType::AcpiReclaimable);
    CHECK(regions[4].type == mb::MemoryType::AcpiNvs);
    CHECK(regions[5].type == mb::MemoryType::Bad);
    CHECK(regions[6].type == mb::MemoryType::Reserved); // 6: unknown
    CHECK(regions[7].type == mb::MemoryType::Reserved); // 7: unknown
    CHECK(regions[8].type == mb::MemoryType::Reserved);
}

TEST_CASE("multiboot: memory map entries") {
    SUBCASE("larger entries are stepped over by their size") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1, 24);
        boot.region(0x100000, 0x100000, 1, 28);
        boot.region(0x200000, 0x1000, 2, 20);
        auto result = boot.parse();
        REQUIRE(result.ok());
        REQUIRE(result.value().region_count == 3);
        CHECK(result.value().regions[1].base == 0x100000);
        CHECK(result.value().regions[2].base == 0x200000);
        CHECK(result.value().regions[2].type == mb::MemoryType::Reserved);
    }
    SUBCASE("zero-length regions are skipped") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.region(0x9F000, 0, 2);
        boot.region(0x100000, 0x100000, 1);
        auto result = boot.parse();
        REQUIRE(result.ok());
        REQUIRE(result.value().region_count == 2);
        CHECK(result.value().regions[1].base == 0x100000);
    }
    SUBCASE("entry size 0 would never advance") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.region(0x100000, 0x100000, 1);
        boot.memory.put32(kMmap + 24, 0);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("entry too small for its fields") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.memory.put32(kMmap, 19);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("entry size 0 with a plausible body after it") {
        // Without the minimum-size check this would read a region whose
        // bytes lie outside mmap_length.
        BootBuilder boot;
        boot.region(0x100000, 0x100000, 1);
        boot.memory.put32(kMmap, 0);
        boot.mmap_length = 4;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("entry of 16 bytes that fits mmap_length but not the fields") {
        BootBuilder boot;
        boot.region(0x100000, 0x100000, 1);
        boot.memory.put32(kMmap, 16);
        boot.mmap_length = 20;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("entry size running past mmap_length") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.memory.put32(kMmap, 21);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("entry size that would wrap a 32-bit offset") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.region(0x100000, 0x100000, 1);
        boot.memory.put32(kMmap, 0xFFFFFFFC);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("trailing bytes too short for a size field") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.mmap_length += 3;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("huge mmap_length ends at the first garbage entry") {
        BootBuilder boot;
        boot.region(0, 0x9F000, 1);
        boot.mmap_length = 0xFFFFFFFF; // the zero bytes after the entry: size 0
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("region wrapping past 2^64") {
        BootBuilder boot;
        boot.region(0xFFFFFFFFFFFFF000, 0x1000, 2);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("region ending just below 2^64 is fine") {
        BootBuilder boot;
        boot.region(0xFFFFFFFFFFFFF000, 0xFFF, 2);
        CHECK(boot.status() == Status::Ok);
    }
}

TEST_CASE("multiboot: region limit") {
    SUBCASE("exactly kMaxMemoryRegions") {
        BootBuilder boot;
        for (size_t i = 0; i < mb::kMaxMemoryRegions; ++i)
            boot.region(i * 0x10000, 0x1000, 1);
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(result.value().region_count == mb::kMaxMemoryRegions);
        CHECK(result.value().regions[mb::kMaxMemoryRegions - 1].base ==
              (mb::kMaxMemoryRegions - 1) * 0x10000);
    }
    SUBCASE("one more") {
        BootBuilder boot;
        for (size_t i = 0; i <= mb::kMaxMemoryRegions; ++i)
            boot.region(i * 0x10000, 0x1000, 1);
        CHECK(boot.status() == Status::LimitReached);
    }
}

TEST_CASE("multiboot: kernel command line") {
    SUBCASE("flag clear: empty, whatever the field says") {
        BootBuilder boot;
        boot.typical_memory();
        boot.cmdline_address = kUnreadable;
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(std::string(result.value().cmdline).empty());
    }
    SUBCASE("empty string") {
        BootBuilder boot;
        boot.typical_memory();
        boot.cmdline("");
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(std::string(result.value().cmdline).empty());
    }
    SUBCASE("longest allowed") {
        BootBuilder boot;
        boot.typical_memory();
        const std::string text(mb::kMaxStringLength - 1, 'a');
        boot.cmdline(text);
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(std::string(result.value().cmdline) == text);
    }
    SUBCASE("too long") {
        BootBuilder boot;
        boot.typical_memory();
        boot.cmdline(std::string(mb::kMaxStringLength, 'a'));
        CHECK(boot.status() == Status::LimitReached);
    }
    SUBCASE("unreadable") {
        BootBuilder boot;
        boot.typical_memory();
        boot.cmdline("x");
        boot.cmdline_address = kUnreadable;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("unterminated: runs into unreadable memory") {
        BootBuilder boot;
        boot.typical_memory();
        boot.cmdline("x");
        const uint64_t start = boot.memory.end() - 10;
        for (uint64_t a = start; a < boot.memory.end(); ++a)
            boot.memory.put8(a, 'z');
        boot.cmdline_address = static_cast<uint32_t>(start);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("terminated on the last readable byte") {
        BootBuilder boot;
        boot.typical_memory();
        boot.cmdline("x");
        const uint64_t start = boot.memory.end() - 4;
        boot.memory.put_string(start, "abc");
        boot.cmdline_address = static_cast<uint32_t>(start);
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(std::string(result.value().cmdline) == "abc");
    }
}

TEST_CASE("multiboot: modules") {
    SUBCASE("flag clear: no modules, whatever the fields say") {
        BootBuilder boot;
        boot.typical_memory();
        boot.mods_count = 1000;
        boot.mods_address = kUnreadable;
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(result.value().module_count == 0);
    }
    SUBCASE("flag set, zero modules") {
        BootBuilder boot;
        boot.typical_memory();
        boot.flags |= kFlagModules;
        boot.mods_address = kUnreadable;
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(result.value().module_count == 0);
    }
    SUBCASE("empty module is fine") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x200000, "empty");
        auto result = boot.parse();
        REQUIRE(result.ok());
        REQUIRE(result.value().module_count == 1);
        CHECK(result.value().modules[0].start == result.value().modules[0].end);
    }
    SUBCASE("end before start") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x1FFFFF, "init.elf");
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("unreadable module list") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, "init.elf");
        boot.mods_address = kUnreadable;
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("module list running off the end of memory") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, "init.elf");
        // A valid first entry in the last 24 bytes; the second is cut off.
        const uint64_t list = boot.memory.end() - 24;
        boot.memory.put32(list + 0, 0x200000);
        boot.memory.put32(list + 4, 0x201000);
        boot.memory.put32(list + 8, kStrings);
        boot.mods_count = 2;
        boot.mods_address = static_cast<uint32_t>(list);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("unreadable module string") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, "init.elf");
        boot.memory.put32(BootBuilder::module_entry(0) + 8, kUnreadable);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("no module string (address 0)") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, "init.elf");
        boot.memory.put32(BootBuilder::module_entry(0) + 8, 0);
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("empty module string") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, "");
        CHECK(boot.status() == Status::InvalidArgument);
    }
    SUBCASE("longest module string") {
        BootBuilder boot;
        boot.typical_memory();
        const std::string name(mb::kMaxStringLength - 1, 'm');
        boot.module(0x200000, 0x201000, name);
        auto result = boot.parse();
        REQUIRE(result.ok());
        CHECK(std::string(result.value().modules[0].cmdline) == name);
    }
    SUBCASE("module string too long") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, std::string(mb::kMaxStringLength, 'm'));
        CHECK(boot.status() == Status::LimitReached);
    }
    SUBCASE("exactly kMaxModules") {
        BootBuilder boot;
        boot.typical_memory();
        for (uint32_t i = 0; i < mb::kMaxModules; ++i) {
            boot.module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000, "m" + std::to_string(i));
        }
        auto result = boot.parse();
        REQUIRE(result.ok());
        REQUIRE(result.value().module_count == mb::kMaxModules);
        CHECK(std::string(result.value().modules[mb::kMaxModules - 1].cmdline) == "m15");
        CHECK(result.value().modules[mb::kMaxModules - 1].start == 0x20F000);
    }
    SUBCASE("one more") {
        BootBuilder boot;
        boot.typical_memory();
        for (uint32_t i = 0; i <= mb::kMaxModules; ++i) {
            boot.module(0x200000 + i * 0x1000, 0x200800 + i * 0x1000, "m" + std::to_string(i));
        }
        CHECK(boot.status() == Status::LimitReached);
    }
    SUBCASE("absurd count is a limit, not a long walk") {
        BootBuilder boot;
        boot.typical_memory();
        boot.module(0x200000, 0x201000, "init.elf");
        boot.mods_count = 0xFFFFFFFF;
        CHECK(boot.status() == Status::LimitReached);
    }
}
