// The wire format against malformed and hostile messages, and the builder's
// limits: every problem is an error from the decoder, never a bad read
// (these tests run under ASan and UBSan).
#include <rayos/idl/lb.h>
#include <rayos/idl/pager.h>
#include <rayos/idl/profiler.h>

#include <doctest/doctest.h>

#include <vector>

using namespace rayos;
namespace pager = rayos::idl::pager;
namespace lb = rayos::idl::lb;
namespace profiler = rayos::idl::profiler;

namespace {

template <typename S> RpcError decode_words(const std::vector<uint64_t>& words, uint32_t caps = 0) {
    wire::Segment segment{words.data(), uint32_t(words.size())};
    static const uint64_t slots[3] = {100, 101, 102};
    wire::Message m{&segment, 1, slots, caps};
    auto r = wire::decode<S>(m);
    return r.ok() ? RpcError::Ok : r.error();
}

uint64_t struct_ptr(int32_t offset, uint16_t data, uint16_t ptrs) {
    return (uint64_t(uint32_t(offset) << 2)) | (uint64_t(data) << 32) | (uint64_t(ptrs) << 48);
}
uint64_t list_ptr(int32_t offset, wire::ElementSize size, uint32_t count) {
    return (uint64_t(uint32_t(offset) << 2)) | 1 | (uint64_t(size) << 32) | (uint64_t(count) << 35);
}

} // namespace

TEST_CASE("a well-formed message decodes and reads back") {
    std::vector<uint64_t> words(64);
    wire::Arena arena(words.data(), 64);
    auto b = wire::init_message<pager::SetBudgetRequest>(arena);
    b.set_client("memhog");
    b.set_frames(42);
    REQUIRE(arena.error == RpcError::Ok);
    words.resize(arena.used);
    wire::Segment segment{words.data(), uint32_t(words.size())};
    wire::Message m{&segment, 1, nullptr, 0};
    auto r = wire::decode<pager::SetBudgetRequest>(m);
    REQUIRE(r.ok());
    CHECK(r->frames() == 42);
    CHECK(r->client().equals("memhog"));
    CHECK(r->has_client());
}

TEST_CASE("defaults are XOR-ed: an empty struct reads its schema defaults") {
    std::vector<uint64_t> words(16);
    wire::Arena arena(words.data(), 16);
    auto b = wire::init_message<lb::AddBackendRequest>(arena);
    (void)b;
    words.resize(arena.used);
    wire::Segment segment{words.data(), uint32_t(words.size())};
    wire::Message m{&segment, 1, nullptr, 0};
    auto r = wire::decode<lb::AddBackendRequest>(m);
    REQUIRE(r.ok());
    CHECK(r->weight() == 1); // `weight @2 :UInt32 = 1`
    // Writing the default stores zero on the wire.
    std::vector<uint64_t> w2(16);
    wire::Arena a2(w2.data(), 16);
    wire::init_message<lb::AddBackendRequest>(a2).set_weight(1);
    CHECK(w2[1] == 0);
    CHECK(w2[2] == 0);
}

TEST_CASE("root and struct pointers outside the segment are OutOfBounds") {
    CHECK(decode_words<pager::SetBudgetRequest>({}) == RpcError::OutOfBounds);
    CHECK(decode_words<pager::SetBudgetRequest>({struct_ptr(5, 1, 1)}) == RpcError::OutOfBounds);
    CHECK(decode_words<pager::SetBudgetRequest>({struct_ptr(-3, 1, 1)}) == RpcError::OutOfBounds);
    CHECK(decode_words<pager::SetBudgetRequest>({struct_ptr(0, 1, 1), 0}) == RpcError::OutOfBounds);
    CHECK(decode_words<pager::SetBudgetRequest>({struct_ptr(0, 1, 1), 0, 0}) == RpcError::Ok);
}

TEST_CASE("a list running past the segment is OutOfBounds") {
    // SetBudgetRequest: client (ptr 0) is Text.
    CHECK(decode_words<pager::SetBudgetRequest>(
              {struct_ptr(0, 1, 1), 0, list_ptr(0, wire::ElementSize::Byte, 100), 0}) ==
          RpcError::OutOfBounds);
}

