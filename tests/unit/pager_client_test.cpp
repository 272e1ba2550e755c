// The pager's clients on the host: a client's faults, policies, budgets,
// statistics and reset against a fake ClientMemory (client.h).
// the size-class store, and eviction from accessed bits.
#include "client.h"
#include "codec.h"
#include "page_content.h"
#include "pager_test_pages.h"
#include "resident.h"
#include "store.h"

#include <doctest/doctest.h>
#include <lz4.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace rayos::pager;
using namespace rayos::pager::test;

namespace {

// A client's memory in plain arrays: frames, and which page each maps.
// Frames beyond what was reserved are an error (the pager must reserve a
// budget before using it); a new mapping starts with its accessed bit clear.
struct FakeMemory final : ClientMemory {
    std::vector<Page> frames;
    std::map<uint32_t, uint32_t> mapped; // frame -> page
    std::set<uint32_t> accessed;         // frames
    std::vector<uint32_t> unmapped;      // pages taken away, in order
    std::vector<uint32_t> reserves;      // reserve() calls
    bool fail_reserve = false;           // reserve() says memory ran out
    int address_spaces = 1;
    explicit FakeMemory(uint32_t count) : frames(count, Page(kPageSize)) {}
    bool ready(uint32_t f) const {
        CHECK_MESSAGE(f < frames.size(), "frame ", f, " used but not reserved");
        return f < frames.size();
    }
    bool read_frame(uint32_t f, uint8_t* page) override {
        if (!ready(f)) return false;
        std::memcpy(page, frames[f].data(), kPageSize);
        return true;
    }
    bool write_frame(uint32_t f, const uint8_t* page) override {
        if (!ready(f)) return false;
        std::memcpy(frames[f].data(), page, kPageSize);
        return true;
    }
    bool map(uint32_t f, uint32_t page) override {
        if (!ready(f) || mapped.count(f)) return false;
        mapped[f] = page;
        accessed.erase(f);
        return true;
    }
    bool unmap(uint32_t f) override {
        auto it = mapped.find(f);
        if (it == mapped.end()) return false;
        unmapped.push_back(it->second);
        mapped.erase(it);
        accessed.erase(f);
        return true;
    }
    bool take_accessed(uint32_t f) override { return accessed.erase(f) > 0; }
    void new_address_space() override { ++address_spaces; }
    bool reserve(uint32_t count) override {
        reserves.push_back(count);
        if (fail_reserve) return false;
        if (count > frames.size()) frames.resize(count, Page(kPageSize));
        return true;
    }
    // The frame page `page` is mapped in, or -1.
    int frame_of(uint32_t page) const {
        for (auto& [f, p] : mapped)
            if (p == page) return int(f);
        return -1;
    }
};

} // namespace

TEST_CASE("client: a working set four times the budget, every page intact") {
    using rayos::workload::Content;
    for (Level level : {Level::None, Level::Fast, Level::Balanced, Level::Best})
        for (Eviction eviction : {Eviction::Lru, Eviction::Clock}) {
            CAPTURE(level_name(level));
            const uint32_t kPages = 64, kBudget = 16;
            auto arena = std::make_unique<uint8_t[]>(128 * Store::kPage);
            auto store = std::make_unique<Store>(arena.get(), 128);
            FakeMemory memory(kBudget);
            ClientConfig config{"memhog", kPages, kBudget};
            auto client = std::make_unique<Client>(config, memory, *store);
            client->set_level(level);
            Policy policy;
            policy.eviction = eviction;
            REQUIRE(client->set_policy(policy, 0));
            std::mt19937 rng(9);
            std::vector<uint32_t> version(kPages, 0);
            uint64_t now = 0;
            // A client touching pages at random: fault them in when unmapped.
            auto touch = [&](uint32_t page) -> Page& {
                int f = memory.frame_of(page);
                if (f < 0) {
                    REQUIRE(client->fault(page, ++now) == FaultResult::Served);
                    f = memory.frame_of(page);
                    REQUIRE(f >= 0);
                }
                memory.accessed.insert(uint32_t(f));
                return memory.frames[size_t(f)];
            };
            for (int step = 0; step < 1500; ++step) {
                uint32_t page = rng() % 4 == 0 ? rng() % kPages : rng() % (kPages / 4);
                Page& bytes = touch(page);
                if (version[page] == 0) {
                    CHECK(
                        std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; }));
                } else {
                    CHECK(rayos::workload::page_matches(Content::Mixed, page, version[page],
                                                        bytes.data()));
                }
                if (rng() % 2)
                    rayos::workload::fill_page(Content::Mixed, page, ++version[page], bytes.data());
            }
            CHECK(client->resident() == kBudget);
            CHECK(client->stats().page_outs > 0);
            CHECK(client->stats().page_ins > 0);
            CHECK(client->fault(kPages, ++now) == FaultResult::OutsideRegion);
        }
}

