// Enums and interfaces. An interface becomes: in the types header a struct
// with its id and one stable IPC label per method; in the RPC header a
// client stub (<Name>Client: one request factory per method, inline or in
// a shared frame) and a server skeleton (<Name>Server: one pure virtual per
// method and the dispatch that decodes, calls and encodes).
#include "emit.h"

#include <set>

namespace rayos::idlgen {
namespace {

struct MethodInfo {
    std::string name;
    uint64_t interface_id;
    uint16_t ordinal;
    std::string params, results;
};

// The interface's methods and those of every interface it extends.
void collect(const Model& m, capnp::InterfaceSchema i, std::vector<MethodInfo>& out,
             std::set<uint64_t>& seen) {
    if (!seen.insert(i.getProto().getId()).second) return;
    for (auto method : i.getMethods()) {
        auto p = method.getProto();
        out.push_back({p.getName(), i.getProto().getId(), method.getOrdinal(),
                       m.qualified_name(method.getParamType().getProto().getId()),
                       m.qualified_name(method.getResultType().getProto().getId())});
    }
    for (auto super : i.getSuperclasses())
        collect(m, super, out, seen);
}

std::vector<MethodInfo> methods_of(const Model& m, capnp::InterfaceSchema i) {
    std::vector<MethodInfo> out;
    std::set<uint64_t> seen;
    collect(m, i, out, seen);
    return out;
}

} // namespace

void emit_enum(std::ostream& o, const Model& m, capnp::EnumSchema e) {
    o << "enum class " << m.local_name(e.getProto().getId()) << " : uint16_t {";
    bool first = true;
    for (auto enumerant : e.getEnumerants()) {
        o << (first ? " " : ", ") << identifier(enumerant.getProto().getName()) << " = "
          << enumerant.getOrdinal();
        first = false;
    }
    o << " };\n\n";
}

void emit_interface_shell(std::ostream& o, const Model& m, capnp::InterfaceSchema i) {
    std::string name = m.local_name(i.getProto().getId());
    o << "struct " << name << " {\n"
      << "    static constexpr uint64_t kInterfaceId = " << hex(i.getProto().getId()) << ";\n"
      << "    static constexpr const char* kName = \"" << name << "\";\n"
      << "    // IPC labels of the methods (own and inherited).\n"
      << "    struct Methods {\n";
    for (auto& method : methods_of(m, i))
        o << "        static constexpr uint64_t " << identifier(method.name)
          << " = ::rayos::wire::method_label(" << hex(method.interface_id) << ", " << method.ordinal
          << ");\n";
    o << "    };\n};\n\n";
}

void emit_interface_rpc(std::ostream& o, const Model& m, capnp::InterfaceSchema i) {
    std::string name = m.local_name(i.getProto().getId());
    auto methods = methods_of(m, i);

    o << "// Calls " << name << " through an endpoint capability.\n"
      << "class " << name << "Client : public ::rayos::rpc::ClientBase {\npublic:\n"
      << "    using ClientBase::ClientBase;\n"
      << "    explicit " << name << "Client(::rayos::wire::Cap<" << name
      << "> cap) : ClientBase(cap.slot) {}\n";
    for (auto& method : methods) {
        std::string request =
            "::rayos::rpc::Request<" + method.params + ", " + method.results + ">";
        std::string id = identifier(method.name);
        o << "    // " << method.name << ": build the parameters with params(), then send().\n"
          << "    " << request << " " << id << "() const { return {endpoint(), " << name
          << "::Methods::" << id << "}; }\n"
          << "    // The same with the message in a shared frame (large payloads).\n"
          << "    " << request << " " << id
          << "(::rayos::rpc::SharedBuffer& shared) const { return {endpoint(), " << name
          << "::Methods::" << id << ", shared}; }\n";
    }
    o << "};\n\n";

    o << "// Implements " << name << ": derive, implement every method, then serve\n"
      << "// with ::rayos::rpc::Server. A method returns Ok and fills `result`, or an\n"
      << "// error that becomes the caller's error.\n"
      << "class " << name << "Server : public ::rayos::rpc::Dispatcher {\npublic:\n";
    for (auto& method : methods)
        o << "    virtual ::rayos::RpcError " << identifier(method.name)
          << "(::rayos::rpc::CallContext& call, " << method.params << "::Reader params, "
          << method.results << "::Builder result) = 0;\n";
    o << "\n    RAYOS_RPC_HOT ::rayos::RpcError dispatch(::rayos::rpc::Incoming& in) override {\n"
      << "        switch (in.method_label()) {\n";
    for (auto& method : methods) {
        std::string id = identifier(method.name);
        o << "        case " << name << "::Methods::" << id << ":\n"
          << "            return in.serve<" << method.params << ", " << method.results
          << ">([this](::rayos::rpc::CallContext& c, " << method.params << "::Reader p, "
          << method.results << "::Builder r) { return " << id << "(c, p, r); });\n";
    }
    o << "        default:\n            return other(in);\n"
      << "        }\n    }\n\nprotected:\n    ~" << name << "Server() = default;\n};\n\n";
}

} // namespace rayos::idlgen
