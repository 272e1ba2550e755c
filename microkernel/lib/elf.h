// ELF64 executable parsing and validation (x86-64, static, ET_EXEC).
//
// The loader never trusts a boot module: parse_elf() checks the header, the
// program header table and every PT_LOAD segment before anything is mapped,
// so a truncated or hostile file is an error, never an out-of-bounds read.
// Pure logic: no allocation, no I/O; host-tested.
#pragma once

#include "result.h"

#include <cstddef>
#include <cstdint>

namespace rayos::elf {

constexpr uint32_t kSegmentExecute = 1; // PF_X
constexpr uint32_t kSegmentWrite = 2;   // PF_W
constexpr uint32_t kSegmentRead = 4;    // PF_R

struct Segment {
    uint64_t vaddr;       // where it goes
    uint64_t memory_size; // bytes in memory (>= file_size; the rest is zero)
    uint64_t file_offset; // where its bytes start in the image
    uint64_t file_size;   // bytes taken from the image
    uint32_t flags;       // kSegment* bits
};

constexpr size_t kMaxSegments = 16;

struct Image {
    uint64_t entry;
    size_t segment_count;
    Segment segments[kMaxSegments]; // PT_LOAD segments in file order
};

struct Limits {
    uint64_t lowest_address;  // segments must start at or above this
    uint64_t highest_address; // and end at or below this (exclusive)
};

// Validates `data[0..size)` as an x86-64 ELF64 executable whose PT_LOAD
// segments lie within `limits`, do not overlap each other, have
// file_size <= memory_size, file ranges inside the image, and whose entry
// point lies in an executable segment. Errors: Status::InvalidArgument for
// anything malformed, Status::LimitReached for more than kMaxSegments loads,
// Status::NotSupported for a valid ELF of another kind (32-bit, big endian,
// not x86-64, not ET_EXEC).
Result<Image> parse(const void* data, size_t size, const Limits& limits);

} // namespace rayos::elf