TEST_CASE("client: a full store refuses the fault and loses nothing") {
    const uint32_t kPages = 8, kBudget = 2;
    auto arena = std::make_unique<uint8_t[]>(1 * Store::kPage);
    auto store = std::make_unique<Store>(arena.get(), 1); // room for one raw page
    FakeMemory memory(kBudget);
    ClientConfig config{"c", kPages, kBudget};
    auto client = std::make_unique<Client>(config, memory, *store);
    client->set_level(Level::None);
    for (uint32_t page = 0; page < 3; ++page) { // random pages fill it quickly
        if (memory.frame_of(page) < 0 && client->fault(page, page) != FaultResult::Served) break;
        int f = memory.frame_of(page);
        REQUIRE(f >= 0);
        memory.frames[size_t(f)] = random_page(page + 1);
    }
    // Page 0 went to the store; page 3 needs another page out, which cannot fit.
    CHECK(client->fault(3, 10) == FaultResult::StoreFull);
    CHECK(client->stats().refused == 1);
    CHECK(memory.mapped.size() == kBudget); // both resident pages still mapped
    for (uint32_t page : {1u, 2u}) {
        int f = memory.frame_of(page);
        REQUIRE(f >= 0);
        CHECK(memory.frames[size_t(f)] == random_page(page + 1));
    }
}

namespace {

using rayos::workload::Content;

// One client with its store and memory, and what each of its pages should
// hold (an empty Page: never written, so it reads as zeros).
struct Rig {
    std::unique_ptr<uint8_t[]> arena;
    std::unique_ptr<Store> store;
    FakeMemory memory;
    std::unique_ptr<Client> client;
    std::vector<Page> expected;
    uint64_t now = 0;
    bool advance = true; // each fault at the next tick (else at `now`)

    Rig(uint32_t pages, uint32_t budget, uint32_t store_pages = 256)
        : arena(std::make_unique<uint8_t[]>(size_t(store_pages) * Store::kPage)),
          store(std::make_unique<Store>(arena.get(), store_pages)), memory(budget),
          client(std::make_unique<Client>(ClientConfig{"rig", pages, budget}, memory, *store)),
          expected(pages) {}

    bool mapped(uint32_t page) const { return memory.frame_of(page) >= 0; }
    // The page's frame as the client would use it: faulted in when it is
    // not mapped; its accessed bit set when `access`.
    Page& frame(uint32_t page, bool access = true) {
        int f = memory.frame_of(page);
        if (f < 0) {
            FaultResult r = client->fault(page, advance ? ++now : now);
            REQUIRE_MESSAGE(r == FaultResult::Served, std::string(fault_result_name(r)), " page ",
                            page);
            f = memory.frame_of(page);
            REQUIRE(f >= 0);
        }
        if (access) memory.accessed.insert(uint32_t(f));
        return memory.frames[size_t(f)];
    }
    void write(uint32_t page, const Page& content, bool access = true) {
        frame(page, access) = content;
        expected[page] = content;
    }
    // Whether the page reads as what was last written to it.
    bool intact(uint32_t page, bool access = true) {
        const Page& got = frame(page, access);
        if (expected[page].empty())
            return std::all_of(got.begin(), got.end(), [](uint8_t b) { return b == 0; });
        return got == expected[page];
    }
    bool all_intact() {
        for (uint32_t p = 0; p < expected.size(); ++p)
            if (!intact(p, false)) return false;
        return true;
    }
    // The pages unmapped since entry `from` of the log.
    std::set<uint32_t> unmapped_since(size_t from) const {
        return {memory.unmapped.begin() + std::ptrdiff_t(from), memory.unmapped.end()};
    }
};

Page workload_page(Content kind, uint32_t page, uint32_t version) {
    Page p(kPageSize);
    rayos::workload::fill_page(kind, page, version, p.data());
    return p;
}

Policy make_policy(Policy::Kind kind, uint32_t parameter, Eviction eviction = Eviction::Lru) {
    Policy p;
    p.kind = kind;
    p.parameter = parameter;
    p.eviction = eviction;
    return p;
}

} // namespace

TEST_CASE("client: the threshold policy keeps its free frames after every fault") {
    for (Eviction eviction : {Eviction::Lru, Eviction::Clock}) {
        CAPTURE(int(eviction));
        const uint32_t kPages = 48, kBudget = 8, kWatermark = 3;
        Rig rig(kPages, kBudget);
        REQUIRE(
            rig.client->set_policy(make_policy(Policy::Kind::Threshold, kWatermark, eviction), 0));
        std::mt19937 rng(21);
        std::vector<uint32_t> version(kPages, 0);
        uint64_t faults = 0;
        for (int step = 0; step < 1200; ++step) {
            uint32_t page = rng() % 3 == 0 ? rng() % kPages : rng() % 12;
            bool was_mapped = rig.mapped(page);
            REQUIRE(rig.intact(page));
            if (!was_mapped) {
                ++faults;
                REQUIRE(rig.client->resident() <= kBudget - kWatermark);
                REQUIRE(rig.memory.mapped.size() == rig.client->resident());
            }
            if (rng() % 2) rig.write(page, workload_page(Content::Mixed, page, ++version[page]));
        }
        ClientStats s = rig.client->stats();
        CHECK(s.page_ins + s.zero_fills == faults);
        CHECK(s.page_outs > 0);
        CHECK(s.page_ins > 0);
        // Warm: every fault had to page out, so exactly the watermark is free.
        CHECK(rig.client->resident() == kBudget - kWatermark);
        CHECK(rig.all_intact());
    }
}

