// The verdict of the pager's supervision tests: started by init beside the
// pager and memhog, with init's Supervisor (grant 8) and the Pager (grant 9).
//   "kill":  once memhog has had pages compressed, it kills the pager
//            mid-run; init must restart the pager and memhog (whose paged
//            memory went with the pager: it counts as crashed), and the new
//            memhog must finish its run with every page intact (it exits
//            cleanly, then=exit).
//   "done":  several clients share the pager; each must finish its run
//            with every page intact (exit code 0, then=exit).
//   "full":  memhog writes more incompressible pages than the pager's store
//            holds; the pager must refuse the fault that finds it full, init
//            must report memhog crashed on it, and the pager keeps serving.
#include <rayos/idl/init.rpc.h>
#include <rayos/idl/pager.rpc.h>
#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/rpc.h>
#include <rayos/runtime.h>
#include <rayos/string.h>
#include <rayos/syscall.h>

namespace {

using namespace rayos;
constexpr uint64_t kSupervisor = program::kFirstGrantSlot;
constexpr uint64_t kPager = program::kFirstGrantSlot + 1;
constexpr uint64_t kSlotShared = program::kFirstFreeSlot + 8;
constexpr uint64_t kTimeoutTicks = 60 * abi::kClockHz;

alignas(8) uint64_t shared_words[rpc::SharedBuffer::kWords];
rpc::SharedBuffer shared{kSlotShared, shared_words, program::kSlotCNode, true};

[[noreturn]] void verdict(bool ok, const char* what) {
    print("pager_watcher: %s\n", what);
    halt(ok ? abi::HaltReason::Success : abi::HaltReason::Failure);
}

void sleep(uint64_t ticks) {
    (void)inv::notification_set_timer(program::kSlotNotification, ticks, 1);
    (void)sys::wait(program::kSlotNotification);
}

struct Seen {
    bool found = false;
    idl::init::ProgramState state = idl::init::ProgramState::starting;
    uint32_t generation = 0;
    char last_fault[64] = {};
};

Seen program_state(const char* name) {
    idl::init::SupervisorClient supervisor(kSupervisor);
    auto call = supervisor.programs(shared);
    auto answer = call.send();
    if (!answer) verdict(false, "the Supervisor does not answer");
    Seen seen;
    auto list = answer.value().programs();
    for (uint32_t i = 0; i < list.size(); ++i) {
        auto p = list[i];
        if (!p.name().equals(name)) continue;
        seen.found = true;
        seen.state = p.state();
        seen.generation = p.generation();
        wire::Text fault = p.lastFault();
        for (uint32_t c = 0; c < fault.size && c + 1 < sizeof(seen.last_fault); ++c)
            seen.last_fault[c] = fault.ptr[c];
    }
    return seen;
}

uint64_t page_outs(const char* client) {
    idl::pager::PagerClient pager(kPager);
    auto call = pager.stats();
    call.params().set_client(client);
    auto answer = call.send();
    if (!answer || !answer.value().is_stats()) return 0;
    return answer.value().stats().pageOuts();
}

// Waits until `done()` or the timeout.
template <typename F> void wait_for(const char* what, F&& done) {
    uint64_t deadline = uint64_t(sys::clock_ticks()) + kTimeoutTicks;
    while (!done()) {
        if (uint64_t(sys::clock_ticks()) > deadline) verdict(false, what);
        sleep(2);
    }
}

bool starts_with(const char* s, const char* prefix) {
    while (*prefix && *s == *prefix) {
        ++s;
        ++prefix;
    }
    return *prefix == 0;
}

bool contains(const char* s, const char* part) {
    for (; *s; ++s)
        if (starts_with(s, part)) return true;
    return false;
}

void kill_test() {
    wait_for("memhog never had a page compressed", [] { return page_outs("memhog") > 0; });
    print("pager_watcher: memhog has had pages compressed; killing the pager\n");
    {
        idl::init::SupervisorClient supervisor(kSupervisor);
        auto call = supervisor.kill();
        call.params().set_name("pager");
        auto answer = call.send();
        if (!answer || answer.value().error().code() != idl::common::ErrorCode::ok)
            verdict(false, "init refused to kill the pager");
    }
    wait_for("the pager did not come back", [] {
        Seen p = program_state("pager");
        return p.state == idl::init::ProgramState::running && p.generation == 2;
    });
    Seen lost = program_state("memhog");
    if (!contains(lost.last_fault, "its pager 'pager' went away"))
        verdict(false, "memhog's end does not say it lost its pager");
    wait_for("memhog's second run did not finish", [] {
        Seen m = program_state("memhog");
        return m.state == idl::init::ProgramState::stopped && m.generation == 2;
    });
    Seen done = program_state("memhog");
    if (!contains(done.last_fault, "exit code 0")) verdict(false, "memhog's second run failed");
    verdict(true, "the pager was killed mid-run; init restarted it and memhog, whose second "
                  "run checked every page");
}

// Every program but the pager and the watcher has stopped, all cleanly.
void done_test() {
    wait_for("the clients did not all finish", [] {
        idl::init::SupervisorClient supervisor(kSupervisor);
        auto call = supervisor.programs(shared);
        auto answer = call.send();
        if (!answer) verdict(false, "the Supervisor does not answer");
        auto list = answer.value().programs();
        for (uint32_t i = 0; i < list.size(); ++i) {
            auto p = list[i];
            if (p.name().equals("pager") || p.name().equals("watcher")) continue;
            if (p.state() == idl::init::ProgramState::running ||
                p.state() == idl::init::ProgramState::starting)
                return false;
            if (p.state() != idl::init::ProgramState::stopped || p.generation() != 1)
                verdict(false, "a client did not finish cleanly");
        }
        return true;
    });
    verdict(true, "every client finished its run with every page intact");
}

void full_test() {
    wait_for("memhog did not crash on the full store", [] {
        Seen m = program_state("memhog");
        return m.found && m.state != idl::init::ProgramState::running &&
               m.state != idl::init::ProgramState::starting;
    });
    Seen m = program_state("memhog");
    if (!contains(m.last_fault, "page fault")) verdict(false, "memhog ended another way");
    Seen p = program_state("pager");
    if (p.state != idl::init::ProgramState::running || p.generation != 1)
        verdict(false, "the pager did not keep running");
    idl::pager::PagerClient pager(kPager);
    auto call = pager.stats();
    call.params().set_client("memhog");
    auto answer = call.send();
    if (!answer || !answer.value().is_stats() || answer.value().stats().refusedFaults() == 0)
        verdict(false, "the pager does not count the refused fault");
    verdict(true, "the full store refused a fault; init reported memhog, the pager serves on");
}

} // namespace

int main(const char* args) {
    if (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Frame), 12,
                            program::kSlotCNode, kSlotShared, 1) != 1)
        verdict(false, "no memory for a shared frame");
    if (starts_with(args, "kill")) kill_test();
    if (starts_with(args, "full")) full_test();
    if (starts_with(args, "done")) done_test();
    verdict(false, "usage: kill | full | done");
}
