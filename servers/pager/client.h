// One client of the pager: its paged region, its resident frames (up to
// its budget, from the pager's memory), and where each of its pages is:
// resident in a frame, stored (compressed, raw or as a value) in the
// store, or never touched. Its policy decides when pages are compressed:
// on demand (only when a fault needs a frame), at a threshold (keep a
// number of frames free), or when idle (pages unused for a number of
// ticks, from the kernel's accessed bits). Pure logic, tested on the host
// against a fake ClientMemory.
#pragma once

#include "codec.h"
#include "resident.h"
#include "store.h"

#include <rayos/limits.h>

#include <cstdint>

namespace rayos::pager {

struct ClientConfig {
    char name[32] = {};
    uint32_t region_pages = 0;
    uint32_t budget_frames = 0;
};

struct Policy {
    enum class Kind : uint8_t { Demand, Threshold, Idle };
    Kind kind = Kind::Demand;
    // Threshold: the free frames to keep (1 .. budget - 1); Idle: ticks a
    // page must go unused to be compressed (>= 1).
    uint32_t parameter = 0;
    Eviction eviction = Eviction::Clock;
};

// What a client's pages cost and where they are (idl/pager.capnp ClientStats).
struct ClientStats {
    uint64_t resident = 0, compressed = 0, same_filled = 0, raw = 0;
    uint64_t original_bytes = 0;   // of the stored pages
    uint64_t compressed_bytes = 0; // what they take in the store
    uint64_t page_ins = 0, page_outs = 0, zero_fills = 0, refused = 0;
    uint64_t page_in_instructions = 0, page_out_instructions = 0; // totals
    void add(const ClientStats& other);
};

// What the pager needs from the kernel for one client (the real one in
// main.cpp; tests fake it).
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
    // The client has a new address space (it was started again): what was
    // made for mappings in the old one can go.
    virtual void new_address_space() = 0;
    // Makes frames 0 .. frames - 1 ready (a budget is a reservation: the
    // fault path never makes one). False when memory runs out.
    virtual bool reserve(uint32_t frames) = 0;

protected:
    ~ClientMemory() = default;
};

enum class FaultResult : uint8_t {
    Served,
    OutsideRegion, // not a page of its region: a crash, not ours
    StoreFull,     // no room to page one out: nothing lost, the fault refused
    Corrupt,       // a stored page does not decode: never mapped as garbage
    KernelRefused, // a map, unmap or copy failed
};
const char* fault_result_name(FaultResult result);

class Client final : private AccessBits {
public:
    static constexpr uint32_t kMaxPages = limits::kPagerMaxRegionPages;
    static constexpr uint32_t kMaxFrames = limits::kPagerMaxBudget;
    static constexpr uint32_t kNone = ~0u;

    Client(const ClientConfig& config, ClientMemory& memory, Store& store);

    // A fault at page `page` of the region at tick `now`: makes room if the
    // budget is full (pages one out), brings the page in (decoded, or
    // zero-filled the first time) and maps it; then the threshold policy
    // keeps its free frames. Anything but Served: the client must not be
    // resumed, and nothing it had is lost.
    [[nodiscard]] FaultResult fault(uint32_t page, uint64_t now);
    // The pager's timer: the idle policy compresses pages unused for its
    // ticks. Pages compressed.
    uint32_t tick(uint64_t now);

    void set_level(Level level) { level_ = level; }
    // False (and nothing changes) for a parameter outside its range.
    [[nodiscard]] bool set_policy(const Policy& policy, uint64_t now);
    // 1 .. kMaxFrames, above the threshold policy's watermark. Growing
    // reserves the frames; shrinking pages out what is over the budget.
    enum class BudgetResult : uint8_t { Ok, Invalid, BelowWatermark, NoMemory, StoreFull };
    [[nodiscard]] BudgetResult set_budget(uint32_t frames, uint64_t now);
    // The client was started again (a new generation): its old pages are
    // gone with its old address space. Forgets them and frees their room.
    void reset();

    const ClientConfig& config() const { return config_; }
    Level level() const { return level_; }
    const Policy& policy() const { return policy_; }
    uint32_t budget() const { return config_.budget_frames; }
    uint32_t resident() const { return resident_.size(); }
    ClientStats stats() const;
    // Whether this page is resident / stored (tests).
    bool is_resident(uint32_t page) const {
        return page < kMaxPages && pages_[page].frame != kNone;
    }

private:
    struct PageState {
        uint32_t frame = kNone; // resident in this frame
        bool stored = false;    // else kept in the store (or as a value)
        uint32_t handle = 0;    // its store handle (none for same-filled pages)
        Encoded encoded;        // how it is stored
    };
    // Pages `page` out (its cost counted from `start`).
    bool page_out(uint32_t page, uint64_t start);
    // Pages one out (the policy's choice); false when none can go.
    bool evict(uint64_t now);
    // A free frame below the budget (kNone if none), taken / given back.
    uint32_t take_frame();
    void give_frame(uint32_t frame) { free_[free_count_++] = frame; }
    // The free frames again from frame_page_ (after the budget changed).
    void recount_free();
    uint32_t free_frames() const { return budget() - resident(); }
    // The threshold policy: page out until its free frames are kept.
    void keep_free(uint64_t now);
    bool take_accessed(uint32_t page) override {
        return pages_[page].frame != kNone && memory_.take_accessed(pages_[page].frame);
    }

    ClientConfig config_;
    ClientMemory& memory_;
    Store& store_;
    ResidentSet resident_;
    Level level_ = Level::Balanced;
    Policy policy_;
    ClientStats counters_; // (the counting part: page-ins, outs, costs)
    PageState pages_[kMaxPages];
    uint32_t frame_page_[kMaxFrames] = {}; // page in frame i (kNone: free)
    uint32_t free_[kMaxFrames] = {};       // free frames below the budget
    uint32_t free_count_ = 0;
};

} // namespace rayos::pager
