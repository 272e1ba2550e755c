// Structs (and groups): the shell with sizes and the union's Which, the
// Reader and Builder classes, and out-of-line definitions of every accessor,
// the validator, and the reflect/fill templates used by tests and fuzzing.
#include "emit.h"

#include <cstring>
#include <sstream>

namespace rayos::idlgen {
namespace {

using W = capnp::schema::Type;
constexpr uint16_t kNoDiscriminant = 0xFFFF;

// The field's slot size in bits (data fields) for clearing.
uint32_t data_bits(capnp::Type t) {
    switch (t.which()) {
    case W::VOID:
        return 0;
    case W::BOOL:
        return 1;
    case W::INT8:
    case W::UINT8:
        return 8;
    case W::INT16:
    case W::UINT16:
    case W::ENUM:
        return 16;
    case W::INT32:
    case W::UINT32:
    case W::FLOAT32:
        return 32;
    default:
        return 64;
    }
}

std::string escaped_bytes(const uint8_t* p, size_t n) {
    std::string out = "\"";
    char buffer[8];
    for (size_t i = 0; i < n; ++i) {
        snprintf(buffer, sizeof buffer, "\\x%02x", p[i]);
        out += buffer;
    }
    return out + "\"";
}

struct FieldInfo {
    std::string name; // schema name
    std::string id;   // C++ identifier
    capnp::StructSchema::Field field;
    capnp::Type type;
    bool group;
    bool in_union;
    uint16_t discriminant;
    uint32_t offset;
};

class StructEmitter {
public:
    StructEmitter(const Model& model, capnp::StructSchema schema)
        : model_(model), schema_(schema), proto_(schema.getProto()),
          name_(model.local_name(proto_.getId())) {
        auto s = proto_.getStruct();
        disc_offset_ = s.getDiscriminantOffset();
        has_union_ = s.getDiscriminantCount() > 0;
        for (auto f : schema.getFields()) {
            auto p = f.getProto();
            FieldInfo info{p.getName(),
                           identifier(p.getName()),
                           f,
                           f.getType(),
                           p.isGroup(),
                           p.getDiscriminantValue() != kNoDiscriminant,
                           p.getDiscriminantValue(),
                           p.isGroup() ? 0 : p.getSlot().getOffset()};
            fields_.push_back(info);
        }
    }

    void shell(std::ostream& o) const {
        auto s = proto_.getStruct();
        o << "struct " << name_ << " {\n"
          << "    static constexpr uint64_t kTypeId = " << hex(proto_.getId()) << ";\n"
          << "    static constexpr const char* kName = \"" << name_ << "\";\n"
          << "    static constexpr uint16_t kDataWords = " << s.getDataWordCount() << ";\n"
          << "    static constexpr uint16_t kPointers = " << s.getPointerCount() << ";\n";
        if (has_union_) {
            o << "    enum class Which : uint16_t {";
            bool first = true;
            for (auto& f : fields_)
                if (f.in_union) {
                    o << (first ? " " : ", ") << f.id << " = " << f.discriminant;
                    first = false;
                }
            o << " };\n";
        }
        o << "    class Reader;\n    class Builder;\n"
          << "    // Checks the whole struct and everything it points to.\n"
          << "    [[nodiscard]] static ::rayos::RpcError validate(const "
             "::rayos::wire::StructReader& "
             "r);\n"
          << "    template <typename V> static void reflect(const Reader& r, V& v);\n"
          << "    template <typename S> static void fill(Builder b, S& s);\n"
          << "};\n\n";
    }

    void classes(std::ostream& o) const {
        o << "class " << name_ << "::Reader {\npublic:\n"
          << "    using Struct = " << name_ << ";\n"
          << "    Reader() = default;\n"
          << "    explicit Reader(const ::rayos::wire::StructReader& r) : r_(r) {}\n"
          << "    const ::rayos::wire::StructReader& raw() const { return r_; }\n";
        if (has_union_) o << "    Which which() const;\n";
        for (auto& f : fields_)
            reader_declaration(o, f);
        o << "\nprivate:\n    ::rayos::wire::StructReader r_;\n};\n\n";

        o << "class " << name_ << "::Builder {\npublic:\n"
          << "    using Struct = " << name_ << ";\n"
          << "    Builder() = default;\n"
          << "    explicit Builder(const ::rayos::wire::StructBuilder& b) : b_(b) {}\n"
          << "    const ::rayos::wire::StructBuilder& raw() const { return b_; }\n";
        if (has_union_) o << "    void set_which(Which w);\n";
        for (auto& f : fields_)
            builder_declaration(o, f);
        o << "\nprivate:\n    ::rayos::wire::StructBuilder b_;\n};\n\n";
    }

