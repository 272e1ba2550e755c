// init's Supervisor (idl/init.capnp): what the shell asks about programs —
// their state, capabilities and memory — and its requests to restart or
// kill one. Only programs whose manifest grants `supervisor` may call it;
// callers are known by their NameService badge (program index + 1).
#pragma once

#include "system.h"

#include <rayos/idl/init.rpc.h>

namespace rayos::init {

class Supervisor final : public idl::init::SupervisorServer {
public:
    explicit Supervisor(System& system) : system_(system) {}

    RpcError programs(rpc::CallContext& call, idl::init::Empty::Reader params,
                      idl::init::ProgramsResult::Builder result) override;
    RpcError restart(rpc::CallContext& call, idl::init::ProgramName::Reader params,
                     idl::init::Result::Builder result) override;
    RpcError kill(rpc::CallContext& call, idl::init::ProgramName::Reader params,
                  idl::init::Result::Builder result) override;
    RpcError caps(rpc::CallContext& call, idl::init::ProgramName::Reader params,
                  idl::init::CapsResult::Builder result) override;
    RpcError memory(rpc::CallContext& call, idl::init::Empty::Reader params,
                    idl::init::MemoryResult::Builder result) override;

private:
    bool allowed(const rpc::CallContext& call) const;
    // The index of the program `name` names if the request may act on it
    // (it exists; it is not the caller, unless refuse_self is nullptr; it
    // runs, if must_run); otherwise -1, with `result`'s error saying why.
    template <typename R>
    int target(const rpc::CallContext& call, wire::Text name, R result, const char* refuse_self,
               bool must_run) const;

    System& system_;
};

} // namespace rayos::init
