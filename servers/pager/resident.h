// A client's resident pages and which one to evict next. What the pager
// knows of use comes from the accessed bits the kernel keeps per mapping
// (frame_status): a scan reads and clears them. LRU evicts the page whose
// last observed use is oldest; CLOCK sweeps a hand over the pages, giving
// each one that was used a second chance. Idle pages (unused for a number
// of ticks) are found for the idle policy. Pure logic, tested on the host.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::pager {

enum class Eviction : uint8_t { Lru, Clock };

// Where accessed bits come from (the kernel in the pager; a fake in tests).
class AccessBits {
public:
    // Whether resident page `page` was used since the last call for it;
    // clears the bit.
    virtual bool take_accessed(uint32_t page) = 0;

protected:
    ~AccessBits() = default;
};

class ResidentSet {
public:
    static constexpr uint32_t kMaxResident = 4096;
    static constexpr uint32_t kMaxPage = 4096; // pages are 0 .. kMaxPage - 1
    static constexpr uint32_t kNone = ~0u;

    // Up to `capacity` pages (at most kMaxResident) may be resident.
    explicit ResidentSet(uint32_t capacity)
        : capacity_(capacity < kMaxResident ? capacity : kMaxResident) {}

    uint32_t size() const { return count_; }
    uint32_t capacity() const { return capacity_; }
    bool full() const { return count_ >= capacity_; }
    // Changes the budget; pages above it stay until evicted (full() says so).
    void set_capacity(uint32_t capacity) {
        capacity_ = capacity < kMaxResident ? capacity : kMaxResident;
    }

    // A page became resident (just mapped: it counts as used at `now`).
    // False if the set is at kMaxResident, the page is there already or it
    // is kMaxPage or more.
    bool insert(uint32_t page, uint64_t now);
    // A page is no longer resident; false if it was not.
    bool erase(uint32_t page);
    bool contains(uint32_t page) const { return find(page) != kNone; }

    // Reads every page's accessed bit: a used page's last use becomes `now`.
    void scan(AccessBits& bits, uint64_t now);
    // The page to evict (kNone if none is resident). CLOCK reads accessed
    // bits as its hand passes; LRU uses the last scan's.
    uint32_t victim(Eviction policy, AccessBits& bits, uint64_t now);
    // Up to `max` pages not used for at least `age` ticks (after a scan), oldest
    // first; how many.
    uint32_t idle(uint64_t now, uint64_t age, uint32_t* out, uint32_t max) const;

private:
    uint32_t find(uint32_t page) const;

    uint32_t capacity_;
    uint32_t count_ = 0;
    uint32_t hand_ = 0; // CLOCK
    uint32_t pages_[kMaxResident] = {};
    uint16_t where_[kMaxPage] = {}; // page -> its index + 1 (0: not resident)
    uint64_t last_use_[kMaxResident] = {};
};

} // namespace rayos::pager
