// The client of the fault-grant system test (data/pager.manifest.txt): it
// touches a page nobody mapped — its pager maps one — and then executes an
// invalid instruction, which its pager passes on to init.
#include <rayos/runtime.h>

#include <cstdint>

int main(const char*) {
    auto* page = reinterpret_cast<volatile uint64_t*>(0x500000000000ull);
    uint64_t value = page[0]; // a page fault: the pager maps a page with its pattern
    page[1] = value + 1;      // (writable as well)
    rayos::print("client: read %#lx from a page its pager mapped\n", value);
    if (value != 0x5A5A5A5A5A5A5A5Aull || page[1] != value + 1) {
        rayos::print("client: WRONG contents\n");
        return 2;
    }
    asm volatile("ud2"); // not a page fault: the pager passes it on to init
    return 0;
}
