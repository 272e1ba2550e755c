// System test of the fault injector (servers/injector): started by init
// beside "echo" (the sample Echo server, restart policy always) and the
// injector, which is granted echo's thread and address space. Grants: the
// Injector (8), init's Supervisor (9), echo (10).
#include "framework/guest_test.h"

#include <rayos/idl/echo.rpc.h>
#include <rayos/idl/init.rpc.h>
#include <rayos/idl/inject.rpc.h>
#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;
using idl::common::ErrorCode;
using idl::inject::FaultKind;
using idl::inject::Region;

namespace {

constexpr uint64_t kInjector = program::kFirstGrantSlot;
constexpr uint64_t kSupervisor = program::kFirstGrantSlot + 1;
constexpr uint64_t kEcho = program::kFirstGrantSlot + 2;
constexpr uint64_t kShared = program::kFirstFreeSlot + 8;
alignas(8) uint64_t shared_words[rpc::SharedBuffer::kWords];
rpc::SharedBuffer shared{kShared, shared_words, program::kSlotCNode, true};

struct Done {
    ErrorCode error = ErrorCode::ok;
    uint32_t count = 0;
    uint64_t address[32] = {};
    uint8_t bit[32] = {};
    Region region[32] = {};
};

struct Extra {
    uint64_t address = 0; // bitflip at
    uint8_t bit = 0;
    uint32_t delay_ticks = 0;
};

Done inject(const char* target, FaultKind kind, uint32_t count, uint64_t seed,
            Region region = Region::any, uint32_t stop_ticks = 0, Extra extra = {}) {
    static bool frame = false;
    if (!frame)
        frame = inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Frame), 12,
                                    program::kSlotCNode, kShared, 1) == 1;
    idl::inject::InjectorClient injector(kInjector);
    auto call = injector.inject(shared);
    call.params().set_target(target);
    call.params().set_kind(kind);
    call.params().set_count(count);
    call.params().set_seed(seed);
    call.params().set_region(region);
    call.params().set_stopTicks(stop_ticks);
    call.params().set_address(extra.address);
    call.params().set_bit(extra.bit);
    call.params().set_delayTicks(extra.delay_ticks);
    auto answer = call.send();
    Done d;
    if (!answer) {
        d.error = ErrorCode::internal;
        return d;
    }
    if (answer->is_error()) {
        d.error = answer->error().code();
        return d;
    }
    auto list = answer->done();
    d.count = list.size();
    for (uint32_t i = 0; i < list.size() && i < 32; ++i) {
        d.address[i] = list[i].address();
        d.bit[i] = list[i].bit();
        d.region[i] = list[i].region();
    }
    return d;
}

bool echo_adds() {
    idl::echo::EchoClient echo(kEcho);
    auto call = echo.add();
    call.params().set_a(20);
    call.params().set_b(22);
    auto sum = call.send();
    return sum && sum->sum() == 42;
}

void sleep(uint64_t ticks) {
    uint64_t word;
    (void)inv::notification_set_timer(program::kSlotNotification, ticks, 1);
    (void)notification::wait(program::kSlotNotification, word);
}

// Echo's entry in the Supervisor's list.
bool echo_state(uint32_t& generation, char (&thread)[16]) {
    idl::init::SupervisorClient supervisor(kSupervisor);
    auto call = supervisor.programs(shared);
    auto answer = call.send();
    if (!answer) return false;
    auto list = answer->programs();
    for (uint32_t i = 0; i < list.size(); ++i) {
        if (!list[i].name().equals("echo")) continue;
        generation = list[i].generation();
        wire::Text t = list[i].thread();
        uint32_t n = 0;
        for (; n < t.size && n + 1 < sizeof(thread); ++n)
            thread[n] = t.ptr[n];
        thread[n] = 0;
        return list[i].state() == idl::init::ProgramState::running;
    }
    return false;
}

} // namespace