TEST_CASE("client: set_policy refuses bad watermarks and idle 0; a threshold pages out at once") {
    const uint32_t kBudget = 8;
    Rig rig(32, kBudget);
    for (uint32_t p = 0; p < kBudget; ++p)
        rig.write(p, text_page(p));
    REQUIRE(rig.client->resident() == kBudget);
    for (uint32_t bad : {0u, kBudget, kBudget + 1, 1000u}) {
        CAPTURE(bad);
        CHECK_FALSE(rig.client->set_policy(make_policy(Policy::Kind::Threshold, bad), ++rig.now));
    }
    CHECK_FALSE(rig.client->set_policy(make_policy(Policy::Kind::Idle, 0), ++rig.now));
    // Nothing changed: still the default (demand, CLOCK), nothing paged out.
    CHECK(rig.client->policy().kind == Policy::Kind::Demand);
    CHECK(rig.client->policy().parameter == 0);
    CHECK(rig.client->policy().eviction == Eviction::Clock);
    CHECK(rig.client->resident() == kBudget);
    CHECK(rig.client->stats().page_outs == 0);

    // 8 resident, watermark 3: 3 pages go right away.
    REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Threshold, 3), ++rig.now));
    CHECK(rig.client->policy().kind == Policy::Kind::Threshold);
    CHECK(rig.client->policy().parameter == 3);
    CHECK(rig.client->policy().eviction == Eviction::Lru);
    CHECK(rig.client->resident() == kBudget - 3);
    CHECK(rig.memory.mapped.size() == kBudget - 3);
    CHECK(rig.client->stats().page_outs == 3);
    CHECK(rig.memory.unmapped.size() == 3);
    // The largest watermark: one frame in use at most.
    REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Threshold, kBudget - 1), ++rig.now));
    CHECK(rig.client->resident() == 1);
    for (uint32_t p = 0; p < 2 * kBudget; ++p) {
        CHECK(rig.intact(p));
        CHECK(rig.client->resident() == 1);
    }
    // Idle 1 is the shortest idle time.
    CHECK(rig.client->set_policy(make_policy(Policy::Kind::Idle, 1), ++rig.now));
    CHECK(rig.client->policy().kind == Policy::Kind::Idle);
}

TEST_CASE("client: the idle policy pages out what went unused for its ticks") {
    Rig rig(16, 8);
    REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Idle, 3), 0));
    CHECK_FALSE(rig.client->set_policy(make_policy(Policy::Kind::Idle, 0), 0));
    CHECK(rig.client->policy().parameter == 3);
    rig.advance = false;
    rig.now = 10; // pages 0..5 come in at tick 10
    for (uint32_t p = 0; p < 6; ++p)
        rig.write(p, p % 2 ? text_page(p) : workload_page(Content::Binary, p, 1), false);
    CHECK(rig.client->tick(11) == 0);
    rig.memory.accessed = {uint32_t(rig.memory.frame_of(0)), uint32_t(rig.memory.frame_of(1))};
    CHECK(rig.client->tick(12) == 0); // unused for 2 ticks only; 0 and 1 used at 12
    CHECK(rig.client->resident() == 6);
    CHECK(rig.client->tick(13) == 4); // 2..5 unused for 3 ticks
    CHECK(rig.unmapped_since(0) == std::set<uint32_t>{2, 3, 4, 5});
    CHECK(rig.client->resident() == 2);
    CHECK(rig.client->stats().page_outs == 4);
    rig.memory.accessed = {uint32_t(rig.memory.frame_of(0))};
    CHECK(rig.client->tick(14) == 0);
    CHECK(rig.client->tick(15) == 1); // 1 (last used at 12) goes; 0 was used at 14
    CHECK(rig.mapped(0));
    CHECK_FALSE(rig.mapped(1));
    CHECK(rig.client->tick(16) == 0);
    CHECK(rig.client->tick(17) == 1);
    CHECK(rig.client->resident() == 0);
    CHECK(rig.client->tick(18) == 0);
    // A page used on every tick stays; the others go after three.
    rig.now = 20;
    CHECK(rig.intact(0));
    CHECK(rig.intact(1, false));
    for (uint64_t t = 21; t < 40; ++t) {
        rig.memory.accessed.insert(uint32_t(rig.memory.frame_of(0)));
        CHECK(rig.client->tick(t) == (t == 23 ? 1u : 0u));
        CHECK(rig.mapped(0));
    }
    CHECK_FALSE(rig.mapped(1));
    rig.now = 40;
    CHECK(rig.all_intact());
}

TEST_CASE("client: tick does nothing under the demand and threshold policies") {
    for (Policy policy : {make_policy(Policy::Kind::Demand, 0),
                          make_policy(Policy::Kind::Threshold, 2, Eviction::Clock)}) {
        CAPTURE(int(policy.kind));
        Rig rig(16, 8);
        REQUIRE(rig.client->set_policy(policy, 0));
        for (uint32_t p = 0; p < 5; ++p)
            rig.write(p, text_page(p), false);
        CHECK(rig.client->tick(1000) == 0);
        CHECK(rig.client->tick(1u << 30) == 0);
        CHECK(rig.client->resident() == 5);
        CHECK(rig.client->stats().page_outs == 0);
        CHECK(rig.memory.unmapped.empty());
        // An idle policy set later does page them out.
        REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Idle, 100), 1000));
        CHECK(rig.client->tick(2000) == 5);
        CHECK(rig.all_intact());
    }
}

