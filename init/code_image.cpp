// Read-only pages against the ELF file (see code_image.h).
#include "code_image.h"

namespace rayos::init {
namespace {

constexpr uint64_t kPage = 4096;

// The first i < n with actual[i] != expected[i] (zero if `expected` is
// null), or -1.
int64_t differs(const uint8_t* actual, const uint8_t* expected, uint64_t n) {
    uint64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a, e = 0;
        __builtin_memcpy(&a, actual + i, 8);
        if (expected) __builtin_memcpy(&e, expected + i, 8);
        if (a != e) break;
    }
    for (; i < n; ++i)
        if (actual[i] != (expected ? expected[i] : 0)) return int64_t(i);
    return -1;
}

} // namespace

ReadOnlyPage next_read_only_page(const elf::Image& image, uint64_t from) {
    ReadOnlyPage best;
    for (size_t i = 0; i < image.segment_count; ++i) {
        const elf::Segment& s = image.segments[i];
        if (!read_only(s)) continue;
        uint64_t first = s.vaddr & ~(kPage - 1);
        uint64_t end = (s.vaddr + s.memory_size + kPage - 1) & ~(kPage - 1);
        uint64_t page = from > first ? (from + kPage - 1) & ~(kPage - 1) : first;
        if (page < end && (best.page == 0 || page < best.page)) best = {page, &s};
    }
    return best;
}

int64_t first_difference(const uint8_t* file, const elf::Segment& s, uint64_t page,
                         const uint8_t* actual) {
    // [from, to): the page's bytes that come from the file; zeros around.
    uint64_t from = page < s.vaddr ? s.vaddr - page : 0;
    if (from > kPage) from = kPage;
    uint64_t file_end = s.vaddr + s.file_size;
    uint64_t to = file_end <= page ? 0 : file_end - page;
    if (to > kPage) to = kPage;
    if (to < from) to = from;
    int64_t at = differs(actual, nullptr, from);
    if (at >= 0) return at;
    at = differs(actual + from, file + s.file_offset + (page + from - s.vaddr), to - from);
    if (at >= 0) return int64_t(from) + at;
    at = differs(actual + to, nullptr, kPage - to);
    return at >= 0 ? int64_t(to) + at : -1;
}

} // namespace rayos::init
