// Cap'n Proto's wire format, freestanding: reading and building structs,
// lists, Text, Data and capability pointers in message segments.
//
// Reading never trusts the message: every pointer is bounds-checked against
// its segment, and an accessor that meets a bad pointer returns the default
// value. `validate` (generated per struct) walks a whole message first and
// turns the first problem into an RpcError, with nesting and traversal
// (amplification) limits from rayos/limits.h.
//
// Building writes into one caller-provided segment (an IPC buffer, a shared
// frame, a host array); running out of space makes the arena remember
// NoSpace and every later write a no-op, so building code needs no checks
// until the end.
//
// Encoding reference: https://capnproto.org/encoding.html
#pragma once

#include <rayos/limits.h>
#include <rayos/wire/error.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace rayos::wire {

enum class ElementSize : uint8_t {
    Void = 0,
    Bit = 1,
    Byte = 2,
    TwoBytes = 3,
    FourBytes = 4,
    EightBytes = 5,
    Pointer = 6,
    InlineComposite = 7,
};

namespace detail {
inline void copy_bytes(void* to, const void* from, size_t n) {
    __builtin_memcpy(to, from, n);
}
inline void zero_words(uint64_t* p, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i)
        p[i] = 0;
}
constexpr uint64_t kMaxListElements = (1u << 29) - 1;
// The unsigned integer with T's size (field values are XOR-ed as bits).
template <typename T>
using BitsOf =
    std::conditional_t<sizeof(T) == 1, uint8_t,
                       std::conditional_t<sizeof(T) == 2, uint16_t,
                                          std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
constexpr uint32_t bits_of(ElementSize s) {
    constexpr uint32_t bits[] = {0, 1, 8, 16, 32, 64, 64, 0};
    return bits[uint8_t(s)];
}
} // namespace detail

struct Segment {
    const uint64_t* words = nullptr;
    uint32_t size = 0; // in words
};

// A message being read: its segments and the capabilities that came with
// it (caps[i] is the slot, in the receiver's CSpace, where the i-th
// transferred capability landed).
struct Message {
    const Segment* segments = nullptr;
    uint32_t segment_count = 0;
    const uint64_t* caps = nullptr;
    uint32_t cap_count = 0;
    mutable int64_t budget = 0; // words reads may still visit (see read_root)
};

// The budget of a validated message (see decode): reads are not charged.
constexpr int64_t kUnlimitedBudget = INT64_MAX;

struct StructReader;
struct ListReader;

// A pointer inside a message: the segment it lives in and its address.
struct PointerReader {
    const Message* msg = nullptr;
    uint32_t seg = 0;
    const uint64_t* at = nullptr; // nullptr: absent (reads as null)
    uint32_t depth = 0;           // nesting still allowed below it

    bool is_null() const { return at == nullptr || *at == 0; }
    // The struct it points at (null: the empty struct).
    [[nodiscard]] RpcError read_struct(StructReader& out) const;
    // The list it points at, which must have elements of `expected` size
    // (InlineComposite: a list of structs). Null: the empty list.
    [[nodiscard]] RpcError read_list(ElementSize expected, ListReader& out) const;
    // A capability pointer: its index in the message's capability table.
    [[nodiscard]] RpcError read_cap(uint32_t& index) const;
};

// 24 bytes, so that readers pass in registers and copy cheaply.
struct StructReader {
    const Message* msg = nullptr;
    const uint8_t* data = nullptr; // the pointer section follows the data
    uint32_t data_bytes = 0;
    uint16_t ptr_count = 0;
    uint8_t seg = 0; // segment index (at most limits::kWireMaxSegments)
    uint8_t depth = limits::kWireMaxDepth;

    const uint64_t* ptrs() const { return reinterpret_cast<const uint64_t*>(data + data_bytes); }

