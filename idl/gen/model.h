// The code generator's view of a schema: C++ names for every node, and the
// C++ spelling of every Cap'n Proto type in the generated bindings.
#pragma once

#include <capnp/schema-loader.h>
#include <capnp/schema.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rayos::idlgen {

// Thrown for a schema the generator cannot express; the message names the
// node and field, and capnp reports it as the plugin's failure.
struct Unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Model {
public:
    explicit Model(const capnp::SchemaLoader& loader) : loader_(loader) {}

    // Registers a requested or imported file and names all its nodes.
    void add_file(uint64_t file_id, const std::string& filename);

    const capnp::SchemaLoader& loader() const { return loader_; }
    // "Policy", "Policy_Threshold": the node's name in its file's namespace.
    const std::string& local_name(uint64_t id) const;
    // "::rayos::idl::pager::Policy".
    std::string qualified_name(uint64_t id) const;
    // "pager" for pager.capnp.
    const std::string& file_namespace(uint64_t file_id) const;
    uint64_t file_of(uint64_t id) const;
    // Every struct (groups included) and enum and interface of a file, in
    // declaration order.
    const std::vector<uint64_t>& nodes_of(uint64_t file_id) const { return nodes_.at(file_id); }

    // C++ value type of a primitive or enum ("uint32_t", "::rayos::idl::x::Level").
    std::string value_type(capnp::Type t) const;
    // The wire element kind for List(t) ("wire::TextKind", ...).
    std::string element_kind(capnp::Type t) const;
    // Whether the field occupies a pointer slot.
    static bool is_pointer(capnp::Type t);

private:
    void name_node(uint64_t id, uint64_t file_id, const std::string& name);

    const capnp::SchemaLoader& loader_;
    std::map<uint64_t, std::string> names_;
    std::map<uint64_t, uint64_t> file_of_;
    std::map<uint64_t, std::string> namespaces_;
    std::map<uint64_t, std::vector<uint64_t>> nodes_;
};

// Identifier helpers.
std::string capitalized(const std::string& s);
// Appends '_' to names that are C++ keywords.
std::string identifier(const std::string& s);
std::string hex(uint64_t v);

} // namespace rayos::idlgen
