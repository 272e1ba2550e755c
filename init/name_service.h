// init's NameService (idl/init.capnp): a program looks a server up by name
// and gets a capability to call it, if its manifest entry grants that
// server; anyone else learns nothing (notFound, whether the server exists
// or not). Callers are known by the badge of their NameService capability:
// program index + 1. The same endpoint receives the programs' faults
// (badge kFaultBadge | index + 1), which go to the supervisor, and the
// Supervisor interface's calls.
#pragma once

#include "supervisor.h"
#include "system.h"

#include <rayos/idl/init.rpc.h>

namespace rayos::init {

class NameService final : public idl::init::NameServiceServer {
public:
    NameService(System& system, Supervisor& supervisor)
        : system_(system), supervisor_(supervisor) {}

    RpcError lookup(rpc::CallContext& call, idl::init::LookupRequest::Reader params,
                    idl::init::LookupResult::Builder result) override;
    RpcError pagedClients(rpc::CallContext& call, idl::init::Empty::Reader params,
                          idl::init::PagedClientsResult::Builder result) override;
    RpcError injectionTargets(rpc::CallContext& call, idl::init::Empty::Reader params,
                              idl::init::InjectionTargetsResult::Builder result) override;
    // Supervisor calls (the same endpoint); fault and exit messages: the
    // thread stays stopped (the reply is an error) and the supervisor tears
    // its program down and restarts it or gives up; the back-off timer.
    RpcError other(rpc::Incoming& in) override;

private:
    System& system_;
    Supervisor& supervisor_;
};

} // namespace rayos::init
