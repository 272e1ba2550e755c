// A program whose manifest entry grants nothing (init system test): it can
// look up no server, its grant slots are empty, init's Supervisor refuses
// it, and it holds no more memory than its quota. Reports and exits cleanly.
#include <rayos/idl/echo.rpc.h>
#include <rayos/idl/init.rpc.h>
#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;

int main(const char*) {
    int failures = 0;
    auto fail = [&](const char* what) {
        print("no_grants: FAILED: %s\n", what);
        ++failures;
    };
    idl::init::NameServiceClient names(program::kSlotNameService);
    for (const char* name : {"echo", "secret", "echo_user"}) {
        auto lookup = names.lookup();
        lookup.params().set_name(name);
        lookup.accept_capabilities(program::kSlotCNode, program::kFirstFreeSlot);
        auto answer = lookup.send();
        if (!answer || answer->is_found()) fail("a lookup found a server");
    }
    inv::SlotInfo info{};
    for (uint64_t slot = program::kFirstGrantSlot; slot < program::kFirstFreeSlot; ++slot)
        if (inv::slot_info(program::kSlotCNode, slot, 64, info) != 0) fail("a grant slot is used");
    idl::init::SupervisorClient supervisor(program::kSlotNameService);
    auto programs = supervisor.programs();
    auto refused = programs.send();
    if (refused || refused.error() != RpcError::NotPermitted) fail("the Supervisor answered");
    // Its memory: a quota of 64 KiB, and not one byte more.
    uint64_t frames = 0;
    while (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Frame), 12,
                               program::kSlotCNode, program::kFirstFreeSlot + 1 + frames, 1) == 1)
        ++frames;
    if (frames != 16) fail("its memory is not its quota");
    print("no_grants: %s (no server, no grant, no Supervisor, %lu KiB)\n",
          failures ? "reaches too much" : "reaches nothing", frames * 4);
    return failures;
}