    // Field `index` in units of sizeof(T), XOR-ed with the schema default.
    template <typename T> T get(uint32_t index, T fallback = T{}) const {
        using Bits = std::conditional_t<
            sizeof(T) == 1, uint8_t,
            std::conditional_t<sizeof(T) == 2, uint16_t,
                               std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
        Bits raw = 0, def;
        detail::copy_bytes(&def, &fallback, sizeof(T));
        if ((uint64_t(index) + 1) * sizeof(T) <= data_bytes)
            detail::copy_bytes(&raw, data + uint64_t(index) * sizeof(T), sizeof(T));
        raw ^= def;
        T value;
        detail::copy_bytes(&value, &raw, sizeof(T));
        return value;
    }
    bool get_bool(uint32_t bit, bool fallback = false) const {
        bool set = bit / 8 < data_bytes && ((data[bit / 8] >> (bit % 8)) & 1);
        return set != fallback;
    }
    PointerReader pointer(uint16_t index) const {
        if (index >= ptr_count) return {msg, seg, nullptr, depth};
        return {msg, seg, ptrs() + index, depth};
    }
};

struct ListReader {
    const Message* msg = nullptr;
    uint32_t seg = 0;
    const uint8_t* start = nullptr;
    uint32_t count = 0;
    uint32_t step_bits = 0;         // distance between elements
    uint32_t struct_data_bytes = 0; // composite elements: their data section
    uint16_t struct_ptrs = 0;       // composite elements: their pointers
    ElementSize size = ElementSize::Void;
    uint32_t depth = 0;

    template <typename T> T get(uint32_t i) const {
        T value{};
        if (i < count && step_bits == sizeof(T) * 8)
            detail::copy_bytes(&value, start + uint64_t(i) * sizeof(T), sizeof(T));
        return value;
    }
    bool get_bool(uint32_t i) const {
        return i < count && size == ElementSize::Bit && ((start[i / 8] >> (i % 8)) & 1);
    }
    PointerReader pointer(uint32_t i) const {
        if (i >= count || size != ElementSize::Pointer) return {msg, seg, nullptr, depth};
        return {msg, seg, reinterpret_cast<const uint64_t*>(start) + i, depth};
    }
    StructReader element(uint32_t i) const {
        if (i >= count || size != ElementSize::InlineComposite) return {};
        const uint8_t* base = start + uint64_t(i) * (step_bits / 8);
        return {msg, base, struct_data_bytes, struct_ptrs, uint8_t(seg), uint8_t(depth)};
    }
};

namespace detail {

inline RpcError charge(const Message& m, uint64_t words) {
    if (m.budget == kUnlimitedBudget) return RpcError::Ok;
    m.budget -= int64_t(words);
    return m.budget < 0 ? RpcError::TraversalLimit : RpcError::Ok;
}

// Follows a struct or list pointer (possibly through a far pointer and its
// landing pad) to its target: the segment, the first word of the content,
// and the tag word that describes it.
inline RpcError follow(const Message& m, uint32_t seg, const uint64_t* at, uint32_t& out_seg,
                       const uint64_t*& target, uint64_t& tag) {
    uint64_t p = *at;
    if ((p & 3) == 2) { // far pointer
        uint32_t pad_seg = uint32_t(p >> 32);
        bool two_words = (p & 4) != 0;
        uint64_t pad_offset = (p >> 3) & 0x1FFFFFFF;
        if (pad_seg >= m.segment_count) return RpcError::BadPointer;
        const Segment& s = m.segments[pad_seg];
        if (pad_offset + (two_words ? 2 : 1) > s.size) return RpcError::OutOfBounds;
        const uint64_t* pad = s.words + pad_offset;
        if (!two_words) {
            if ((pad[0] & 3) >= 2) return RpcError::BadPointer;
            return follow(m, pad_seg, pad, out_seg, target, tag);
        }
        uint64_t far = pad[0];
        tag = pad[1];
        if ((far & 7) != 2 || (tag & 3) >= 2 || (tag & 0xFFFFFFFC) != 0)
            return RpcError::BadPointer;
        uint32_t content_seg = uint32_t(far >> 32);
        uint64_t offset = (far >> 3) & 0x1FFFFFFF;
        if (content_seg >= m.segment_count) return RpcError::BadPointer;
        if (offset > m.segments[content_seg].size) return RpcError::OutOfBounds;
        out_seg = content_seg;
        target = m.segments[content_seg].words + offset;
        return RpcError::Ok;
    }
    if ((p & 3) == 3) return RpcError::WrongType;
    const Segment& s = m.segments[seg];
    int64_t offset = int32_t(uint32_t(p)) >> 2;
    int64_t position = (at - s.words) + 1 + offset;
    if (position < 0 || position > int64_t(s.size)) return RpcError::OutOfBounds;
    out_seg = seg;
    target = s.words + position;
    tag = p;
    return RpcError::Ok;
}

inline bool fits(const Message& m, uint32_t seg, const uint64_t* target, uint64_t words) {
    const Segment& s = m.segments[seg];
    return uint64_t(target - s.words) + words <= s.size;
}

} // namespace detail

