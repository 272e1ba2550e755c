// init's NameService (see name_service.h).
#include "name_service.h"

namespace rayos::init {

RpcError NameService::lookup(rpc::CallContext& call, idl::init::LookupRequest::Reader params,
                             idl::init::LookupResult::Builder result) {
    wire::Text name = params.name();
    int target = system_.find(name.ptr, name.size);
    uint64_t caller = call.badge();
    uint64_t cap = 0; // the caller's own badged copy, if it is granted
    if (target >= 0 && caller >= 1 && caller <= system_.count() &&
        system_.program(uint32_t(target)).state == State::Running) {
        const RunningProgram& p = system_.program(uint32_t(caller - 1));
        for (uint32_t g = 0; g < p.grant_count; ++g)
            if (p.grant_targets[g] == uint32_t(target)) cap = p.grant_caps[g];
    }
    if (!cap) {
        auto error = result.init_error();
        error.set_code(idl::common::ErrorCode::notFound);
        error.set_message("no such server, or your manifest entry does not grant it");
        return RpcError::Ok;
    }
    auto found = result.init_found();
    found.set_endpoint(cap);
    found.set_generation(system_.program(uint32_t(target)).generation);
    return RpcError::Ok;
}

RpcError NameService::pagedClients(rpc::CallContext& call, idl::init::Empty::Reader,
                                   idl::init::PagedClientsResult::Builder result) {
    uint64_t caller = call.badge();
    if (caller < 1 || caller > system_.count()) return RpcError::NotPermitted;
    using idl::manifest::Grant;
    auto grants = system_.entry(uint32_t(caller - 1)).grants();
    // Each program whose faults the caller is granted, with a paged region
    // and its address space granted too.
    uint32_t found[kMaxGrants], fault_slot[kMaxGrants], space_slot[kMaxGrants], n = 0;
    for (uint32_t g = 0; g < grants.size(); ++g) {
        if (grants[g].which() != Grant::Which::faultEndpointOf) continue;
        wire::Text name = grants[g].faultEndpointOf();
        int t = system_.find(name.ptr, name.size);
        if (t < 0 || system_.entry(uint32_t(t)).paging().pages() == 0) continue;
        for (uint32_t s = 0; s < grants.size(); ++s) {
            if (grants[s].which() != Grant::Which::addressSpaceOf) continue;
            wire::Text space = grants[s].addressSpaceOf();
            if (system_.find(space.ptr, space.size) != t) continue;
            found[n] = uint32_t(t);
            fault_slot[n] = uint32_t(program::kFirstGrantSlot + g);
            space_slot[n] = uint32_t(program::kFirstGrantSlot + s);
            ++n;
            break;
        }
    }
    auto clients = result.init_clients(n);
    for (uint32_t i = 0; i < n; ++i) {
        auto paging = system_.entry(found[i]).paging();
        clients[i].set_name(system_.program(found[i]).name);
        clients[i].set_faultBadge(program::fault_badge(found[i]));
        clients[i].set_faultSlot(fault_slot[i]);
        clients[i].set_addressSpaceSlot(space_slot[i]);
        clients[i].set_pages(paging.pages());
        clients[i].set_budgetFrames(paging.budgetFrames());
    }
    return RpcError::Ok;
}

RpcError NameService::other(rpc::Incoming& in) {
    uint64_t label = in.method_label(), badge = in.badge();
    if (label == abi::kLabelNotification) { // the back-off timer
        system_.timer_fired();
        return RpcError::Ok;
    }
    if (!(badge & kFaultBadge)) return supervisor_.dispatch(in);
    if (label != abi::kFaultPage && label != abi::kFaultException && label != abi::kFaultExit)
        return RpcError::UnknownMethod;
    const wire::Segment& words = in.segment();
    uint32_t index = uint32_t((program::fault_badge_program(badge) & ~kFaultBadge) - 1);
    uint64_t first = words.size > 0 ? words.words[0] : 0;
    if (label == abi::kFaultExit) {
        system_.exited(index, int64_t(first));
        return RpcError::ServerFailed; // (the thread stays stopped in any case)
    }
    uint64_t address = words.size > 2 ? words.words[2] : 0;
    system_.crashed(index, label, first, address);
    return RpcError::ServerFailed; // not kFaultResume: the thread stays stopped
}

} // namespace rayos::init
