// The fault injector: serves the Injector interface (idl/inject.capnp) to
// the programs granted it (the shell; the host's campaign runner drives it
// through the shell's `inject` command).
#include "injector_service.h"

#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

#include <new>

using namespace rayos;

int main(const char*) {
    alignas(injector::InjectorService) static uint8_t
        service_storage[sizeof(injector::InjectorService)];
    auto* service = new (service_storage) injector::InjectorService(program::kSlotNotification);
    rpc::ServerConfig config{program::kSlotEndpoint, program::kSlotReply, program::kSlotCNode,
                             program::kFirstFreeSlot};
    alignas(rpc::Server) static uint8_t server_storage[sizeof(rpc::Server)];
    auto* server = new (server_storage) rpc::Server(config, *service);
    print("injector: ready\n");
    RpcError e = server->run();
    print("injector: stopped: %s\n", rpc_error_name(e));
    return 1;
}
