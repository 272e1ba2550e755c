// The typed layer over rayos/wire/layout.h that generated bindings use:
// Text, Data, capabilities, and lists of every element kind (primitives,
// Bool, Void, Text, Data, structs, lists, capabilities), each with a reader,
// a builder and a validator.
#pragma once

#include <rayos/wire/layout.h>

#include <cstdint>
#include <type_traits>

namespace rayos::wire {

struct Void {};

struct Text {
    const char* ptr = "";
    uint32_t size = 0;
    bool equals(const char* s) const {
        uint32_t i = 0;
        for (; i < size; ++i)
            if (s[i] == 0 || s[i] != ptr[i]) return false; // (never past s's end)
        return s[i] == 0;
    }
    const char* c_str() const { return ptr; } // always NUL-terminated
};

inline constexpr uint8_t kNoBytes[1] = {0};
struct Data {
    const uint8_t* ptr = kNoBytes; // never null
    uint32_t size = 0;
};

// A capability carried by a message, typed by the interface it speaks.
// On the receiving side `slot` is where it landed in the receiver's CSpace.
template <typename Interface> struct Cap {
    uint32_t index = ~0u; // in the message's capability table
    uint64_t slot = 0;
    bool valid() const { return index != ~0u; }
};
struct AnyInterface {};

// Element kinds of lists (and field kinds in general).
struct TextKind {};
struct DataKind {};
template <typename S> struct StructKind { using Struct = S; };
template <typename E> struct ListKind { using Inner = E; };
template <typename I> struct CapKind { using Interface = I; };
template <typename K> inline constexpr bool kIsCapKind = false;
template <typename I> inline constexpr bool kIsCapKind<CapKind<I>> = true;

template <typename K> class List;
template <typename K> class ListBuilderOf;

namespace detail {

inline Text read_text(const PointerReader& p, const char* fallback = "",
                      uint32_t fallback_size = 0) {
    ListReader l;
    if (p.is_null() || p.read_list(ElementSize::Byte, l) != RpcError::Ok || l.count == 0 ||
        l.start[l.count - 1] != 0)
        return {fallback, fallback_size};
    return {reinterpret_cast<const char*>(l.start), l.count - 1};
}
inline RpcError check_text(const PointerReader& p) {
    ListReader l;
    if (auto e = p.read_list(ElementSize::Byte, l); e != RpcError::Ok || p.is_null()) return e;
    return l.count == 0 || l.start[l.count - 1] != 0 ? RpcError::TextNotTerminated : RpcError::Ok;
}
inline Data read_data(const PointerReader& p, const uint8_t* fallback = kNoBytes,
                      uint32_t fallback_size = 0) {
    ListReader l;
    if (p.is_null() || p.read_list(ElementSize::Byte, l) != RpcError::Ok)
        return {fallback, fallback_size};
    return {l.start, l.count};
}
inline RpcError check_data(const PointerReader& p) {
    ListReader l;
    return p.read_list(ElementSize::Byte, l);
}
template <typename I> Cap<I> read_cap(const PointerReader& p) {
    uint32_t index;
    if (p.read_cap(index) != RpcError::Ok || index == ~0u) return {};
    return {index, p.msg->caps ? p.msg->caps[index] : 0};
}
inline RpcError check_cap(const PointerReader& p) {
    uint32_t index;
    return p.read_cap(index);
}

template <typename T> constexpr ElementSize size_of_primitive() {
    if constexpr (sizeof(T) == 1) return ElementSize::Byte;
    if constexpr (sizeof(T) == 2) return ElementSize::TwoBytes;
    if constexpr (sizeof(T) == 4) return ElementSize::FourBytes;
    return ElementSize::EightBytes;
}

} // namespace detail

// Element traits: how a list stores, reads, builds and validates K.
template <typename K> struct Element {
    static_assert(std::is_arithmetic_v<K> || std::is_enum_v<K>);
    static constexpr ElementSize kSize = detail::size_of_primitive<K>();
    using Reader = K;
    static Reader get(const ListReader& l, uint32_t i) { return l.get<K>(i); }
    static RpcError check(const ListReader&) { return RpcError::Ok; }
};
template <> struct Element<bool> {
    static constexpr ElementSize kSize = ElementSize::Bit;
    using Reader = bool;
    static bool get(const ListReader& l, uint32_t i) { return l.get_bool(i); }
    static RpcError check(const ListReader&) { return RpcError::Ok; }
};
template <> struct Element<Void> {
    static constexpr ElementSize kSize = ElementSize::Void;
    using Reader = Void;
    static Void get(const ListReader&, uint32_t) { return {}; }
    static RpcError check(const ListReader&) { return RpcError::Ok; }
};
template <> struct Element<TextKind> {
    static constexpr ElementSize kSize = ElementSize::Pointer;
    using Reader = Text;
    static Text get(const ListReader& l, uint32_t i) { return detail::read_text(l.pointer(i)); }
    static RpcError check(const ListReader& l) {
        for (uint32_t i = 0; i < l.count; ++i)
            if (auto e = detail::check_text(l.pointer(i)); e != RpcError::Ok) return e;
        return RpcError::Ok;
    }
};
template <> struct Element<DataKind> {
    static constexpr ElementSize kSize = ElementSize::Pointer;
    using Reader = Data;
    static Data get(const ListReader& l, uint32_t i) { return detail::read_data(l.pointer(i)); }
    static RpcError check(const ListReader& l) {
        for (uint32_t i = 0; i < l.count; ++i)
            if (auto e = detail::check_data(l.pointer(i)); e != RpcError::Ok) return e;
        return RpcError::Ok;
    }
};
template <typename S> struct Element<StructKind<S>> {
    static constexpr ElementSize kSize = ElementSize::InlineComposite;
    using Reader = typename S::Reader;
    static Reader get(const ListReader& l, uint32_t i) { return Reader(l.element(i)); }
    static RpcError check(const ListReader& l) {
        for (uint32_t i = 0; i < l.count; ++i)
            if (auto e = S::validate(l.element(i)); e != RpcError::Ok) return e;
        return RpcError::Ok;
    }
};
template <typename E> struct Element<ListKind<E>> {
    static constexpr ElementSize kSize = ElementSize::Pointer;
    using Reader = List<E>;
    static Reader get(const ListReader& l, uint32_t i) { return Reader::read(l.pointer(i)); }
    static RpcError check(const ListReader& l) {
        for (uint32_t i = 0; i < l.count; ++i)
            if (auto e = Reader::check(l.pointer(i)); e != RpcError::Ok) return e;
        return RpcError::Ok;
    }
};
template <typename I> struct Element<CapKind<I>> {
    static constexpr ElementSize kSize = ElementSize::Pointer;
    using Reader = Cap<I>;
    static Reader get(const ListReader& l, uint32_t i) { return detail::read_cap<I>(l.pointer(i)); }
    static RpcError check(const ListReader& l) {
        for (uint32_t i = 0; i < l.count; ++i)
            if (auto e = detail::check_cap(l.pointer(i)); e != RpcError::Ok) return e;
        return RpcError::Ok;
    }
};

// A list being read. Out-of-range indices read as the element's default.
template <typename K> class List {
public:
    using ElementReader = typename Element<K>::Reader;
    List() = default;
    explicit List(const ListReader& raw) : raw_(raw) {}

    static List read(const PointerReader& p) {
        ListReader l;
        if (p.read_list(Element<K>::kSize, l) != RpcError::Ok) return List();
        return List(l);
    }
    // Validates the list at `p` and everything it contains.
    static RpcError check(const PointerReader& p) {
        ListReader l;
        if (auto e = p.read_list(Element<K>::kSize, l); e != RpcError::Ok) return e;
        return Element<K>::check(l);
    }

    uint32_t size() const { return raw_.count; }
    ElementReader operator[](uint32_t i) const { return Element<K>::get(raw_, i); }
    const ListReader& raw() const { return raw_; }

private:
    ListReader raw_;
};

// A list being built.
template <typename K> class ListBuilderOf {
public:
    ListBuilderOf() = default;
    explicit ListBuilderOf(const ListBuilder& raw) : raw_(raw) {}
    static ListBuilderOf init(const PointerBuilder& p, uint32_t count) {
        if constexpr (Element<K>::kSize == ElementSize::InlineComposite) {
            using S = typename K::Struct;
            return ListBuilderOf(p.init_struct_list(count, S::kDataWords, S::kPointers));
        } else {
            return ListBuilderOf(p.init_list(Element<K>::kSize, count));
        }
    }

    uint32_t size() const { return raw_.count; }
    const ListBuilder& raw() const { return raw_; }

    // Primitive elements.
    template <typename T = K>
    requires(std::is_arithmetic_v<T> || std::is_enum_v<T>) void set(uint32_t i, T value) {
        if constexpr (std::is_same_v<T, bool>)
            raw_.set_bool(i, value);
        else
            raw_.set<T>(i, value);
    }
    // Text and Data elements.
    void set(uint32_t i, const char* text, uint32_t length) requires std::is_same_v<K, TextKind> {
        raw_.pointer(i).set_text(text, length);
    }
    void set(uint32_t i, const void* bytes, uint32_t length) requires std::is_same_v<K, DataKind> {
        raw_.pointer(i).set_data(bytes, length);
    }
    // Capability elements.
    void set_cap(uint32_t i, uint64_t cap_address) requires kIsCapKind<K> {
        raw_.pointer(i).set_cap(cap_address);
    }
    // Struct elements: the builder of element i.
    auto operator[](uint32_t i) const requires(Element<K>::kSize == ElementSize::InlineComposite) {
        return typename K::Struct::Builder(raw_.element(i));
    }
    // List elements: a new list of `count` elements at index i.
    auto init(uint32_t i, uint32_t count) const requires requires { typename K::Inner; }
    { return ListBuilderOf<typename K::Inner>::init(raw_.pointer(i), count); }
    PointerBuilder pointer(uint32_t i) const { return raw_.pointer(i); }

private:
    ListBuilder raw_;
};

// The IPC label of method `ordinal` of interface `interface_id`: stable as
// long as the schema's ids and ordinals are. Bit 51 marks a message that
// travels in a shared frame instead of the IPC buffer.
constexpr uint64_t method_label(uint64_t interface_id, uint16_t ordinal) {
    return ((interface_id & 0x7FFFFFFFFull) << 16) | ordinal;
}
constexpr uint64_t kLabelShared = 1ull << 51;

// Validates the struct at pointer `p` with S's validator.
template <typename S> RpcError check_struct(const PointerReader& p) {
    StructReader r;
    if (auto e = p.read_struct(r); e != RpcError::Ok) return e;
    return S::validate(r);
}
template <typename S> typename S::Reader read_struct(const PointerReader& p) {
    StructReader r;
    if (p.read_struct(r) != RpcError::Ok) return typename S::Reader();
    return typename S::Reader(r);
}

// Decodes a whole message whose root is an S: validates everything first,
// so a malformed or hostile message is an error, never a wrong read.
// Validation spends the traversal budget; a validated message is then read
// without one (reads charge it too, and a spent budget would make them
// return defaults), as often as the receiver likes.
template <typename S>
[[gnu::noinline]] RpcResult<typename S::Reader> decode_general(const Message& m) {
    StructReader root;
    if (auto e = read_root(m, root); e != RpcError::Ok) return RpcFailure(e);
    if (auto e = S::validate(root); e != RpcError::Ok) return RpcFailure(e);
    m.budget = kUnlimitedBudget;
    return typename S::Reader(root);
}

template <typename S>
[[gnu::always_inline]] inline RpcResult<typename S::Reader> decode(const Message& m) {
    if constexpr (S::kPointers == 0) {
        // Exactly what this schema's builder makes (root pointer, then the
        // data, one segment): nothing else to check, and nothing to charge
        // (the struct has no pointers to follow).
        constexpr uint64_t kCanonical = uint64_t(S::kDataWords) << 32;
        if (m.segment_count == 1 && m.segments[0].size == 1u + S::kDataWords &&
            m.segments[0].words[0] == kCanonical)
            return typename S::Reader(StructReader{
                &m, reinterpret_cast<const uint8_t*>(m.segments[0].words + 1),
                uint32_t(S::kDataWords) * 8, 0, 0, uint8_t(limits::kWireMaxDepth - 1)});
    }
    return decode_general<S>(m);
}

// Starts a message whose root is an S in `arena`.
template <typename S> [[gnu::always_inline]] inline typename S::Builder init_message(Arena& arena) {
    return typename S::Builder(init_root(arena, S::kDataWords, S::kPointers));
}

} // namespace rayos::wire