TEST_CASE("client: LRU pages out the page unused longest") {
    Rig rig(16, 4);
    REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Demand, 0, Eviction::Lru), 0));
    for (uint32_t p = 0; p < 4; ++p) // pages 0..3 in at ticks 1..4
        rig.write(p, text_page(p), false);
    rig.write(4, text_page(4), false); // at 5: nothing used since, 0 is oldest
    CHECK(rig.memory.unmapped == std::vector<uint32_t>{0});
    // 1 and 2 used (seen at 6): 3 (in at 4) is now the oldest.
    rig.memory.accessed = {uint32_t(rig.memory.frame_of(1)), uint32_t(rig.memory.frame_of(2))};
    rig.write(5, text_page(5), false);
    CHECK(rig.memory.unmapped == std::vector<uint32_t>{0, 3});
    rig.write(6, text_page(6), false); // 4 (5) before 1, 2 (6) and 5 (6)
    CHECK(rig.memory.unmapped == std::vector<uint32_t>{0, 3, 4});
    CHECK(rig.all_intact());
}

TEST_CASE("client: CLOCK gives a page whose accessed bit is set a second chance") {
    Rig rig(16, 4);
    REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Demand, 0, Eviction::Clock), 0));
    for (uint32_t p = 0; p < 4; ++p)
        rig.write(p, text_page(p), false);
    // Every page but 2 used: the hand passes 0 and 1 (clearing their bits).
    for (uint32_t p : {0u, 1u, 3u})
        rig.memory.accessed.insert(uint32_t(rig.memory.frame_of(p)));
    rig.write(4, text_page(4), false);
    CHECK(rig.memory.unmapped == std::vector<uint32_t>{2});
    CHECK(rig.memory.accessed.count(uint32_t(rig.memory.frame_of(0))) == 0);
    CHECK(rig.memory.accessed.count(uint32_t(rig.memory.frame_of(1))) == 0);
    // Only 4 is left unused: 0, 1 and 3 used again.
    for (uint32_t p : {0u, 1u, 3u})
        rig.memory.accessed.insert(uint32_t(rig.memory.frame_of(p)));
    rig.write(5, text_page(5), false);
    CHECK(rig.memory.unmapped == std::vector<uint32_t>{2, 4});
    // All used: every one gets its chance, one still goes, every bit cleared.
    for (auto& [f, page] : rig.memory.mapped)
        rig.memory.accessed.insert(f);
    rig.write(6, text_page(6), false);
    CHECK(rig.memory.unmapped.size() == 3);
    CHECK(rig.memory.accessed.empty());
    CHECK(rig.client->resident() == 4);
    CHECK(rig.all_intact());
}

TEST_CASE("client: eviction over a random workload follows LRU exactly and CLOCK's second chance") {
    for (Eviction eviction : {Eviction::Lru, Eviction::Clock}) {
        CAPTURE(int(eviction));
        const uint32_t kPages = 24, kBudget = 6;
        Rig rig(kPages, kBudget);
        REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Demand, 0, eviction), 0));
        std::map<uint32_t, uint64_t> last_use; // resident page -> last use seen (LRU model)
        std::mt19937 rng(77);
        uint32_t evictions = 0, second_chances = 0;
        for (int step = 0; step < 1500; ++step) {
            uint32_t page = rng() % 4 == 0 ? rng() % kPages : rng() % 9;
            if (rig.mapped(page)) {
                if (rng() % 3) rig.memory.accessed.insert(uint32_t(rig.memory.frame_of(page)));
                continue;
            }
            std::set<uint32_t> used, candidates;
            if (last_use.size() == kBudget) {
                uint64_t now = rig.now + 1; // the fault's tick
                for (auto& [p, t] : last_use)
                    if (rig.memory.accessed.count(uint32_t(rig.memory.frame_of(p)))) {
                        used.insert(p);
                        t = now;
                    }
                uint64_t oldest = ~0ull;
                for (auto& [p, t] : last_use)
                    oldest = std::min(oldest, t);
                for (auto& [p, t] : last_use)
                    if (t == oldest) candidates.insert(p);
            }
            size_t before = rig.memory.unmapped.size();
            REQUIRE(rig.intact(page, rng() % 2 == 0));
            std::set<uint32_t> out = rig.unmapped_since(before);
            if (last_use.size() < kBudget) {
                CHECK(out.empty()); // a free frame: nothing goes
            } else {
                REQUIRE(out.size() == 1);
                uint32_t victim = *out.begin();
                REQUIRE(last_use.count(victim));
                ++evictions;
                if (eviction == Eviction::Lru) {
                    CHECK_MESSAGE(candidates.count(victim), "LRU evicted ", victim);
                } else if (used.size() < kBudget) {
                    CHECK_MESSAGE(used.count(victim) == 0, "CLOCK evicted a used page ", victim);
                    second_chances += used.empty() ? 0 : 1;
                }
                last_use.erase(victim);
            }
            last_use[page] = rig.now;
            if (rng() % 3 == 0)
                rig.write(page, workload_page(Content::Mixed, page, uint32_t(step)));
        }
        CHECK(evictions > 300);
        if (eviction == Eviction::Clock) CHECK(second_chances > 50);
        CHECK(rig.all_intact());
    }
}

