// What every benchmark program prints for tests/bench/run_bench.py: one
// line per benchmark,
//   BENCH name=<name> unit=<unit> median=<n> min=<n> iterations=<n>
#pragma once

#include <cstdint>

namespace rayos::bench {

// Sorts `values` (in place) and prints their median and minimum.
void report(const char* name, uint64_t* values, int count, const char* unit = "instructions");

} // namespace rayos::bench
