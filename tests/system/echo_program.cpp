// A program started by init from the manifest: serves Echo (echo.capnp) on
// the endpoint in its slot 1 (rayos/program.h). `add` with a = 0xDEAD
// crashes it (for the supervision tests).
#include "framework/echo_service.h"

#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

#include <new>

using namespace rayos;

int main(const char* args) {
    print("echo_program: serving (%s)\n", args);
    static test::EchoService echo;
    rpc::ServerConfig config{program::kSlotEndpoint, program::kSlotReply, program::kSlotCNode,
                             program::kFirstFreeSlot};
    alignas(rpc::Server) static uint8_t storage[sizeof(rpc::Server)];
    auto* server = new (storage) rpc::Server(config, echo);
    RpcError e = server->run();
    print("echo_program: stopped: %s\n", rpc_error_name(e));
    return 1;
}
