// A client's memory through the kernel (the ClientMemory the pager runs
// on): resident frames are Frame objects made from the pager's own memory
// on first use, mapped into the client's address space (its addressSpaceOf
// grant) at its paged region and copied with frame_read / frame_write: the
// pager never maps client memory itself.
#pragma once

#include "client.h"

#include <cstdint>

namespace rayos::pager {

// Makes an object of `type` from the pager's memory in a free slot of its
// CSpace (0 when memory or slots run out).
uint64_t make_object(uint64_t type, uint64_t size_bits = 0);

class KernelMemory final : public ClientMemory {
public:
    KernelMemory() = default;
    explicit KernelMemory(uint64_t vspace) : vspace_(vspace) {}

    bool read_frame(uint32_t frame, uint8_t* page) override;
    bool write_frame(uint32_t frame, const uint8_t* page) override;
    bool map(uint32_t frame, uint32_t page) override;
    bool unmap(uint32_t frame) override;
    bool take_accessed(uint32_t frame) override;
    // Deletes the page tables made for the old address space (their slots
    // are used again; their memory stays spent: docs/CAVEATS.md).
    void new_address_space() override;
    bool reserve(uint32_t frames) override;

private:
    static constexpr uint32_t kMaxTables = 16; // a 16 MiB region needs 10
    // The frame's capability (made by reserve).
    uint64_t slot(uint32_t frame);
    // Makes the page tables `address` needs that it has not made; false
    // when it cannot tell or cannot make them.
    bool make_tables(uint64_t address);

    uint64_t vspace_ = 0;
    uint64_t frames_[Client::kMaxFrames] = {};
    uint64_t tables_[kMaxTables] = {};     // their slots
    uint64_t table_keys_[kMaxTables] = {}; // level << 60 | the range they cover
    uint32_t table_count_ = 0;
    uint64_t ready_ = 0; // bit i: the tables of the region's 2 MiB range i are made
};

} // namespace rayos::pager