    void definitions(std::ostream& o) const {
        std::string r = "inline ";
        if (has_union_) {
            o << "inline " << name_ << "::Which " << name_
              << "::Reader::which() const { return Which(r_.get<uint16_t>(" << disc_offset_
              << ")); }\n";
            o << "inline void " << name_ << "::Builder::set_which(Which w) { b_.set<uint16_t>("
              << disc_offset_ << ", uint16_t(w)); }\n";
        }
        for (auto& f : fields_) {
            reader_definition(o, f);
            builder_definition(o, f);
        }
        validator(o);
        reflector(o);
        filler(o);
        o << "\n";
    }

private:
    std::string group_name(const FieldInfo& f) const {
        return model_.qualified_name(f.field.getProto().getGroup().getTypeId());
    }
    std::string default_expr(const FieldInfo& f) const {
        auto slot = f.field.getProto().getSlot();
        if (!slot.getHadExplicitDefault()) return "";
        auto v = slot.getDefaultValue();
        auto bits = [](auto value, const char* type) {
            uint64_t raw = 0;
            memcpy(&raw, &value, sizeof value);
            return "__builtin_bit_cast(" + std::string(type) + ", " + hex(raw).substr(0) + ")";
        };
        switch (f.type.which()) {
        case W::BOOL:
            return v.getBool() ? "true" : "";
        case W::INT8:
            return "int8_t(" + std::to_string(v.getInt8()) + ")";
        case W::INT16:
            return "int16_t(" + std::to_string(v.getInt16()) + ")";
        case W::INT32:
            return "int32_t(" + std::to_string(v.getInt32()) + ")";
        case W::INT64:
            return "int64_t(" + hex(uint64_t(v.getInt64())) + ")";
        case W::UINT8:
            return "uint8_t(" + std::to_string(v.getUint8()) + ")";
        case W::UINT16:
            return "uint16_t(" + std::to_string(v.getUint16()) + ")";
        case W::UINT32:
            return "uint32_t(" + std::to_string(v.getUint32()) + "u)";
        case W::UINT64:
            return "uint64_t(" + hex(v.getUint64()) + ")";
        case W::FLOAT32: {
            float x = v.getFloat32();
            uint32_t raw;
            memcpy(&raw, &x, 4);
            return "__builtin_bit_cast(float, uint32_t(" + std::to_string(raw) + "u))";
        }
        case W::FLOAT64:
            return bits(v.getFloat64(), "double");
        case W::ENUM:
            return model_.value_type(f.type) + "(" + std::to_string(v.getEnum()) + ")";
        case W::TEXT:
        case W::DATA:
        case W::VOID:
        case W::INTERFACE:
            return "";
        default:
            if (v.isStruct() || v.isList() || v.isAnyPointer())
                throw Unsupported(name_ + "." + f.name +
                                  ": default values of struct, list and pointer fields are not "
                                  "supported (docs/CAVEATS.md)");
            return "";
        }
    }

    // The C++ type a reader returns for a field.
    std::string reader_type(const FieldInfo& f) const {
        if (f.group) return group_name(f) + "::Reader";
        switch (f.type.which()) {
        case W::TEXT:
            return "::rayos::wire::Text";
        case W::DATA:
            return "::rayos::wire::Data";
        case W::STRUCT:
            return model_.qualified_name(f.type.asStruct().getProto().getId()) + "::Reader";
        case W::LIST:
            return "::rayos::wire::List<" + model_.element_kind(f.type.asList().getElementType()) +
                   ">";
        case W::INTERFACE:
        case W::ANY_POINTER: {
            std::string kind = model_.element_kind(f.type);
            return "::rayos::wire::Cap<" +
                   kind.substr(kind.find('<') + 1, kind.rfind('>') - kind.find('<') - 1) + ">";
        }
        default:
            return model_.value_type(f.type);
        }
    }

