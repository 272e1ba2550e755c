// init's NameService (idl/init.capnp): a program looks a server up by name
// and gets a capability to call it, if its manifest entry grants that
// server; anyone else learns nothing (notFound, whether the server exists
// or not). Callers are known by the badge of their NameService capability:
// program index + 1.
#pragma once

#include "system.h"

#include <rayos/idl/init.rpc.h>

namespace rayos::init {

class NameService final : public idl::init::NameServiceServer {
public:
    explicit NameService(const System& system) : system_(system) {}

    RpcError lookup(rpc::CallContext& call, idl::init::LookupRequest::Reader params,
                    idl::init::LookupResult::Builder result) override;

private:
    const System& system_;
};

} // namespace rayos::init
