// init's NameService (idl/init.capnp): a program looks a server up by name
// and gets a capability to call it, if its manifest entry grants that
// server; anyone else learns nothing (notFound, whether the server exists
// or not). Callers are known by the badge of their NameService capability:
// program index + 1. The same endpoint receives the programs' faults
// (badge kFaultBadge | index + 1), which go to the supervisor.
#pragma once

#include "system.h"

#include <rayos/idl/init.rpc.h>

namespace rayos::init {

class NameService final : public idl::init::NameServiceServer {
public:
    explicit NameService(System& system) : system_(system) {}

    RpcError lookup(rpc::CallContext& call, idl::init::LookupRequest::Reader params,
                    idl::init::LookupResult::Builder result) override;
    // Fault messages: the thread stays stopped (the reply is an error) and
    // the supervisor tears its program down and restarts it or gives up.
    RpcError other(rpc::Incoming& in) override;

private:
    System& system_;
};

} // namespace rayos::init