    void reader_declaration(std::ostream& o, const FieldInfo& f) const {
        if (f.in_union) o << "    bool is_" << f.name << "() const;\n";
        if (!f.group && f.type.which() == W::VOID) return;
        o << "    " << reader_type(f) << " " << f.id << "() const;\n";
        if (!f.group && Model::is_pointer(f.type)) o << "    bool has_" << f.name << "() const;\n";
    }

    void reader_definition(std::ostream& o, const FieldInfo& f) const {
        std::string cls = name_ + "::Reader::";
        if (f.in_union)
            o << "inline bool " << cls << "is_" << f.name
              << "() const { return which() == Which::" << f.id << "; }\n";
        if (!f.group && f.type.which() == W::VOID) return;
        std::string type = reader_type(f);
        o << "inline " << type << " " << cls << f.id << "() const {\n";
        std::string def = f.group ? "" : default_expr(f);
        if (f.in_union && !f.group)
            o << "    if (!is_" << f.name << "()) return " << (def.empty() ? type + "{}" : def)
              << ";\n";
        std::string ptr = "r_.pointer(" + std::to_string(f.offset) + ")";
        if (f.group) {
            // An inactive union group reads as empty: only the active member
            // was validated.
            if (f.in_union) o << "    if (!is_" << f.name << "()) return " << type << "();\n";
            o << "    return " << type << "(r_);\n";
        } else {
            switch (f.type.which()) {
            case W::BOOL:
                o << "    return r_.get_bool(" << f.offset << (def.empty() ? "" : ", true")
                  << ");\n";
                break;
            case W::TEXT: {
                auto slot = f.field.getProto().getSlot();
                if (slot.getHadExplicitDefault()) {
                    auto t = slot.getDefaultValue().getText();
                    o << "    return ::rayos::wire::detail::read_text(" << ptr << ", "
                      << escaped_bytes(reinterpret_cast<const uint8_t*>(t.cStr()), t.size()) << ", "
                      << t.size() << ");\n";
                } else {
                    o << "    return ::rayos::wire::detail::read_text(" << ptr << ");\n";
                }
                break;
            }
            case W::DATA: {
                auto slot = f.field.getProto().getSlot();
                if (slot.getHadExplicitDefault()) {
                    auto d = slot.getDefaultValue().getData();
                    o << "    return ::rayos::wire::detail::read_data(" << ptr
                      << ", reinterpret_cast<const uint8_t*>(" << escaped_bytes(d.begin(), d.size())
                      << "), " << d.size() << ");\n";
                } else {
                    o << "    return ::rayos::wire::detail::read_data(" << ptr << ");\n";
                }
                break;
            }
            case W::STRUCT:
                default_expr(f);
                o << "    return ::rayos::wire::read_struct<"
                  << model_.qualified_name(f.type.asStruct().getProto().getId()) << ">(" << ptr
                  << ");\n";
                break;
            case W::LIST:
                default_expr(f);
                o << "    return " << type << "::read(" << ptr << ");\n";
                break;
            case W::INTERFACE:
            case W::ANY_POINTER:
                o << "    return ::rayos::wire::detail::read_cap<"
                  << type.substr(type.find('<') + 1, type.rfind('>') - type.find('<') - 1) << ">("
                  << ptr << ");\n";
                break;
            default:
                o << "    return r_.get<" << type << ">(" << f.offset
                  << (def.empty() ? "" : ", " + def) << ");\n";
            }
        }
        o << "}\n";
        if (Model::is_pointer(f.type) && !f.group)
            o << "inline bool " << cls << "has_" << f.name << "() const { return !" << ptr
              << ".is_null(); }\n";
    }

