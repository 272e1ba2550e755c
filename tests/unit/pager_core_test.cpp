// The compression pager's core on the host: page encoding against liblz4,
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

TEST_CASE("codec: same-filled pages are a value, not bytes") {
    Page zero(kPageSize, 0), out(kPageSize), back(kPageSize, 0xEE);
    Encoded e = encode(zero.data(), Level::Balanced, out.data());
    CHECK(e.encoding == Encoding::SameFilled);
    CHECK(e.size == 0);
    CHECK(e.fill == 0);
    Page words(kPageSize);
    for (size_t i = 0; i < kPageSize; i += 8)
        std::memcpy(&words[i], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    e = encode(words.data(), Level::None, out.data()); // even at level None
    CHECK(e.encoding == Encoding::SameFilled);
    REQUIRE(decode(e, nullptr, back.data()));
    CHECK(back == words);
}

TEST_CASE("codec: text compresses at every LZ4 level and decodes exactly") {
    Page page = text_page(7), out(kPageSize), back(kPageSize);
    uint32_t sizes[4] = {};
    for (Level level : {Level::Fast, Level::Balanced, Level::Best}) {
        CAPTURE(level_name(level));
        Encoded e = encode(page.data(), level, out.data());
        REQUIRE(e.encoding == Encoding::Lz4);
        CHECK(e.size < kPageSize - kMinSaving);
        sizes[int(level)] = e.size;
        REQUIRE(decode(e, out.data(), back.data()));
        CHECK(back == page);
        // The stored bytes are plain LZ4 blocks: the library itself reads them.
        Page direct(kPageSize);
        CHECK(LZ4_decompress_safe(reinterpret_cast<const char*>(out.data()),
                                  reinterpret_cast<char*>(direct.data()), int(e.size),
                                  int(kPageSize)) == int(kPageSize));
        CHECK(direct == page);
    }
    CHECK(sizes[int(Level::Best)] <= sizes[int(Level::Balanced)]);
    CHECK(sizes[int(Level::Balanced)] <= sizes[int(Level::Fast)]);
}

TEST_CASE("codec: incompressible pages and level None are stored raw") {
    Page page = random_page(3), out(kPageSize), back(kPageSize);
    for (Level level : {Level::None, Level::Fast, Level::Balanced, Level::Best}) {
        Encoded e = encode(page.data(), level, out.data());
        CHECK(e.encoding == Encoding::Raw);
        CHECK(e.size == kPageSize);
        REQUIRE(decode(e, out.data(), back.data()));
        CHECK(back == page);
    }
    Encoded text = encode(text_page(1).data(), Level::None, out.data());
    CHECK(text.encoding == Encoding::Raw);
}

TEST_CASE("codec: corrupted stored bytes are refused, never decoded into a page") {
    Page page = text_page(11), out(kPageSize), back(kPageSize);
    Encoded e = encode(page.data(), Level::Balanced, out.data());
    REQUIRE(e.encoding == Encoding::Lz4);
    Encoded shorter = e;
    shorter.size = e.size / 2;
    CHECK_FALSE(decode(shorter, out.data(), back.data()));
    Encoded bad_size = e;
    bad_size.size = 0;
    CHECK_FALSE(decode(bad_size, out.data(), back.data()));
    bad_size.size = kPageSize + 1;
    CHECK_FALSE(decode(bad_size, out.data(), back.data()));
    Encoded raw{Encoding::Raw, 100, 0};
    CHECK_FALSE(decode(raw, out.data(), back.data()));
    std::mt19937 rng(5);
    for (int round = 0; round < 200;
         ++round) { // random damage: an error or some page, never a crash
        Page damaged(out.begin(), out.begin() + e.size);
        damaged[rng() % damaged.size()] ^= uint8_t(1 + rng() % 255);
        (void)decode(e, damaged.data(), back.data());
    }
}

TEST_CASE("store: size classes grow with the size and hold it") {
    uint32_t last = 0;
    for (uint32_t size = 1; size <= Store::kPage; ++size) {
        uint32_t slot = Store::slot_size(size);
        CHECK(slot >= size);
        CHECK(slot >= last);
        CHECK(slot - size < (size <= 1024 ? 32u : 128u));
        last = slot;
    }
    CHECK(Store::slot_size(0) == 0);
    CHECK(Store::slot_size(Store::kPage + 1) == 0);
}

TEST_CASE("store: objects come back intact; freeing everything frees every span") {
    const uint32_t pages = 256;
    auto arena = std::make_unique<uint8_t[]>(pages * Store::kPage);
    auto store = std::make_unique<Store>(arena.get(), pages);
    std::mt19937 rng(42);
    std::map<uint32_t, Page> kept;
    for (int round = 0; round < 4000; ++round) {
        if (kept.empty() || rng() % 3 != 0) {
            uint32_t size = 1 + rng() % (rng() % 4 == 0 ? 4096 : 1500);
            Page data(size);
            for (auto& b : data)
                b = uint8_t(rng());
            uint32_t h = store->put(data.data(), size);
            if (h == Store::kNoHandle) continue; // (full for now)
            REQUIRE(kept.count(h) == 0);
            kept[h] = data;
        } else {
            auto it = kept.begin();
            std::advance(it, rng() % kept.size());
            REQUIRE(store->free(it->first, uint32_t(it->second.size())));
            CHECK(store->get(it->first) == nullptr); // gone
            kept.erase(it);
        }
    }
    StoreStats st = store->stats();
    CHECK(st.objects == kept.size());
    uint64_t bytes = 0;
    for (auto& [h, data] : kept) {
        const uint8_t* got = store->get(h);
        REQUIRE(got != nullptr);
        CHECK(std::memcmp(got, data.data(), data.size()) == 0);
        bytes += data.size();
    }
    CHECK(st.stored_bytes == bytes);
    CHECK(st.slot_bytes >= st.stored_bytes);
    CHECK(st.span_bytes >= st.slot_bytes);
    CHECK(st.span_bytes <= st.capacity_bytes);
    CHECK(st.fragmentation_permille ==
          uint32_t((st.span_bytes - st.stored_bytes) * 1000 / st.span_bytes));
    for (auto& [h, data] : kept)
        REQUIRE(store->free(h, uint32_t(data.size())));
    st = store->stats();
    CHECK(st.objects == 0);
    CHECK(st.stored_bytes == 0);
    CHECK(st.span_bytes == 0);
}

TEST_CASE("store: small objects pack densely; a full store says so") {
    const uint32_t pages = 4;
    auto arena = std::make_unique<uint8_t[]>(pages * Store::kPage);
    auto store = std::make_unique<Store>(arena.get(), pages);
    uint8_t data[96] = {1, 2, 3};
    uint32_t count = 0;
    while (store->put(data, sizeof data) != Store::kNoHandle)
        ++count;
    // 96-byte objects go to 3-page spans: 128 of them fill 12 KiB exactly.
    CHECK(count == 128);
    StoreStats st = store->stats();
    CHECK(st.span_bytes == 3 * Store::kPage);
    CHECK(st.fragmentation_permille == 0);
    // The last page takes a 1-page span of another class: 128 objects of 32 bytes.
    uint32_t small = 0;
    while (store->put(data, 20) != Store::kNoHandle)
        ++small;
    CHECK(small == 128);
    st = store->stats();
    CHECK(st.span_bytes == pages * Store::kPage);
    CHECK(st.fragmentation_permille == (4096 - 128 * 20) * 1000 / 16384);
    CHECK(store->put(data, 2000) == Store::kNoHandle); // full: no page for another span
}

TEST_CASE("store: bad handles and sizes are errors") {
    const uint32_t pages = 8;
    auto arena = std::make_unique<uint8_t[]>(pages * Store::kPage);
    auto store = std::make_unique<Store>(arena.get(), pages);
    uint8_t data[100] = {};
    CHECK(store->put(data, 0) == Store::kNoHandle);
    CHECK(store->put(data, Store::kPage + 1) == Store::kNoHandle);
    uint32_t h = store->put(data, 100);
    REQUIRE(h != Store::kNoHandle);
    CHECK(store->get(Store::kNoHandle) == nullptr);
    CHECK(store->get(h + 1) == nullptr);      // a slot never used
    CHECK(store->get(0xFFFFFFFF) == nullptr); // beyond the arena
    CHECK_FALSE(store->free(h, 2000));        // not the size it was put with
    CHECK(store->free(h, 100));
    CHECK_FALSE(store->free(h, 100)); // twice
    CHECK(store->get(h) == nullptr);
}

namespace {

struct FakeBits final : AccessBits {
    std::set<uint32_t> accessed;
    bool take_accessed(uint32_t page) override { return accessed.erase(page) > 0; }
};

} // namespace

TEST_CASE("resident: LRU evicts the page unused longest, from accessed bits") {
    auto set = std::make_unique<ResidentSet>(4);
    FakeBits bits;
    for (uint32_t p = 0; p < 4; ++p)
        REQUIRE(set->insert(p, p));
    CHECK(set->full());
    CHECK_FALSE(set->insert(2, 9)); // already there
    bits.accessed = {0, 1};
    set->scan(bits, 10);
    CHECK(set->victim(Eviction::Lru, bits, 11) == 2); // 2 and 3 unused since 2 and 3
    REQUIRE(set->erase(2));
    CHECK_FALSE(set->erase(2));
    CHECK(set->victim(Eviction::Lru, bits, 12) == 3);
    CHECK(set->size() == 3);
}

TEST_CASE("resident: CLOCK gives used pages a second chance") {
    auto set = std::make_unique<ResidentSet>(3);
    FakeBits bits;
    for (uint32_t p = 10; p < 13; ++p)
        REQUIRE(set->insert(p, 0));
    bits.accessed = {10, 11};
    CHECK(set->victim(Eviction::Clock, bits, 1) == 12);
    CHECK(bits.accessed.empty()); // the hand cleared what it passed
    bits.accessed = {10, 11, 12};
    CHECK(set->victim(Eviction::Clock, bits, 2) == 10); // all used: the hand's next
    ResidentSet empty(2);
    CHECK(empty.victim(Eviction::Clock, bits, 0) == ResidentSet::kNone);
    CHECK(empty.victim(Eviction::Lru, bits, 0) == ResidentSet::kNone);
}

TEST_CASE("resident: idle pages, oldest first") {
    auto set = std::make_unique<ResidentSet>(8);
    FakeBits bits;
    for (uint32_t p = 0; p < 5; ++p)
        REQUIRE(set->insert(p, p * 10)); // last used at 0, 10, 20, 30, 40
    uint32_t out[8];
    uint32_t n = set->idle(45, 20, out, 8);
    REQUIRE(n == 3);
    CHECK(out[0] == 0);
    CHECK(out[1] == 1);
    CHECK(out[2] == 2);
    CHECK(set->idle(45, 20, out, 2) == 2);
    bits.accessed = {0};
    set->scan(bits, 45);
    CHECK(set->idle(45, 20, out, 8) == 2); // page 0 was used again
    set->set_capacity(2);
    CHECK(set->full());
}

TEST_CASE("workload pages: reproducible, versioned, and of the promised kind") {
    using rayos::workload::Content;
    using rayos::workload::fill_page;
    using rayos::workload::page_matches;
    Page a(kPageSize), b(kPageSize), out(kPageSize);
    for (Content kind :
         {Content::Zero, Content::Text, Content::Binary, Content::Random, Content::Mixed}) {
        CAPTURE(rayos::workload::content_name(kind));
        fill_page(kind, 17, 3, a.data());
        fill_page(kind, 17, 3, b.data());
        CHECK(a == b);
        CHECK(page_matches(kind, 17, 3, a.data()));
        CHECK_FALSE(page_matches(kind, 17, 4, a.data())); // another version
        a[100] ^= 1;
        CHECK_FALSE(page_matches(kind, 17, 3, a.data())); // one flipped bit
    }
    fill_page(Content::Zero, 5, 0, a.data());
    CHECK(encode(a.data(), Level::Balanced, out.data()).encoding == Encoding::SameFilled);
    fill_page(Content::Text, 5, 1, a.data());
    Encoded text = encode(a.data(), Level::Balanced, out.data());
    CHECK(text.encoding == Encoding::Lz4);
    CHECK(text.size < kPageSize / 2);
    fill_page(Content::Binary, 5, 1, a.data());
    CHECK(encode(a.data(), Level::Balanced, out.data()).encoding == Encoding::Lz4);
    fill_page(Content::Random, 5, 1, a.data());
    CHECK(encode(a.data(), Level::Balanced, out.data()).encoding == Encoding::Raw);
}
