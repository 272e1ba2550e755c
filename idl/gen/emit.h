// The emitters: each writes one part of the generated headers.
#pragma once

#include "model.h"

#include <ostream>

namespace rayos::idlgen {

// Structs and groups (rayos/idl/<file>.h): shell, Reader/Builder classes,
// then all definitions, so that structs may refer to each other in any order.
void emit_struct_shell(std::ostream& o, const Model& m, capnp::StructSchema s);
void emit_struct_classes(std::ostream& o, const Model& m, capnp::StructSchema s);
void emit_struct_definitions(std::ostream& o, const Model& m, capnp::StructSchema s);

// Enums.
void emit_enum(std::ostream& o, const Model& m, capnp::EnumSchema e);

// Interfaces: the id and method labels (types header) and the client stub
// and server skeleton (rayos/idl/<file>.rpc.h).
void emit_interface_shell(std::ostream& o, const Model& m, capnp::InterfaceSchema i);
void emit_interface_rpc(std::ostream& o, const Model& m, capnp::InterfaceSchema i);

} // namespace rayos::idlgen
