#include "paging.h"

namespace rayos::paging {
namespace {

constexpr uint64_t kTableFlags = kPresent | kWritable;

bool is_user_address(uint64_t address) {
    return address < (1ull << 47);
}

// Returns the entry at `level` for `address`, creating missing tables on the
// way down when `create` is set.
Result<uint64_t*> walk_to(PageTableMemory& memory, uint64_t root, uint64_t address, int level,
                          bool create) {
    uint64_t table = root;
    for (int current = 4; current > level; --current) {
        uint64_t& entry = memory.table(table)[table_index(address, current)];
        if (!(entry & kPresent)) {
            if (!create) return Error(Status::NotFound);
            uint64_t fresh = TRY(memory.allocate_table());
            entry = fresh | kTableFlags | (is_user_address(address) ? kUser : 0);
        } else if (entry & kHuge) {
            return Error(create ? Status::Busy : Status::NotFound);
        }
        table = entry & kAddressMask;
    }
    return &memory.table(table)[table_index(address, level)];
}

} // namespace

VoidResult map(PageTableMemory& memory, uint64_t root, uint64_t virtual_address,
               uint64_t physical_address, uint64_t flags, PageSize size) {
    uint64_t page = size == PageSize::Size2M ? kPageSize2M : kPageSize4K;
    if (!is_canonical(virtual_address) || virtual_address % page || physical_address % page ||
        (physical_address & ~kAddressMask) || (flags & kAddressMask) || (flags & kHuge))
        return Error(Status::InvalidArgument);
    int level = size == PageSize::Size2M ? 2 : 1;
    uint64_t* entry = TRY(walk_to(memory, root, virtual_address, level, true));
    if (*entry & kPresent) return Error(Status::Busy);
    *entry = physical_address | flags | kPresent | (size == PageSize::Size2M ? kHuge : 0);
    return {};
}

Result<Translation> translate(PageTableMemory& memory, uint64_t root, uint64_t virtual_address) {
    if (!is_canonical(virtual_address)) return Error(Status::NotFound);
    uint64_t table = root;
    for (int level = 4; level >= 1; --level) {
        uint64_t entry = memory.table(table)[table_index(virtual_address, level)];
        if (!(entry & kPresent)) return Error(Status::NotFound);
        if (level > 2 && (entry & kHuge)) return Error(Status::NotFound); // 1 GiB: not used
        if (level == 2 && (entry & kHuge)) {
            uint64_t base = entry & kAddressMask & ~(kPageSize2M - 1);
            return Translation{base + (virtual_address & (kPageSize2M - 1)),
                               entry & kFlagsMask & ~kHuge, PageSize::Size2M};
        }
        if (level == 1)
            return Translation{(entry & kAddressMask) + (virtual_address & (kPageSize4K - 1)),
                               entry & kFlagsMask, PageSize::Size4K};
        table = entry & kAddressMask;
    }
    return Error(Status::NotFound);
}

Result<int> map_table(PageTableMemory& memory, uint64_t root, uint64_t virtual_address,
                      uint64_t table) {
    if (!is_canonical(virtual_address) || table % kPageSize4K || (table & ~kAddressMask))
        return Error(Status::InvalidArgument);
    uint64_t current = root;
    for (int level = 4; level > 1; --level) {
        uint64_t& entry = memory.table(current)[table_index(virtual_address, level)];
        if (!(entry & kPresent)) {
            entry = table | kTableFlags | (is_user_address(virtual_address) ? kUser : 0);
            return level - 1;
        }
        if (entry & kHuge) return Error(Status::Busy);
        current = entry & kAddressMask;
    }
    return Error(Status::Busy);
}

Result<uint64_t*> leaf_entry(PageTableMemory& memory, uint64_t root, uint64_t virtual_address) {
    if (!is_canonical(virtual_address)) return Error(Status::NotFound);
    uint64_t table = root;
    for (int level = 4; level >= 1; --level) {
        uint64_t& entry = memory.table(table)[table_index(virtual_address, level)];
        if (!(entry & kPresent)) return Error(Status::NotFound);
        if (level > 2 && (entry & kHuge)) return Error(Status::NotFound);
        if (level == 1 || (level == 2 && (entry & kHuge))) return &entry;
        table = entry & kAddressMask;
    }
    return Error(Status::NotFound);
}

Result<uint64_t> unmap(PageTableMemory& memory, uint64_t root, uint64_t virtual_address) {
    if (!is_canonical(virtual_address)) return Error(Status::NotFound);
    uint64_t table = root;
    for (int level = 4; level >= 1; --level) {
        uint64_t& entry = memory.table(table)[table_index(virtual_address, level)];
        if (!(entry & kPresent)) return Error(Status::NotFound);
        if (level > 2 && (entry & kHuge)) return Error(Status::NotFound); // 1 GiB: not used
        if (level == 1 || (level == 2 && (entry & kHuge))) {
            uint64_t old = entry;
            entry = 0;
            return old;
        }
        table = entry & kAddressMask;
    }
    return Error(Status::NotFound);
}

} // namespace rayos::paging