inline RpcError PointerReader::read_struct(StructReader& out) const {
    out = StructReader{msg, nullptr, 0, 0, uint8_t(seg), uint8_t(depth)};
    if (is_null()) return RpcError::Ok;
    if (depth == 0) return RpcError::TooDeep;
    uint32_t target_seg = seg;
    const uint64_t* target;
    uint64_t tag = *at;
    if ((tag & 3) == 0) { // a near struct pointer: the common case, kept inline
        const Segment& s = msg->segments[seg];
        int64_t position = (at - s.words) + 1 + (int32_t(uint32_t(tag)) >> 2);
        if (position < 0 || position > int64_t(s.size)) return RpcError::OutOfBounds;
        target = s.words + position;
    } else if (auto e = detail::follow(*msg, seg, at, target_seg, target, tag); e != RpcError::Ok) {
        return e;
    }
    if ((tag & 3) != 0) return RpcError::WrongType;
    uint32_t data_words = uint16_t(tag >> 32);
    uint16_t ptr_count = uint16_t(tag >> 48);
    if (!detail::fits(*msg, target_seg, target, uint64_t(data_words) + ptr_count))
        return RpcError::OutOfBounds;
    out = StructReader{msg,
                       reinterpret_cast<const uint8_t*>(target),
                       data_words * 8,
                       ptr_count,
                       uint8_t(target_seg),
                       uint8_t(depth - 1)};
    return detail::charge(*msg, data_words + ptr_count == 0 ? 1 : data_words + ptr_count);
}

inline RpcError PointerReader::read_list(ElementSize expected, ListReader& out) const {
    out = ListReader{msg, seg, nullptr, 0, 0, 0, 0, expected, depth};
    if (is_null()) return RpcError::Ok;
    if (depth == 0) return RpcError::TooDeep;
    uint32_t target_seg;
    const uint64_t* target;
    uint64_t tag;
    if (auto e = detail::follow(*msg, seg, at, target_seg, target, tag); e != RpcError::Ok)
        return e;
    if ((tag & 3) != 1) return RpcError::WrongType;
    auto size = ElementSize((tag >> 32) & 7);
    uint64_t count = tag >> 35;
    if (size == ElementSize::InlineComposite) {
        if (expected != ElementSize::InlineComposite) return RpcError::WrongType;
        uint64_t words = count;
        if (!detail::fits(*msg, target_seg, target, words + 1)) return RpcError::OutOfBounds;
        uint64_t element_tag = *target;
        if ((element_tag & 3) != 0) return RpcError::BadPointer;
        uint64_t elements = (element_tag >> 2) & 0x3FFFFFFF;
        uint32_t data_words = uint16_t(element_tag >> 32);
        uint16_t ptr_count = uint16_t(element_tag >> 48);
        uint64_t per_element = uint64_t(data_words) + ptr_count;
        if (elements * per_element > words) return RpcError::OutOfBounds;
        out = ListReader{msg,
                         target_seg,
                         reinterpret_cast<const uint8_t*>(target + 1),
                         uint32_t(elements),
                         uint32_t(per_element * 64),
                         data_words * 8,
                         ptr_count,
                         size,
                         depth - 1};
        // Empty elements still cost a word each: a huge list of them is
        // amplification, not data.
        return detail::charge(*msg, per_element == 0 ? elements + 1 : words + 1);
    }
    if (size != expected) return RpcError::WrongType;
    uint64_t bits = count * detail::bits_of(size);
    uint64_t words = (bits + 63) / 64;
    if (!detail::fits(*msg, target_seg, target, words)) return RpcError::OutOfBounds;
    out = ListReader{msg,
                     target_seg,
                     reinterpret_cast<const uint8_t*>(target),
                     uint32_t(count),
                     detail::bits_of(size),
                     0,
                     0,
                     size,
                     depth - 1};
    return detail::charge(*msg, size == ElementSize::Void ? count + 1 : (words ? words : 1));
}