TEST_CASE("Text without its NUL is rejected; so is Text pointing at a struct") {
    uint64_t text = 'a' | ('b' << 8);
    CHECK(decode_words<pager::SetBudgetRequest>(
              {struct_ptr(0, 1, 1), 0, list_ptr(0, wire::ElementSize::Byte, 2), text}) ==
          RpcError::TextNotTerminated);
    CHECK(decode_words<pager::SetBudgetRequest>(
              {struct_ptr(0, 1, 1), 0, list_ptr(0, wire::ElementSize::Byte, 3), text}) ==
          RpcError::Ok);
    CHECK(decode_words<pager::SetBudgetRequest>({struct_ptr(0, 1, 1), 0, struct_ptr(0, 1, 0), 0}) ==
          RpcError::WrongType);
    // Lists of the wrong element size.
    CHECK(decode_words<pager::SetBudgetRequest>(
              {struct_ptr(0, 1, 1), 0, list_ptr(0, wire::ElementSize::FourBytes, 1), 0}) ==
          RpcError::WrongType);
}

TEST_CASE("accessors never read out of bounds, even without validation") {
    std::vector<uint64_t> words = {struct_ptr(0, 1, 1), 7,
                                   list_ptr(1000, wire::ElementSize::Byte, 9)};
    wire::Segment segment{words.data(), uint32_t(words.size())};
    wire::Message m{&segment, 1, nullptr, 0};
    wire::StructReader root;
    REQUIRE(wire::read_root(m, root) == RpcError::Ok);
    pager::SetBudgetRequest::Reader r(root);
    CHECK(r.frames() == 7);
    CHECK(r.client().size == 0); // the bad pointer reads as the default
    CHECK(r.client().equals(""));
}

TEST_CASE("far pointers to missing segments are BadPointer") {
    uint64_t far = 2 | (uint64_t(7) << 32); // segment 7
    CHECK(decode_words<pager::SetBudgetRequest>({struct_ptr(0, 1, 1), 0, far}) ==
          RpcError::BadPointer);
    CHECK(decode_words<pager::SetBudgetRequest>({far}) == RpcError::BadPointer);
}

TEST_CASE("nesting deeper than the limit is TooDeep") {
    std::vector<uint64_t> words(1 << 14);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    auto node = wire::init_message<profiler::CallTreeNode>(arena);
    for (uint32_t i = 0; i < limits::kWireMaxDepth; ++i)
        node = node.init_children(1)[0];
    REQUIRE(arena.error == RpcError::Ok);
    wire::Segment segment{words.data(), arena.used};
    wire::Message m{&segment, 1, nullptr, 0};
    auto r = wire::decode<profiler::CallTreeNode>(m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == RpcError::TooDeep);
}

TEST_CASE("a pointer cycle ends in TooDeep, not a hang") {
    // CallTreeNode (1 data word, 2 pointers): children is a one-element
    // struct list whose element's children points back at the same list.
    std::vector<uint64_t> words = {
        struct_ptr(0, 1, 2),                                 // 0: root
        0,                                                   // 1: samples
        0,                                                   // 2: frame
        list_ptr(0, wire::ElementSize::InlineComposite, 3),  // 3: children
        struct_ptr(1, 1, 2),                                 // 4: tag: 1 element
        0,                                                   // 5: samples
        0,                                                   // 6: frame
        list_ptr(-4, wire::ElementSize::InlineComposite, 3), // 7: children -> the same list
    };
    RpcError e = decode_words<profiler::CallTreeNode>(words);
    CHECK((e == RpcError::TooDeep || e == RpcError::TraversalLimit));
}

TEST_CASE("amplification: many pointers to one big Text hit the traversal limit") {
    // StartRequest: kind + periodTicks (1 data word), programs :List(Text).
    const uint32_t n = 200, text_words = 100;
    std::vector<uint64_t> words = {struct_ptr(0, 1, 1), 0,
                                   list_ptr(0, wire::ElementSize::Pointer, n)};
    size_t list_start = words.size();
    size_t text_at = list_start + n;
    for (uint32_t i = 0; i < n; ++i)
        words.push_back(list_ptr(int32_t(text_at - (list_start + i) - 1), wire::ElementSize::Byte,
                                 text_words * 8));
    words.resize(text_at + text_words, 0x4141414141414141ull);
    words.back() = 0;
    CHECK(decode_words<profiler::StartRequest>(words) == RpcError::TraversalLimit);
}

