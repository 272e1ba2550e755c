// One client of the pager: its paged region, its resident frames (a fixed
// pool from the pager's memory, the client's budget), and where each of its
// pages is: resident in a frame, stored (compressed, raw or as a value) in
// the store, or never touched.
#pragma once

#include "codec.h"
#include "resident.h"
#include "store.h"

#include <cstdint>

namespace rayos::pager {

struct ClientConfig {
    char name[32] = {};
    uint32_t region_pages = 0;
    uint32_t budget_frames = 0;
};

struct ClientCounters {
    uint64_t page_ins = 0, page_outs = 0, zero_fills = 0;
    uint64_t page_in_instructions = 0, page_out_instructions = 0;
};

// What the pager needs from the kernel for one client (the real one in
// pager_main.cpp; tests may fake it).
class ClientMemory {
public:
    // Copies the contents of resident frame `frame` out / a page into it.
    virtual bool read_frame(uint32_t frame, uint8_t* page) = 0;
    virtual bool write_frame(uint32_t frame, const uint8_t* page) = 0;
    // Maps frame `frame` at page `page` of the region / takes it away.
    virtual bool map(uint32_t frame, uint32_t page) = 0;
    virtual bool unmap(uint32_t frame) = 0;
    // Whether the client used resident frame `frame` since the last call
    // (its accessed bit, cleared).
    virtual bool take_accessed(uint32_t frame) = 0;

protected:
    ~ClientMemory() = default;
};

class Client final : private AccessBits {
public:
    static constexpr uint32_t kMaxPages = 4096; // a 16 MiB region
    static constexpr uint32_t kNone = ~0u;

    Client(const ClientConfig& config, ClientMemory& memory, Store& store)
        : config_(config), memory_(memory), store_(store), resident_(config.budget_frames) {}

    // A fault at page `page` of the region: makes room if the budget is
    // full (pages one out), brings the page in (decoded, or zero-filled the
    // first time) and maps it. False when it cannot (the store is full, a
    // stored page does not decode, the kernel refuses): the client must not
    // be resumed.
    [[nodiscard]] bool fault(uint32_t page, uint64_t now);

    void set_level(Level level) { level_ = level; }
    void set_eviction(Eviction eviction) { eviction_ = eviction; }
    const ClientConfig& config() const { return config_; }
    const ClientCounters& counters() const { return counters_; }
    uint32_t resident() const { return resident_.size(); }
    uint32_t stored(Encoding encoding) const;

private:
    struct PageState {
        uint32_t frame = kNone; // resident in this frame
        bool stored = false;    // else kept in the store (or as a value)
        uint32_t handle = 0;    // its store handle (none for same-filled pages)
        Encoded encoded;        // how it is stored
    };
    bool page_out(uint32_t page);
    uint32_t free_frame();
    bool take_accessed(uint32_t page) override {
        return pages_[page].frame != kNone && memory_.take_accessed(pages_[page].frame);
    }

    ClientConfig config_;
    ClientMemory& memory_;
    Store& store_;
    ResidentSet resident_;
    Level level_ = Level::Balanced;
    Eviction eviction_ = Eviction::Clock;
    ClientCounters counters_;
    PageState pages_[kMaxPages];
    uint32_t frame_page_[ResidentSet::kMaxResident] = {}; // page in frame i (kNone: free)
    bool frames_ready_ = false;
};

} // namespace rayos::pager