RAYOS_TEST("inject.bad_requests_change_nothing") {
    CHECK(inject("nosuch", FaultKind::crash, 1, 1).error == ErrorCode::notFound);
    CHECK(inject("driver", FaultKind::crash, 1, 1).error == ErrorCode::notFound); // not granted
    CHECK(inject("echo", FaultKind::crash, 0, 1).error == ErrorCode::invalidArgument);
    CHECK(inject("echo", FaultKind::crash, 33, 1).error == ErrorCode::invalidArgument);
    CHECK(inject("echo", FaultKind(8), 1, 1).error == ErrorCode::invalidArgument);
    Extra too_long;
    too_long.delay_ticks = 1001;
    CHECK(inject("echo", FaultKind::delay, 1, 1, Region::any, 0, too_long).error ==
          ErrorCode::invalidArgument);
    CHECK(inject("echo", FaultKind::bitflip, 1, 1, Region(9)).error == ErrorCode::invalidArgument);
    CHECK(echo_adds());
}

RAYOS_TEST("inject.bitflips_are_reproducible_from_the_seed") {
    Done first = inject("echo", FaultKind::bitflip, 4, 99, Region::data);
    CHECK(first.error == ErrorCode::ok);
    CHECK_EQ(first.count, 4u);
    // The same seed flips the same bits (and so puts them back).
    Done again = inject("echo", FaultKind::bitflip, 4, 99, Region::data);
    CHECK_EQ(again.count, 4u);
    for (uint32_t i = 0; i < 4; ++i) {
        CHECK_EQ(first.address[i], again.address[i]);
        CHECK_EQ(first.bit[i], again.bit[i]);
        CHECK(first.region[i] == Region::data);
    }
    // One injection of a request repeats alone with its own seed: the first
    // uses the request's.
    Done one = inject("echo", FaultKind::bitflip, 1, 99, Region::data);
    CHECK_EQ(one.address[0], first.address[0]);
    (void)inject("echo", FaultKind::bitflip, 1, 99, Region::data); // (put it back)
    Done stack = inject("echo", FaultKind::bitflip, 2, 5, Region::stack);
    CHECK(stack.error == ErrorCode::ok);
    CHECK(stack.region[0] == Region::stack);
    CHECK(stack.address[0] >= 0x00007FFF00000000ull - 4 * 4096 &&
          stack.address[0] < 0x00007FFF00000000ull);
    (void)inject("echo", FaultKind::bitflip, 2, 5, Region::stack);
    CHECK(echo_adds()); // every flip was flipped back
}

RAYOS_TEST("inject.stop_silences_then_resumes") {
    Done d = inject("echo", FaultKind::stop, 1, 3, Region::any, 30);
    CHECK(d.error == ErrorCode::ok);
    uint32_t generation = 0;
    char thread[16] = {};
    CHECK(echo_state(generation, thread));
    CHECK(thread[0] == 'i' || thread[0] == 's'); // inactive / stopped: suspended
    sleep(40);
    CHECK(echo_adds());
    CHECK(echo_state(generation, thread));
    CHECK_EQ(generation, 1u);
}

RAYOS_TEST("inject.crash_is_supervised") {
    Done d = inject("echo", FaultKind::crash, 3, 11);
    CHECK(d.error == ErrorCode::ok);
    CHECK_EQ(d.count, 1u); // the rest would meet the next generation
    uint32_t generation = 0;
    char thread[16] = {};
    for (int tries = 0; tries < 100; ++tries) {
        if (echo_state(generation, thread) && generation == 2) break;
        sleep(2);
    }
    CHECK_EQ(generation, 2u);
    CHECK(echo_adds()); // the grant slot reaches the new generation
    // The injector reaches the new generation too.
    Done flip = inject("echo", FaultKind::bitflip, 1, 1, Region::code);
    CHECK(flip.error == ErrorCode::ok);
    (void)inject("echo", FaultKind::bitflip, 1, 1, Region::code);
    CHECK(echo_adds());
}

RAYOS_TEST("inject.log_keeps_every_injection") {
    idl::inject::InjectorClient injector(kInjector);
    auto call = injector.log(shared);
    call.params().set_last(32);
    auto answer = call.send();
    CHECK(answer.ok());
    if (!answer) return;
    auto list = answer->injections();
    // 4 + 4 + 1 + 1 + 2 + 2 flips, a stop, a crash, 2 flips.
    CHECK_EQ(list.size(), 18u);
    for (uint32_t i = 1; i < list.size(); ++i)
        CHECK_EQ(list[i].sequence(), list[i - 1].sequence() + 1);
    CHECK(list[list.size() - 3].kind() == FaultKind::crash);
}