TEST_CASE("amplification: a huge list of empty structs hits the traversal limit") {
    std::vector<uint64_t> words = {struct_ptr(0, 0, 2),
                                   list_ptr(1, wire::ElementSize::InlineComposite, 0), 0,
                                   struct_ptr((1 << 29) - 1, 0, 0)};
    CHECK(decode_words<pager::StatusResult>(words) == RpcError::TraversalLimit);
}

TEST_CASE("traversal budget spent by validation made later reads of a decoded message wrong") {
    // Bug found by the fuzz target: decode() validated against the message's
    // traversal budget and handed out readers that went on charging the same,
    // partly spent, budget. A valid message near the limit then read its
    // lists as empty right away, and any message read often enough (a server
    // looking at its parameters a few times) silently read defaults.
    SUBCASE("near the limit: the first read") {
        // HotspotsResult: union (1 data word), hotspots :List(Hotspot) with
        // 30 elements of zero size: validation charges 2 + 31 of 40 words.
        std::vector<uint64_t> words = {struct_ptr(0, 1, 1), 0,
                                       list_ptr(0, wire::ElementSize::InlineComposite, 0),
                                       struct_ptr(30, 0, 0)};
        wire::Segment segment{words.data(), uint32_t(words.size())};
        wire::Message m{&segment, 1, nullptr, 0};
        auto r = wire::decode<profiler::HotspotsResult>(m);
        REQUIRE(r.ok());
        REQUIRE(r->is_hotspots());
        CHECK(r->hotspots().size() == 30);
        CHECK(r->hotspots().size() == 30);
    }
    SUBCASE("an ordinary message read many times") {
        std::vector<uint64_t> words(64);
        wire::Arena arena(words.data(), uint32_t(words.size()));
        auto b = wire::init_message<profiler::StartRequest>(arena);
        auto programs = b.init_programs(3);
        programs.set(0, "init", 4);
        programs.set(1, "pager", 5);
        programs.set(2, "shell", 5);
        REQUIRE(arena.error == RpcError::Ok);
        wire::Segment segment{words.data(), arena.used};
        wire::Message m{&segment, 1, nullptr, 0};
        auto r = wire::decode<profiler::StartRequest>(m);
        REQUIRE(r.ok());
        for (int pass = 0; pass < 100; ++pass) {
            auto list = r->programs();
            REQUIRE(list.size() == 3);
            CHECK(list[0].equals("init"));
            CHECK(list[1].equals("pager"));
            CHECK(list[2].equals("shell"));
        }
    }
}

TEST_CASE("a capability pointer needs a transferred capability") {
    std::vector<uint64_t> words = {struct_ptr(0, 1, 2), 0, 3 /* cap 0 */, 0};
    CHECK(decode_words<lb::AddBackendRequest>(words, 0) == RpcError::MissingCapability);
    CHECK(decode_words<lb::AddBackendRequest>(words, 1) == RpcError::Ok);
    words[2] = 3 | (uint64_t(2) << 32); // cap 2
    CHECK(decode_words<lb::AddBackendRequest>(words, 2) == RpcError::MissingCapability);
    // A capability where a Text belongs.
    std::vector<uint64_t> bad = {struct_ptr(0, 1, 1), 0, 3};
    CHECK(decode_words<pager::SetBudgetRequest>(bad, 1) == RpcError::WrongType);
}

