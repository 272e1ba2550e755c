// The compression pager: serves page faults in its clients' paged regions
// (rayos/paging.h) and the Pager interface (idl/pager.capnp). Its clients
// are the programs its manifest entry grants it the faults and address
// space of and that declare a paged region (`paging`); it asks init for
// them (NameService.pagedClients) when it starts. Faults outside a region,
// and faults it cannot serve, go on to init.
#include "pager_service.h"
#include "store.h"

#include <rayos/idl/init.rpc.h>
#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

#include <new>

using namespace rayos;
using namespace rayos::pager;

namespace {

alignas(4096) uint8_t store_arena[limits::kPagerStorePages * Store::kPage];

[[noreturn]] void stop(const char* why) {
    print("pager: %s; stopping\n", why);
    exit_thread(1);
}

} // namespace

int main(const char*) {
    static Store store(store_arena, limits::kPagerStorePages);
    alignas(PagerService) static uint8_t service_storage[sizeof(PagerService)];
    auto* service = new (service_storage) PagerService(store, program::kSlotNotification);

    idl::init::NameServiceClient init(program::kSlotNameService);
    auto request = init.pagedClients();
    auto answer = request.send();
    if (!answer) stop("init does not say who its clients are");
    auto clients = answer.value().clients();
    for (uint32_t i = 0; i < clients.size(); ++i) {
        auto c = clients[i];
        ClientConfig config;
        wire::Text name = c.name();
        for (uint32_t n = 0; n < name.size && n + 1 < sizeof(config.name); ++n)
            config.name[n] = name.ptr[n];
        config.region_pages = c.pages();
        config.budget_frames = c.budgetFrames();
        if (!service->add(config, c.faultBadge(), c.faultSlot(), c.addressSpaceSlot())) {
            print("pager: more clients than kPagerMaxClients; '%s' is not served\n", config.name);
            continue;
        }
        print("pager: serving '%s': %u pages, %u resident\n", config.name, config.region_pages,
              config.budget_frames);
    }
    if (service->count() == 0) stop("no clients (no paged program grants it its faults)");

    rpc::ServerConfig config{program::kSlotEndpoint, program::kSlotReply, program::kSlotCNode,
                             program::kFirstFreeSlot};
    alignas(rpc::Server) static uint8_t server_storage[sizeof(rpc::Server)];
    auto* server = new (server_storage) rpc::Server(config, *service);
    RpcError e = server->run();
    print("pager: stopped: %s\n", rpc_error_name(e));
    return 1;
}
