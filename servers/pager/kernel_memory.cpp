// A client's memory through the kernel (see kernel_memory.h).
#include "kernel_memory.h"

#include <rayos/invoke.h>
#include <rayos/mapping.h>
#include <rayos/paging.h>
#include <rayos/program.h>

namespace rayos::pager {
namespace {

// Slots from here on are the pager's (32-39: the RPC server's receive
// window and spare room); deleted ones are used again.
uint64_t next_slot = program::kFirstFreeSlot + 8;
uint64_t free_slots[32];
uint32_t free_count = 0;

void release(uint64_t slot) {
    (void)inv::cnode_delete(program::kSlotCNode, slot, 64);
    if (free_count < sizeof(free_slots) / sizeof(free_slots[0])) free_slots[free_count++] = slot;
}

} // namespace

uint64_t make_object(uint64_t type, uint64_t size_bits) {
    bool reused = free_count > 0;
    uint64_t slot = reused ? free_slots[free_count - 1] : next_slot;
    if (slot >= (1u << program::kCNodeRadix) ||
        inv::untyped_retype(program::kSlotMemory, type, size_bits, program::kSlotCNode, slot, 1) !=
            1)
        return 0;
    if (reused)
        --free_count;
    else
        ++next_slot;
    return slot;
}

void KernelMemory::new_address_space() {
    for (uint32_t i = 0; i < table_count_; ++i)
        release(tables_[i]);
    table_count_ = 0;
    ready_ = 0;
}

bool KernelMemory::reserve(uint32_t frames) {
    for (uint32_t f = 0; f < frames && f < Client::kMaxFrames; ++f) {
        if (!frames_[f]) frames_[f] = make_object(uint64_t(abi::ObjectType::Frame), 12);
        if (!frames_[f]) return false;
    }
    return frames <= Client::kMaxFrames;
}

uint64_t KernelMemory::slot(uint32_t frame) {
    return frame < Client::kMaxFrames ? frames_[frame] : 0; // (reserved: made already)
}

bool KernelMemory::read_frame(uint32_t frame, uint8_t* page) {
    uint64_t f = slot(frame);
    return f && inv::frame_read(f, 0, reinterpret_cast<uint64_t>(page), paging::kPageSize) >= 0;
}

bool KernelMemory::write_frame(uint32_t frame, const uint8_t* page) {
    uint64_t f = slot(frame);
    return f && inv::frame_write(f, 0, reinterpret_cast<uint64_t>(page), paging::kPageSize) >= 0;
}

bool KernelMemory::make_tables(uint64_t address) {
    // Each 2 MiB of the region whose tables are all made is one bit.
    uint64_t range = (address - paging::kRegionBase) >> 21;
    if (range < 64 && (ready_ >> range & 1)) return true;
    // Only the pager maps in the paged region: the tables there are the
    // ones it made. Top down, each page_table_map fills the highest level
    // missing.
    for (uint64_t level = 1; level <= 3; ++level) {
        uint64_t key = level << 60 | address >> (48 - 9 * level);
        bool known = false;
        for (uint32_t i = 0; i < table_count_; ++i)
            if (table_keys_[i] == key) known = true;
        if (known) continue;
        if (table_count_ == kMaxTables) return false;
        uint64_t table = make_object(uint64_t(abi::ObjectType::PageTable));
        if (!table) return false;
        if (inv::page_table_map(table, vspace_, address) < 0) {
            release(table);
            return false;
        }
        tables_[table_count_] = table;
        table_keys_[table_count_++] = key;
    }
    if (range < 64) ready_ |= 1ull << range;
    return true;
}

bool KernelMemory::map(uint32_t frame, uint32_t page) {
    uint64_t f = slot(frame);
    uint64_t address = paging::kRegionBase + uint64_t(page) * paging::kPageSize;
    if (!f) return false;
    if (make_tables(address)) return inv::frame_map(f, vspace_, address, abi::kMapWritable) == 0;
    // (Tables not of its making, or too many: find out by trying.)
    return map_frame(f, vspace_, address, abi::kMapWritable, [] {
               return make_object(uint64_t(abi::ObjectType::PageTable));
           }) == abi::Status::Ok;
}

bool KernelMemory::unmap(uint32_t frame) {
    uint64_t f = slot(frame);
    return f && inv::frame_unmap(f) == 0;
}

bool KernelMemory::take_accessed(uint32_t frame) {
    uint64_t f = slot(frame);
    int64_t status = f ? inv::frame_status(f, 1) : 0;
    return status > 0 && (status & int64_t(abi::kFrameAccessed));
}

} // namespace rayos::pager
