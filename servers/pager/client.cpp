// One client of the pager (see client.h).
#include "client.h"

namespace rayos::pager {
namespace {

// Page-aligned: the kernel's copies (frame_read / frame_write) then touch
// one page of the pager's memory, not two.
alignas(4096) uint8_t page_buffer[kPageSize];
alignas(4096) uint8_t encoded_buffer[kPageSize];

// Instructions under ./rayos bench (QEMU's instruction counting makes the
// TSC count them); cycles otherwise.
uint64_t now_instructions() {
    return __builtin_ia32_rdtsc();
}

} // namespace

const char* fault_result_name(FaultResult result) {
    switch (result) {
    case FaultResult::Served:
        return "served";
    case FaultResult::OutsideRegion:
        return "not in its paged region";
    case FaultResult::StoreFull:
        return "the compressed store is full";
    case FaultResult::Corrupt:
        return "a stored page does not decode";
    case FaultResult::KernelRefused:
        return "the kernel refused a mapping or copy";
    }
    return "?";
}

void ClientStats::add(const ClientStats& o) {
    resident += o.resident;
    compressed += o.compressed;
    same_filled += o.same_filled;
    raw += o.raw;
    original_bytes += o.original_bytes;
    compressed_bytes += o.compressed_bytes;
    page_ins += o.page_ins;
    page_outs += o.page_outs;
    zero_fills += o.zero_fills;
    refused += o.refused;
    page_in_instructions += o.page_in_instructions;
    page_out_instructions += o.page_out_instructions;
}

Client::Client(const ClientConfig& config, ClientMemory& memory, Store& store)
    : config_(config), memory_(memory), store_(store), resident_(config.budget_frames) {
    if (config_.region_pages > kMaxPages) config_.region_pages = kMaxPages;
    if (config_.budget_frames > kMaxFrames) config_.budget_frames = kMaxFrames;
    resident_.set_capacity(config_.budget_frames);
    for (uint32_t& page : frame_page_)
        page = kNone;
    recount_free();
}

void Client::recount_free() {
    free_count_ = 0;
    for (uint32_t f = config_.budget_frames; f-- > 0;) // (frame 0 on top)
        if (frame_page_[f] == kNone) give_frame(f);
}

uint32_t Client::take_frame() {
    return free_count_ ? free_[--free_count_] : kNone;
}

ClientStats Client::stats() const {
    ClientStats s = counters_;
    s.resident = resident();
    for (uint32_t p = 0; p < config_.region_pages; ++p) {
        const PageState& state = pages_[p];
        if (!state.stored) continue;
        s.original_bytes += kPageSize;
        s.compressed_bytes += state.encoded.size;
        switch (state.encoded.encoding) {
        case Encoding::SameFilled:
            ++s.same_filled;
            break;
        case Encoding::Raw:
            ++s.raw;
            break;
        case Encoding::Lz4:
            ++s.compressed;
            break;
        }
    }
    return s;
}

bool Client::page_out(uint32_t page, uint64_t start) {
    PageState& s = pages_[page];
    uint32_t frame = s.frame;
    // Unmapped first: the client cannot change it while it is copied.
    if (!memory_.unmap(frame)) return false;
    if (!memory_.read_frame(frame, page_buffer)) {
        (void)memory_.map(frame, page); // (put it back: nothing is lost)
        return false;
    }
    Encoded e = encode(page_buffer, level_, encoded_buffer);
    uint32_t handle = 0;
    if (e.encoding != Encoding::SameFilled) {
        handle = store_.put(encoded_buffer, e.size);
        if (handle == Store::kNoHandle) {
            (void)memory_.map(frame, page);
            return false;
        }
    }
    s.frame = kNone;
    s.stored = true;
    s.handle = handle;
    s.encoded = e;
    frame_page_[frame] = kNone;
    if (frame < config_.budget_frames) give_frame(frame);
    (void)resident_.erase(page);
    ++counters_.page_outs;
    counters_.page_out_instructions += now_instructions() - start;
    return true;
}

bool Client::evict(uint64_t now) {
    uint64_t start = now_instructions(); // (choosing the victim counts)
    uint32_t victim = resident_.victim(policy_.eviction, *this, now);
    return victim != ResidentSet::kNone && page_out(victim, start);
}

void Client::keep_free(uint64_t now) {
    if (policy_.kind != Policy::Kind::Threshold) return;
    while (resident() > 0 && free_frames() < policy_.parameter)
        if (!evict(now)) return;
}

FaultResult Client::fault(uint32_t page, uint64_t now) {
    if (page >= config_.region_pages) return FaultResult::OutsideRegion;
    PageState& s = pages_[page];
    if (s.frame != kNone) return FaultResult::Served; // mapped already (a stale fault)
    // Room first, before the page is in (so it cannot be its own victim):
    // a free frame, and the threshold policy's free frames after it.
    uint32_t needed = 1 + (policy_.kind == Policy::Kind::Threshold ? policy_.parameter : 0);
    while (resident() > 0 && (free_frames() < needed || free_count_ == 0)) {
        if (!evict(now)) {
            ++counters_.refused;
            return FaultResult::StoreFull;
        }
    }
    uint32_t frame = take_frame();
    if (frame == kNone) {
        ++counters_.refused;
        return FaultResult::StoreFull;
    }
    uint64_t start = now_instructions();
    if (s.stored) {
        const uint8_t* bytes =
            s.encoded.encoding == Encoding::SameFilled ? nullptr : store_.get(s.handle);
        if ((s.encoded.encoding != Encoding::SameFilled && !bytes) ||
            !decode(s.encoded, bytes, page_buffer)) {
            give_frame(frame);
            ++counters_.refused;
            return FaultResult::Corrupt;
        }
    } else {
        for (uint8_t& b : page_buffer)
            b = 0;
    }
    if (!memory_.write_frame(frame, page_buffer) || !memory_.map(frame, page)) {
        give_frame(frame);
        ++counters_.refused;
        return FaultResult::KernelRefused;
    }
    if (s.stored) {
        if (s.encoded.encoding != Encoding::SameFilled) (void)store_.free(s.handle, s.encoded.size);
        s.stored = false;
        s.handle = 0;
        ++counters_.page_ins;
        counters_.page_in_instructions += now_instructions() - start;
    } else {
        ++counters_.zero_fills;
    }
    s.frame = frame;
    frame_page_[frame] = page;
    (void)resident_.insert(page, now);
    return FaultResult::Served;
}

uint32_t Client::tick(uint64_t now) {
    if (policy_.kind != Policy::Kind::Idle) return 0;
    resident_.scan(*this, now);
    uint32_t idle[kMaxFrames];
    uint32_t n = resident_.idle(now, policy_.parameter, idle, kMaxFrames), done = 0;
    for (uint32_t i = 0; i < n; ++i)
        if (page_out(idle[i], now_instructions())) ++done;
    return done;
}

bool Client::set_policy(const Policy& policy, uint64_t now) {
    switch (policy.kind) {
    case Policy::Kind::Demand:
        break;
    case Policy::Kind::Threshold:
        if (policy.parameter == 0 || policy.parameter >= budget()) return false;
        break;
    case Policy::Kind::Idle:
        if (policy.parameter == 0) return false;
        break;
    }
    policy_ = policy;
    keep_free(now);
    return true;
}

Client::BudgetResult Client::set_budget(uint32_t frames, uint64_t now) {
    if (frames == 0 || frames > kMaxFrames) return BudgetResult::Invalid;
    if (policy_.kind == Policy::Kind::Threshold && policy_.parameter >= frames)
        return BudgetResult::BelowWatermark;
    if (frames > config_.budget_frames && !memory_.reserve(frames)) return BudgetResult::NoMemory;
    // Shrinking: the pages in frames at or above the new budget go (the
    // frames below stay as they are).
    for (uint32_t f = frames; f < config_.budget_frames; ++f)
        if (frame_page_[f] != kNone && !page_out(frame_page_[f], now_instructions())) {
            recount_free();
            return BudgetResult::StoreFull;
        }
    config_.budget_frames = frames;
    resident_.set_capacity(frames);
    recount_free();
    keep_free(now);
    return BudgetResult::Ok;
}

void Client::reset() {
    for (uint32_t p = 0; p < config_.region_pages; ++p) {
        PageState& s = pages_[p];
        if (s.frame != kNone) {
            (void)memory_.unmap(s.frame); // (its address space is gone already)
            frame_page_[s.frame] = kNone;
            (void)resident_.erase(p);
        }
        if (s.stored && s.encoded.encoding != Encoding::SameFilled)
            (void)store_.free(s.handle, s.encoded.size);
        s = PageState{};
    }
    recount_free();
    memory_.new_address_space();
}

} // namespace rayos::pager
