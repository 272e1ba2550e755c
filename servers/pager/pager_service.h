// The pager as a server: the Pager interface (idl/pager.capnp) for the
// shell and other callers granted it, and the fault messages of its
// clients on the same endpoint (rpc::Dispatcher::other). A page fault in a
// client's paged region is served and the client resumed (the reply Ok);
// any other fault, or one it cannot serve, is passed on to init's
// supervision (init's fault endpoint for that client, a grant) and the
// client stays stopped. Its timer (the bound notification) drives the idle
// policy.
#pragma once

#include "client.h"
#include "kernel_memory.h"
#include "store.h"

#include <rayos/idl/pager.rpc.h>
#include <rayos/limits.h>

namespace rayos::pager {

// The idle policy's scans of accessed bits: every kScanTicks kernel ticks,
// or as often as the shortest idle time asks.
constexpr uint32_t kScanTicks = 5;

struct ServedClient {
    uint64_t fault_badge = 0; // its faults' badge, without the generation
    uint32_t generation = 0;  // of its faults seen last (kUnknown: none yet)
    uint64_t init_faults = 0; // init's fault endpoint for it (a grant slot)
    KernelMemory memory;
    Client* client = nullptr;
    static constexpr uint32_t kUnknown = ~0u;
};

class PagerService final : public idl::pager::PagerServer {
public:
    PagerService(Store& store, uint64_t timer) : store_(store), timer_(timer) {}

    // Adds a client (false when kPagerMaxClients serve already).
    [[nodiscard]] bool add(const ClientConfig& config, uint64_t fault_badge, uint64_t init_faults,
                           uint64_t address_space);
    uint32_t count() const { return count_; }

    RpcError status(rpc::CallContext& call, idl::pager::StatusRequest::Reader params,
                    idl::pager::StatusResult::Builder result) override;
    RpcError stats(rpc::CallContext& call, idl::pager::StatsRequest::Reader params,
                   idl::pager::StatsResult::Builder result) override;
    RpcError setLevel(rpc::CallContext& call, idl::pager::SetLevelRequest::Reader params,
                      idl::pager::SetResult::Builder result) override;
    RpcError setPolicy(rpc::CallContext& call, idl::pager::SetPolicyRequest::Reader params,
                       idl::pager::SetResult::Builder result) override;
    RpcError setBudget(rpc::CallContext& call, idl::pager::SetBudgetRequest::Reader params,
                       idl::pager::SetResult::Builder result) override;
    // Faults of its clients and the timer.
    RpcError other(rpc::Incoming& in) override;

private:
    ServedClient* find(wire::Text name);
    // The client a request names, or nullptr with `error` filled in.
    template <typename E> ServedClient* target(wire::Text name, E error);
    RpcError fault(ServedClient& s, uint64_t badge, uint64_t label, const wire::Segment& words);
    void fill(idl::pager::ClientStats::Builder out, const char* name, const ClientStats& stats,
              const Client* client) const;
    // Sets the timer while a client has the idle policy.
    void arm_timer();

    Store& store_;
    uint64_t timer_;
    uint32_t timer_period_ = 0; // 0: not set
    ServedClient clients_[limits::kPagerMaxClients];
    uint32_t count_ = 0;
};

} // namespace rayos::pager
