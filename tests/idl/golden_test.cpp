// The generator's golden schema (tests/idl/golden/sample.capnp), through the
// bindings the build just generated for it: every kind of field written by
// the generated builder reads back through the generated reader, and an
// empty struct reads the schema's defaults. (The build separately checks
// the generated text against the committed golden files.)
#include <rayos/idl/sample.h>

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

using namespace rayos;
namespace sample = rayos::idl::sample;

namespace {

RpcResult<sample::Sample::Reader> decode_sample(const std::vector<uint64_t>& words, uint32_t used,
                                                wire::Segment& segment, wire::Message& m) {
    segment = {words.data(), used};
    m = {&segment, 1, m.caps, m.cap_count};
    return wire::decode<sample::Sample>(m);
}

} // namespace

TEST_CASE("golden sample: every field written by the generated builder reads back") {
    std::vector<uint64_t> words(512);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    auto b = wire::init_message<sample::Sample>(arena);
    b.set_flag(true);
    b.set_i8(-100);
    b.set_i16(-30000);
    b.set_i32(-2000000000);
    b.set_i64(-9000000000000000000ll);
    b.set_u8(200);
    b.set_u16(60000);
    b.set_u32(4000000000u);
    b.set_u64(0xfedcba9876543210ull);
    b.set_f32(1.5f);
    b.set_f64(-0.125);
    b.set_color(sample::Color::blue);
    b.set_text("some text");
    const uint8_t bytes[] = {1, 2, 0, 255, 7};
    b.set_data(bytes, sizeof bytes);
    auto shorts = b.init_shorts(3);
    shorts.set(0, uint16_t(1));
    shorts.set(1, uint16_t(65535));
    shorts.set(2, uint16_t(300));
    auto names = b.init_names(2);
    names.set(0, "alpha", 5);
    names.set(1, "", 0);
    auto inners = b.init_inners(2);
    inners[0].set_id(7);
    inners[0].set_label("seven");
    inners[1].set_id(8);
    auto matrix = b.init_matrix(3);
    auto row = matrix.init(0, 2);
    row.set(0, int32_t(-1));
    row.set(1, int32_t(2147483647));
    matrix.init(2, 1).set(0, int32_t(5));
    auto inner = b.init_inner();
    inner.set_id(99);
    inner.set_label("nested");
    b.set_count(7);
    b.set_enabled(false);
    b.set_ratio(0.0);
    b.set_offset(0);
    b.set_greeting("bye");
    b.set_word("chosen");
    auto position = b.position();
    position.set_x(-5);
    position.set_y(6);
    auto rect = b.shape().init_rect();
    rect.set_width(640);
    rect.set_height(480);
    b.set_service(0x77);
    REQUIRE(arena.error == RpcError::Ok);
    CHECK(arena.cap_count == 1);

    static const uint64_t slots[1] = {500};
    wire::Segment segment;
    wire::Message m{nullptr, 0, slots, 1};
    auto decoded = decode_sample(words, arena.used, segment, m);
    REQUIRE(decoded.ok());
    auto r = decoded.value();
    CHECK(r.flag());
    CHECK(r.i8() == -100);
    CHECK(r.i16() == -30000);
    CHECK(r.i32() == -2000000000);
    CHECK(r.i64() == -9000000000000000000ll);
    CHECK(r.u8() == 200);
    CHECK(r.u16() == 60000);
    CHECK(r.u32() == 4000000000u);
    CHECK(r.u64() == 0xfedcba9876543210ull);
    CHECK(r.f32() == 1.5f);
    CHECK(r.f64() == -0.125);
    CHECK(r.color() == sample::Color::blue);
    CHECK(r.text().equals("some text"));
    REQUIRE(r.data().size == sizeof bytes);
    CHECK(memcmp(r.data().ptr, bytes, sizeof bytes) == 0);

    REQUIRE(r.shorts().size() == 3);
    CHECK(r.shorts()[0] == 1);
    CHECK(r.shorts()[1] == 65535);
    CHECK(r.shorts()[2] == 300);
    CHECK(r.shorts()[3] == 0); // out of range: the default
    REQUIRE(r.names().size() == 2);
    CHECK(r.names()[0].equals("alpha"));
    CHECK(r.names()[1].equals(""));
    REQUIRE(r.inners().size() == 2);
    CHECK(r.inners()[0].id() == 7);
    CHECK(r.inners()[0].label().equals("seven"));
    CHECK(r.inners()[1].id() == 8);
    CHECK_FALSE(r.inners()[1].has_label());
    REQUIRE(r.matrix().size() == 3);
    REQUIRE(r.matrix()[0].size() == 2);
    CHECK(r.matrix()[0][0] == -1);
    CHECK(r.matrix()[0][1] == 2147483647);
    CHECK(r.matrix()[1].size() == 0);
    REQUIRE(r.matrix()[2].size() == 1);
    CHECK(r.matrix()[2][0] == 5);
    CHECK(r.has_inner());
    CHECK(r.inner().id() == 99);
    CHECK(r.inner().label().equals("nested"));

    CHECK(r.count() == 7);
    CHECK_FALSE(r.enabled());
    CHECK(r.ratio() == 0.0);
    CHECK(r.offset() == 0);
    CHECK(r.greeting().equals("bye"));

    CHECK(r.which() == sample::Sample::Which::word);
    CHECK(r.is_word());
    CHECK_FALSE(r.is_none());
    CHECK(r.word().equals("chosen"));
    CHECK(r.number() == 0); // inactive member: its default
    CHECK(r.position().x() == -5);
    CHECK(r.position().y() == 6);
    CHECK(r.shape().which() == sample::Sample_Shape::Which::rect);
    CHECK(r.shape().is_rect());
    CHECK(r.shape().rect().width() == 640);
    CHECK(r.shape().rect().height() == 480);
    CHECK(r.service().valid());
    CHECK(r.service().slot == 500);

    // Switching the union members: a Void member, a group member.
    b.set_none();
    b.shape().init_circle().set_radius(2.25f);
    auto again = decode_sample(words, arena.used, segment, m);
    REQUIRE(again.ok());
    CHECK(again->is_none());
    CHECK(again->shape().is_circle());
    CHECK(again->shape().circle().radius() == 2.25f);
    CHECK(again->shape().rect().width() == 0);
    b.shape().set_empty();
    CHECK(decode_sample(words, arena.used, segment, m)->shape().is_empty());
}

