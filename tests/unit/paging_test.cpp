// Tests for rayos::paging (microkernel/mm/paging.cpp): map, unmap and
// translate over a fake PageTableMemory, plus table_index and is_canonical.
//
// The fake holds table pages in a map keyed by "physical" address, handed out
// by a bump allocator that can be told to fail after N tables, so the
// OutOfMemory paths can be driven at every depth. table() REQUIREs that the
// address is a table it handed out, so a walk that strays into a non-table
// address fails the test instead of reading garbage.
#include "mm/paging.h"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <random>
#include <vector>

using rayos::Error;
using rayos::Result;
using rayos::Status;
namespace paging = rayos::paging;
using paging::PageSize;

namespace {

constexpr uint64_t k4K = paging::kPageSize4K;
constexpr uint64_t k2M = paging::kPageSize2M;
constexpr uint64_t kTableFlags = paging::kPresent | paging::kWritable;

class FakeMemory final : public paging::PageTableMemory {
public:
    // At most `limit` tables can be allocated (the root included).
    explicit FakeMemory(size_t limit = SIZE_MAX) : limit_(limit) {}

    uint64_t* table(uint64_t physical) override {
        auto it = tables_.find(physical);
        REQUIRE_MESSAGE(it != tables_.end(), "not a table page: ", physical);
        return it->second.data();
    }

    Result<uint64_t> allocate_table() override {
        if (tables_.size() >= limit_) return Error(Status::OutOfMemory);
        uint64_t physical = next_;
        next_ += k4K;
        tables_[physical].fill(0);
        return physical;
    }

    uint64_t new_root() {
        auto root = allocate_table();
        REQUIRE(root.ok());
        return *root;
    }

    void set_limit(size_t limit) { limit_ = limit; }
    size_t table_count() const { return tables_.size(); }

    // The raw entry at `level` for `address`, following present non-huge
    // entries from `root`; 0 if the walk stops earlier.
    uint64_t entry(uint64_t root, uint64_t address, int level) {
        uint64_t t = root;
        for (int current = 4; current >= level; --current) {
            uint64_t e = table(t)[paging::table_index(address, current)];
            if (current == level) return e;
            if (!(e & paging::kPresent) || (e & paging::kHuge)) return 0;
            t = e & paging::kAddressMask;
        }
        return 0;
    }

private:
    std::map<uint64_t, std::array<uint64_t, paging::kEntries>> tables_;
    uint64_t next_ = 0x4000'0000; // table pages live at 1 GiB and up
    size_t limit_;
};

// A few addresses in both halves.
constexpr uint64_t kUserLow = 0x0000'0000'0040'0000;
constexpr uint64_t kUserTop = 0x0000'7FFF'FFFF'F000; // last lower-half page
constexpr uint64_t kKernelLow = 0xFFFF'8000'0000'0000;
constexpr uint64_t kKernelImage = 0xFFFF'FFFF'8000'0000;
constexpr uint64_t kKernelTop = 0xFFFF'FFFF'FFFF'F000;

void require_map(FakeMemory& mem, uint64_t root, uint64_t va, uint64_t pa, uint64_t flags,
                 PageSize size = PageSize::Size4K) {
    auto r = paging::map(mem, root, va, pa, flags, size);
    REQUIRE_MESSAGE(r.ok(), "map failed, status ", static_cast<int64_t>(r.error()));
}

Status translate_status(FakeMemory& mem, uint64_t root, uint64_t va) {
    auto t = paging::translate(mem, root, va);
    return t.ok() ? Status::Ok : t.error();
}

} // namespace

