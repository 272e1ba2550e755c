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

namespace {

using idl::manifest::Grant;

// The text of a grant naming a program (threadOf, faultEndpointOf,
// addressSpaceOf), or an empty one.
wire::Text grant_target(Grant::Reader grant) {
    switch (grant.which()) {
    case Grant::Which::threadOf:
        return grant.threadOf();
    case Grant::Which::faultEndpointOf:
        return grant.faultEndpointOf();
    case Grant::Which::addressSpaceOf:
        return grant.addressSpaceOf();
    default:
        return {};
    }
}

struct GrantPair {
    uint32_t target;      // program index
    uint32_t first_slot;  // slot of the grant of kind `first`
    uint32_t second_slot; // of kind `second`, for the same program
};

// The programs that program `caller`'s manifest entry grants both a grant
// of kind `first` and one of kind `second` for; how many (at most kMaxGrants).
uint32_t grant_pairs(const System& system, uint32_t caller, Grant::Which first, Grant::Which second,
                     GrantPair* out) {
    auto grants = system.entry(caller).grants();
    uint32_t n = 0;
    for (uint32_t g = 0; g < grants.size(); ++g) {
        if (grants[g].which() != first) continue;
        wire::Text name = grant_target(grants[g]);
        int t = system.find(name.ptr, name.size);
        if (t < 0) continue;
        for (uint32_t s = 0; s < grants.size(); ++s) {
            if (grants[s].which() != second) continue;
            wire::Text other = grant_target(grants[s]);
            if (system.find(other.ptr, other.size) != t) continue;
            out[n++] = {uint32_t(t), uint32_t(program::kFirstGrantSlot + g),
                        uint32_t(program::kFirstGrantSlot + s)};
            break;
        }
    }
    return n;
}

} // namespace

RpcError NameService::pagedClients(rpc::CallContext& call, idl::init::Empty::Reader,
                                   idl::init::PagedClientsResult::Builder result) {
    uint64_t caller = call.badge();
    if (caller < 1 || caller > system_.count()) return RpcError::NotPermitted;
    GrantPair pairs[kMaxGrants];
    uint32_t n = grant_pairs(system_, uint32_t(caller - 1), Grant::Which::faultEndpointOf,
                             Grant::Which::addressSpaceOf, pairs);
    uint32_t paged = 0;
    for (uint32_t i = 0; i < n; ++i)
        if (system_.entry(pairs[i].target).paging().pages() > 0) pairs[paged++] = pairs[i];
    auto clients = result.init_clients(paged);
    for (uint32_t i = 0; i < paged; ++i) {
        auto paging = system_.entry(pairs[i].target).paging();
        clients[i].set_name(system_.program(pairs[i].target).name);
        clients[i].set_faultBadge(program::fault_badge(pairs[i].target));
        clients[i].set_faultSlot(pairs[i].first_slot);
        clients[i].set_addressSpaceSlot(pairs[i].second_slot);
        clients[i].set_pages(paging.pages());
        clients[i].set_budgetFrames(paging.budgetFrames());
    }
    return RpcError::Ok;
}

RpcError NameService::injectionTargets(rpc::CallContext& call, idl::init::Empty::Reader,
                                       idl::init::InjectionTargetsResult::Builder result) {
    uint64_t caller = call.badge();
    if (caller < 1 || caller > system_.count()) return RpcError::NotPermitted;
    GrantPair pairs[kMaxGrants];
    uint32_t n = grant_pairs(system_, uint32_t(caller - 1), Grant::Which::threadOf,
                             Grant::Which::addressSpaceOf, pairs);
    auto targets = result.init_targets(n);
    for (uint32_t i = 0; i < n; ++i) {
        const RunningProgram& p = system_.program(pairs[i].target);
        auto t = targets[i];
        t.set_name(p.name);
        t.set_threadSlot(pairs[i].first_slot);
        t.set_addressSpaceSlot(pairs[i].second_slot);
        t.set_generation(p.generation);
        t.set_running(p.state == State::Running);
        t.set_codeStart(p.loaded.code_start);
        t.set_codeEnd(p.loaded.code_end);
        t.set_dataStart(p.loaded.data_start);
        t.set_dataEnd(p.loaded.data_end);
        t.set_stackStart(kProgramStackTop - kProgramStackPages * 4096);
        t.set_stackEnd(kProgramStackTop);
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