inline RpcError PointerReader::read_cap(uint32_t& index) const {
    index = ~0u;
    if (is_null()) return RpcError::Ok;
    uint64_t p = *at;
    if ((p & 3) != 3 || (p & 0xFFFFFFFC) != 0) return RpcError::WrongType;
    index = uint32_t(p >> 32);
    return index < msg->cap_count ? RpcError::Ok : RpcError::MissingCapability;
}

// --- building ------------------------------------------------------------------

// One segment being built, and the capabilities the message will carry
// (caps[i]: the sender's address of the i-th capability).
struct Arena {
    static constexpr uint32_t kMaxCaps = 3; // abi::kMaxMessageCaps
    uint64_t* words = nullptr;
    uint32_t capacity = 0;
    uint32_t used = 0;
    RpcError error = RpcError::Ok;
    uint32_t cap_count = 0;
    bool caps_allowed = true;
    uint64_t caps[kMaxCaps]; // the first cap_count are set

    Arena() = default;
    Arena(uint64_t* buffer, uint32_t capacity_words) : words(buffer), capacity(capacity_words) {}
    explicit Arena(RpcError failed) : error(failed) {}

    uint64_t* allocate(uint64_t n) {
        if (error != RpcError::Ok) return nullptr;
        if (n > capacity - used) {
            error = RpcError::NoSpace;
            return nullptr;
        }
        uint64_t* p = words + used;
        used += uint32_t(n);
        detail::zero_words(p, uint32_t(n));
        return p;
    }
    void fail(RpcError e) {
        if (error == RpcError::Ok) error = e;
    }
};

struct StructBuilder;
struct ListBuilder;

// A pointer slot being written.
struct PointerBuilder {
    Arena* arena = nullptr;
    uint64_t* at = nullptr; // nullptr: no such slot (writes are dropped)

    StructBuilder init_struct(uint16_t data_words, uint16_t ptr_count) const;
    ListBuilder init_list(ElementSize size, uint64_t count) const;
    ListBuilder init_struct_list(uint64_t count, uint16_t data_words, uint16_t ptr_count) const;
    // A Data (or Text, with room for the NUL) of `bytes` bytes, zeroed.
    uint8_t* init_bytes(uint64_t bytes, bool text) const;
    void set_text(const char* text, uint64_t length) const {
        if (uint8_t* p = init_bytes(length, true)) detail::copy_bytes(p, text, length);
    }
    void set_data(const void* bytes, uint64_t length) const {
        if (uint8_t* p = init_bytes(length, false)) detail::copy_bytes(p, bytes, length);
    }
    void set_cap(uint64_t cap_address) const;
    void clear() const {
        if (at) *at = 0;
    }

private:
    void point_at(const uint64_t* target, uint64_t tag_high, uint64_t kind) const {
        int64_t offset = target - (at + 1);
        *at = (uint64_t(uint32_t(offset << 2)) | kind) | tag_high;
    }
};

struct StructBuilder {
    Arena* arena = nullptr;
    uint8_t* data = nullptr; // the pointer section follows the data
    uint32_t data_bytes = 0;
    uint16_t ptr_count = 0;

    uint64_t* ptrs() const { return reinterpret_cast<uint64_t*>(data + data_bytes); }

    template <typename T> void set(uint32_t index, T value, T fallback = T{}) {
        if ((uint64_t(index) + 1) * sizeof(T) > data_bytes) return;
        using Bits = detail::BitsOf<T>;
        Bits v, def;
        detail::copy_bytes(&v, &value, sizeof(T));
        detail::copy_bytes(&def, &fallback, sizeof(T));
        v ^= def;
        detail::copy_bytes(data + uint64_t(index) * sizeof(T), &v, sizeof(T));
    }
    void set_bool(uint32_t bit, bool value, bool fallback = false) {
        if (bit / 8 >= data_bytes) return;
        uint8_t mask = uint8_t(1u << (bit % 8));
        if (value != fallback)
            data[bit / 8] |= mask;
        else
            data[bit / 8] &= uint8_t(~mask);
    }
    PointerBuilder pointer(uint16_t index) const {
        return {arena, index < ptr_count ? ptrs() + index : nullptr};
    }
    // Zeroes a group's or union member's fields before it is (re)used.
    void clear_data_bits(uint32_t bit, uint32_t bits) {
        for (uint32_t i = bit; i < bit + bits && i / 8 < data_bytes; ++i)
            data[i / 8] &= uint8_t(~(1u << (i % 8)));
    }
};