RAYOS_TEST("inject.ipc_faults_are_survived") {
    // Corrupted and cut messages get an error or a wrong answer, never a
    // crash of the server; dropped replies fail the call instead of
    // hanging it; then echo serves as before.
    for (FaultKind kind : {FaultKind::corrupt, FaultKind::truncate}) {
        Done d = inject("echo", kind, 4, 21);
        CHECK(d.error == ErrorCode::ok);
        CHECK_EQ(d.count, 1u);
        CHECK_EQ(d.address[0], 4u); // messages armed
        for (int i = 0; i < 4; ++i)
            (void)echo_adds(); // (whatever they answer)
        CHECK(echo_adds());
    }
    Done d = inject("echo", FaultKind::drop, 2, 3);
    CHECK(d.error == ErrorCode::ok);
    CHECK(!echo_adds());
    CHECK(!echo_adds());
    CHECK(echo_adds());
    uint32_t generation = 0;
    char thread[16] = {};
    CHECK(echo_state(generation, thread));
    CHECK_EQ(generation, 2u); // (the crash test's generation: nothing crashed since)
}

RAYOS_TEST("inject.bitflip_at_an_address_repeats_a_log_line") {
    Done first = inject("echo", FaultKind::bitflip, 1, 99, Region::data);
    CHECK(first.error == ErrorCode::ok);
    CHECK_EQ(first.count, 1u);
    Extra at;
    at.address = first.address[0];
    at.bit = first.bit[0];
    Done back = inject("echo", FaultKind::bitflip, 1, 0, Region::any, 0, at); // (flipped back)
    CHECK(back.error == ErrorCode::ok);
    CHECK_EQ(back.count, 1u);
    CHECK_EQ(back.address[0], first.address[0]);
    CHECK_EQ(back.bit[0], first.bit[0]);
    CHECK(back.region[0] == Region::data); // the region the address is in
    Extra bad = at;
    bad.bit = 8;
    CHECK(inject("echo", FaultKind::bitflip, 1, 0, Region::any, 0, bad).error ==
          ErrorCode::invalidArgument);
    bad = at;
    bad.address = 0x1000; // in no region
    CHECK(inject("echo", FaultKind::bitflip, 1, 0, Region::any, 0, bad).error ==
          ErrorCode::invalidArgument);
    CHECK(inject("echo", FaultKind::bitflip, 2, 0, Region::any, 0, at).error ==
          ErrorCode::invalidArgument); // one byte, one flip
    CHECK(inject("echo", FaultKind::crash, 1, 0, Region::any, 0, at).error ==
          ErrorCode::invalidArgument); // an address is for bitflip only
    CHECK(echo_adds());
}

RAYOS_TEST("inject.delayed_replies_come_late_and_intact") {
    Extra delay;
    delay.delay_ticks = 30;
    Done d = inject("echo", FaultKind::delay, 2, 5, Region::any, 0, delay);
    CHECK(d.error == ErrorCode::ok);
    CHECK_EQ(d.count, 1u);
    CHECK_EQ(d.address[0], 2u); // replies armed
    for (int i = 0; i < 2; ++i) {
        uint64_t before = uint64_t(sys::clock_ticks());
        CHECK(echo_adds());
        CHECK(uint64_t(sys::clock_ticks()) - before >= 30);
    }
    CHECK(echo_adds());
}

RAYOS_TEST("inject.starve_arms_the_memory_refusals") {
    // (Echo asks for no memory once it runs: arming is what shows here;
    // system.inject_basics shows the refusals.)
    Done d = inject("echo", FaultKind::starve, 3, 6);
    CHECK(d.error == ErrorCode::ok);
    CHECK_EQ(d.count, 1u);
    CHECK_EQ(d.address[0], 3u);
    CHECK(echo_adds());
}

RAYOS_TEST("inject.a_stop_ends_with_the_injector") {
    // Stopped for 10 s, then the injector dies: init resumes echo.
    Done d = inject("echo", FaultKind::stop, 1, 4, Region::any, 1000);
    CHECK(d.error == ErrorCode::ok);
    idl::init::SupervisorClient supervisor(kSupervisor);
    auto call = supervisor.kill();
    call.params().set_name("injector");
    auto answer = call.send();
    CHECK(answer.ok() && answer->error().code() == ErrorCode::ok);
    sleep(10);
    CHECK(echo_adds());
}
