// Page contents for the compression pager's workloads and benchmarks: each
// page's bytes follow from its number, a version and a kind, so a reader can
// recompute and check what it should see. Pure logic (guest and host).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::workload {

constexpr size_t kPageBytes = 4096;

// The workloads' random numbers (splitmix64): reproducible from the seed.
struct Random {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

enum class Content : uint8_t {
    Zero,   // all zero
    Text,   // words and spaces, like a log or source file
    Binary, // small integers and repeated structures, like program data
    Random, // incompressible
    Mixed,  // one of the above, chosen by the page number
};

// Fills `out` with page `page`'s contents at `version`.
void fill_page(Content kind, uint64_t page, uint64_t version, uint8_t* out);
// Whether `bytes` hold exactly what fill_page would write.
bool page_matches(Content kind, uint64_t page, uint64_t version, const uint8_t* bytes);

const char* content_name(Content kind);

} // namespace rayos::workload
