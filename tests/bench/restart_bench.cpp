// init.restart: from a server's crash to the restarted server answering a
// call, in instructions. Runs as a program init starts from
// tests/bench/restart.manifest.txt (with the Echo server it crashes on
// purpose, tests/system/echo_program.cpp), at a lower priority than init
// and the server, as a client would.
#include "bench_report.h"

#include <rayos/idl/echo.rpc.h>
#include <rayos/idl/init.rpc.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>

namespace {

using namespace rayos;

[[noreturn]] void fail(const char* what) {
    print("restart_bench: %s\n", what);
    halt(abi::HaltReason::Failure);
}

uint64_t lookup_echo(uint64_t slot, uint32_t& generation) {
    idl::init::NameServiceClient names(program::kSlotNameService);
    auto call = names.lookup();
    call.params().set_name("echo");
    call.accept_capabilities(program::kSlotCNode, slot);
    auto answer = call.send();
    if (!answer || !answer->is_found()) return 0;
    generation = answer->found().generation();
    return answer->found().endpoint().slot;
}

bool add(uint64_t endpoint, uint64_t a) {
    idl::echo::EchoClient echo(endpoint);
    auto call = echo.add();
    call.params().set_a(a);
    auto sum = call.send();
    return sum.ok() && sum->sum() == a;
}

} // namespace

int main(const char*) {
    constexpr int kRounds = 5; // the manifest allows this many restarts
    uint64_t samples[kRounds];
    uint64_t slot = program::kFirstFreeSlot;
    uint32_t generation = 0;
    uint64_t echo = lookup_echo(slot++, generation);
    if (!echo || !add(echo, 1)) fail("echo does not answer");
    for (int i = 0; i < kRounds; ++i) {
        uint64_t start = __builtin_ia32_rdtsc();
        if (add(echo, 0xDEAD)) fail("echo did not crash");
        uint32_t before = generation;
        echo = 0;
        while (!echo || generation == before)
            echo = lookup_echo(slot++, generation);
        if (!add(echo, 7)) fail("the restarted echo does not answer");
        samples[i] = __builtin_ia32_rdtsc() - start;
    }
    bench::report("init.restart", samples, kRounds);
    halt(abi::HaltReason::Success);
}
