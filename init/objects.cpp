// Kernel objects for init (see objects.h).
#include "objects.h"

#include <rayos/cap_alloc.h>
#include <rayos/invoke.h>
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
}

VoidResult ObjectMaker::map(uint64_t frame, uint64_t vspace, uint64_t vaddr, uint64_t attributes) {
    for (int tables = 0; tables <= 3; ++tables) {
        int64_t r = inv::frame_map(frame, vspace, vaddr, attributes);
        if (r == 0) return {};
        if (sys::status(r) != abi::Status::NotFound) return Error(sys::status(r));
        // A page table is missing on the way: add the highest one missing.
        uint64_t table = TRY(make(abi::ObjectType::PageTable));
        int64_t level = inv::page_table_map(table, vspace, vaddr);
        if (level < 0) return Error(sys::status(level));
    }
    return Error(abi::Status::NotFound);
}

} // namespace rayos::init
