// Tests for rayos::elf::parse (microkernel/lib/elf.cpp).
//
// Each test builds a synthetic ELF64 image in a byte vector: a valid
// two-segment executable by default, which a test then corrupts field by
// field at the documented byte offsets. Under ASan, the truncation and
// random-mutation tests also prove that the parser never reads outside
// the buffer it is given.
#include "lib/elf.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

using rayos::Status;
namespace elf = rayos::elf;

namespace {

// ELF64 header field offsets.
constexpr size_t kClass = 4;
constexpr size_t kData = 5;
constexpr size_t kIdentVersion = 6;
constexpr size_t kType = 16;
constexpr size_t kMachine = 18;
constexpr size_t kVersion = 20;
constexpr size_t kEntry = 24;
constexpr size_t kPhoff = 32;
constexpr size_t kEhsize = 52;
constexpr size_t kPhentsize = 54;
constexpr size_t kPhnum = 56;
constexpr size_t kHeaderSize = 64;
constexpr size_t kPhdrSize = 56;

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtDynamic = 2;
constexpr uint32_t kPtInterp = 3;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kPtTls = 7;
constexpr uint32_t kPtGnuStack = 0x6474E551;

constexpr uint32_t kR = elf::kSegmentRead;
constexpr uint32_t kW = elf::kSegmentWrite;
constexpr uint32_t kX = elf::kSegmentExecute;

constexpr elf::Limits kLimits{0x1000, 0x0000'8000'0000'0000};

struct Phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t filesz;
    uint64_t memsz;
};

void put(std::vector<uint8_t>& image, size_t offset, uint64_t value, size_t width) {
    REQUIRE(offset + width <= image.size());
    for (size_t i = 0; i < width; ++i)
        image[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}
void put16(std::vector<uint8_t>& image, size_t offset, uint64_t v) {
    put(image, offset, v, 2);
}
void put32(std::vector<uint8_t>& image, size_t offset, uint64_t v) {
    put(image, offset, v, 4);
}
void put64(std::vector<uint8_t>& image, size_t offset, uint64_t v) {
    put(image, offset, v, 8);
}

// Offset of field `field` (0 = type, 4 = flags, 8 = offset, 16 = vaddr,
// 32 = filesz, 40 = memsz) of program header `index` in a built image.
size_t phdr_field(size_t index, size_t field) {
    return kHeaderSize + index * kPhdrSize + field;
}

// Builds an executable: header, program header table right after it, and
// zero-filled file contents up to `file_size` (at least the table's end).
std::vector<uint8_t> build(const std::vector<Phdr>& phdrs, uint64_t entry, size_t file_size,
                           size_t phentsize = kPhdrSize) {
    const size_t table_end = kHeaderSize + phdrs.size() * phentsize;
    std::vector<uint8_t> image(file_size > table_end ? file_size : table_end, 0);
    const uint8_t ident[] = {0x7F, 'E', 'L', 'F', 2, 1, 1, 0};
    std::memcpy(image.data(), ident, sizeof(ident));
    put16(image, kType, 2);
    put16(image, kMachine, 62);
    put32(image, kVersion, 1);
    put64(image, kEntry, entry);
    put64(image, kPhoff, kHeaderSize);
    put16(image, kEhsize, kHeaderSize);
    put16(image, kPhentsize, phentsize);
    put16(image, kPhnum, phdrs.size());
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const size_t base = kHeaderSize + i * phentsize;
        put32(image, base + 0, phdrs[i].type);
        put32(image, base + 4, phdrs[i].flags);
        put64(image, base + 8, phdrs[i].offset);
        put64(image, base + 16, phdrs[i].vaddr);
        put64(image, base + 24, phdrs[i].vaddr); // paddr
        put64(image, base + 32, phdrs[i].filesz);
        put64(image, base + 40, phdrs[i].memsz);
        put64(image, base + 48, 0x1000); // align
    }
    return image;
}

// A typical static executable: text (R+X) with the entry point, data+bss
// (R+W), plus note and stack headers that must be ignored.
constexpr uint64_t kTextAddress = 0x400000;
constexpr uint64_t kDataAddress = 0x401000;
constexpr uint64_t kEntryPoint = 0x400010;
constexpr size_t kImageSize = 0x1120;

std::vector<uint8_t> valid_image() {
    return build(
        {
            {kPtLoad, kR | kX, 0x1000, kTextAddress, 0x100, 0x100},
            {kPtNote, kR, 0x200, 0x400200, 0x20, 0x20},
            {kPtLoad, kR | kW, 0x1100, kDataAddress, 0x20, 0x2000},
            {kPtGnuStack, kR | kW, 0, 0, 0, 0},
        },
        kEntryPoint, kImageSize);
}

Status parse_status(const std::vector<uint8_t>& image, const elf::Limits& limits = kLimits) {
    return elf::parse(image.data(), image.size(), limits).error();
}

// Two loads with configurable second segment, entry in the first.
std::vector<uint8_t> two_loads(uint64_t second_vaddr, uint64_t second_memsz) {
    return build(
        {
            {kPtLoad, kR | kX, 0x1000, 0x400000, 0x100, 0x1000},
            {kPtLoad, kR | kW, 0x1100, second_vaddr, 0, second_memsz},
        },
        0x400000, 0x1100);
}

} // namespace

