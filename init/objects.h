// Kernel objects for init, made from its untyped memory into capability
// slots from the runtime's slot allocator, and mappings that make the page
// tables they need.
#pragma once

#include <rayos/abi/boot_info.h>
#include <rayos/abi/objects.h>

#include <result.h>

#include <cstddef>
#include <cstdint>

namespace rayos::init {

class ObjectMaker {
public:
    static constexpr size_t kMaxRecorded = 2048;

    ObjectMaker() = default;
    // Makes objects from init's largest RAM region.
    explicit ObjectMaker(const abi::BootInfo& boot);
    // Makes objects from the untyped capability at `untyped` (a program's
    // own region) and remembers their slots, so that after the region is
    // revoked forget_all() can return them to the slot allocator.
    explicit ObjectMaker(uint64_t untyped) : untyped_(untyped), recording_(true) {}

    // A new object of `type` (size_bits for sized types) in a fresh slot of
    // init's root CNode; its slot address.
    [[nodiscard]] Result<uint64_t> make(abi::ObjectType type, uint64_t size_bits = 0);

    // Who makes the page tables around an address: only this maker (a
    // program's fresh address space, init's module windows: it knows which
    // exist), or others too (it finds out by trying).
    enum class Tables : uint8_t { OnlyMine, Shared };
    // Maps `frame` at `vaddr` in `vspace` with `attributes` (abi::kMap*),
    // making the page tables that are missing.
    [[nodiscard]] VoidResult map(uint64_t frame, uint64_t vspace, uint64_t vaddr,
                                 uint64_t attributes, Tables tables = Tables::Shared);

    // Remembers a slot holding a capability derived from this region.
    void adopt(uint64_t slot);
    // The region was revoked: every remembered slot is empty; free them.
    void forget_all();
    uint64_t untyped() const { return untyped_; }

private:
    static constexpr size_t kMaxKnownTables = 32;
    bool knows_table(uint64_t key) const;

    uint64_t untyped_ = 0;
    bool recording_ = false;
    uint16_t recorded_[kMaxRecorded] = {};
    size_t recorded_count_ = 0;
    // Page tables made for mappings: (vspace, level, the address bits above it).
    uint64_t known_tables_[kMaxKnownTables] = {};
    size_t known_count_ = 0;
};

} // namespace rayos::init
