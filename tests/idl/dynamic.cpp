// Host-side helpers for IDL tests (see dynamic.h).
#include "dynamic.h"

#include <capnp/schema.capnp.h>
#include <capnp/serialize.h>
#include <kj/io.h>

#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

#ifndef RAYOS_IDL_SCHEMA_BIN
#error "RAYOS_IDL_SCHEMA_BIN must name the compiled schemas"
#endif

namespace rayos::idltest {

using capnp::DynamicList;
using capnp::DynamicStruct;
using capnp::DynamicValue;
using W = capnp::schema::Type;

capnp::SchemaLoader& schemas() {
    static capnp::SchemaLoader* loader = [] {
        auto* l = new capnp::SchemaLoader;
        int fd = open(RAYOS_IDL_SCHEMA_BIN, O_RDONLY);
        if (fd < 0) throw std::runtime_error("cannot open " RAYOS_IDL_SCHEMA_BIN);
        kj::FdInputStream stream(fd);
        capnp::ReaderOptions options;
        options.traversalLimitInWords = 1ull << 30;
        capnp::InputStreamMessageReader message(stream, options);
        for (auto node : message.getRoot<capnp::schema::CodeGeneratorRequest>().getNodes())
            l->load(node);
        close(fd);
        return l;
    }();
    return *loader;
}

capnp::StructSchema struct_schema(uint64_t type_id) {
    return schemas().get(type_id).asStruct();
}

namespace {

std::string random_text(std::mt19937_64& rng) {
    std::string s(rng() % 24, ' ');
    for (char& c : s)
        c = char(' ' + rng() % 95);
    return s;
}

std::vector<uint8_t> random_bytes(std::mt19937_64& rng) {
    std::vector<uint8_t> d(rng() % 40);
    for (auto& b : d)
        b = uint8_t(rng());
    return d;
}

// A random value of a non-pointer type.
DynamicValue::Reader random_value(capnp::Type t, std::mt19937_64& rng) {
    uint64_t r = rng();
    switch (t.which()) {
    case W::VOID:
        return capnp::VOID;
    case W::BOOL:
        return bool(r & 1);
    case W::INT8:
        return int8_t(r);
    case W::INT16:
        return int16_t(r);
    case W::INT32:
        return int32_t(r);
    case W::INT64:
        return int64_t(r);
    case W::UINT8:
        return uint8_t(r);
    case W::UINT16:
        return uint16_t(r);
    case W::UINT32:
        return uint32_t(r);
    case W::UINT64:
        return uint64_t(r);
    case W::FLOAT32:
        return float(int32_t(r % 2000000) - 1000000) / 64.0f;
    case W::FLOAT64:
        return double(int64_t(r % 2000000000) - 1000000000) / 1024.0;
    case W::ENUM: {
        auto e = t.asEnum();
        // Now and then a value the schema does not know (a newer peer).
        uint16_t raw = (r % 8 == 0) ? uint16_t(e.getEnumerants().size() + r % 5)
                                    : uint16_t(r % e.getEnumerants().size());
        return capnp::DynamicEnum(e, raw);
    }
    default:
        throw std::logic_error("not a value type");
    }
}

void randomize_list(DynamicList::Builder list, capnp::Type element, std::mt19937_64& rng,
                    int depth) {
    for (uint32_t i = 0; i < list.size(); ++i) {
        switch (element.which()) {
        case W::TEXT:
            list.set(i, capnp::Text::Reader(random_text(rng).c_str()));
            break;
        case W::DATA: {
            auto d = random_bytes(rng);
            list.set(i, capnp::Data::Reader(d.data(), d.size()));
            break;
        }
        case W::STRUCT:
            randomize(list[i].as<DynamicStruct>(), rng, depth);
            break;
        case W::LIST: {
            uint32_t n = uint32_t(rng() % 4);
            randomize_list(list.init(i, n).as<DynamicList>(), element.asList().getElementType(),
                           rng, depth - 1);
            break;
        }
        case W::INTERFACE:
        case W::ANY_POINTER:
            break;
        default:
            list.set(i, random_value(element, rng));
        }
    }
}

void randomize_field(DynamicStruct::Builder b, capnp::StructSchema::Field f, std::mt19937_64& rng,
                     int depth) {
    if (f.getProto().isGroup()) {
        randomize(b.init(f).as<DynamicStruct>(), rng, depth);
        return;
    }
    auto t = f.getType();
    bool in_union = f.getProto().getDiscriminantValue() != capnp::schema::Field::NO_DISCRIMINANT;
    bool present = in_union || rng() % 4 != 0;
    switch (t.which()) {
    case W::TEXT:
        if (present) b.set(f, capnp::Text::Reader(random_text(rng).c_str()));
        break;
    case W::DATA:
        if (present) {
            auto d = random_bytes(rng);
            b.set(f, capnp::Data::Reader(d.data(), d.size()));
        }
        break;
    case W::STRUCT:
        if (present && depth > 0)
            randomize(b.init(f).as<DynamicStruct>(), rng, depth - 1);
        else if (in_union)
            b.init(f);
        break;
    case W::LIST:
        if (present && depth > 0) {
            uint32_t n = uint32_t(rng() % 5);
            randomize_list(b.init(f, n).as<DynamicList>(), t.asList().getElementType(), rng,
                           depth - 1);
        } else if (in_union) {
            b.init(f, 0);
        }
        break;
    case W::INTERFACE:
    case W::ANY_POINTER:
        if (in_union) b.clear(f);
        break;
    default:
        b.set(f, random_value(t, rng));
    }
}

bool equal_values(DynamicValue::Reader a, DynamicValue::Reader b, capnp::Type t, std::string& why);

bool equal_fields(DynamicStruct::Reader a, DynamicStruct::Reader b, capnp::StructSchema::Field f,
                  std::string& why) {
    if (f.getProto().isGroup())
        return equal(a.get(f).as<DynamicStruct>(), b.get(f).as<DynamicStruct>(), why);
    auto t = f.getType();
    bool pointer = t.isText() || t.isData() || t.isStruct() || t.isList();
    if (pointer && a.has(f) != b.has(f)) {
        why = std::string(f.getProto().getName().cStr()) + ": presence differs";
        return false;
    }
    if (t.isInterface() || t.isAnyPointer()) return true;
    if (!equal_values(a.get(f), b.get(f), t, why)) {
        why = std::string(f.getProto().getName().cStr()) + "." + why;
        return false;
    }
    return true;
}

bool equal_values(DynamicValue::Reader a, DynamicValue::Reader b, capnp::Type t, std::string& why) {
    switch (t.which()) {
    case W::VOID:
        return true;
    case W::TEXT:
        if (a.as<capnp::Text>() == b.as<capnp::Text>()) return true;
        why = "text";
        return false;
    case W::DATA:
        if (a.as<capnp::Data>() == b.as<capnp::Data>()) return true;
        why = "data";
        return false;
    case W::STRUCT:
        return equal(a.as<DynamicStruct>(), b.as<DynamicStruct>(), why);
    case W::LIST: {
        auto la = a.as<DynamicList>(), lb = b.as<DynamicList>();
        if (la.size() != lb.size()) {
            why = "list size";
            return false;
        }
        for (uint32_t i = 0; i < la.size(); ++i)
            if (!equal_values(la[i], lb[i], t.asList().getElementType(), why)) return false;
        return true;
    }
    case W::ENUM:
        if (a.as<capnp::DynamicEnum>().getRaw() == b.as<capnp::DynamicEnum>().getRaw()) return true;
        why = "enum";
        return false;
    case W::FLOAT32: {
        float x = a.as<float>(), y = b.as<float>();
        if (memcmp(&x, &y, 4) == 0) return true;
        why = "float32";
        return false;
    }
    case W::FLOAT64: {
        double x = a.as<double>(), y = b.as<double>();
        if (memcmp(&x, &y, 8) == 0) return true;
        why = "float64";
        return false;
    }
    case W::BOOL:
        if (a.as<bool>() == b.as<bool>()) return true;
        why = "bool";
        return false;
    case W::INTERFACE:
    case W::ANY_POINTER:
        return true;
    default:
        if (a.as<uint64_t>() == b.as<uint64_t>() || a.as<int64_t>() == b.as<int64_t>()) return true;
        why = "integer";
        return false;
    }
}

} // namespace

void randomize(DynamicStruct::Builder b, std::mt19937_64& rng, int depth) {
    auto schema = b.getSchema();
    for (auto f : schema.getNonUnionFields())
        randomize_field(b, f, rng, depth);
    auto members = schema.getUnionFields();
    if (members.size()) randomize_field(b, members[uint32_t(rng() % members.size())], rng, depth);
}

bool equal(DynamicStruct::Reader a, DynamicStruct::Reader b, std::string& why) {
    auto schema = a.getSchema();
    for (auto f : schema.getNonUnionFields())
        if (!equal_fields(a, b, f, why)) return false;
    if (schema.getUnionFields().size()) {
        KJ_IF_MAYBE (wa, a.which()) {
            KJ_IF_MAYBE (wb, b.which()) {
                if (*wa != *wb) {
                    why = "union member differs";
                    return false;
                }
                return equal_fields(a, b, *wa, why);
            }
            why = "union member missing";
            return false;
        }
    }
    return true;
}

// --- Compare ----------------------------------------------------------------------

DynamicValue::Reader Compare::next(const char* name) {
    auto& f = stack_.back();
    if (name) return f.s.get(name);
    return f.l[f.index++];
}

void Compare::text(const char* name, wire::Text t) {
    auto v = next(name).as<capnp::Text>();
    expect(v.size() == t.size && memcmp(v.begin(), t.ptr, t.size) == 0 && t.ptr[t.size] == 0, name,
           "text");
}

void Compare::data(const char* name, wire::Data d) {
    auto v = next(name).as<capnp::Data>();
    expect(v.size() == d.size && (d.size == 0 || memcmp(v.begin(), d.ptr, d.size) == 0), name,
           "data");
}

void Compare::cap(const char* name, uint32_t index) {
    // (libcapnp refuses to read capabilities outside its RPC system.)
    if (!name) ++stack_.back().index;
    expect(index == ~0u, name, "capability (host messages carry none)");
}

void Compare::enter(const char* name) {
    stack_.push_back({next(name).as<DynamicStruct>(), {}, 0, true});
}

void Compare::begin_list(const char* name, uint32_t size) {
    auto l = next(name).as<DynamicList>();
    expect(l.size() == size, name, "list size");
    stack_.push_back({{}, l, 0, false});
}

void Compare::which(const char* member) {
    const char* expected = nullptr;
    KJ_IF_MAYBE (w, stack_.back().s.which()) {
        expected = w->getProto().getName().cStr();
    }
    expect(wire::same(member, expected), member ? member : "(none)", "union member");
}

// --- Source -----------------------------------------------------------------------

bool Source::has(wire::Key k) {
    auto& f = stack_.back();
    if (k.name) return f.s.has(k.name);
    return true; // list elements: a null element reads as empty, so build it empty
}

void Source::enter(wire::Key k) {
    auto v = at(k);
    if (v.getType() == DynamicValue::STRUCT)
        stack_.push_back({v.as<DynamicStruct>(), {}, true});
    else
        stack_.push_back({{}, v.as<DynamicList>(), false});
}

const char* Source::which() const {
    KJ_IF_MAYBE (w, stack_.back().s.which()) {
        return w->getProto().getName().cStr();
    }
    return nullptr;
}

} // namespace rayos::idltest