    void builder_declaration(std::ostream& o, const FieldInfo& f) const {
        std::string n = f.name;
        if (f.group) {
            o << "    " << group_name(f) << "::Builder " << (f.in_union ? "init_" + n : f.id)
              << "();\n";
            return;
        }
        switch (f.type.which()) {
        case W::VOID:
            if (f.in_union) o << "    void set_" << n << "();\n";
            break;
        case W::TEXT:
            o << "    void set_" << n << "(const char* text);\n"
              << "    void set_" << n << "(const char* text, uint32_t length);\n";
            break;
        case W::DATA:
            o << "    void set_" << n << "(const void* bytes, uint32_t length);\n"
              << "    uint8_t* init_" << n << "(uint32_t length);\n";
            break;
        case W::STRUCT:
            o << "    " << model_.qualified_name(f.type.asStruct().getProto().getId())
              << "::Builder init_" << n << "();\n";
            break;
        case W::LIST:
            o << "    ::rayos::wire::ListBuilderOf<"
              << model_.element_kind(f.type.asList().getElementType()) << "> init_" << n
              << "(uint32_t count);\n";
            break;
        case W::INTERFACE:
        case W::ANY_POINTER:
            o << "    // The capability at `cap_address` in the sender's CSpace travels with the\n"
                 "    // message.\n"
              << "    void set_" << n << "(uint64_t cap_address);\n";
            break;
        default:
            o << "    void set_" << n << "(" << model_.value_type(f.type) << " value);\n";
        }
    }

    std::string discriminant(const FieldInfo& f) const {
        if (!f.in_union) return "";
        return "    b_.set<uint16_t>(" + std::to_string(disc_offset_) + ", " +
               std::to_string(f.discriminant) + ");\n";
    }

    void clear_group(std::ostream& o, capnp::StructSchema group) const {
        auto node = group.getProto().getStruct();
        if (node.getDiscriminantCount() > 0) // a union inside: its discriminant too
            o << "    b_.clear_data_bits(" << uint64_t(node.getDiscriminantOffset()) * 16
              << ", 16);\n";
        for (auto field : group.getFields()) {
            auto p = field.getProto();
            if (p.isGroup()) {
                clear_group(o, model_.loader().get(p.getGroup().getTypeId()).asStruct());
                continue;
            }
            auto t = field.getType();
            uint32_t offset = p.getSlot().getOffset();
            if (Model::is_pointer(t))
                o << "    b_.pointer(" << offset << ").clear();\n";
            else if (uint32_t bits = data_bits(t))
                o << "    b_.clear_data_bits(" << uint64_t(offset) * bits << ", " << bits << ");\n";
        }
    }

    void builder_definition(std::ostream& o, const FieldInfo& f) const {
        std::string cls = name_ + "::Builder::";
        std::string n = f.name;
        std::string ptr = "b_.pointer(" + std::to_string(f.offset) + ")";
        if (f.group) {
            o << "inline " << group_name(f) << "::Builder " << cls
              << (f.in_union ? "init_" + n : f.id) << "() {\n"
              << discriminant(f);
            if (f.in_union)
                clear_group(
                    o, model_.loader().get(f.field.getProto().getGroup().getTypeId()).asStruct());
            o << "    return " << group_name(f) << "::Builder(b_);\n}\n";
            return;
        }
        switch (f.type.which()) {
        case W::VOID:
            if (f.in_union)
                o << "inline void " << cls << "set_" << n << "() {\n" << discriminant(f) << "}\n";
            break;
        case W::TEXT:
            o << "inline void " << cls << "set_" << n << "(const char* text) { set_" << n
              << "(text, uint32_t(__builtin_strlen(text))); }\n"
              << "inline void " << cls << "set_" << n << "(const char* text, uint32_t length) {\n"
              << discriminant(f) << "    " << ptr << ".set_text(text, length);\n}\n";
            break;
        case W::DATA:
            o << "inline void " << cls << "set_" << n << "(const void* bytes, uint32_t length) {\n"
              << discriminant(f) << "    " << ptr << ".set_data(bytes, length);\n}\n"
              << "inline uint8_t* " << cls << "init_" << n << "(uint32_t length) {\n"
              << discriminant(f) << "    return " << ptr << ".init_bytes(length, false);\n}\n";
            break;
        case W::STRUCT: {
            std::string q = model_.qualified_name(f.type.asStruct().getProto().getId());
            o << "inline " << q << "::Builder " << cls << "init_" << n << "() {\n"
              << discriminant(f) << "    return " << q << "::Builder(" << ptr << ".init_struct("
              << q << "::kDataWords, " << q << "::kPointers));\n}\n";
            break;
        }
        case W::LIST: {
            std::string lb = "::rayos::wire::ListBuilderOf<" +
                             model_.element_kind(f.type.asList().getElementType()) + ">";
            o << "inline " << lb << " " << cls << "init_" << n << "(uint32_t count) {\n"
              << discriminant(f) << "    return " << lb << "::init(" << ptr << ", count);\n}\n";
            break;
        }
        case W::INTERFACE:
        case W::ANY_POINTER:
            o << "inline void " << cls << "set_" << n << "(uint64_t cap_address) {\n"
              << discriminant(f) << "    " << ptr << ".set_cap(cap_address);\n}\n";
            break;
        case W::BOOL: {
            std::string def = default_expr(f);
            o << "inline void " << cls << "set_" << n << "(bool value) {\n"
              << discriminant(f) << "    b_.set_bool(" << f.offset << ", value"
              << (def.empty() ? "" : ", true") << ");\n}\n";
            break;
        }
        default: {
            std::string t = model_.value_type(f.type), def = default_expr(f);
            o << "inline void " << cls << "set_" << n << "(" << t << " value) {\n"
              << discriminant(f) << "    b_.set<" << t << ">(" << f.offset << ", value"
              << (def.empty() ? "" : ", " + def) << ");\n}\n";
        }
        }
    }

