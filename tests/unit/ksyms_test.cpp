// Tests for lib/ksyms: lookups in well-formed tables and robustness against
// malformed ones. Tables live in exactly-sized heap buffers, so ASan reports
// any read past their end.
#include "lib/ksyms.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

using rayos::ksyms::lookup;
using rayos::ksyms::Symbol;

namespace {

// A table in an exactly-sized heap allocation.
class Table {
public:
    explicit Table(std::vector<uint8_t> bytes) : size_(bytes.size()) {
        data_ = std::make_unique<uint8_t[]>(size_ > 0 ? size_ : 1);
        if (size_ > 0) std::memcpy(data_.get(), bytes.data(), size_);
    }
    const void* data() const { return data_.get(); }
    size_t size() const { return size_; }
    Symbol find(uint64_t text_end, uint64_t address) const {
        return lookup(data_.get(), size_, text_end, address);
    }

private:
    size_t size_;
    std::unique_ptr<uint8_t[]> data_;
};

void put_u64(std::vector<uint8_t>& out, uint64_t value) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// Builds a well-formed table in the format of ksyms.h.
std::vector<uint8_t> build(const std::vector<std::pair<uint64_t, std::string>>& symbols) {
    std::vector<uint8_t> out;
    put_u64(out, symbols.size());
    std::string names;
    for (const auto& [address, name] : symbols) {
        put_u64(out, address);
        put_u64(out, names.size());
        names += name;
        names += '\0';
    }
    out.insert(out.end(), names.begin(), names.end());
    return out;
}

// Offset of entry `i`'s name_offset field.
size_t name_offset_field(size_t i) {
    return 8 + i * 16 + 8;
}

void set_u64(std::vector<uint8_t>& bytes, size_t at, uint64_t value) {
    for (int i = 0; i < 8; ++i)
        bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

bool not_found(Symbol s) {
    return s.name == nullptr && s.offset == 0;
}

constexpr uint64_t kBase = 0xffffffff80100000;
constexpr uint64_t kTextEnd = kBase + 0x1000;

const std::vector<std::pair<uint64_t, std::string>> kSymbols = {
    {kBase, "_start"},
    {kBase + 0x40, "rayos::kmain()"},
    {kBase + 0x100, "rayos::panic(char const*, ...)"},
    {kBase + 0x180, "operator new(unsigned long)"},
    {kBase + 0x800, "last"},
};

} // namespace

TEST_CASE("ksyms: exact hits and offsets inside functions") {
    Table table(build(kSymbols));
    for (const auto& [address, name] : kSymbols) {
        Symbol s = table.find(kTextEnd, address);
        REQUIRE(s.name != nullptr);
        CHECK(std::string(s.name) == name);
        CHECK(s.offset == 0);
    }
    Symbol s = table.find(kTextEnd, kBase + 0x41);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "rayos::kmain()");
    CHECK(s.offset == 1);

    s = table.find(kTextEnd, kBase + 0xff);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "rayos::kmain()");
    CHECK(s.offset == 0xbf);

    s = table.find(kTextEnd, kBase + 0x17f);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "rayos::panic(char const*, ...)");
    CHECK(s.offset == 0x7f);
}

TEST_CASE("ksyms: the last symbol ends at text_end") {
    Table table(build(kSymbols));
    Symbol s = table.find(kTextEnd, kTextEnd - 1);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "last");
    CHECK(s.offset == kTextEnd - 1 - (kBase + 0x800));
    CHECK(not_found(table.find(kTextEnd, kTextEnd)));
    CHECK(not_found(table.find(kTextEnd, kTextEnd + 1)));
    CHECK(not_found(table.find(kTextEnd, UINT64_MAX)));
    // text_end at or below an address inside the table: not found either.
    CHECK(not_found(table.find(kBase + 0x40, kBase + 0x40)));
    CHECK(not_found(table.find(0, kBase)));
}

TEST_CASE("ksyms: addresses below the first symbol are not found") {
    Table table(build(kSymbols));
    CHECK(not_found(table.find(kTextEnd, kBase - 1)));
    CHECK(not_found(table.find(kTextEnd, 0)));
}

