// init's NameService (see name_service.h).
#include "name_service.h"

namespace rayos::init {

RpcError NameService::lookup(rpc::CallContext& call, idl::init::LookupRequest::Reader params,
                             idl::init::LookupResult::Builder result) {
    wire::Text name = params.name();
    int target = system_.find(name.ptr, name.size);
    uint64_t caller = call.badge();
    bool granted = false;
    if (target >= 0 && caller >= 1 && caller <= system_.count) {
        const RunningProgram& p = system_.programs[caller - 1];
        for (uint32_t g = 0; g < p.grant_count; ++g)
            granted = granted || p.grant_targets[g] == uint32_t(target);
    }
    if (!granted) {
        auto error = result.init_error();
        error.set_code(idl::common::ErrorCode::notFound);
        error.set_message("no such server, or your manifest entry does not grant it");
        return RpcError::Ok;
    }
    auto found = result.init_found();
    found.set_endpoint(system_.programs[target].client_endpoint);
    found.set_generation(system_.programs[target].generation);
    return RpcError::Ok;
}

} // namespace rayos::init
