// The program heap: malloc/free/calloc/realloc and operator new/delete over
// an arena in .bss (limits::kHeapBytes). First fit over an address-ordered
// free list, neighbours merged on free, 16-byte alignment; thread-safe.
// Out of memory returns nullptr (operator new traps: the program has no
// exceptions, so a failed `new` must not return).
#pragma once

#include <cstddef>

extern "C" {
void* malloc(size_t size);
void free(void* p);
void* calloc(size_t count, size_t size);
void* realloc(void* p, size_t size);
}

namespace rayos::heap {

struct Stats {
    size_t capacity;    // arena bytes
    size_t in_use;      // bytes handed out (with headers)
    size_t allocations; // live allocations
    size_t largest_free;
};
Stats stats();
// Whether `p` is an address this heap hands out (for checks).
bool owns(const void* p);

} // namespace rayos::heap
