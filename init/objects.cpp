// Kernel objects for init (see objects.h).
#include "objects.h"

#include <rayos/cap_alloc.h>
#include <rayos/invoke.h>
#include <rayos/mapping.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace rayos::init {

ObjectMaker::ObjectMaker(const abi::BootInfo& boot) {
    uint64_t best = 0;
    for (uint64_t i = 1; i < boot.untyped_count; ++i)
        if (!boot.untyped[i].is_device && boot.untyped[i].size_bits > boot.untyped[best].size_bits)
            best = i;
    untyped_ = boot.untyped_first + best;
}

Result<uint64_t> ObjectMaker::make(abi::ObjectType type, uint64_t size_bits) {
    uint64_t slot = TRY(slots::allocate());
    int64_t made =
        inv::untyped_retype(untyped_, uint64_t(type), size_bits, abi::kInitSlotCNode, slot, 1);
    if (made != 1) {
        slots::free(slot);
        return Error(made < 0 ? sys::status(made) : abi::Status::OutOfMemory);
    }
    adopt(slot);
    return slot;
}

void ObjectMaker::adopt(uint64_t slot) {
    if (!recording_) return;
    if (recorded_count_ == kMaxRecorded) {
        print("init: more objects than ObjectMaker::kMaxRecorded; a slot leaks\n");
        return;
    }
    recorded_[recorded_count_++] = uint16_t(slot);
}

void ObjectMaker::forget_all() {
    for (size_t i = 0; i < recorded_count_; ++i)
        slots::free(recorded_[i]);
    recorded_count_ = 0;
    known_count_ = 0;
}

bool ObjectMaker::knows_table(uint64_t key) const {
    for (size_t i = 0; i < known_count_; ++i)
        if (known_tables_[i] == key) return true;
    return false;
}

VoidResult ObjectMaker::map(uint64_t frame, uint64_t vspace, uint64_t vaddr, uint64_t attributes,
                            Tables tables) {
    // Where only this maker makes tables, the tables that exist are the ones
    // it made: make the missing ones first rather than probing.
    if (tables == Tables::OnlyMine) {
        for (uint64_t level = 1; level <= 3; ++level) {
            uint64_t key = vspace << 32 | level << 28 | (vaddr >> (48 - 9 * level));
            if (knows_table(key)) continue;
            if (known_count_ == kMaxKnownTables) break; // (probe from here on)
            uint64_t table = TRY(make(abi::ObjectType::PageTable));
            int64_t mapped = inv::page_table_map(table, vspace, vaddr);
            if (mapped < 0) return Error(sys::status(mapped));
            known_tables_[known_count_++] = key;
        }
    }
    abi::Status mapped = map_frame(frame, vspace, vaddr, attributes, [this] {
        auto table = make(abi::ObjectType::PageTable);
        return table ? table.value() : 0;
    });
    if (mapped != abi::Status::Ok) return Error(mapped);
    return {};
}

} // namespace rayos::init
