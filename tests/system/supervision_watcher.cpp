// The supervision system test's verdict: started by init at a low priority
// (it runs once the others have settled), it checks what became of the
// programs that crashed, makes "echo" crash mid-call, and finds the
// restarted echo through the name service with a new generation.
#include <rayos/idl/echo.rpc.h>
#include <rayos/idl/init.rpc.h>
#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

namespace {

using namespace rayos;
constexpr uint64_t kLanding = program::kFirstFreeSlot;

[[noreturn]] void verdict(bool ok, const char* what) {
    print("watcher: %s\n", what);
    halt(ok ? abi::HaltReason::Success : abi::HaltReason::Failure);
}

// The endpoint of `name` in slot kLanding + n, or 0 with its generation.
uint64_t lookup(const char* name, uint64_t n, uint32_t& generation) {
    idl::init::NameServiceClient names(program::kSlotNameService);
    auto call = names.lookup();
    call.params().set_name(name);
    call.accept_capabilities(program::kSlotCNode, kLanding + n);
    auto answer = call.send();
    if (!answer) verdict(false, rpc_error_name(answer.error()));
    if (!answer->is_found()) return 0;
    generation = answer->found().generation();
    return answer->found().endpoint().slot;
}

RpcResult<uint64_t> add(uint64_t endpoint, uint64_t a, uint64_t b) {
    idl::echo::EchoClient echo(endpoint);
    auto call = echo.add();
    call.params().set_a(a);
    call.params().set_b(b);
    auto sum = call.send();
    if (!sum) return RpcFailure(sum.error());
    return sum->sum();
}

// Waits `ticks` timer ticks (a notification timer from its own memory).
void sleep(uint64_t ticks) {
    static uint64_t clock = 0;
    if (!clock) {
        clock = program::kFirstFreeSlot + 100;
        if (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Notification), 0,
                                program::kSlotCNode, clock, 1) != 1)
            verdict(false, "cannot make a notification from its memory");
    }
    uint64_t word;
    if (inv::notification_set_timer(clock, ticks, 1) != 0 ||
        rayos::notification::wait(clock, word) != 0)
        verdict(false, "cannot sleep");
}

} // namespace

int main(const char*) {
    uint32_t generation = 0;
    // Let the crash loop run its course (back-off 10, then 20 ticks).
    sleep(100);
    if (lookup("crasher", 0, generation) || lookup("once", 1, generation))
        verdict(false, "a crashed program is still offered");
    print("watcher: 'crasher' and 'once' are no longer offered\n");

    // Without a `supervisor` grant, init's Supervisor refuses it.
    idl::init::SupervisorClient supervisor(program::kSlotNameService);
    auto refused = supervisor.kill();
    refused.params().set_name("echo");
    auto answer = refused.send();
    if (answer || answer.error() != RpcError::NotPermitted)
        verdict(false, "the Supervisor answered a program it is not granted to");
    print("watcher: the Supervisor refuses it: %s\n", rpc_error_name(answer.error()));

    uint64_t echo = lookup("echo", 2, generation);
    if (!echo || generation != 1) verdict(false, "echo is not there in generation 1");
    auto sum = add(echo, 1, 2);
    if (!sum || sum.value() != 3) verdict(false, "echo does not add");

    // Crash it in the middle of a call: the call fails, it does not hang.
    auto crashed = add(echo, 0xDEAD, 0);
    if (crashed) verdict(false, "a call to a crashing server succeeded");
    print("watcher: the call that crashed echo failed: %s\n", rpc_error_name(crashed.error()));
    // The old capability reaches nothing now (not the new instance).
    if (add(echo, 1, 1)) verdict(false, "a stale capability reached a server");
    // It comes back after its back-off: until then it is not offered.
    uint64_t again = 0;
    for (int tries = 0; tries < 50 && !again; ++tries) {
        again = lookup("echo", 3, generation);
        if (!again) sleep(1);
    }
    if (!again || generation != 2) verdict(false, "echo was not restarted as generation 2");
    auto second = add(again, 2, 3);
    if (!second || second.value() != 5) verdict(false, "the restarted echo does not add");
    print("watcher: echo is back in generation %u and serves\n", generation);
    // Its grant slot was given the new generation too.
    auto through_grant = add(program::kFirstGrantSlot, 4, 4);
    if (!through_grant || through_grant.value() != 8)
        verdict(false, "the grant slot does not reach the restarted echo");
    verdict(true, "all checks passed");
}