struct ListBuilder {
    Arena* arena = nullptr;
    uint8_t* start = nullptr;
    uint32_t count = 0;
    uint32_t step_bits = 0;
    uint32_t struct_data_bytes = 0;
    uint16_t struct_ptrs = 0;
    ElementSize size = ElementSize::Void;

    template <typename T> void set(uint32_t i, T value) {
        if (i < count && step_bits == sizeof(T) * 8)
            detail::copy_bytes(start + uint64_t(i) * sizeof(T), &value, sizeof(T));
    }
    void set_bool(uint32_t i, bool value) {
        if (i >= count || size != ElementSize::Bit) return;
        uint8_t mask = uint8_t(1u << (i % 8));
        start[i / 8] = value ? uint8_t(start[i / 8] | mask) : uint8_t(start[i / 8] & ~mask);
    }
    PointerBuilder pointer(uint32_t i) const {
        if (i >= count || size != ElementSize::Pointer) return {arena, nullptr};
        return {arena, reinterpret_cast<uint64_t*>(start) + i};
    }
    StructBuilder element(uint32_t i) const {
        if (i >= count || size != ElementSize::InlineComposite) return {arena};
        uint8_t* base = start + uint64_t(i) * (step_bits / 8);
        return {arena, base, struct_data_bytes, struct_ptrs};
    }
};

inline StructBuilder PointerBuilder::init_struct(uint16_t data_words, uint16_t ptr_count) const {
    if (!at) return {arena};
    uint64_t* p = arena->allocate(uint64_t(data_words) + ptr_count);
    if (!p) return {arena};
    point_at(p, (uint64_t(data_words) << 32) | (uint64_t(ptr_count) << 48), 0);
    return {arena, reinterpret_cast<uint8_t*>(p), uint32_t(data_words) * 8, ptr_count};
}

inline ListBuilder PointerBuilder::init_list(ElementSize size, uint64_t count) const {
    if (!at || size == ElementSize::InlineComposite) return {arena};
    if (count > detail::kMaxListElements) {
        arena->fail(RpcError::NoSpace);
        return {arena};
    }
    uint64_t words = (count * detail::bits_of(size) + 63) / 64;
    uint64_t* p = arena->allocate(words);
    if (!p) return {arena};
    point_at(p, (uint64_t(size) << 32) | (count << 35), 1);
    return {arena, reinterpret_cast<uint8_t*>(p), uint32_t(count), detail::bits_of(size), 0, 0,
            size};
}

inline ListBuilder PointerBuilder::init_struct_list(uint64_t count, uint16_t data_words,
                                                    uint16_t ptr_count) const {
    if (!at) return {arena};
    uint64_t per_element = uint64_t(data_words) + ptr_count;
    uint64_t words = count * per_element;
    if (count > detail::kMaxListElements || words > detail::kMaxListElements) {
        arena->fail(RpcError::NoSpace);
        return {arena};
    }
    uint64_t* p = arena->allocate(words + 1);
    if (!p) return {arena};
    p[0] = (count << 2) | (uint64_t(data_words) << 32) | (uint64_t(ptr_count) << 48);
    point_at(p, (uint64_t(ElementSize::InlineComposite) << 32) | (words << 35), 1);
    return {arena,
            reinterpret_cast<uint8_t*>(p + 1),
            uint32_t(count),
            uint32_t(per_element * 64),
            uint32_t(data_words) * 8,
            ptr_count,
            ElementSize::InlineComposite};
}