TEST_CASE("client: growing the budget reserves frames and pages nothing out") {
    Rig rig(32, 4);
    for (uint32_t p = 0; p < 4; ++p)
        rig.write(p, text_page(p + 40));
    auto before = rig.memory.mapped;
    CHECK(rig.client->set_budget(4, ++rig.now) == Client::BudgetResult::Ok); // the same: nothing
    CHECK(rig.memory.reserves.empty());
    REQUIRE(rig.client->set_budget(10, ++rig.now) == Client::BudgetResult::Ok);
    CHECK(rig.memory.reserves == std::vector<uint32_t>{10});
    CHECK(rig.client->budget() == 10);
    CHECK(rig.memory.mapped == before); // nothing moved
    for (uint32_t p = 4; p < 10; ++p)
        rig.write(p, random_page(p));
    CHECK(rig.client->resident() == 10);
    CHECK(rig.memory.mapped.size() == 10);
    CHECK(rig.client->stats().page_outs == 0);
    CHECK(rig.memory.unmapped.empty());
    rig.write(10, text_page(10)); // now the new budget is full
    CHECK(rig.client->stats().page_outs == 1);
    CHECK(rig.all_intact());
}

TEST_CASE("client: shrinking the budget pages out exactly the frames above it") {
    for (Eviction eviction : {Eviction::Lru, Eviction::Clock}) {
        CAPTURE(int(eviction));
        const uint32_t kBudget = 8, kSmaller = 3;
        Rig rig(32, kBudget);
        REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Demand, 0, eviction), 0));
        // Pages through the frames a few times, so they are not in order.
        std::mt19937 rng(5);
        for (int i = 0; i < 60; ++i) {
            uint32_t p = rng() % 20;
            Page content = p % 3 == 0   ? text_page(p)
                           : p % 3 == 1 ? random_page(p)
                                        : workload_page(Content::Binary, p, uint32_t(i));
            rig.write(p, content);
        }
        REQUIRE(rig.client->resident() == kBudget);
        auto before = rig.memory.mapped;
        std::set<uint32_t> above;
        for (auto& [f, page] : before)
            if (f >= kSmaller) above.insert(page);
        uint64_t outs = rig.client->stats().page_outs;
        size_t log = rig.memory.unmapped.size();
        REQUIRE(rig.client->set_budget(kSmaller, ++rig.now) == Client::BudgetResult::Ok);
        CHECK(rig.client->budget() == kSmaller);
        CHECK(rig.client->resident() == kSmaller);
        CHECK(rig.unmapped_since(log) == above);
        CHECK(rig.memory.unmapped.size() - log == kBudget - kSmaller);
        CHECK(rig.client->stats().page_outs - outs == kBudget - kSmaller);
        for (uint32_t f = 0; f < kSmaller; ++f) { // the frames below stay as they are
            REQUIRE(rig.memory.mapped.count(f));
            CHECK(rig.memory.mapped[f] == before[f]);
        }
        // Every page back, none in a frame at or above the new budget.
        for (uint32_t p = 0; p < 32; ++p) {
            CHECK(rig.intact(p));
            for (auto& [f, page] : rig.memory.mapped)
                CHECK(f < kSmaller);
        }
        CHECK(rig.client->resident() == kSmaller);
        // And grown again: the frames above are usable once more.
        REQUIRE(rig.client->set_budget(kBudget, ++rig.now) == Client::BudgetResult::Ok);
        for (uint32_t p = 0; p < kBudget; ++p)
            CHECK(rig.intact(p));
        CHECK(rig.client->resident() == kBudget);
    }
}

TEST_CASE("client: budgets out of range, under the watermark or without memory are refused") {
    using R = Client::BudgetResult;
    Rig rig(32, 8);
    for (uint32_t p = 0; p < 6; ++p)
        rig.write(p, text_page(p));
    CHECK(rig.client->set_budget(0, ++rig.now) == R::Invalid);
    CHECK(rig.client->set_budget(Client::kMaxFrames + 1, ++rig.now) == R::Invalid);
    CHECK(rig.client->set_budget(~0u, ++rig.now) == R::Invalid);
    CHECK(rig.client->budget() == 8);
    CHECK(rig.memory.reserves.empty());
    CHECK(rig.client->set_budget(Client::kMaxFrames, ++rig.now) == R::Ok);
    CHECK(rig.client->budget() == Client::kMaxFrames);
    CHECK(rig.client->set_budget(8, ++rig.now) == R::Ok);
    CHECK(rig.client->resident() == 6);

    REQUIRE(rig.client->set_policy(make_policy(Policy::Kind::Threshold, 4), ++rig.now));
    CHECK(rig.client->resident() == 4);
    CHECK(rig.client->set_budget(4, ++rig.now) == R::BelowWatermark); // equal
    CHECK(rig.client->set_budget(2, ++rig.now) == R::BelowWatermark);
    CHECK(rig.client->set_budget(0, ++rig.now) == R::Invalid);
    CHECK(rig.client->budget() == 8);
    CHECK(rig.client->resident() == 4);
    // Above it: the threshold is kept in the smaller budget at once.
    CHECK(rig.client->set_budget(6, ++rig.now) == R::Ok);
    CHECK(rig.client->resident() == 2);
    CHECK(rig.client->set_budget(5, ++rig.now) == R::Ok);
    CHECK(rig.client->resident() == 1);

    size_t reserves = rig.memory.reserves.size();
    rig.memory.fail_reserve = true;
    auto mapped = rig.memory.mapped;
    uint64_t outs = rig.client->stats().page_outs;
    CHECK(rig.client->set_budget(12, ++rig.now) == R::NoMemory);
    CHECK(rig.memory.reserves.size() == reserves + 1);
    CHECK(rig.client->budget() == 5);
    CHECK(rig.memory.mapped == mapped);
    CHECK(rig.client->stats().page_outs == outs);
    // Shrinking needs no memory.
    CHECK(rig.client->set_budget(Client::kMaxFrames, ++rig.now) == R::NoMemory);
    CHECK(rig.client->budget() == 5);
    // The old budget still works: threshold 4 of 5, every page intact.
    for (uint32_t p = 0; p < 12; ++p) {
        CHECK(rig.intact(p));
        CHECK(rig.client->resident() == 1);
    }
    rig.memory.fail_reserve = false;
    CHECK(rig.client->set_budget(12, ++rig.now) == R::Ok);
    CHECK(rig.client->budget() == 12);
    for (uint32_t p = 0; p < 8; ++p)
        CHECK(rig.intact(p));
    CHECK(rig.client->resident() == 8);
    CHECK(rig.memory.reserves.size() == reserves + 3);
}