    // The validation expression of one field, or "" if it has nothing to check.
    std::string check(const FieldInfo& f) const {
        if (f.group) return group_name(f) + "::validate(r)";
        std::string ptr = "r.pointer(" + std::to_string(f.offset) + ")";
        switch (f.type.which()) {
        case W::TEXT:
            return "::rayos::wire::detail::check_text(" + ptr + ")";
        case W::DATA:
            return "::rayos::wire::detail::check_data(" + ptr + ")";
        case W::STRUCT:
            return "::rayos::wire::check_struct<" +
                   model_.qualified_name(f.type.asStruct().getProto().getId()) + ">(" + ptr + ")";
        case W::LIST:
            return reader_type(f) + "::check(" + ptr + ")";
        case W::INTERFACE:
        case W::ANY_POINTER:
            return "::rayos::wire::detail::check_cap(" + ptr + ")";
        default:
            return "";
        }
    }

    void validator(std::ostream& o) const {
        o << "inline ::rayos::RpcError " << name_
          << "::validate(const ::rayos::wire::StructReader& r) {\n"
          << "    ::rayos::RpcError e = ::rayos::RpcError::Ok;\n    (void)r;\n";
        for (auto& f : fields_)
            if (!f.in_union)
                if (auto c = check(f); !c.empty())
                    o << "    if ((e = " << c << ") != ::rayos::RpcError::Ok) return e;\n";
        if (has_union_) {
            o << "    switch (r.get<uint16_t>(" << disc_offset_ << ")) {\n";
            for (auto& f : fields_)
                if (f.in_union)
                    if (auto c = check(f); !c.empty())
                        o << "    case " << f.discriminant << ":\n        e = " << c
                          << ";\n        break;\n";
            o << "    default:\n        break;\n    }\n";
        }
        o << "    return e;\n}\n";
    }

    void visit(std::ostream& o, const FieldInfo& f, const char* indent) const {
        if (f.group) {
            o << indent << "v.enter(\"" << f.name << "\");\n"
              << indent << group_name(f) << "::reflect(r." << f.id << "(), v);\n"
              << indent << "v.leave();\n";
        } else if (f.type.which() != W::VOID) {
            o << indent << "::rayos::wire::visit(v, \"" << f.name << "\", r." << f.id << "());\n";
        }
    }