TEST_CASE("elf: a valid executable is parsed") {
    const auto image = valid_image();
    auto result = elf::parse(image.data(), image.size(), kLimits);
    REQUIRE(result.ok());
    const elf::Image& parsed = result.value();
    CHECK(parsed.entry == kEntryPoint);
    REQUIRE(parsed.segment_count == 2); // note and stack headers are ignored

    CHECK(parsed.segments[0].vaddr == kTextAddress);
    CHECK(parsed.segments[0].memory_size == 0x100);
    CHECK(parsed.segments[0].file_offset == 0x1000);
    CHECK(parsed.segments[0].file_size == 0x100);
    CHECK(parsed.segments[0].flags == (kR | kX));

    CHECK(parsed.segments[1].vaddr == kDataAddress);
    CHECK(parsed.segments[1].memory_size == 0x2000);
    CHECK(parsed.segments[1].file_offset == 0x1100);
    CHECK(parsed.segments[1].file_size == 0x20);
    CHECK(parsed.segments[1].flags == (kR | kW));
}

TEST_CASE("elf: misaligned input buffers are fine") {
    const auto image = valid_image();
    for (size_t shift = 1; shift < 8; ++shift) {
        std::vector<uint8_t> buffer(image.size() + shift);
        std::memcpy(buffer.data() + shift, image.data(), image.size());
        auto result = elf::parse(buffer.data() + shift, image.size(), kLimits);
        REQUIRE(result.ok());
        CHECK(result.value().entry == kEntryPoint);
        CHECK(result.value().segment_count == 2);
    }
}

TEST_CASE("elf: larger program header entries are stepped over") {
    const auto image = build({{kPtLoad, kR | kX, 0x1000, 0x400000, 0x10, 0x10},
                              {kPtLoad, kR | kW, 0x1010, 0x402000, 0x10, 0x10}},
                             0x400000, 0x1020, 64);
    auto result = elf::parse(image.data(), image.size(), kLimits);
    REQUIRE(result.ok());
    REQUIRE(result.value().segment_count == 2);
    CHECK(result.value().segments[1].vaddr == 0x402000);
}

TEST_CASE("elf: unknown flag bits are dropped, other header types ignored") {
    auto image = build({{kPtTls, kR, 0x1000, 0x400000, 0x10, 0x10},
                        {kPtLoad, kR | kX | 0x0FF00000, 0x1000, 0x400000, 0x10, 0x10},
                        {0x70000000, 0, 0, 0, 0, 0}},
                       0x400000, 0x1010);
    auto result = elf::parse(image.data(), image.size(), kLimits);
    REQUIRE(result.ok());
    REQUIRE(result.value().segment_count == 1);
    CHECK(result.value().segments[0].flags == (kR | kX));
}

TEST_CASE("elf: an empty PT_LOAD is skipped, but not one with file bytes") {
    auto image = build(
        {{kPtLoad, kR | kX, 0x1000, 0x400000, 0x10, 0x10}, {kPtLoad, kR, 0x1000, 0x400000, 0, 0}},
        0x400000, 0x1010);
    auto result = elf::parse(image.data(), image.size(), kLimits);
    REQUIRE(result.ok());
    CHECK(result.value().segment_count == 1);

    put64(image, phdr_field(1, 32), 1); // filesz 1 > memsz 0
    CHECK(parse_status(image) == Status::InvalidArgument);
}

TEST_CASE("elf: null or tiny buffers are rejected") {
    const auto image = valid_image();
    CHECK(elf::parse(nullptr, image.size(), kLimits).error() == Status::InvalidArgument);
    CHECK(elf::parse(image.data(), 0, kLimits).error() == Status::InvalidArgument);
}

