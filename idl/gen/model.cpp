// Names and types for the generated bindings (see model.h).
#include "model.h"

#include <cstdio>
#include <set>

namespace rayos::idlgen {

std::string capitalized(const std::string& s) {
    if (s.empty()) return s;
    std::string out = s;
    out[0] = char(toupper(out[0]));
    return out;
}

std::string identifier(const std::string& s) {
    static const std::set<std::string> keywords = {
        "alignas",  "alignof",  "and",      "asm",      "auto",      "bool",      "break",
        "case",     "catch",    "char",     "class",    "const",     "continue",  "default",
        "delete",   "do",       "double",   "else",     "enum",      "explicit",  "export",
        "extern",   "false",    "float",    "for",      "friend",    "goto",      "if",
        "inline",   "int",      "long",     "mutable",  "namespace", "new",       "noexcept",
        "not",      "nullptr",  "operator", "or",       "private",   "protected", "public",
        "register", "return",   "short",    "signed",   "sizeof",    "static",    "struct",
        "switch",   "template", "this",     "throw",    "true",      "try",       "typedef",
        "typename", "union",    "unsigned", "using",    "virtual",   "void",      "volatile",
        "while",    "xor",      "concept",  "requires", "raw",       "which",     "validate",
        "reflect",  "fill"};
    return keywords.count(s) ? s + "_" : s;
}

std::string hex(uint64_t v) {
    char buffer[32];
    snprintf(buffer, sizeof buffer, "0x%016llxull", static_cast<unsigned long long>(v));
    return buffer;
}

void Model::add_file(uint64_t file_id, const std::string& filename) {
    if (namespaces_.count(file_id)) return;
    std::string stem = filename.substr(filename.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    for (char& c : stem)
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
    namespaces_[file_id] = stem;
    nodes_[file_id];
    auto file = loader_.get(file_id);
    for (auto nested : file.getProto().getNestedNodes())
        name_node(nested.getId(), file_id, nested.getName());
}

void Model::name_node(uint64_t id, uint64_t file_id, const std::string& name) {
    auto schema = loader_.get(id);
    auto proto = schema.getProto();
    if (proto.isAnnotation() || proto.isConst()) return;
    names_[id] = name;
    file_of_[id] = file_id;
    nodes_[file_id].push_back(id);
    for (auto nested : proto.getNestedNodes())
        name_node(nested.getId(), file_id, name + "_" + std::string(nested.getName().cStr()));
    if (proto.isStruct()) {
        for (auto field : schema.asStruct().getFields())
            if (field.getProto().isGroup())
                name_node(field.getProto().getGroup().getTypeId(), file_id,
                          name + "_" + capitalized(field.getProto().getName()));
    }
    if (proto.isInterface()) {
        for (auto method : schema.asInterface().getMethods()) {
            std::string method_name = method.getProto().getName();
            for (auto [type, suffix] : {std::pair{method.getParamType(), "Params"},
                                        std::pair{method.getResultType(), "Results"}}) {
                if (type.getProto().getScopeId() == 0 && !names_.count(type.getProto().getId()))
                    name_node(type.getProto().getId(), file_id,
                              name + "_" + method_name + "_" + suffix);
            }
        }
    }
}

const std::string& Model::local_name(uint64_t id) const {
    auto it = names_.find(id);
    if (it == names_.end()) throw Unsupported("unknown schema node " + hex(id));
    return it->second;
}

std::string Model::qualified_name(uint64_t id) const {
    return "::rayos::idl::" + file_namespace(file_of(id)) + "::" + local_name(id);
}

const std::string& Model::file_namespace(uint64_t file_id) const {
    return namespaces_.at(file_id);
}

uint64_t Model::file_of(uint64_t id) const {
    auto it = file_of_.find(id);
    if (it == file_of_.end()) throw Unsupported("node " + hex(id) + " is in no known file");
    return it->second;
}

bool Model::is_pointer(capnp::Type t) {
    using W = capnp::schema::Type;
    switch (t.which()) {
    case W::TEXT:
    case W::DATA:
    case W::LIST:
    case W::STRUCT:
    case W::INTERFACE:
    case W::ANY_POINTER:
        return true;
    default:
        return false;
    }
}

std::string Model::value_type(capnp::Type t) const {
    using W = capnp::schema::Type;
    switch (t.which()) {
    case W::VOID:
        return "::rayos::wire::Void";
    case W::BOOL:
        return "bool";
    case W::INT8:
        return "int8_t";
    case W::INT16:
        return "int16_t";
    case W::INT32:
        return "int32_t";
    case W::INT64:
        return "int64_t";
    case W::UINT8:
        return "uint8_t";
    case W::UINT16:
        return "uint16_t";
    case W::UINT32:
        return "uint32_t";
    case W::UINT64:
        return "uint64_t";
    case W::FLOAT32:
        return "float";
    case W::FLOAT64:
        return "double";
    case W::ENUM:
        return qualified_name(t.asEnum().getProto().getId());
    default:
        throw Unsupported("not a value type");
    }
}

std::string Model::element_kind(capnp::Type t) const {
    using W = capnp::schema::Type;
    switch (t.which()) {
    case W::TEXT:
        return "::rayos::wire::TextKind";
    case W::DATA:
        return "::rayos::wire::DataKind";
    case W::STRUCT:
        return "::rayos::wire::StructKind<" + qualified_name(t.asStruct().getProto().getId()) + ">";
    case W::LIST:
        return "::rayos::wire::ListKind<" + element_kind(t.asList().getElementType()) + ">";
    case W::INTERFACE:
        return "::rayos::wire::CapKind<" + qualified_name(t.asInterface().getProto().getId()) + ">";
    case W::ANY_POINTER:
        if (t.whichAnyPointerKind() == capnp::schema::Type::AnyPointer::Unconstrained::CAPABILITY)
            return "::rayos::wire::CapKind<::rayos::wire::AnyInterface>";
        throw Unsupported("AnyPointer other than Capability is not supported");
    default:
        return value_type(t);
    }
}

} // namespace rayos::idlgen
