// init: the first user program (root task). It greets the user, reads the
// system manifest (a boot module "<name>.manifest.bin"), validates it,
// starts every program it lists with exactly the capabilities it grants,
// answers name look-ups and supervises them (restarts after crashes, the
// shell's Supervisor requests). Without a manifest there is nothing to
// start: it powers the machine off.
#include "manifest.h"
#include "name_service.h"
#include "objects.h"
#include "system.h"

#include <rayos/cap_alloc.h>
#include <rayos/invoke.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

#include <new>

namespace {

using namespace rayos;

alignas(abi::kIpcBufferAlignment) abi::IpcBuffer ipc_buffer;
init::System running;
wire::Segment manifest_segments[limits::kWireMaxSegments];
wire::Message manifest_message;

void greet(const char* args) {
    uint16_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    const auto& start = start_info();
    print("init: hello from user mode (ring %u)\n", cs & 3u);
    print("init: first instruction at TSC %lu (instructions since reset under ./rayos bench)\n",
          start.tsc);
    print("init: stack %s, thread block canary %s\n",
          start.rsp % 16 == 0 ? "16-byte aligned" : "MISALIGNED",
          thread_block()->stack_guard ? "set" : "MISSING");
    print("init: arguments: %s\n", args);
}

uint64_t ram_bytes(const abi::BootInfo& boot) {
    uint64_t total = 0;
    for (uint64_t i = 0; i < boot.untyped_count; ++i)
        if (!boot.untyped[i].is_device) total += 1ull << boot.untyped[i].size_bits;
    return total;
}

[[noreturn]] void stop(const char* why) {
    print("init: %s; stopping.\n", why);
    halt(abi::HaltReason::Failure);
}

} // namespace

int main(const char* args) {
    greet(args);
    const abi::BootInfo* boot = start_info().boot_info;
    if (!boot) stop("no BootInfo");
    init::ObjectMaker maker(*boot);

    auto manifest = init::read_manifest(maker, *boot, manifest_message, manifest_segments);
    if (!manifest && manifest.error() == abi::Status::NotFound) {
        print("init: no manifest module; nothing else to run; powering off.\n");
        halt(abi::HaltReason::Success);
    }
    if (!manifest) stop("the manifest module cannot be decoded");
    init::ManifestError problem = init::validate_manifest(manifest.value(), ram_bytes(*boot));
    if (!problem.ok()) {
        print("init: manifest error in program '%s': %s%s%s\n", problem.program, problem.message,
              problem.detail[0] ? ": " : "", problem.detail);
        stop("the manifest is invalid");
    }

    if (!rpc::attach_ipc_buffer(abi::kInitSlotTcb, &ipc_buffer))
        stop("cannot attach an IPC buffer");
    auto endpoint = maker.make(abi::ObjectType::Endpoint);
    auto reply = maker.make(abi::ObjectType::Reply);
    auto window = slots::allocate_range(3);
    auto timer = maker.make(abi::ObjectType::Notification);
    if (!endpoint || !reply || !window || !timer) stop("cannot make the name service's objects");
    // Timer signals end init's receives (back-off between restarts).
    if (inv::tcb_bind_notification(abi::kInitSlotTcb, timer.value()) != 0)
        stop("cannot bind the back-off timer");

    auto started = running.start(maker, *boot, manifest.value(), endpoint.value(), timer.value());
    if (!started) {
        print("init: starting the system failed: %s\n", abi::status_name(started.error()));
        stop("cannot start the system");
    }
    print("init: started %u programs; serving names\n", started.value());

    static init::Supervisor supervisor(running);
    static init::NameService names(running, supervisor);
    rpc::ServerConfig config{endpoint.value(), reply.value(), abi::kInitSlotCNode, window.value()};
    alignas(rpc::Server) static uint8_t storage[sizeof(rpc::Server)];
    auto* server = new (storage) rpc::Server(config, names);
    (void)server->run();
    stop("the name service endpoint failed");
}