TEST_CASE("client: shrinking into a full store is refused and loses nothing") {
    Rig rig(4, 4, 1); // room for one raw page
    rig.client->set_level(Level::None);
    for (uint32_t p = 0; p < 4; ++p)
        rig.write(p, random_page(p + 200));
    CHECK(rig.client->set_budget(1, ++rig.now) == Client::BudgetResult::StoreFull);
    CHECK(rig.client->budget() == 4);
    ClientStats s = rig.client->stats();
    CHECK(s.resident + s.raw == 4); // each page resident or stored
    CHECK(rig.memory.mapped.size() == s.resident);
    CHECK(rig.all_intact());
    CHECK(rig.client->resident() == 4);
    // Still refused, still whole; a budget the store can take works.
    CHECK(rig.client->set_budget(2, ++rig.now) == Client::BudgetResult::StoreFull);
    CHECK(rig.all_intact());
    CHECK(rig.client->set_budget(3, ++rig.now) == Client::BudgetResult::Ok);
    CHECK(rig.client->budget() == 3);
    CHECK(rig.client->resident() == 3);
    CHECK(rig.client->stats().raw == 1);
    for (auto& [f, page] : rig.memory.mapped)
        CHECK(f < 3);
    // The stored page comes back in place of another: the store has its room.
    for (uint32_t p = 0; p < 4; ++p) {
        FaultResult r = rig.mapped(p) ? FaultResult::Served : rig.client->fault(p, ++rig.now);
        if (r == FaultResult::StoreFull) continue; // (swapping needs room for two)
        CHECK(r == FaultResult::Served);
    }
    CHECK(rig.client->stats().resident + rig.client->stats().raw == 4);
}

TEST_CASE("client: statistics count what is stored, moved and refused") {
    Rig rig(24, 2);
    rig.client->set_level(Level::Balanced);
    std::set<uint32_t> stored;
    size_t seen = 0;
    uint64_t ins = 0, zeros = 0;
    auto use = [&](uint32_t page) -> Page& {
        if (!rig.mapped(page)) (stored.erase(page) ? ins : zeros)++;
        Page& bytes = rig.frame(page);
        while (seen < rig.memory.unmapped.size())
            stored.insert(rig.memory.unmapped[seen++]);
        return bytes;
    };
    auto set = [&](uint32_t page, const Page& content) {
        use(page) = content;
        rig.expected[page] = content;
    };
    for (uint32_t p = 0; p < 4; ++p) // never written: zero pages
        (void)use(p);
    set(4, Page(kPageSize, 0xAB)); // same-filled, not zero
    for (uint32_t p = 5; p < 11; ++p)
        set(p, text_page(p));
    for (uint32_t p = 11; p < 15; ++p)
        set(p, random_page(p));
    for (uint32_t p = 15; p < 18; ++p)
        set(p, workload_page(Content::Binary, p, 2));
    for (uint32_t p = 18; p-- > 0;)
        if (p % 3) {
            (void)use(p); // (then mapped: intact() reads it in place)
            CHECK(rig.intact(p));
        }

    uint64_t compressed = 0, same = 0, raw = 0, bytes = 0;
    Page out(kPageSize);
    for (uint32_t p : stored) {
        CHECK_FALSE(rig.client->is_resident(p));
        Page content = rig.expected[p].empty() ? Page(kPageSize, 0) : rig.expected[p];
        Encoded e = encode(content.data(), Level::Balanced, out.data());
        bytes += e.size;
        switch (e.encoding) {
        case Encoding::SameFilled:
            ++same;
            CHECK(e.size == 0);
            break;
        case Encoding::Raw:
            ++raw;
            CHECK(e.size == kPageSize);
            break;
        case Encoding::Lz4:
            ++compressed;
            break;
        }
    }
    REQUIRE(compressed >= 5);
    REQUIRE(same >= 3);
    REQUIRE(raw >= 2);
    ClientStats s = rig.client->stats();
    CHECK(s.resident == 2);
    CHECK(s.resident + stored.size() == 18);
    CHECK(s.compressed == compressed);
    CHECK(s.same_filled == same);
    CHECK(s.raw == raw);
    CHECK(s.original_bytes == kPageSize * stored.size());
    CHECK(s.compressed_bytes == bytes);
    CHECK(s.compressed_bytes < s.original_bytes);
    CHECK(s.page_ins == ins);
    CHECK(s.zero_fills == zeros);
    CHECK(zeros == 18);
    CHECK(s.page_outs == rig.memory.unmapped.size());
    CHECK(s.page_ins + s.zero_fills == s.page_outs + s.resident);
    CHECK(s.refused == 0);
    CHECK(s.page_in_instructions > 0);
    CHECK(s.page_out_instructions > 0);
    // The store holds exactly the compressed and raw pages.
    StoreStats st = rig.store->stats();
    CHECK(st.objects == s.compressed + s.raw);
    CHECK(st.stored_bytes == s.compressed_bytes);

    // Refused faults are counted (a full store), the rest unchanged.
    Rig full(8, 1, 1);
    full.client->set_level(Level::None);
    full.write(0, random_page(1));
    full.write(1, random_page(2)); // 0 fills the store
    for (int i = 1; i <= 3; ++i) {
        CHECK(full.client->fault(2, ++full.now) == FaultResult::StoreFull);
        CHECK(full.client->stats().refused == uint64_t(i));
    }
    CHECK(full.client->fault(9, ++full.now) == FaultResult::OutsideRegion);
    ClientStats f = full.client->stats();
    CHECK(f.page_outs == 1);
    CHECK(f.zero_fills == 2);
    CHECK(f.page_ins == 0);
    CHECK(f.raw == 1);
    CHECK(f.compressed_bytes == kPageSize);

    ClientStats total = s;
    total.add(f);
    CHECK(total.resident == s.resident + f.resident);
    CHECK(total.compressed == s.compressed + f.compressed);
    CHECK(total.same_filled == s.same_filled + f.same_filled);
    CHECK(total.raw == s.raw + f.raw);
    CHECK(total.original_bytes == s.original_bytes + f.original_bytes);
    CHECK(total.compressed_bytes == s.compressed_bytes + f.compressed_bytes);
    CHECK(total.page_ins == s.page_ins + f.page_ins);
    CHECK(total.page_outs == s.page_outs + f.page_outs);
    CHECK(total.zero_fills == s.zero_fills + f.zero_fills);
    CHECK(total.refused == s.refused + f.refused);
    CHECK(total.page_in_instructions == s.page_in_instructions + f.page_in_instructions);
    CHECK(total.page_out_instructions == s.page_out_instructions + f.page_out_instructions);
}

