// Walking generated structs generically: what the generated
// `reflect(reader, visitor)` and `fill(builder, source)` templates call.
// Tests compare every field against the official libcapnp with them, the
// fuzz target reads every field of hostile messages with them.
//
// A visitor provides (name is nullptr for list elements):
//   value(name, x)  for Bool, numbers and enums      text(name, Text)
//   data(name, Data)   cap(name, index)   enter(name) ... leave()  (structs, groups)
//   begin_list(name, size) ... end_list()   which(member name or nullptr)
// A source provides, for Key{name} or Key{nullptr, index}:
//   get<T>(key)  has(key)  text(key)  data(key)  enter(key) ... leave()
//   size() (of the list entered)  which() (active union member's name)
#pragma once

#include <rayos/wire/types.h>

#include <type_traits>

namespace rayos::wire {

struct Key {
    const char* name = nullptr;
    uint32_t index = 0;
};

inline bool same(const char* a, const char* b) {
    if (!a || !b) return a == b;
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

template <typename T> struct IsList : std::false_type {};
template <typename K> struct IsList<List<K>> : std::true_type {};
template <typename T> struct IsCap : std::false_type {};
template <typename I> struct IsCap<Cap<I>> : std::true_type {};

template <typename V, typename T> void visit(V& v, const char* name, const T& x) {
    if constexpr (std::is_same_v<T, Text>) {
        v.text(name, x);
    } else if constexpr (std::is_same_v<T, Data>) {
        v.data(name, x);
    } else if constexpr (std::is_same_v<T, Void>) {
        v.value(name, x);
    } else if constexpr (IsCap<T>::value) {
        v.cap(name, x.index);
    } else if constexpr (IsList<T>::value) {
        v.begin_list(name, x.size());
        for (uint32_t i = 0; i < x.size(); ++i)
            visit(v, nullptr, x[i]);
        v.end_list();
    } else if constexpr (requires { typename T::Struct; }) {
        v.enter(name);
        T::Struct::reflect(x, v);
        v.leave();
    } else {
        v.value(name, x);
    }
}

// Fills a list builder from the list the source has entered.
template <typename K, typename S> void fill_list(ListBuilderOf<K> list, S& s) {
    for (uint32_t i = 0; i < list.size(); ++i) {
        Key key{nullptr, i};
        if constexpr (std::is_same_v<K, TextKind>) {
            Text t = s.text(key);
            list.set(i, t.ptr, t.size);
        } else if constexpr (std::is_same_v<K, DataKind>) {
            Data d = s.data(key);
            list.set(i, d.ptr, d.size);
        } else if constexpr (std::is_same_v<K, Void> || kIsCapKind<K>) {
            // nothing to write (sources carry no capabilities)
        } else if constexpr (requires { typename K::Struct; }) {
            s.enter(key);
            K::Struct::fill(list[i], s);
            s.leave();
        } else if constexpr (requires { typename K::Inner; }) {
            if (!s.has(key)) continue;
            s.enter(key);
            fill_list(list.init(i, s.size()), s);
            s.leave();
        } else {
            list.set(i, s.template get<K>(key));
        }
    }
}

} // namespace rayos::wire