inline uint8_t* PointerBuilder::init_bytes(uint64_t bytes, bool text) const {
    if (bytes > detail::kMaxListElements) {
        if (at) arena->fail(RpcError::NoSpace);
        return nullptr;
    }
    uint64_t count = bytes + (text ? 1 : 0);
    ListBuilder list = init_list(ElementSize::Byte, count);
    return list.count == count ? list.start : nullptr;
}

inline void PointerBuilder::set_cap(uint64_t cap_address) const {
    if (!at) return;
    if (!arena->caps_allowed) return arena->fail(RpcError::CapabilitiesNotAllowed);
    if (arena->cap_count == Arena::kMaxCaps) return arena->fail(RpcError::TooManyCapabilities);
    arena->caps[arena->cap_count] = cap_address;
    *at = (uint64_t(arena->cap_count) << 32) | 3;
    ++arena->cap_count;
}

// --- whole messages -------------------------------------------------------------

// The root struct of a message, located and charged against a fresh
// traversal budget (kWireTraversalFactor words per message word).
inline RpcError read_root(const Message& m, StructReader& root) {
    if (m.segment_count == 0 || m.segments[0].size == 0) return RpcError::OutOfBounds;
    if (m.segment_count > limits::kWireMaxSegments) return RpcError::BadFraming;
    const Segment& first = m.segments[0];
    uint64_t total = first.size;
    for (uint32_t i = 1; i < m.segment_count; ++i)
        total += m.segments[i].size;
    m.budget = int64_t(total * limits::kWireTraversalFactor) + 8;
    // The usual root, inline: a near struct pointer in word 0.
    uint64_t p = first.words[0];
    if ((p & 3) == 0 && p != 0) {
        int64_t position = 1 + (int32_t(uint32_t(p)) >> 2);
        uint32_t data_words = uint16_t(p >> 32);
        uint16_t ptr_count = uint16_t(p >> 48);
        if (position < 0 || uint64_t(position) + data_words + ptr_count > first.size)
            return RpcError::OutOfBounds;
        const uint64_t* target = first.words + position;
        root = StructReader{&m, reinterpret_cast<const uint8_t*>(target), data_words * 8, ptr_count,
                            0,  uint8_t(limits::kWireMaxDepth - 1)};
        m.budget -= data_words + ptr_count + 1;
        return RpcError::Ok;
    }
    PointerReader pointer{&m, 0, first.words, limits::kWireMaxDepth};
    return pointer.read_struct(root);
}

// Splits a flat message (Cap'n Proto's stream framing: segment count - 1,
// segment sizes, padding, segments) into segments. `bytes` must be 8-byte
// aligned.
inline RpcError parse_flat(const uint8_t* bytes, size_t size, Segment* segments,
                           uint32_t max_segments, uint32_t& count) {
    if (size < 8 || reinterpret_cast<uintptr_t>(bytes) % 8 != 0) return RpcError::BadFraming;
    uint32_t header[2];
    detail::copy_bytes(header, bytes, 8);
    uint64_t n = uint64_t(header[0]) + 1;
    if (n > max_segments) return RpcError::BadFraming;
    uint64_t table_bytes = ((4 + 4 * n) + 7) / 8 * 8;
    if (table_bytes > size) return RpcError::BadFraming;
    uint64_t offset = table_bytes;
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t words;
        detail::copy_bytes(&words, bytes + 4 + 4 * i, 4);
        if (uint64_t(words) * 8 > size - offset) return RpcError::BadFraming;
        segments[i] = {reinterpret_cast<const uint64_t*>(bytes + offset), words};
        offset += uint64_t(words) * 8;
    }
    count = uint32_t(n);
    return RpcError::Ok;
}

// Builds a message with its root struct at word 0 of `arena`.
[[gnu::always_inline]] inline StructBuilder init_root(Arena& arena, uint16_t data_words,
                                                      uint16_t ptr_count) {
    uint64_t* root = arena.allocate(1 + uint64_t(data_words) + ptr_count);
    if (!root) return {&arena};
    root[0] = (uint64_t(data_words) << 32) | (uint64_t(ptr_count) << 48); // offset 0
    return {&arena, reinterpret_cast<uint8_t*>(root + 1), uint32_t(data_words) * 8, ptr_count};
}

} // namespace rayos::wire