TEST_CASE("elf: bad magic") {
    for (size_t i = 0; i < 4; ++i) {
        auto image = valid_image();
        image[i] ^= 0x20;
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: identification bytes") {
    SUBCASE("32-bit is another kind of ELF") {
        auto image = valid_image();
        image[kClass] = 1;
        CHECK(parse_status(image) == Status::NotSupported);
    }
    SUBCASE("invalid class") {
        for (uint8_t value : {0, 3, 0xFF}) {
            auto image = valid_image();
            image[kClass] = value;
            CHECK(parse_status(image) == Status::InvalidArgument);
        }
    }
    SUBCASE("big endian is another kind of ELF") {
        auto image = valid_image();
        image[kData] = 2;
        CHECK(parse_status(image) == Status::NotSupported);
    }
    SUBCASE("invalid data encoding") {
        for (uint8_t value : {0, 3}) {
            auto image = valid_image();
            image[kData] = value;
            CHECK(parse_status(image) == Status::InvalidArgument);
        }
    }
    SUBCASE("identification version") {
        auto image = valid_image();
        image[kIdentVersion] = 0;
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("a 52-byte 32-bit header is reported as 32-bit, not truncated") {
        auto image = valid_image();
        image[kClass] = 1;
        image.resize(52);
        CHECK(parse_status(image) == Status::NotSupported);
    }
}

TEST_CASE("elf: header fields") {
    SUBCASE("machine") {
        auto image = valid_image();
        put16(image, kMachine, 3); // EM_386
        CHECK(parse_status(image) == Status::NotSupported);
        put16(image, kMachine, 183); // EM_AARCH64
        CHECK(parse_status(image) == Status::NotSupported);
    }
    SUBCASE("type") {
        for (uint16_t type : {0, 1, 3, 4}) { // NONE, REL, DYN, CORE
            auto image = valid_image();
            put16(image, kType, type);
            CHECK(parse_status(image) == Status::NotSupported);
        }
    }
    SUBCASE("version") {
        auto image = valid_image();
        put32(image, kVersion, 0);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("header size too small") {
        auto image = valid_image();
        put16(image, kEhsize, 52);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("no program headers") {
        auto image = valid_image();
        put16(image, kPhnum, 0);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("extended program header numbering") {
        auto image = valid_image();
        put16(image, kPhnum, 0xFFFF);
        CHECK(parse_status(image) == Status::NotSupported);
    }
    SUBCASE("program header entry smaller than Elf64_Phdr") {
        auto image = valid_image();
        put16(image, kPhentsize, kPhdrSize - 1);
        CHECK(parse_status(image) == Status::InvalidArgument);
        put16(image, kPhentsize, 0);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: truncated header") {
    const auto image = valid_image();
    for (size_t size = 1; size < kHeaderSize; ++size) {
        // A copy of exactly `size` bytes, so ASan catches any read beyond.
        std::vector<uint8_t> prefix(image.begin(), image.begin() + static_cast<long>(size));
        CHECK(parse_status(prefix) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: every truncation of a valid image is rejected") {
    const auto image = valid_image();
    for (size_t size = 0; size < image.size(); ++size) {
        std::vector<uint8_t> prefix(image.begin(), image.begin() + static_cast<long>(size));
        CHECK_FALSE(elf::parse(prefix.data(), prefix.size(), kLimits).ok());
    }
}

TEST_CASE("elf: program header table bounds") {
    SUBCASE("table starts past the end") {
        auto image = valid_image();
        put64(image, kPhoff, image.size());
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("table ends past the end") {
        auto image = valid_image();
        put64(image, kPhoff, image.size() - kPhdrSize); // 4 entries do not fit
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("too many entries for the file") {
        auto image = valid_image();
        put16(image, kPhnum, 200);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("huge entry size") {
        auto image = valid_image();
        put16(image, kPhentsize, 0xFFFF);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("offset + table size wraps") {
        auto image = valid_image();
        put64(image, kPhoff, UINT64_MAX - 10);
        CHECK(parse_status(image) == Status::InvalidArgument);
        put64(image, kPhoff, UINT64_MAX);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: dynamic executables are not supported") {
    for (uint32_t type : {kPtDynamic, kPtInterp}) {
        auto image = valid_image();
        put32(image, phdr_field(1, 0), type); // the note becomes DYNAMIC/INTERP
        CHECK(parse_status(image) == Status::NotSupported);
    }
}

TEST_CASE("elf: segment file ranges") {
    SUBCASE("file range ending exactly at the end of the image is fine") {
        auto image = valid_image();
        put64(image, phdr_field(2, 32), image.size() - 0x1100);
        CHECK(parse_status(image) == Status::Ok);
    }
    SUBCASE("file range past the end") {
        auto image = valid_image();
        put64(image, phdr_field(2, 32), image.size() - 0x1100 + 1);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("offset past the end") {
        auto image = valid_image();
        put64(image, phdr_field(0, 8), image.size() + 0x1000);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("offset + file size wraps") {
        auto image = valid_image();
        put64(image, phdr_field(0, 8), UINT64_MAX - 0x10);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("file size larger than memory size") {
        auto image = valid_image();
        put64(image, phdr_field(0, 32), 0x101);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("huge file size") {
        auto image = valid_image();
        put64(image, phdr_field(2, 32), UINT64_MAX);
        put64(image, phdr_field(2, 40), UINT64_MAX);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: segment memory ranges and limits") {
    SUBCASE("vaddr + memory size wraps") {
        auto image = valid_image();
        put64(image, phdr_field(2, 16), UINT64_MAX - 0x100);
        CHECK(parse_status(image, {0, UINT64_MAX}) == Status::InvalidArgument);
    }
    SUBCASE("segment below the lowest address") {
        const auto image = valid_image();
        CHECK(parse_status(image, {kTextAddress + 1, kLimits.highest_address}) ==
              Status::InvalidArgument);
    }
    SUBCASE("segment starting exactly at the lowest address") {
        const auto image = valid_image();
        CHECK(parse_status(image, {kTextAddress, kLimits.highest_address}) == Status::Ok);
    }
    SUBCASE("segment ending above the highest address") {
        const auto image = valid_image();
        CHECK(parse_status(image, {kLimits.lowest_address, kDataAddress + 0x2000 - 1}) ==
              Status::InvalidArgument);
    }
    SUBCASE("segment ending exactly at the highest address (exclusive)") {
        const auto image = valid_image();
        CHECK(parse_status(image, {kLimits.lowest_address, kDataAddress + 0x2000}) == Status::Ok);
    }
    SUBCASE("segment entirely above the limits") {
        auto image = valid_image();
        put64(image, phdr_field(2, 16), kLimits.highest_address);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("kernel-half address") {
        auto image = valid_image();
        put64(image, phdr_field(2, 16), 0xFFFF'8000'0000'0000);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("empty limits reject everything") {
        const auto image = valid_image();
        CHECK(parse_status(image, {0x500000, 0x400000}) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: overlapping segments") {
    // The first segment covers [0x400000, 0x401000).
    SUBCASE("adjacent segments are fine") {
        CHECK(parse_status(two_loads(0x401000, 0x1000)) == Status::Ok);
    }
    SUBCASE("sharing a page without sharing bytes is fine") {
        auto image = build({{kPtLoad, kR | kX, 0x1000, 0x400000, 0x100, 0x100},
                            {kPtLoad, kR | kW, 0x1100, 0x400100, 0x10, 0x10}},
                           0x400000, 0x1110);
        CHECK(parse_status(image) == Status::Ok);
    }
    SUBCASE("one byte of overlap at the end") {
        CHECK(parse_status(two_loads(0x400FFF, 0x10)) == Status::InvalidArgument);
    }
    SUBCASE("one byte of overlap at the start") {
        CHECK(parse_status(two_loads(0x3FF000, 0x1001)) == Status::InvalidArgument);
    }
    SUBCASE("ending right where the first starts is fine") {
        CHECK(parse_status(two_loads(0x3FF000, 0x1000)) == Status::Ok);
    }
    SUBCASE("contained") {
        CHECK(parse_status(two_loads(0x400100, 0x10)) == Status::InvalidArgument);
    }
    SUBCASE("containing") {
        CHECK(parse_status(two_loads(0x300000, 0x200000)) == Status::InvalidArgument);
    }
    SUBCASE("identical") {
        CHECK(parse_status(two_loads(0x400000, 0x1000)) == Status::InvalidArgument);
    }
    SUBCASE("overlap with a non-adjacent earlier segment") {
        auto image = build({{kPtLoad, kR | kX, 0x1000, 0x400000, 0x10, 0x1000},
                            {kPtLoad, kR, 0x1000, 0x500000, 0x10, 0x1000},
                            {kPtLoad, kR | kW, 0x1000, 0x400800, 0x10, 0x10}},
                           0x400000, 0x1010);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: entry point") {
    SUBCASE("first and last byte of the executable segment are fine") {
        auto image = valid_image();
        put64(image, kEntry, kTextAddress);
        CHECK(parse_status(image) == Status::Ok);
        put64(image, kEntry, kTextAddress + 0xFF);
        CHECK(parse_status(image) == Status::Ok);
    }
    SUBCASE("just past the executable segment") {
        auto image = valid_image();
        put64(image, kEntry, kTextAddress + 0x100);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("just before the executable segment") {
        auto image = valid_image();
        put64(image, kEntry, kTextAddress - 1);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("in a data segment") {
        auto image = valid_image();
        put64(image, kEntry, kDataAddress + 8);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("in the zero-filled part of an executable segment is fine") {
        auto image = valid_image();
        put64(image, phdr_field(0, 40), 0x200);
        put64(image, kEntry, kTextAddress + 0x180);
        CHECK(parse_status(image) == Status::Ok);
    }
    SUBCASE("zero and far away") {
        auto image = valid_image();
        put64(image, kEntry, 0);
        CHECK(parse_status(image) == Status::InvalidArgument);
        put64(image, kEntry, UINT64_MAX);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("no executable segment at all") {
        auto image = valid_image();
        put32(image, phdr_field(0, 4), kR);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
    SUBCASE("only non-load headers") {
        auto image = build({{kPtNote, kR | kX, 0x40, 0x400000, 0x10, 0x10}}, 0x400000, 0x100);
        CHECK(parse_status(image) == Status::InvalidArgument);
    }
}

TEST_CASE("elf: segment count limit") {
    auto make = [](size_t count) {
        std::vector<Phdr> phdrs;
        for (size_t i = 0; i < count; ++i) {
            phdrs.push_back(
                {kPtLoad, i == 0 ? kR | kX : kR, 0x1000, 0x400000 + i * 0x1000, 0x10, 0x10});
        }
        return build(phdrs, 0x400000, 0x1010);
    };
    SUBCASE("exactly kMaxSegments") {
        const auto image = make(elf::kMaxSegments);
        auto result = elf::parse(image.data(), image.size(), kLimits);
        REQUIRE(result.ok());
        CHECK(result.value().segment_count == elf::kMaxSegments);
        CHECK(result.value().segments[elf::kMaxSegments - 1].vaddr ==
              0x400000 + (elf::kMaxSegments - 1) * 0x1000);
    }
    SUBCASE("one more") {
        CHECK(parse_status(make(elf::kMaxSegments + 1)) == Status::LimitReached);
    }
    SUBCASE("non-load headers do not count") {
        auto phdrs = std::vector<Phdr>{};
        for (size_t i = 0; i < 20; ++i)
            phdrs.push_back({kPtNote, kR, 0x40, 0, 0, 0});
        phdrs.push_back({kPtLoad, kR | kX, 0x1000, 0x400000, 0x10, 0x10});
        CHECK(parse_status(build(phdrs, 0x400000, 0x1010)) == Status::Ok);
    }
}

TEST_CASE("elf: random corruption never crashes") {
    // Not a check of specific results: ASan/UBSan report any bad access or
    // overflow; accepted images must still satisfy the documented invariants.
    const auto original = valid_image();
    std::mt19937 random(12345);
    std::uniform_int_distribution<size_t> header_byte(0, kHeaderSize + 4 * kPhdrSize - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int round = 0; round < 20000; ++round) {
        auto image = original;
        const int flips = 1 + round % 4;
        for (int i = 0; i < flips; ++i) {
            image[header_byte(random)] = static_cast<uint8_t>(byte(random));
        }
        auto result = elf::parse(image.data(), image.size(), kLimits);
        if (!result.ok()) continue;
        const elf::Image& parsed = result.value();
        REQUIRE(parsed.segment_count <= elf::kMaxSegments);
        for (size_t i = 0; i < parsed.segment_count; ++i) {
            const elf::Segment& s = parsed.segments[i];
            CHECK(s.file_size <= s.memory_size);
            CHECK(s.file_offset + s.file_size <= image.size());
            CHECK(s.vaddr >= kLimits.lowest_address);
            CHECK(s.vaddr + s.memory_size <= kLimits.highest_address);
        }
    }
}
