// Host-side helpers for IDL tests and the fuzz corpus: the schemas loaded
// into libcapnp's SchemaLoader, random messages built with libcapnp's
// dynamic API, and the bridges between generated bindings and libcapnp
// (a visitor that checks a generated reader field by field against
// libcapnp's reader, and a source that feeds a generated builder from it).
#pragma once

#include <rayos/wire/reflect.h>

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/schema-loader.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace rayos::idltest {

// All schemas of idl/ (compiled at build time into idl_schemas.bin).
capnp::SchemaLoader& schemas();
capnp::StructSchema struct_schema(uint64_t type_id);

// Fills `b` with random values: every non-union field, one union member,
// lists of 0-4 elements, nesting up to `depth`.
void randomize(capnp::DynamicStruct::Builder b, std::mt19937_64& rng, int depth = 3);

// Whether two messages hold the same values (and the same null pointers).
bool equal(capnp::DynamicStruct::Reader a, capnp::DynamicStruct::Reader b, std::string& why);

// Checks what a generated reflect() reports against libcapnp's reader.
class Compare {
public:
    explicit Compare(capnp::DynamicStruct::Reader root) { stack_.push_back({root, {}, 0, true}); }
    const std::vector<std::string>& errors() const { return errors_; }

    template <typename T> void value(const char* name, T x) {
        auto v = next(name);
        if constexpr (std::is_same_v<T, wire::Void>) {
            (void)v;
        } else if constexpr (std::is_enum_v<T>) {
            expect(v.template as<capnp::DynamicEnum>().getRaw() == uint16_t(x), name, "enum");
        } else if constexpr (std::is_floating_point_v<T>) {
            T y = v.template as<T>();
            expect(memcmp(&x, &y, sizeof x) == 0, name, "float");
        } else {
            expect(v.template as<T>() == x, name, "value");
        }
    }
    void text(const char* name, wire::Text t);
    void data(const char* name, wire::Data d);
    void cap(const char* name, uint32_t index);
    void enter(const char* name);
    void leave() { stack_.pop_back(); }
    void begin_list(const char* name, uint32_t size);
    void end_list() { stack_.pop_back(); }
    void which(const char* member);

private:
    struct Frame {
        capnp::DynamicStruct::Reader s;
        capnp::DynamicList::Reader l;
        uint32_t index;
        bool is_struct;
    };
    capnp::DynamicValue::Reader next(const char* name);
    void expect(bool ok, const char* name, const char* what) {
        if (!ok)
            errors_.push_back(std::string(what) + " mismatch at " + (name ? name : "[element]"));
    }
    std::vector<Frame> stack_;
    std::vector<std::string> errors_;
};

// Feeds a generated fill() from libcapnp's reader.
class Source {
public:
    explicit Source(capnp::DynamicStruct::Reader root) { stack_.push_back({root, {}, true}); }

    template <typename T> T get(wire::Key k) {
        auto v = at(k);
        if constexpr (std::is_enum_v<T>)
            return T(v.template as<capnp::DynamicEnum>().getRaw());
        else
            return v.template as<T>();
    }
    bool has(wire::Key k);
    wire::Text text(wire::Key k) {
        auto t = at(k).as<capnp::Text>();
        return {t.cStr(), uint32_t(t.size())};
    }
    wire::Data data(wire::Key k) {
        auto d = at(k).as<capnp::Data>();
        return {d.begin(), uint32_t(d.size())};
    }
    void enter(wire::Key k);
    void leave() { stack_.pop_back(); }
    uint32_t size() const { return stack_.back().l.size(); }
    const char* which() const;

private:
    struct Frame {
        capnp::DynamicStruct::Reader s;
        capnp::DynamicList::Reader l;
        bool is_struct;
    };
    capnp::DynamicValue::Reader at(wire::Key k) {
        auto& f = stack_.back();
        return k.name ? f.s.get(k.name) : f.l[k.index];
    }
    std::vector<Frame> stack_;
};

} // namespace rayos::idltest
