// Benchmark result lines (see bench_report.h).
#include "bench_report.h"

#include <rayos/runtime.h>

namespace rayos::bench {

void report(const char* name, uint64_t* values, int count, const char* unit) {
    for (int i = 1; i < count; ++i) { // insertion sort: a few thousand samples at most
        uint64_t v = values[i];
        int j = i - 1;
        for (; j >= 0 && values[j] > v; --j)
            values[j + 1] = values[j];
        values[j + 1] = v;
    }
    print("BENCH name=%s unit=%s median=%lu min=%lu iterations=%d\n", name, unit, values[count / 2],
          values[0], count);
}

} // namespace rayos::bench