TEST_CASE("ksyms: single symbol") {
    Table table(build({{0x1000, "only"}}));
    CHECK(not_found(table.find(0x2000, 0xfff)));
    Symbol s = table.find(0x2000, 0x1000);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "only");
    s = table.find(0x2000, 0x1fff);
    REQUIRE(s.name != nullptr);
    CHECK(s.offset == 0xfff);
    CHECK(not_found(table.find(0x2000, 0x2000)));
}

TEST_CASE("ksyms: a symbol at address 0 and an empty name") {
    Table table(build({{0, ""}, {0x10, "f"}}));
    Symbol s = table.find(0x20, 5);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "");
    CHECK(s.offset == 5);
}

TEST_CASE("ksyms: empty and missing tables") {
    Table empty(build({}));
    CHECK(empty.size() == 8);
    CHECK(not_found(empty.find(UINT64_MAX, 0)));
    CHECK(not_found(empty.find(UINT64_MAX, kBase)));
    CHECK(not_found(lookup(nullptr, 0, UINT64_MAX, kBase)));
    CHECK(not_found(lookup(nullptr, 100, UINT64_MAX, kBase)));
    for (size_t size = 0; size < 8; ++size) {
        Table tiny(std::vector<uint8_t>(size, 0));
        CHECK(not_found(tiny.find(UINT64_MAX, kBase)));
    }
    // An empty table followed by padding (the generator aligns to 8 bytes).
    std::vector<uint8_t> padded = build({});
    padded.resize(16, 0);
    CHECK(not_found(Table(padded).find(UINT64_MAX, 0)));
}

TEST_CASE("ksyms: count too large for the table is rejected") {
    std::vector<uint8_t> bytes = build(kSymbols);
    uint64_t one_too_many = (bytes.size() - 8) / 16 + 1;
    for (uint64_t count :
         {one_too_many, uint64_t{1000}, uint64_t{1} << 60, UINT64_MAX, UINT64_MAX / 16 + 1}) {
        set_u64(bytes, 0, count);
        CHECK(not_found(Table(bytes).find(kTextEnd, kBase + 0x40)));
    }
    // Entries present but the names area cut off entirely.
    std::vector<uint8_t> no_names = build(kSymbols);
    no_names.resize(8 + kSymbols.size() * 16);
    CHECK(not_found(Table(no_names).find(kTextEnd, kBase + 0x40)));
    // Table truncated in the middle of the entry array.
    std::vector<uint8_t> cut = build(kSymbols);
    cut.resize(8 + 2 * 16 + 7);
    CHECK(not_found(Table(cut).find(kTextEnd, kBase)));
}

TEST_CASE("ksyms: a smaller count than entries present still works") {
    // The table is then just treated as having `count` entries (the rest
    // being part of the names area); lookups of covered symbols work.
    std::vector<uint8_t> bytes = build({{0x100, "a"}, {0x200, "b"}});
    set_u64(bytes, 0, 1);
    // The names area now starts at entry 1, 16 bytes before the old one.
    set_u64(bytes, name_offset_field(0), 16);
    Table table(bytes);
    Symbol s = table.find(0x1000, 0x300);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "a");
    CHECK(s.offset == 0x200);
}

TEST_CASE("ksyms: name_offset outside the names area is rejected") {
    std::vector<uint8_t> bytes = build(kSymbols);
    size_t names_size = bytes.size() - 8 - kSymbols.size() * 16;
    for (uint64_t offset : {uint64_t{names_size}, uint64_t{names_size + 1}, uint64_t{1} << 40,
                            UINT64_MAX, UINT64_MAX - 7}) {
        set_u64(bytes, name_offset_field(1), offset);
        Table table(bytes);
        CHECK(not_found(table.find(kTextEnd, kBase + 0x40)));
        CHECK(not_found(table.find(kTextEnd, kBase + 0x50)));
        // Other entries are unaffected.
        Symbol s = table.find(kTextEnd, kBase + 0x100);
        REQUIRE(s.name != nullptr);
        CHECK(std::string(s.name) == "rayos::panic(char const*, ...)");
    }
}