TEST_CASE("interface fields travel as capabilities and land in receive slots") {
    std::vector<uint64_t> words(32);
    wire::Arena arena(words.data(), 32);
    auto b = wire::init_message<lb::AddBackendRequest>(arena);
    b.set_backend(0x55);
    b.set_name("b1");
    REQUIRE(arena.error == RpcError::Ok);
    CHECK(arena.cap_count == 1);
    CHECK(arena.caps[0] == 0x55);
    wire::Segment segment{words.data(), arena.used};
    static const uint64_t slots[1] = {900};
    wire::Message m{&segment, 1, slots, 1};
    auto r = wire::decode<lb::AddBackendRequest>(m);
    REQUIRE(r.ok());
    CHECK(r->backend().valid());
    CHECK(r->backend().slot == 900);
}

TEST_CASE("builders: no space, too many capabilities, capabilities where none may go") {
    std::vector<uint64_t> words(4);
    wire::Arena arena(words.data(), 4);
    auto b = wire::init_message<pager::SetBudgetRequest>(arena);
    b.set_client("a text that cannot fit in four words at all");
    CHECK(arena.error == RpcError::NoSpace);
    b.set_frames(3); // later writes are harmless no-ops or in-bounds

    std::vector<uint64_t> w2(64);
    wire::Arena a2(w2.data(), 64);
    auto list = wire::init_message<lb::AddBackendRequest>(a2);
    for (int i = 0; i < 4; ++i)
        list.set_backend(uint64_t(i));
    CHECK(a2.error == RpcError::TooManyCapabilities);

    wire::Arena a3(w2.data(), 64);
    a3.caps_allowed = false;
    wire::init_message<lb::AddBackendRequest>(a3).set_backend(1);
    CHECK(a3.error == RpcError::CapabilitiesNotAllowed);
}

TEST_CASE("unions: the active member reads, the others read as defaults") {
    std::vector<uint64_t> words(64);
    wire::Arena arena(words.data(), 64);
    auto b = wire::init_message<pager::StatsResult>(arena);
    auto err = b.init_error();
    err.set_code(idl::common::ErrorCode::notFound);
    err.set_message("no such client");
    wire::Segment segment{words.data(), arena.used};
    wire::Message m{&segment, 1, nullptr, 0};
    auto r = wire::decode<pager::StatsResult>(m);
    REQUIRE(r.ok());
    CHECK(r->which() == pager::StatsResult::Which::error);
    CHECK(r->error().code() == idl::common::ErrorCode::notFound);
    CHECK(r->error().message().equals("no such client"));
    CHECK_FALSE(r->is_stats());
    CHECK(r->stats().residentPages() == 0);
    // An unknown discriminant (a newer peer) is no member, not an error.
    words[1] = 77;
    auto r2 = wire::decode<pager::StatsResult>(m);
    REQUIRE(r2.ok());
    CHECK_FALSE(r2->is_stats());
    CHECK_FALSE(r2->is_error());
}

TEST_CASE("method labels are stable, distinct, and inherited methods keep theirs") {
    CHECK(lb::LoadBalancer::Methods::handle == lb::Backend::Methods::handle);
    CHECK(lb::LoadBalancer::Methods::health == lb::Backend::Methods::health);
    CHECK(lb::LoadBalancer::Methods::addBackend != lb::Backend::Methods::handle);
    CHECK(pager::Pager::Methods::status != pager::Pager::Methods::stats);
    CHECK((pager::Pager::Methods::stats & 0xFFFF) == 1);
    CHECK((pager::Pager::Methods::status & wire::kLabelShared) == 0);
    CHECK(pager::Pager::Methods::status < (1ull << 52));
}

TEST_CASE("flat messages: segment tables are checked") {
    alignas(8) uint8_t bytes[32] = {};
    wire::Segment segments[4];
    uint32_t count = 0;
    // 1 segment of 1 word.
    bytes[0] = 0;
    bytes[4] = 1;
    CHECK(wire::parse_flat(bytes, 16, segments, 4, count) == RpcError::Ok);
    CHECK(count == 1);
    bytes[4] = 9; // longer than the data
    CHECK(wire::parse_flat(bytes, 16, segments, 4, count) == RpcError::BadFraming);
    bytes[0] = 200; // too many segments
    CHECK(wire::parse_flat(bytes, 32, segments, 4, count) == RpcError::BadFraming);
    CHECK(wire::parse_flat(bytes, 4, segments, 4, count) == RpcError::BadFraming);
}
