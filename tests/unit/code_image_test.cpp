// Init's code check, the pure part (init/code_image.h): which pages are
// read-only, and where a page differs from what the loader put there.
#include "code_image.h"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

using namespace rayos;
using init::first_difference;
using init::next_read_only_page;

namespace {

constexpr uint64_t kPage = 4096;

// A file whose byte i is (i * 7 + 1) & 0xff: never zero at a multiple of 256.
std::vector<uint8_t> file_bytes(size_t size) {
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i)
        bytes[i] = uint8_t(i * 7 + 1);
    return bytes;
}

// Page `page` of segment `s` as the loader writes it.
std::vector<uint8_t> loaded(const std::vector<uint8_t>& file, const elf::Segment& s,
                            uint64_t page) {
    std::vector<uint8_t> out(kPage, 0);
    for (uint64_t a = page; a < page + kPage; ++a)
        if (a >= s.vaddr && a < s.vaddr + s.file_size)
            out[a - page] = file[s.file_offset + a - s.vaddr];
    return out;
}

elf::Image image_of(std::initializer_list<elf::Segment> segments) {
    elf::Image image{};
    for (const elf::Segment& s : segments)
        image.segments[image.segment_count++] = s;
    return image;
}

} // namespace

TEST_CASE("code check: a loaded page is what the loader wrote; any changed bit is found") {
    auto file = file_bytes(5 * kPage);
    // Starts mid-page, ends mid-page, and has more in memory than in the file.
    elf::Segment s{0x400100, 2 * kPage + 0x300, 0x1100, kPage + 0x200, elf::kSegmentExecute};
    for (uint64_t page : {0x400000ull, 0x401000ull, 0x402000ull}) {
        CAPTURE(page);
        auto actual = loaded(file, s, page);
        CHECK(first_difference(file.data(), s, page, actual.data()) == -1);
        for (uint64_t offset : {0ull, 0xffull, 0x100ull, 0x2ffull, 0x300ull, 0x7ffull, 0xfffull}) {
            CAPTURE(offset);
            auto flipped = actual;
            flipped[offset] ^= 0x10;
            CHECK(first_difference(file.data(), s, page, flipped.data()) == int64_t(offset));
        }
    }
}

TEST_CASE("code check: the next read-only page, across segments, skipping writable ones") {
    elf::Segment code{0x400000, 2 * kPage, 0x1000, 2 * kPage, elf::kSegmentExecute};
    elf::Segment data{0x402000, kPage, 0x3000, 0x10, elf::kSegmentWrite};
    elf::Segment constants{0x403100, 0x100, 0x4000, 0x100, elf::kSegmentRead};
    elf::Image image = image_of({constants, data, code}); // (in any order)
    auto at = [&](uint64_t from) { return next_read_only_page(image, from); };
    CHECK(at(0).page == 0x400000);
    CHECK(at(0).segment == &image.segments[2]);
    CHECK(at(0x400001).page == 0x401000);
    CHECK(at(0x401000).page == 0x401000);
    CHECK(at(0x402000).page == 0x403000); // not the writable page
    CHECK(at(0x402000).segment == &image.segments[0]);
    CHECK(at(0x404000).page == 0); // none left
    CHECK(at(0x404000).segment == nullptr);
    CHECK(next_read_only_page(image_of({data}), 0).page == 0);
}