TEST_CASE("ksyms: unterminated names are rejected") {
    std::vector<uint8_t> bytes = build({{0x100, "first"}, {0x200, "second"}});
    bytes.pop_back(); // drop the final NUL
    Table table(bytes);
    CHECK(not_found(table.find(0x1000, 0x200)));
    CHECK(not_found(table.find(0x1000, 0x250)));
    Symbol s = table.find(0x1000, 0x100);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "first");

    // A name_offset pointing at the last byte, which is not a NUL.
    std::vector<uint8_t> last_byte = build({{0x100, "abc"}});
    last_byte.back() = 'x';
    set_u64(last_byte, name_offset_field(0), 3);
    CHECK(not_found(Table(last_byte).find(0x1000, 0x100)));

    // The same name_offset with a NUL there is a valid empty name.
    std::vector<uint8_t> empty_name = build({{0x100, "abc"}});
    set_u64(empty_name, name_offset_field(0), 3);
    Table empty_table(empty_name);
    Symbol e = empty_table.find(0x1000, 0x100);
    REQUIRE(e.name != nullptr);
    CHECK(std::string(e.name) == "");
}

TEST_CASE("ksyms: unaligned table") {
    std::vector<uint8_t> bytes = build(kSymbols);
    std::vector<uint8_t> shifted(bytes.size() + 3);
    std::memcpy(shifted.data() + 3, bytes.data(), bytes.size());
    Symbol s = lookup(shifted.data() + 3, bytes.size(), kTextEnd, kBase + 0x185);
    REQUIRE(s.name != nullptr);
    CHECK(std::string(s.name) == "operator new(unsigned long)");
    CHECK(s.offset == 5);
}

TEST_CASE("ksyms: unsorted or garbage tables never read out of bounds") {
    // Random contents: any result is acceptable as long as a returned name
    // lies inside the table (ASan checks the reads).
    std::mt19937_64 random(12345);
    for (int round = 0; round < 2000; ++round) {
        size_t count = random() % 6;
        std::vector<uint8_t> bytes;
        put_u64(bytes, round % 7 == 0 ? random() : count);
        for (size_t i = 0; i < count; ++i) {
            put_u64(bytes, random() % 0x1000);
            put_u64(bytes, random() % 40);
        }
        size_t names = random() % 24;
        for (size_t i = 0; i < names; ++i)
            bytes.push_back(static_cast<uint8_t>(random() % 3 == 0 ? 0 : 'a' + random() % 26));
        bytes.resize(bytes.size() - random() % 4 * (bytes.size() > 16));
        Table table(bytes);
        Symbol s = table.find(0x1000, random() % 0x1100);
        if (s.name != nullptr) {
            const char* begin = static_cast<const char*>(table.data());
            CHECK(s.name >= begin);
            CHECK(s.name + std::strlen(s.name) < begin + table.size());
        }
    }
}

TEST_CASE("ksyms: binary search agrees with a linear scan") {
    std::mt19937_64 random(42);
    for (int round = 0; round < 50; ++round) {
        size_t count = 1 + random() % 300;
        std::vector<std::pair<uint64_t, std::string>> symbols;
        uint64_t address = kBase + random() % 64;
        for (size_t i = 0; i < count; ++i) {
            symbols.push_back({address, "f" + std::to_string(i)});
            address += 1 + random() % 256;
        }
        uint64_t text_end = address;
        Table table(build(symbols));
        for (int probe = 0; probe < 200; ++probe) {
            uint64_t wanted = kBase + random() % (text_end - kBase + 64);
            const std::pair<uint64_t, std::string>* expected = nullptr;
            for (const auto& symbol : symbols)
                if (symbol.first <= wanted) expected = &symbol;
            if (wanted >= text_end) expected = nullptr;
            Symbol s = table.find(text_end, wanted);
            if (expected == nullptr) {
                CHECK(not_found(s));
            } else {
                REQUIRE(s.name != nullptr);
                CHECK(std::string(s.name) == expected->second);
                CHECK(s.offset == wanted - expected->first);
            }
        }
    }
}