TEST_CASE("client: ClientStats::add sums every field") {
    ClientStats a{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    ClientStats b{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200};
    a.add(b);
    CHECK(a.resident == 101);
    CHECK(a.compressed == 202);
    CHECK(a.same_filled == 303);
    CHECK(a.raw == 404);
    CHECK(a.original_bytes == 505);
    CHECK(a.compressed_bytes == 606);
    CHECK(a.page_ins == 707);
    CHECK(a.page_outs == 808);
    CHECK(a.zero_fills == 909);
    CHECK(a.refused == 1010);
    CHECK(a.page_in_instructions == 1111);
    CHECK(a.page_out_instructions == 1212);
    a.add(ClientStats{});
    CHECK(a.page_out_instructions == 1212);
}

TEST_CASE("client: level None stores pages raw, the LZ4 levels compress text") {
    for (Level level : {Level::None, Level::Fast, Level::Balanced, Level::Best}) {
        CAPTURE(level_name(level));
        Rig rig(16, 1);
        rig.client->set_level(level);
        CHECK(rig.client->level() == level);
        for (uint32_t p = 0; p < 4; ++p)
            rig.write(p, text_page(p + 60));
        rig.write(4, workload_page(Content::Binary, 4, 1));
        rig.write(5, random_page(5));
        (void)rig.frame(6); // 0..5 stored, 6 (zero) resident
        ClientStats s = rig.client->stats();
        CHECK(s.same_filled == 0);
        if (level == Level::None) {
            CHECK(s.compressed == 0);
            CHECK(s.raw == 6);
            CHECK(s.compressed_bytes == 6 * kPageSize);
        } else {
            CHECK(s.compressed == 5);
            CHECK(s.raw == 1);
            CHECK(s.compressed_bytes < 4 * kPageSize);
        }
        (void)rig.frame(7); // a zero page is a value at every level
        CHECK(rig.client->stats().same_filled == 1);
        CHECK(rig.all_intact());
    }
}

TEST_CASE("client: a new level applies to later page-outs only") {
    Rig rig(16, 1);
    rig.client->set_level(Level::None);
    for (uint32_t p = 0; p < 3; ++p)
        rig.write(p, text_page(p + 80));
    (void)rig.frame(3, false); // 0..2 out raw
    CHECK(rig.client->stats().raw == 3);
    rig.client->set_level(Level::Balanced);
    CHECK(rig.client->stats().raw == 3); // what is stored stays as it is
    CHECK(rig.client->stats().compressed == 0);
    for (uint32_t p = 4; p < 6; ++p)
        rig.write(p, text_page(p + 80));
    (void)rig.frame(6, false); // 3 (zero), 4, 5 out at Balanced
    ClientStats s = rig.client->stats();
    CHECK(s.raw == 3);
    CHECK(s.compressed == 2);
    CHECK(s.same_filled == 1);
    // A raw page in and out again is compressed now.
    CHECK(rig.intact(0));
    (void)rig.frame(7, false);
    s = rig.client->stats();
    CHECK(s.raw == 2);
    CHECK(s.compressed == 3);
    // And back: Best compresses, None stores raw again.
    rig.client->set_level(Level::Best);
    CHECK(rig.intact(1));
    (void)rig.frame(8, false); // 1 out at Best
    rig.client->set_level(Level::None);
    CHECK(rig.intact(4));
    (void)rig.frame(9, false); // 4 out at None
    s = rig.client->stats();
    CHECK(s.raw == 2);        // 2 and 4
    CHECK(s.compressed == 3); // 0, 1 and 5
    CHECK(rig.all_intact());
}

TEST_CASE("client: reset forgets every page, frees its store space and starts again") {
    Rig rig(32, 4);
    for (uint32_t p = 0; p < 12; ++p) {
        Page content = p % 4 == 0   ? Page(kPageSize, uint8_t(p))
                       : p % 4 == 1 ? random_page(p)
                                    : text_page(p);
        rig.write(p, content);
    }
    (void)rig.frame(20); // a zero page, resident
    REQUIRE(rig.store->stats().objects > 0);
    ClientStats s = rig.client->stats();
    REQUIRE(s.compressed + s.same_filled + s.raw > 0);
    int spaces = rig.memory.address_spaces;

    rig.client->reset();
    CHECK(rig.memory.address_spaces == spaces + 1);
    CHECK(rig.client->resident() == 0);
    CHECK(rig.memory.mapped.empty());
    StoreStats st = rig.store->stats();
    CHECK(st.objects == 0);
    CHECK(st.stored_bytes == 0);
    CHECK(st.span_bytes == 0);
    s = rig.client->stats();
    CHECK(s.resident == 0);
    CHECK(s.compressed == 0);
    CHECK(s.same_filled == 0);
    CHECK(s.raw == 0);
    CHECK(s.original_bytes == 0);
    CHECK(s.compressed_bytes == 0);
    for (uint32_t p = 0; p < 32; ++p)
        CHECK_FALSE(rig.client->is_resident(p));

    // Every page reads as never touched: each fault zero-fills.
    for (Page& page : rig.expected)
        page.clear();
    uint64_t zeros = s.zero_fills, ins = s.page_ins;
    for (uint32_t p = 0; p < 32; ++p)
        CHECK(rig.intact(p, false));
    CHECK(rig.client->stats().zero_fills - zeros == 32);
    CHECK(rig.client->stats().page_ins - ins == 0);
    // And the client works as before: frames from 0, pages out and back in.
    for (uint32_t p = 0; p < 12; ++p)
        rig.write(p, text_page(p + 300));
    CHECK(rig.all_intact());
    CHECK(rig.client->resident() == 4);
    CHECK(rig.memory.address_spaces == spaces + 1);
    rig.client->reset();
    CHECK(rig.store->stats().objects == 0);
    CHECK(rig.memory.address_spaces == spaces + 2);
}

TEST_CASE("client: a corrupted stored page is refused, never mapped, its frame kept") {
    for (Policy policy : {make_policy(Policy::Kind::Demand, 0),
                          make_policy(Policy::Kind::Threshold, 1, Eviction::Clock)}) {
        CAPTURE(int(policy.kind));
        Rig rig(16, 2);
        REQUIRE(rig.client->set_policy(policy, 0));
        rig.write(0, text_page(500));
        for (uint32_t p = 1; p < 4; ++p) // 0 goes out, compressed
            rig.write(p, Page(kPageSize, uint8_t(p)));
        REQUIRE_FALSE(rig.client->is_resident(0));
        ClientStats s = rig.client->stats();
        REQUIRE(s.compressed == 1);
        REQUIRE(rig.store->stats().objects == 1);
        // The one object in the store: find its handle, then damage it.
        const uint8_t* bytes = nullptr;
        for (uint32_t h = 1; h < (16u << 7) && !bytes; ++h)
            bytes = rig.store->get(h);
        REQUIRE(bytes != nullptr);
        std::memset(const_cast<uint8_t*>(bytes), 0xFF, s.compressed_bytes);

        size_t mapped = rig.memory.mapped.size();
        CHECK(rig.client->fault(0, ++rig.now) == FaultResult::Corrupt);
        CHECK(rig.memory.frame_of(0) < 0);
        CHECK_FALSE(rig.client->is_resident(0));
        CHECK(rig.client->stats().refused == 1);
        CHECK(rig.memory.mapped.size() <= mapped); // (it may have made room)
        CHECK(rig.memory.mapped.size() == rig.client->resident());
        // Again: still refused, never a zero page in its place.
        CHECK(rig.client->fault(0, ++rig.now) == FaultResult::Corrupt);
        CHECK(rig.client->stats().refused == 2);
        CHECK(rig.client->stats().compressed == 1);
        // No frame leaked: the whole budget still serves the other pages.
        for (int round = 0; round < 3; ++round)
            for (uint32_t p = 1; p < 8; ++p)
                CHECK(rig.intact(p));
        uint32_t most = policy.kind == Policy::Kind::Threshold ? 1 : 2;
        CHECK(rig.client->resident() == most);
        CHECK(rig.client->stats().refused == 2);
        // Reset forgets the damaged page too.
        rig.client->reset();
        CHECK(rig.store->stats().objects == 0);
        rig.expected[0].clear();
        CHECK(rig.intact(0));
    }
}