    void reflector(std::ostream& o) const {
        o << "template <typename V> void " << name_ << "::reflect(const Reader& r, V& v) {\n"
          << "    (void)r;\n    (void)v;\n";
        for (auto& f : fields_)
            if (!f.in_union) visit(o, f, "    ");
        if (has_union_) {
            o << "    switch (r.which()) {\n";
            for (auto& f : fields_)
                if (f.in_union) {
                    o << "    case Which::" << f.id << ":\n        v.which(\"" << f.name
                      << "\");\n";
                    visit(o, f, "        ");
                    o << "        break;\n";
                }
            o << "    default:\n        v.which(nullptr);\n        break;\n    }\n";
        }
        o << "}\n";
    }

    void fill_field(std::ostream& o, const FieldInfo& f, const char* indent) const {
        std::string key = "::rayos::wire::Key{\"" + f.name + "\"}";
        std::string n = f.name;
        if (f.group) {
            o << indent << "s.enter(" << key << ");\n"
              << indent << group_name(f) << "::fill(b." << (f.in_union ? "init_" + n : f.id)
              << "(), s);\n"
              << indent << "s.leave();\n";
            return;
        }
        std::string otherwise = f.in_union ? " else b.set_which(Which::" + f.id + ");\n" : "\n";
        switch (f.type.which()) {
        case W::VOID:
            if (f.in_union) o << indent << "b.set_" << n << "();\n";
            break;
        case W::TEXT:
            o << indent << "if (s.has(" << key << ")) {\n"
              << indent << "    auto t = s.text(" << key << ");\n"
              << indent << "    b.set_" << n << "(t.ptr, t.size);\n"
              << indent << "}" << otherwise;
            break;
        case W::DATA:
            o << indent << "if (s.has(" << key << ")) {\n"
              << indent << "    auto d = s.data(" << key << ");\n"
              << indent << "    b.set_" << n << "(d.ptr, d.size);\n"
              << indent << "}" << otherwise;
            break;
        case W::STRUCT:
            o << indent << "if (s.has(" << key << ")) {\n"
              << indent << "    s.enter(" << key << ");\n"
              << indent << "    " << model_.qualified_name(f.type.asStruct().getProto().getId())
              << "::fill(b.init_" << n << "(), s);\n"
              << indent << "    s.leave();\n"
              << indent << "}" << otherwise;
            break;
        case W::LIST:
            o << indent << "if (s.has(" << key << ")) {\n"
              << indent << "    s.enter(" << key << ");\n"
              << indent << "    ::rayos::wire::fill_list(b.init_" << n << "(s.size()), s);\n"
              << indent << "    s.leave();\n"
              << indent << "}" << otherwise;
            break;
        case W::INTERFACE:
        case W::ANY_POINTER:
            // Sources (host messages) carry no capabilities.
            if (f.in_union) o << indent << "b.set_which(Which::" << f.id << ");\n";
            break;
        default:
            o << indent << "b.set_" << n << "(s.template get<" << model_.value_type(f.type) << ">("
              << key << "));\n";
        }
    }

    void filler(std::ostream& o) const {
        o << "template <typename S> void " << name_ << "::fill(Builder b, S& s) {\n"
          << "    (void)b;\n    (void)s;\n";
        for (auto& f : fields_)
            if (!f.in_union) fill_field(o, f, "    ");
        if (has_union_) {
            o << "    const char* w = s.which();\n";
            bool first = true;
            for (auto& f : fields_)
                if (f.in_union) {
                    o << (first ? "    if" : "    else if") << " (::rayos::wire::same(w, \""
                      << f.name << "\")) {\n";
                    fill_field(o, f, "        ");
                    o << "    }\n";
                    first = false;
                }
        }
        o << "}\n";
    }

    const Model& model_;
    capnp::StructSchema schema_;
    capnp::schema::Node::Reader proto_;
    std::string name_;
    uint32_t disc_offset_ = 0;
    bool has_union_ = false;
    std::vector<FieldInfo> fields_;
};

} // namespace

void emit_struct_shell(std::ostream& o, const Model& m, capnp::StructSchema s) {
    StructEmitter(m, s).shell(o);
}
void emit_struct_classes(std::ostream& o, const Model& m, capnp::StructSchema s) {
    StructEmitter(m, s).classes(o);
}
void emit_struct_definitions(std::ostream& o, const Model& m, capnp::StructSchema s) {
    StructEmitter(m, s).definitions(o);
}

} // namespace rayos::idlgen
