// Resident pages and eviction (see resident.h).
#include "resident.h"

namespace rayos::pager {

uint32_t ResidentSet::find(uint32_t page) const {
    return page < kMaxPage && where_[page] ? where_[page] - 1u : kNone;
}

bool ResidentSet::insert(uint32_t page, uint64_t now) {
    if (count_ == kMaxResident || page >= kMaxPage || contains(page)) return false;
    pages_[count_] = page;
    last_use_[count_] = now;
    ++count_;
    where_[page] = uint16_t(count_);
    return true;
}

bool ResidentSet::erase(uint32_t page) {
    uint32_t i = find(page);
    if (i == kNone) return false;
    // The last entry fills the hole; the hand stays where it points.
    --count_;
    where_[page] = 0;
    pages_[i] = pages_[count_];
    last_use_[i] = last_use_[count_];
    if (i != count_) where_[pages_[i]] = uint16_t(i + 1);
    if (hand_ >= count_) hand_ = 0;
    return true;
}

void ResidentSet::scan(AccessBits& bits, uint64_t now) {
    for (uint32_t i = 0; i < count_; ++i)
        if (bits.take_accessed(pages_[i])) last_use_[i] = now;
}

uint32_t ResidentSet::victim(Eviction policy, AccessBits& bits, uint64_t now) {
    if (count_ == 0) return kNone;
    if (policy == Eviction::Clock) {
        // At most two sweeps: the first clears every bit it passes.
        for (uint32_t step = 0; step < 2 * count_; ++step) {
            uint32_t i = hand_;
            hand_ = (hand_ + 1) % count_;
            if (bits.take_accessed(pages_[i])) {
                last_use_[i] = now;
                continue;
            }
            return pages_[i];
        }
        return pages_[hand_];
    }
    scan(bits, now);
    uint32_t oldest = 0;
    for (uint32_t i = 1; i < count_; ++i)
        if (last_use_[i] < last_use_[oldest]) oldest = i;
    return pages_[oldest];
}

uint32_t ResidentSet::idle(uint64_t now, uint64_t age, uint32_t* out, uint32_t max) const {
    uint32_t n = 0;
    // Oldest first: a selection by repeated minimum over the idle ones
    // (max is small: the pages one idle pass compresses).
    uint64_t after = 0;
    bool first = true;
    while (n < max) {
        uint32_t best = kNone;
        for (uint32_t i = 0; i < count_; ++i) {
            if (now - last_use_[i] < age) continue;
            if (!first && last_use_[i] <= after) continue;
            if (best == kNone || last_use_[i] < last_use_[best]) best = i;
        }
        if (best == kNone) break;
        // Every page with that same last use, in set order.
        uint64_t stamp = last_use_[best];
        for (uint32_t i = 0; i < count_ && n < max; ++i)
            if (last_use_[i] == stamp && now - last_use_[i] >= age) out[n++] = pages_[i];
        after = stamp;
        first = false;
    }
    return n;
}

} // namespace rayos::pager