TEST_CASE("paging: table_index decomposes addresses") {
    static_assert(paging::table_index(0, 4) == 0);
    static_assert(paging::table_index(kKernelLow, 4) == 256);
    static_assert(paging::table_index(kKernelImage, 4) == 511);
    static_assert(paging::table_index(kKernelImage, 3) == 510);
    static_assert(paging::table_index(kKernelImage, 2) == 0);
    static_assert(paging::table_index(kKernelImage, 1) == 0);

    // Compose an address from indices and an offset, then take it apart.
    std::mt19937_64 rng(42);
    for (int i = 0; i < 1000; ++i) {
        uint64_t idx[5] = {0, rng() % 512, rng() % 512, rng() % 512, rng() % 512};
        uint64_t offset = rng() % k4K;
        uint64_t address =
            (idx[4] << 39) | (idx[3] << 30) | (idx[2] << 21) | (idx[1] << 12) | offset;
        if (idx[4] >= 256) address |= 0xFFFF'0000'0000'0000; // sign extension
        REQUIRE(paging::is_canonical(address));
        for (int level = 1; level <= 4; ++level)
            CHECK(paging::table_index(address, level) == idx[level]);
    }
    // Bits of the offset and of the sign extension never leak into an index.
    CHECK(paging::table_index(0xFFF, 1) == 0);
    CHECK(paging::table_index(0x1000, 1) == 1);
    CHECK(paging::table_index(0x1FF000, 1) == 511);
    CHECK(paging::table_index(0x200000, 1) == 0);
    CHECK(paging::table_index(0x200000, 2) == 1);
    CHECK(paging::table_index(0x4000'0000, 3) == 1);
    CHECK(paging::table_index(0x80'0000'0000, 4) == 1);
    CHECK(paging::table_index(UINT64_MAX, 4) == 511);
}

TEST_CASE("paging: is_canonical") {
    static_assert(paging::is_canonical(0));
    CHECK(paging::is_canonical(0x0000'7FFF'FFFF'FFFF));
    CHECK_FALSE(paging::is_canonical(0x0000'8000'0000'0000));
    CHECK_FALSE(paging::is_canonical(0x0000'FFFF'FFFF'FFFF));
    CHECK_FALSE(paging::is_canonical(0x0001'0000'0000'0000));
    CHECK_FALSE(paging::is_canonical(0x8000'0000'0000'0000));
    CHECK_FALSE(paging::is_canonical(0xFFFF'7FFF'FFFF'FFFF));
    CHECK_FALSE(paging::is_canonical(0x7FFF'FFFF'FFFF'FFFF));
    CHECK(paging::is_canonical(0xFFFF'8000'0000'0000));
    CHECK(paging::is_canonical(UINT64_MAX));
    for (int bit = 47; bit < 64; ++bit) {
        CAPTURE(bit);
        CHECK_FALSE(paging::is_canonical(1ull << bit));
        CHECK_FALSE(paging::is_canonical(~(1ull << bit)));
    }
}

TEST_CASE("paging: map and translate a 4 KiB page") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    constexpr uint64_t va = 0x0000'1234'5678'9000;
    constexpr uint64_t pa = 0x0000'000A'BCDE'F000;
    constexpr uint64_t flags = paging::kWritable | paging::kUser | paging::kNoExecute;
    require_map(mem, root, va, pa, flags);
    CHECK(mem.table_count() == 4); // root + PDPT + PD + PT

    for (uint64_t offset : std::initializer_list<uint64_t>{0, 1, 0x123, 0x800, 0xFFF}) {
        CAPTURE(offset);
        auto t = paging::translate(mem, root, va + offset);
        REQUIRE(t.ok());
        CHECK(t->physical == pa + offset);
        CHECK(t->flags == (flags | paging::kPresent));
        CHECK(t->size == PageSize::Size4K);
    }
    // The neighbours are not mapped.
    CHECK(translate_status(mem, root, va - 1) == Status::NotFound);
    CHECK(translate_status(mem, root, va + k4K) == Status::NotFound);
    CHECK(translate_status(mem, root, va + k2M) == Status::NotFound);
    CHECK(translate_status(mem, root, 0) == Status::NotFound);

    // kPresent is always set, and the leaf is exactly address | flags | kPresent.
    CHECK(mem.entry(root, va, 1) == (pa | flags | paging::kPresent));
}

TEST_CASE("paging: flags are returned as given (plus kPresent)") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    const uint64_t cases[] = {
        0,
        paging::kWritable,
        paging::kUser,
        paging::kNoExecute,
        paging::kWritable | paging::kUser | paging::kNoExecute,
        paging::kWriteThrough | paging::kCacheDisable,
        paging::kGlobal,
        paging::kAccessed | paging::kDirty,
        paging::kPresent | paging::kWritable, // kPresent given explicitly is fine
    };
    uint64_t va = 0x10'0000'0000;
    uint64_t pa = 0x20'0000;
    uint64_t huge_va = 0x20'0000'0000;
    for (uint64_t flags : cases) {
        CAPTURE(flags);
        require_map(mem, root, va, pa, flags);
        auto t = paging::translate(mem, root, va + 0x42);
        REQUIRE(t.ok());
        CHECK(t->flags == (flags | paging::kPresent));
        CHECK(t->physical == pa + 0x42);

        require_map(mem, root, huge_va, 64 * k2M, flags, PageSize::Size2M);
        auto h = paging::translate(mem, root, huge_va + 0x12345);
        REQUIRE(h.ok());
        CHECK(h->flags == (flags | paging::kPresent)); // kHuge is not reported
        CHECK(h->size == PageSize::Size2M);
        CHECK(h->physical == 64 * k2M + 0x12345);
        va += k4K;
        pa += k4K;
        huge_va += k2M;
    }
}

TEST_CASE("paging: map and translate a 2 MiB page") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    constexpr uint64_t va = kKernelImage + 3 * k2M;
    constexpr uint64_t pa = 0x1'2340'0000; // 2 MiB aligned
    constexpr uint64_t flags = paging::kWritable | paging::kGlobal;
    require_map(mem, root, va, pa, flags, PageSize::Size2M);
    CHECK(mem.table_count() == 3); // root + PDPT + PD, no PT

    for (uint64_t offset : std::initializer_list<uint64_t>{0, 1, 0xFFF, 0x1000, 0x12345, k2M - 1}) {
        CAPTURE(offset);
        auto t = paging::translate(mem, root, va + offset);
        REQUIRE(t.ok());
        CHECK(t->physical == pa + offset);
        CHECK(t->flags == (flags | paging::kPresent));
        CHECK(t->size == PageSize::Size2M);
    }
    CHECK(translate_status(mem, root, va - 1) == Status::NotFound);
    CHECK(translate_status(mem, root, va + k2M) == Status::NotFound);
    CHECK(mem.entry(root, va, 2) == (pa | flags | paging::kPresent | paging::kHuge));

    // In a 2 MiB entry bit 12 is PAT, not an address bit: an entry written
    // with it set (map never does) still translates to the aligned frame.
    constexpr uint64_t kPat2M = 1ull << 12;
    uint64_t pd = mem.entry(root, va, 3) & paging::kAddressMask;
    mem.table(pd)[paging::table_index(va, 2)] |= kPat2M;
    auto t = paging::translate(mem, root, va + 0x345);
    REQUIRE(t.ok());
    CHECK(t->physical == pa + 0x345);
}

TEST_CASE("paging: mappings share intermediate tables") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    require_map(mem, root, 0x40'0000, 0x1000, 0);
    CHECK(mem.table_count() == 4);
    require_map(mem, root, 0x40'1000, 0x2000, 0); // same PT
    CHECK(mem.table_count() == 4);
    require_map(mem, root, 0x60'0000, 0x3000, 0); // same PD, new PT
    CHECK(mem.table_count() == 5);
    require_map(mem, root, 0x8000'0000, 0x4000, 0); // same PDPT, new PD + PT
    CHECK(mem.table_count() == 7);
    require_map(mem, root, 0x80'0000'0000, 0x5000, 0); // new PML4 slot
    CHECK(mem.table_count() == 10);
    require_map(mem, root, 0xA0'0000, 0x20'0000, 0, PageSize::Size2M); // same PD, no new table
    CHECK(mem.table_count() == 10);

    const std::pair<uint64_t, uint64_t> expected[] = {
        {0x40'0000, 0x1000},   {0x40'1000, 0x2000},      {0x60'0000, 0x3000},
        {0x8000'0000, 0x4000}, {0x80'0000'0000, 0x5000}, {0xA0'0000, 0x20'0000}};
    for (auto [va, pa] : expected) {
        auto t = paging::translate(mem, root, va + 7);
        REQUIRE(t.ok());
        CHECK(t->physical == pa + 7);
    }
}

TEST_CASE("paging: Busy when something is already mapped") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    constexpr uint64_t va = 0x4000'0000;

    SUBCASE("the same 4 KiB page twice") {
        require_map(mem, root, va, 0x1000, paging::kWritable);
        CHECK(paging::map(mem, root, va, 0x2000, 0).error() == Status::Busy);
        // The original mapping is untouched.
        auto t = paging::translate(mem, root, va);
        REQUIRE(t.ok());
        CHECK(t->physical == 0x1000);
        CHECK(t->flags == (paging::kWritable | paging::kPresent));
    }
    SUBCASE("the same 2 MiB page twice") {
        require_map(mem, root, va, 0x20'0000, 0, PageSize::Size2M);
        CHECK(paging::map(mem, root, va, 0x40'0000, 0, PageSize::Size2M).error() == Status::Busy);
        CHECK(paging::translate(mem, root, va)->physical == 0x20'0000);
    }
    SUBCASE("a 4 KiB page inside an existing 2 MiB page") {
        require_map(mem, root, va, 0x20'0000, 0, PageSize::Size2M);
        size_t tables = mem.table_count();
        for (uint64_t offset : std::initializer_list<uint64_t>{0, k4K, 0x10'0000, k2M - k4K}) {
            CAPTURE(offset);
            CHECK(paging::map(mem, root, va + offset, 0x1000, 0).error() == Status::Busy);
        }
        CHECK(mem.table_count() == tables); // no PT was allocated
        auto t = paging::translate(mem, root, va + 0x10'0000);
        REQUIRE(t.ok());
        CHECK(t->size == PageSize::Size2M);
        CHECK(t->physical == 0x30'0000);
    }
    SUBCASE("a 2 MiB page over live 4 KiB mappings") {
        require_map(mem, root, va + 0x1F'F000, 0x1000, 0);
        CHECK(paging::map(mem, root, va, 0x20'0000, 0, PageSize::Size2M).error() == Status::Busy);
        CHECK(paging::translate(mem, root, va + 0x1F'F000)->physical == 0x1000);
        CHECK(translate_status(mem, root, va) == Status::NotFound);
    }
    SUBCASE("a 4 KiB page under a 1 GiB page made by someone else") {
        // map never makes 1 GiB pages, but it must not walk through one.
        require_map(mem, root, va + k4K, 0x1000, 0); // creates the PDPT
        uint64_t pdpt = mem.entry(root, va, 4) & paging::kAddressMask;
        mem.table(pdpt)[paging::table_index(va, 3)] =
            0x8000'0000 | paging::kPresent | paging::kWritable | paging::kHuge;
        CHECK(paging::map(mem, root, va, 0x1000, 0).error() == Status::Busy);
        CHECK(paging::map(mem, root, va, 0, 0, PageSize::Size2M).error() == Status::Busy);
    }
}

TEST_CASE("paging: 2 MiB map over a kept (empty) page table is Busy") {
    // unmap keeps table pages, so a 2 MiB region once used for 4 KiB pages
    // keeps its page table and cannot take a 2 MiB page (documented in
    // paging.h).
    FakeMemory mem;
    uint64_t root = mem.new_root();
    constexpr uint64_t va = 0x4000'0000;
    require_map(mem, root, va, 0x1000, 0);
    REQUIRE(paging::unmap(mem, root, va).ok());
    for (uint64_t offset = 0; offset < k2M; offset += k4K)
        REQUIRE(translate_status(mem, root, va + offset) == Status::NotFound);
    auto r = paging::map(mem, root, va, 0x20'0000, 0, PageSize::Size2M);
    CHECK(r.error() == Status::Busy);
    // 4 KiB mappings there still work.
    require_map(mem, root, va + 0x3000, 0x5000, 0);
}

TEST_CASE("paging: InvalidArgument for bad arguments, with no side effects") {
    FakeMemory mem;
    uint64_t root = mem.new_root();

    struct Case {
        const char* what;
        uint64_t va;
        uint64_t pa;
        uint64_t flags;
        PageSize size;
    };
    const Case cases[] = {
        {"unaligned virtual 4K", 0x40'0001, 0x1000, 0, PageSize::Size4K},
        {"unaligned virtual 4K (high bits)", 0x40'0800, 0x1000, 0, PageSize::Size4K},
        {"unaligned physical 4K", 0x40'0000, 0x1001, 0, PageSize::Size4K},
        {"unaligned virtual 2M", 0x40'1000, 0x20'0000, 0, PageSize::Size2M},
        {"unaligned virtual 2M (by 1 MiB)", 0x50'0000, 0x20'0000, 0, PageSize::Size2M},
        {"unaligned physical 2M", 0x40'0000, 0x20'1000, 0, PageSize::Size2M},
        {"physical above 52 bits", 0x40'0000, 1ull << 52, 0, PageSize::Size4K},
        {"physical with bit 63", 0x40'0000, 1ull << 63 | 0x1000, 0, PageSize::Size4K},
        {"physical above 52 bits 2M", 0x40'0000, 1ull << 55, 0, PageSize::Size2M},
        {"non-canonical just above lower half", 0x0000'8000'0000'0000, 0x1000, 0, PageSize::Size4K},
        {"non-canonical just below upper half", 0xFFFF'7FFF'FFFF'F000, 0x1000, 0, PageSize::Size4K},
        {"non-canonical 2M", 0x0001'0000'0000'0000, 0, 0, PageSize::Size2M},
        {"flags with address bit 12", 0x40'0000, 0x1000, 1ull << 12, PageSize::Size4K},
        {"flags with address bit 40", 0x40'0000, 0x1000, 1ull << 40, PageSize::Size4K},
        {"flags with address bit 51", 0x40'0000, 0x1000, 1ull << 51, PageSize::Size4K},
        {"flags with address bits, 2M", 0x40'0000, 0x20'0000, 1ull << 13, PageSize::Size2M},
        {"flags with a physical address", 0x40'0000, 0, 0x5000 | paging::kWritable,
         PageSize::Size4K},
        {"kHuge in flags, 4K", 0x40'0000, 0x1000, paging::kHuge, PageSize::Size4K},
        {"kHuge in flags, 2M", 0x40'0000, 0x20'0000, paging::kHuge | paging::kWritable,
         PageSize::Size2M},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        CHECK(paging::map(mem, root, c.va, c.pa, c.flags, c.size).error() ==
              Status::InvalidArgument);
        CHECK(mem.table_count() == 1); // nothing allocated
    }
    for (uint64_t i = 0; i < paging::kEntries; ++i)
        CHECK(mem.table(root)[i] == 0);
    CHECK(translate_status(mem, root, 0x40'0000) == Status::NotFound);
}

TEST_CASE("paging: NotFound from translate") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    CHECK(translate_status(mem, root, 0) == Status::NotFound);
    CHECK(translate_status(mem, root, kUserTop) == Status::NotFound);
    CHECK(translate_status(mem, root, kKernelTop) == Status::NotFound);

    require_map(mem, root, 0x40'0000, 0x1000, 0);
    // Missing at each level of an existing walk.
    CHECK(translate_status(mem, root, 0x40'1000) == Status::NotFound);      // PT entry
    CHECK(translate_status(mem, root, 0x60'0000) == Status::NotFound);      // PD entry
    CHECK(translate_status(mem, root, 0x4000'0000) == Status::NotFound);    // PDPT entry
    CHECK(translate_status(mem, root, 0x80'0000'0000) == Status::NotFound); // PML4 entry

    // Non-canonical addresses are NotFound, even when the low 48 bits match
    // a mapped address (they must not alias it).
    CHECK(translate_status(mem, root, 0x0000'8000'0000'0000) == Status::NotFound);
    CHECK(translate_status(mem, root, 0x0001'0000'0040'0000) == Status::NotFound);
    CHECK(translate_status(mem, root, 0x8000'0000'0040'0000) == Status::NotFound);
    require_map(mem, root, kKernelLow, 0x2000, 0);
    CHECK(translate_status(mem, root, 0x0000'8000'0000'0000) == Status::NotFound);
    CHECK(translate_status(mem, root, kKernelLow) == Status::Ok);
}

TEST_CASE("paging: unmap returns the old entry, then NotFound") {
    FakeMemory mem;
    uint64_t root = mem.new_root();

    SUBCASE("4 KiB") {
        constexpr uint64_t flags = paging::kWritable | paging::kUser | paging::kNoExecute;
        require_map(mem, root, 0x40'0000, 0x7000, flags);
        require_map(mem, root, 0x40'1000, 0x8000, 0);
        auto old = paging::unmap(mem, root, 0x40'0123); // any address in the page
        REQUIRE(old.ok());
        CHECK(*old == (0x7000 | flags | paging::kPresent));
        CHECK(translate_status(mem, root, 0x40'0000) == Status::NotFound);
        CHECK(paging::unmap(mem, root, 0x40'0000).error() == Status::NotFound);
        // The neighbour is untouched.
        CHECK(paging::translate(mem, root, 0x40'1000)->physical == 0x8000);
        // The page can be mapped again, reusing the kept tables.
        size_t tables = mem.table_count();
        require_map(mem, root, 0x40'0000, 0x9000, 0);
        CHECK(mem.table_count() == tables);
        CHECK(paging::translate(mem, root, 0x40'0000)->physical == 0x9000);
    }
    SUBCASE("2 MiB, through an address inside the page") {
        constexpr uint64_t flags = paging::kWritable | paging::kGlobal;
        require_map(mem, root, kKernelImage, 0x20'0000, flags, PageSize::Size2M);
        auto old = paging::unmap(mem, root, kKernelImage + 0x1'2345);
        REQUIRE(old.ok());
        CHECK(*old == (0x20'0000 | flags | paging::kPresent | paging::kHuge));
        CHECK(translate_status(mem, root, kKernelImage) == Status::NotFound);
        CHECK(translate_status(mem, root, kKernelImage + 0x1'2345) == Status::NotFound);
        CHECK(paging::unmap(mem, root, kKernelImage).error() == Status::NotFound);
        // 4 KiB pages can now go where the 2 MiB page was.
        require_map(mem, root, kKernelImage + k4K, 0x5000, 0);
        CHECK(paging::translate(mem, root, kKernelImage + k4K)->size == PageSize::Size4K);
    }
    SUBCASE("nothing there") {
        CHECK(paging::unmap(mem, root, 0x40'0000).error() == Status::NotFound);
        require_map(mem, root, 0x40'0000, 0x1000, 0);
        CHECK(paging::unmap(mem, root, 0x40'1000).error() == Status::NotFound);
        CHECK(paging::unmap(mem, root, 0x60'0000).error() == Status::NotFound);
        CHECK(paging::unmap(mem, root, 0x80'0000'0000).error() == Status::NotFound);
        CHECK(paging::unmap(mem, root, 0x0000'8000'0000'0000).error() == Status::NotFound);
        CHECK(paging::unmap(mem, root, 0x8000'0000'0040'0000).error() == Status::NotFound);
        CHECK(paging::translate(mem, root, 0x40'0000)->physical == 0x1000);
    }
}

TEST_CASE("paging: intermediate tables get kUser only for lower-half addresses") {
    FakeMemory mem;
    uint64_t root = mem.new_root();

    struct Case {
        uint64_t va;
        PageSize size;
        bool user;
    };
    const Case cases[] = {
        {0, PageSize::Size4K, true},           {kUserLow, PageSize::Size4K, true},
        {kUserTop, PageSize::Size4K, true},    {0x0000'7FFF'FFA0'0000, PageSize::Size2M, true},
        {kKernelLow, PageSize::Size4K, false}, {kKernelImage, PageSize::Size2M, false},
        {kKernelTop, PageSize::Size4K, false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.va);
        // Leaf rights are the caller's: a user-half page without kUser and a
        // kernel-half page with it must not change the intermediate flags.
        uint64_t leaf_flags = c.user ? 0 : paging::kUser;
        require_map(mem, root, c.va, 0x20'0000, leaf_flags, c.size);
        int leaf_level = c.size == PageSize::Size2M ? 2 : 1;
        uint64_t expected = kTableFlags | (c.user ? paging::kUser : 0);
        for (int level = 4; level > leaf_level; --level) {
            CAPTURE(level);
            uint64_t entry = mem.entry(root, c.va, level);
            CHECK((entry & paging::kFlagsMask) == expected);
        }
        uint64_t leaf = mem.entry(root, c.va, leaf_level);
        CHECK(((leaf & paging::kUser) != 0) == !c.user);
        auto t = paging::translate(mem, root, c.va);
        REQUIRE(t.ok());
        CHECK(((t->flags & paging::kUser) != 0) == !c.user);
    }
}

TEST_CASE("paging: OutOfMemory leaves no half mapping visible") {
    struct Case {
        const char* what;
        uint64_t va;
        PageSize size;
        int tables_needed;
    };
    const Case cases[] = {
        {"4K user", 0x0000'1234'5678'9000, PageSize::Size4K, 3},
        {"4K kernel", kKernelImage + 0x5000, PageSize::Size4K, 3},
        {"2M user", 0x0000'1234'5660'0000, PageSize::Size2M, 2},
        {"2M kernel", kKernelImage, PageSize::Size2M, 2},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        for (int available = 0; available < c.tables_needed; ++available) {
            CAPTURE(available);
            FakeMemory mem;
            uint64_t root = mem.new_root();
            mem.set_limit(1 + size_t(available));
            uint64_t pa = c.size == PageSize::Size2M ? 0x40'0000 : 0x3000;
            CHECK(paging::map(mem, root, c.va, pa, paging::kWritable, c.size).error() ==
                  Status::OutOfMemory);
            CHECK(mem.table_count() == 1 + size_t(available));
            CHECK(translate_status(mem, root, c.va) == Status::NotFound);
            CHECK(translate_status(mem, root, c.va + 0x800) == Status::NotFound);
            CHECK(paging::unmap(mem, root, c.va).error() == Status::NotFound);

            // With memory again, the same map succeeds, reusing what exists.
            mem.set_limit(SIZE_MAX);
            require_map(mem, root, c.va, pa, paging::kWritable, c.size);
            CHECK(mem.table_count() == 1 + size_t(c.tables_needed));
            auto t = paging::translate(mem, root, c.va + 0x800);
            REQUIRE(t.ok());
            CHECK(t->physical == pa + 0x800);
            CHECK(t->size == c.size);
        }
    }
}

TEST_CASE("paging: OutOfMemory does not disturb existing mappings") {
    FakeMemory mem;
    uint64_t root = mem.new_root();
    require_map(mem, root, 0x40'0000, 0x1000, 0);
    mem.set_limit(mem.table_count());
    // Same PT: needs no table and works.
    require_map(mem, root, 0x40'1000, 0x2000, 0);
    // Same PD, new PT: fails.
    CHECK(paging::map(mem, root, 0x60'0000, 0x3000, 0).error() == Status::OutOfMemory);
    // Same PD, 2 MiB: needs no table and works.
    require_map(mem, root, 0x80'0000, 0x20'0000, 0, PageSize::Size2M);
    CHECK(paging::translate(mem, root, 0x40'0000)->physical == 0x1000);
    CHECK(paging::translate(mem, root, 0x40'1000)->physical == 0x2000);
    CHECK(paging::translate(mem, root, 0x80'0000)->physical == 0x20'0000);
    CHECK(translate_status(mem, root, 0x60'0000) == Status::NotFound);
}

TEST_CASE("paging: randomized map/unmap/translate against a model") {
    // Slots: a handful of 2 MiB regions in both halves; each is either empty,
    // one 2 MiB page, or a set of 4 KiB pages (drawn from a few offsets).
    const uint64_t regions[] = {
        0x0,        0x20'0000,    0x4000'0000,        0x0000'7FFF'FFE0'0000, 0x0000'0080'0000'0000,
        kKernelLow, kKernelImage, kKernelImage + k2M, 0xFFFF'FFFF'FFE0'0000,
    };
    constexpr size_t kRegions = sizeof(regions) / sizeof(regions[0]);
    constexpr uint64_t kOffsets[] = {0, 0x1000, 0x2000, 0x7F000, 0x100000, 0x1FF000};
    constexpr size_t kNumOffsets = sizeof(kOffsets) / sizeof(kOffsets[0]);

    for (uint32_t seed = 1; seed <= 10; ++seed) {
        CAPTURE(seed);
        std::mt19937_64 rng(seed);
        FakeMemory mem;
        uint64_t root = mem.new_root();

        struct Leaf {
            uint64_t physical;
            uint64_t flags;
        };
        struct Region {
            bool huge = false;
            Leaf huge_leaf{};
            bool has_pt = false;            // a page table exists (kept after unmaps)
            std::map<uint64_t, Leaf> small; // offset -> leaf
        };
        std::vector<Region> model(kRegions);
        const uint64_t flag_choices[] = {0, paging::kWritable, paging::kUser | paging::kNoExecute,
                                         paging::kWritable | paging::kGlobal};

        for (int step = 0; step < 3000; ++step) {
            CAPTURE(step);
            size_t r = rng() % kRegions;
            Region& m = model[r];
            uint64_t flags = flag_choices[rng() % 4];
            unsigned op = rng() % 6;
            if (op < 2) { // map 4K
                uint64_t offset = kOffsets[rng() % kNumOffsets];
                uint64_t pa = (rng() % 0x10'0000) * k4K;
                auto res = paging::map(mem, root, regions[r] + offset, pa, flags);
                if (m.huge || m.small.count(offset)) {
                    CHECK(res.error() == Status::Busy);
                } else {
                    REQUIRE(res.ok());
                    m.has_pt = true;
                    m.small[offset] = Leaf{pa, flags | paging::kPresent};
                }
            } else if (op < 3) { // map 2M
                uint64_t pa = (rng() % 0x1000) * k2M;
                auto res = paging::map(mem, root, regions[r], pa, flags, PageSize::Size2M);
                if (m.huge || !m.small.empty()) {
                    CHECK(res.error() == Status::Busy);
                } else if (m.has_pt) {
                    // Empty page table left behind by unmap: the code answers
                    // Busy (see the may_fail test above); accept either.
                    CHECK((res.ok() || res.error() == Status::Busy));
                    if (res.ok()) {
                        m.has_pt = false;
                        m.huge = true;
                        m.huge_leaf = Leaf{pa, flags | paging::kPresent};
                    }
                } else {
                    REQUIRE(res.ok());
                    m.huge = true;
                    m.huge_leaf = Leaf{pa, flags | paging::kPresent};
                }
            } else if (op < 5) { // unmap
                uint64_t offset = kOffsets[rng() % kNumOffsets] + rng() % k4K;
                auto res = paging::unmap(mem, root, regions[r] + offset);
                if (m.huge) {
                    REQUIRE(res.ok());
                    CHECK(*res == (m.huge_leaf.physical | m.huge_leaf.flags | paging::kHuge));
                    m.huge = false;
                } else if (auto it = m.small.find(offset & ~(k4K - 1)); it != m.small.end()) {
                    REQUIRE(res.ok());
                    CHECK(*res == (it->second.physical | it->second.flags));
                    m.small.erase(it);
                } else {
                    CHECK(res.error() == Status::NotFound);
                }
            } else { // translate at a random point
                uint64_t offset = kOffsets[rng() % kNumOffsets] + rng() % k4K;
                auto t = paging::translate(mem, root, regions[r] + offset);
                if (m.huge) {
                    REQUIRE(t.ok());
                    CHECK(t->physical == m.huge_leaf.physical + offset);
                    CHECK(t->flags == m.huge_leaf.flags);
                    CHECK(t->size == PageSize::Size2M);
                } else if (auto it = m.small.find(offset & ~(k4K - 1)); it != m.small.end()) {
                    REQUIRE(t.ok());
                    CHECK(t->physical == it->second.physical + (offset & (k4K - 1)));
                    CHECK(t->flags == it->second.flags);
                    CHECK(t->size == PageSize::Size4K);
                } else {
                    CHECK(t.error() == Status::NotFound);
                }
            }
        }

        // Final sweep: every page of every region agrees with the model.
        for (size_t r = 0; r < kRegions; ++r) {
            for (uint64_t offset = 0; offset < k2M; offset += k4K) {
                auto t = paging::translate(mem, root, regions[r] + offset + 0x10);
                const Region& m = model[r];
                if (m.huge) {
                    REQUIRE(t.ok());
                    CHECK(t->physical == m.huge_leaf.physical + offset + 0x10);
                } else if (auto it = m.small.find(offset); it != m.small.end()) {
                    REQUIRE(t.ok());
                    CHECK(t->physical == it->second.physical + 0x10);
                } else {
                    CHECK(t.error() == Status::NotFound);
                }
            }
        }
    }
}
