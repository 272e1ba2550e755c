// One client of the pager (see client.h).
#include "client.h"

namespace rayos::pager {
namespace {

alignas(16) uint8_t page_buffer[kPageSize];
alignas(16) uint8_t encoded_buffer[kPageSize];

uint64_t now_instructions() {
    return __builtin_ia32_rdtsc();
}

} // namespace

uint32_t Client::stored(Encoding encoding) const {
    uint32_t n = 0;
    for (uint32_t p = 0; p < config_.region_pages && p < kMaxPages; ++p)
        if (pages_[p].stored && pages_[p].encoded.encoding == encoding) ++n;
    return n;
}

uint32_t Client::free_frame() {
    if (!frames_ready_) {
        for (uint32_t f = 0; f < ResidentSet::kMaxResident; ++f)
            frame_page_[f] = kNone;
        frames_ready_ = true;
    }
    for (uint32_t f = 0; f < config_.budget_frames && f < ResidentSet::kMaxResident; ++f)
        if (frame_page_[f] == kNone) return f;
    return kNone;
}

bool Client::page_out(uint32_t page) {
    uint64_t start = now_instructions();
    PageState& s = pages_[page];
    uint32_t frame = s.frame;
    // Unmapped first: the client cannot change it while it is copied.
    if (!memory_.unmap(frame) || !memory_.read_frame(frame, page_buffer)) return false;
    Encoded e = encode(page_buffer, level_, encoded_buffer);
    uint32_t handle = 0;
    if (e.encoding != Encoding::SameFilled) {
        handle = store_.put(encoded_buffer, e.size);
        if (handle == Store::kNoHandle) {
            (void)memory_.map(frame, page); // (put it back: nothing is lost)
            return false;
        }
    }
    s.frame = kNone;
    s.stored = true;
    s.handle = handle;
    s.encoded = e;
    frame_page_[frame] = kNone;
    (void)resident_.erase(page);
    ++counters_.page_outs;
    counters_.page_out_instructions += now_instructions() - start;
    return true;
}

bool Client::fault(uint32_t page, uint64_t now) {
    if (page >= config_.region_pages || page >= kMaxPages) return false;
    PageState& s = pages_[page];
    if (s.frame != kNone) return true; // mapped already (a stale fault)
    uint32_t frame = free_frame();
    if (frame == kNone) {
        uint32_t victim = resident_.victim(eviction_, *this, now);
        if (victim == ResidentSet::kNone || !page_out(victim)) return false;
        frame = free_frame();
        if (frame == kNone) return false;
    }
    uint64_t start = now_instructions();
    if (s.stored) {
        const uint8_t* bytes =
            s.encoded.encoding == Encoding::SameFilled ? nullptr : store_.get(s.handle);
        if (s.encoded.encoding != Encoding::SameFilled && !bytes) return false;
        if (!decode(s.encoded, bytes, page_buffer)) return false;
        ++counters_.page_ins;
    } else {
        for (uint8_t& b : page_buffer)
            b = 0;
        ++counters_.zero_fills;
    }
    if (!memory_.write_frame(frame, page_buffer) || !memory_.map(frame, page)) return false;
    if (s.stored) {
        if (s.encoded.encoding != Encoding::SameFilled) (void)store_.free(s.handle, s.encoded.size);
        s.stored = false;
        s.handle = 0;
        counters_.page_in_instructions += now_instructions() - start;
    }
    s.frame = frame;
    frame_page_[frame] = page;
    (void)resident_.insert(page, now);
    return true;
}

} // namespace rayos::pager
