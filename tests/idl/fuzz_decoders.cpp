// libFuzzer target over every generated decoder (built with clang++,
// -fsanitize=fuzzer,address,undefined; see tests/idl/CMakeLists.txt).
//
// Input: byte 0 selects the struct (index modulo the number of structs in
// idl_structs.h), byte 1 the number of capabilities that came with the
// message (0-3), the rest is a flat message (segment table and segments).
// When the segment table does not parse, the rest is tried as one raw
// segment, so both the framing and the pointers are fuzzed.
//
// Every segment and the capability table are copied into allocations of
// exactly their size, so ASan reports any read past one of them (even into
// the next segment). Then:
//   - decode<S> validates; if the message is valid, every field is read
//     (every byte of every Text and Data) twice, and both walks and a walk
//     from a fresh root must see the same values: a validated message never
//     reads wrong;
//   - the root is read again without validation and every field is walked:
//     accessors must be safe on anything.
// Nothing may crash, trap or make a sanitizer report.
#include "idl_structs.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

namespace {

using namespace rayos;

// Reads every value and every byte of Text and Data into a checksum.
struct Touch {
    uint64_t sum = 0;
    uint64_t count = 0;

    void add(uint64_t x) {
        sum = (sum ^ x) * 0x100000001b3ull;
        ++count;
    }
    template <typename T> void value(const char*, T x) {
        if constexpr (std::is_same_v<T, wire::Void>) {
            add(1);
        } else if constexpr (std::is_enum_v<T>) {
            add(uint64_t(std::underlying_type_t<T>(x)));
        } else if constexpr (std::is_floating_point_v<T>) {
            uint64_t raw = 0;
            memcpy(&raw, &x, sizeof x);
            add(raw);
        } else {
            add(uint64_t(x));
        }
    }
    void text(const char*, wire::Text t) {
        for (uint32_t i = 0; i < t.size; ++i)
            add(uint8_t(t.ptr[i]));
        if (t.ptr[t.size] != 0) __builtin_trap(); // Text::c_str() promises the NUL
    }
    void data(const char*, wire::Data d) {
        if (d.size != 0 && d.ptr == nullptr) __builtin_trap();
        for (uint32_t i = 0; i < d.size; ++i)
            add(d.ptr[i]);
    }
    void cap(const char*, uint32_t index) { add(index); }
    void enter(const char*) { add(2); }
    void leave() { add(3); }
    void begin_list(const char*, uint32_t size) { add(size); }
    void end_list() { add(4); }
    void which(const char* member) { add(member ? uint8_t(member[0]) : 5); }
};

volatile uint64_t g_sink;

template <typename S> Touch walk(const typename S::Reader& r) {
    Touch t;
    S::reflect(r, t);
    g_sink = g_sink + t.sum;
    return t;
}

bool same(const Touch& a, const Touch& b) {
    return a.sum == b.sum && a.count == b.count;
}

template <typename S> void fuzz(const wire::Message& m) {
    auto decoded = wire::decode<S>(m);
    if (decoded.ok()) {
        Touch first = walk<S>(decoded.value());
        Touch again = walk<S>(decoded.value());
        wire::StructReader fresh;
        if (wire::read_root(m, fresh) != RpcError::Ok) __builtin_trap();
        Touch third = walk<S>(typename S::Reader(fresh));
        if (!same(first, again) || !same(first, third)) __builtin_trap();
    }
    // Without validation: whatever read_root makes of it (on an error, the
    // empty struct) must be safe to read in full.
    wire::StructReader root;
    (void)wire::read_root(m, root);
    walk<S>(typename S::Reader(root));
}

using Fuzzer = void (*)(const wire::Message&);
#define RAYOS_FUZZ_ENTRY(S) &fuzz<S>,
constexpr Fuzzer kFuzzers[] = {RAYOS_IDL_ALL_STRUCTS(RAYOS_FUZZ_ENTRY)};
#undef RAYOS_FUZZ_ENTRY
constexpr size_t kStructs = sizeof kFuzzers / sizeof kFuzzers[0];

// Copies `words` words into an allocation of exactly that size.
std::unique_ptr<uint64_t[]> exact_copy(const uint64_t* words, uint32_t n) {
    std::unique_ptr<uint64_t[]> copy(new uint64_t[n]);
    if (n) memcpy(copy.get(), words, size_t(n) * 8);
    return copy;
}

void run(Fuzzer fuzzer, const wire::Segment* segments, uint32_t count, uint32_t caps) {
    std::vector<std::unique_ptr<uint64_t[]>> owned;
    std::vector<wire::Segment> exact(count);
    for (uint32_t i = 0; i < count; ++i) {
        owned.push_back(exact_copy(segments[i].words, segments[i].size));
        exact[i] = {owned.back().get(), segments[i].size};
    }
    std::unique_ptr<uint64_t[]> slots(new uint64_t[caps]);
    for (uint32_t i = 0; i < caps; ++i)
        slots[i] = 100 + i;
    wire::Message m{exact.data(), count, caps ? slots.get() : nullptr, caps};
    fuzzer(m);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
    if (size < 2) return 0;
    Fuzzer fuzzer = kFuzzers[input[0] % kStructs];
    uint32_t caps = input[1] % 4;
    const uint8_t* rest = input + 2;
    size_t rest_size = size - 2;

    // 8-byte aligned, zero-padded to whole words.
    std::vector<uint64_t> aligned((rest_size + 7) / 8);
    if (rest_size) memcpy(aligned.data(), rest, rest_size);
    const auto* bytes = reinterpret_cast<const uint8_t*>(aligned.data());

    wire::Segment segments[limits::kWireMaxSegments];
    uint32_t count = 0;
    if (wire::parse_flat(bytes, rest_size, segments, limits::kWireMaxSegments, count) ==
        RpcError::Ok) {
        run(fuzzer, segments, count, caps);
    } else {
        wire::Segment raw{aligned.data(), uint32_t(aligned.size())};
        run(fuzzer, &raw, 1, caps);
    }
    return 0;
}
