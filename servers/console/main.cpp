// The console server: owns COM1 through the I/O ports and the IRQ its
// manifest entry grants (grant slots 8 and 9, rayos/program.h) and serves
// the Console interface (idl/console.capnp) on its endpoint.
#include "console_service.h"
#include "uart.h"

#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

#include <new>

using namespace rayos;

namespace {

constexpr uint64_t kSlotPorts = program::kFirstGrantSlot;   // ioPorts 0x3f8-0x3ff
constexpr uint64_t kSlotIrq = program::kFirstGrantSlot + 1; // irq 4
constexpr uint64_t kFirstSpareReply = program::kFirstFreeSlot + 8;
constexpr uint16_t kCom1 = 0x3F8;

} // namespace

int main(const char*) {
    static console::Uart uart(kSlotPorts, kSlotIrq, kCom1);
    if (!uart.start(program::kSlotNotification)) {
        print("console: COM1 or its IRQ is not granted; stopping\n");
        return 1;
    }
    static console::ConsoleService service(uart);
    rpc::ServerConfig config{program::kSlotEndpoint, program::kSlotReply, program::kSlotCNode,
                             program::kFirstFreeSlot};
    alignas(rpc::Server) static uint8_t storage[sizeof(rpc::Server)];
    auto* server = new (storage) rpc::Server(config, service);
    // Reply objects for readers that wait for input.
    uint64_t count = limits::kConsoleWaitingReaders;
    if (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Reply), 0,
                            program::kSlotCNode, kFirstSpareReply, count) != int64_t(count)) {
        print("console: cannot make its reply objects; stopping\n");
        return 1;
    }
    for (uint64_t i = 0; i < count; ++i)
        server->add_spare_reply(kFirstSpareReply + i);
    service.attach(*server);
    print("console: serving COM1\n");
    RpcError e = server->run();
    print("console: stopped: %s\n", rpc_error_name(e));
    return 1;
}