TEST_CASE("golden sample: an empty struct reads the schema's defaults") {
    auto check_defaults = [](const sample::Sample::Reader& r) {
        CHECK(r.count() == 42);
        CHECK(r.enabled());
        CHECK(r.ratio() == 2.5);
        CHECK(r.offset() == -7);
        CHECK(r.greeting().equals("hello"));
        CHECK(r.greeting().size == 5);
        CHECK_FALSE(r.has_greeting());
        CHECK_FALSE(r.flag());
        CHECK(r.u64() == 0);
        CHECK(r.f64() == 0.0);
        CHECK(r.color() == sample::Color::red);
        CHECK(r.text().equals(""));
        CHECK(r.data().size == 0);
        CHECK(r.shorts().size() == 0);
        CHECK(r.matrix().size() == 0);
        CHECK(r.inner().id() == 0);
        CHECK(r.inner().label().equals(""));
        CHECK(r.which() == sample::Sample::Which::none);
        CHECK(r.shape().which() == sample::Sample_Shape::Which::circle);
        CHECK(r.shape().circle().radius() == 0.0f);
        CHECK_FALSE(r.service().valid());
    };

    // Built with nothing set: all-zero data and pointer sections.
    std::vector<uint64_t> words(64);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    auto b = wire::init_message<sample::Sample>(arena);
    REQUIRE(arena.error == RpcError::Ok);
    wire::Segment segment;
    wire::Message m{nullptr, 0, nullptr, 0};
    auto decoded = decode_sample(words, arena.used, segment, m);
    REQUIRE(decoded.ok());
    check_defaults(decoded.value());

    // A struct with no sections at all (an older peer's): the same.
    std::vector<uint64_t> empty = {0xfffffffc}; // struct pointer, offset -1, 0 words
    auto from_empty = decode_sample(empty, 1, segment, m);
    REQUIRE(from_empty.ok());
    check_defaults(from_empty.value());

    // Writing a default stores zeros; writing zero stores the default's bits.
    b.set_count(42);
    b.set_enabled(true);
    b.set_ratio(2.5);
    b.set_offset(-7);
    for (uint32_t i = 0; i < sample::Sample::kDataWords; ++i)
        CHECK(words[1 + i] == 0); // word 0 is the root pointer
    b.set_count(0);
    b.set_enabled(false);
    b.set_offset(0);
    auto zeros = decode_sample(words, arena.used, segment, m);
    REQUIRE(zeros.ok());
    CHECK(zeros->count() == 0);
    CHECK_FALSE(zeros->enabled());
    CHECK(zeros->offset() == 0);
}

// Regression tests for findings of the IDL code review.

TEST_CASE("review: an inactive union group reads as empty, not as another member's bits") {
    std::vector<uint64_t> words(64);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    auto b = wire::init_message<sample::Sample>(arena);
    auto rect = b.shape().init_rect();
    rect.set_width(0xFFFF);
    rect.set_height(0xFFFF);
    wire::Segment segment;
    wire::Message m{nullptr, 0, nullptr, 0};
    auto r = decode_sample(words, arena.used, segment, m);
    REQUIRE(r.ok());
    CHECK(r->shape().is_rect());
    CHECK(r->shape().circle().radius() == 0.0f); // would alias width/height
}

TEST_CASE("review: initialising a group clears the discriminant of its own union") {
    std::vector<uint64_t> words(64);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    auto b = wire::init_message<sample::Sample>(arena);
    b.shape().set_big(~0ull);
    b.shape().init_labelled();
    wire::Segment segment;
    wire::Message m{nullptr, 0, nullptr, 0};
    auto r = decode_sample(words, arena.used, segment, m);
    REQUIRE(r.ok());
    REQUIRE(r->shape().is_labelled());
    CHECK(r->shape().labelled().which() == sample::Sample_Shape_Labelled::Which::plain);
}

TEST_CASE("review: Text::equals never reads past the end of the string it compares with") {
    // "ab\0c" with its NUL: valid Text with an embedded NUL.
    const char bytes[] = {'a', 'b', 0, 'c', 0};
    wire::Text t{bytes, 4};
    char* probe = new char[3]{'a', 'b', 0}; // exactly "ab" (ASan guards its end)
    CHECK_FALSE(t.equals(probe));
    delete[] probe;
    CHECK(wire::Text{bytes, 2}.equals("ab"));
}

TEST_CASE("review: an impossible Text or Data length fails the builder instead of wrapping") {
    std::vector<uint64_t> words(16);
    wire::Arena arena(words.data(), uint32_t(words.size()));
    auto root = wire::init_root(arena, 0, 1);
    CHECK(root.pointer(0).init_bytes(~0ull, true) == nullptr);
    CHECK(arena.error == RpcError::NoSpace);
}
