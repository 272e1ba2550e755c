#include "caps.h"

#include <rayos/invoke.h>
#include <rayos/runtime.h>

namespace rayos::test {
namespace {
uint64_t next_free = 0;
}

const abi::BootInfo& boot() {
    return *start_info().boot_info;
}

uint64_t fresh_slot() {
    if (next_free == 0) next_free = boot().first_free_slot;
    return next_free++;
}

uint64_t big_untyped() {
    uint64_t best = 0;
    for (uint64_t i = 1; i < boot().untyped_count; ++i)
        if (boot().untyped[i].size_bits > boot().untyped[best].size_bits) best = i;
    return boot().untyped_first + best;
}

uint64_t make_object(abi::ObjectType type, uint64_t size) {
    uint64_t slot = fresh_slot();
    int64_t made = inv::untyped_retype(big_untyped(), uint64_t(type), size, kRoot, slot, 1);
    return made == 1 ? slot : 0;
}

uint64_t copy_cap(uint64_t cap, uint8_t rights) {
    uint64_t slot = fresh_slot();
    return inv::cnode_copy(kRoot, slot, kDepth, cap, rights) == 0 ? slot : 0;
}

} // namespace rayos::test
