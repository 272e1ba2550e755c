// What a program's read-only pages (code and constants) must hold: the
// bytes of its ELF file, as the loader copied them. Init compares the
// running programs' pages with this (System::check_code) to find memory
// that changed under them, which nothing but a fault can do: no program
// can write its own read-only pages. Pure logic, host-tested.
#pragma once

#include <elf.h>

#include <cstdint>

namespace rayos::init {

// Whether `s` is loaded read-only (neither writable nor a stack).
constexpr bool read_only(const elf::Segment& s) {
    return (s.flags & elf::kSegmentWrite) == 0 && s.memory_size > 0;
}

// The first read-only page of `image` at or above `from` (page-aligned) and
// the segment it belongs to; page 0 (and no segment) if there is none.
struct ReadOnlyPage {
    uint64_t page = 0;
    const elf::Segment* segment = nullptr;
};
ReadOnlyPage next_read_only_page(const elf::Image& image, uint64_t from);

// Page `page` (page-aligned, inside the read-only segment `s` of the ELF
// file `file`) as the program has it (`actual`, 4096 bytes): the offset in
// the page of the first byte that is not what the loader put there (the
// file's bytes, zero around them), or -1 if all are.
int64_t first_difference(const uint8_t* file, const elf::Segment& s, uint64_t page,
                         const uint8_t* actual);

} // namespace rayos::init
