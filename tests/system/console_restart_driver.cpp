// Regression test "console_restarted_with_input_pending" (found by
// ./rayos fault, mixed seed 13, fault 31): a console that dies after its
// receive interrupt came but before it read the byte leaves the UART's
// interrupt line high; the PIC sees only edges, so a console that started
// without dropping the line first never heard from the UART again.
// Started by init beside the console and the injector; grants: the
// Injector (8), init's Supervisor (9), the console (10), COM1's ports (11).
#include <rayos/idl/console.rpc.h>
#include <rayos/idl/init.rpc.h>
#include <rayos/idl/inject.rpc.h>
#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

using namespace rayos;

namespace {

constexpr uint64_t kInjector = program::kFirstGrantSlot;
constexpr uint64_t kSupervisor = program::kFirstGrantSlot + 1;
constexpr uint64_t kConsole = program::kFirstGrantSlot + 2;
constexpr uint64_t kPorts = program::kFirstGrantSlot + 3;
constexpr uint16_t kCom1 = 0x3F8, kModemControl = kCom1 + 4;

[[noreturn]] void verdict(bool ok, const char* what) {
    print("console_restart: %s\n", what);
    halt(ok ? abi::HaltReason::Success : abi::HaltReason::Failure);
}

void sleep(uint64_t ticks) {
    uint64_t word;
    (void)inv::notification_set_timer(program::kSlotNotification, ticks, 1);
    (void)notification::wait(program::kSlotNotification, word);
}

} // namespace

int main(const char*) {
    // 1. The console stops (for long: it will not wake up by itself).
    idl::inject::InjectorClient injector(kInjector);
    auto stop = injector.inject();
    stop.params().set_target("console");
    stop.params().set_kind(idl::inject::FaultKind::stop);
    stop.params().set_count(1);
    stop.params().set_seed(1);
    stop.params().set_stopTicks(100000);
    auto stopped = stop.send();
    if (!stopped || stopped->is_error()) verdict(false, "the console could not be stopped");
    // 2. A byte arrives (the UART looped back onto itself): its interrupt
    //    reaches the stopped console, which cannot take the byte.
    if (inv::ioport_out(kPorts, kModemControl, 1, 0x1B) != 0 ||
        inv::ioport_out(kPorts, kCom1, 1, 'Z') != 0)
        verdict(false, "COM1's ports refused");
    sleep(2);
    (void)inv::ioport_out(kPorts, kModemControl, 1, 0x0B);
    // 3. The console dies before it reads the byte; init restarts it.
    idl::init::SupervisorClient supervisor(kSupervisor);
    auto kill = supervisor.kill();
    kill.params().set_name("console");
    auto killed = kill.send();
    if (!killed || killed->error().code() != idl::common::ErrorCode::ok)
        verdict(false, "init did not kill the console");
    // 4. The new console must deliver the byte that waited in the UART.
    idl::console::ConsoleClient console(kConsole);
    for (int tries = 0; tries < 100; ++tries) {
        sleep(5);
        auto read = console.read();
        read.params().set_maxBytes(16);
        auto got = read.send(); // (waits until a byte comes: fails while it restarts)
        if (!got) continue;
        auto data = got->data();
        if (data.size >= 1 && data.ptr[0] == 'Z')
            verdict(true, "the restarted console got the byte that waited in the UART");
        verdict(false, "the restarted console read something else");
    }
    verdict(false, "the restarted console never got the byte");
}
