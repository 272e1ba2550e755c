// The shell's Machine over IPC (see rpc_machine.h).
#include "rpc_machine.h"

#include "format.h"

#include <rayos/idl/init.rpc.h>
#include <rayos/idl/inject.rpc.h>
#include <rayos/idl/pager.rpc.h>
#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/string.h>
#include <rayos/syscall.h>

namespace rayos::shell {
namespace {

using idl::init::ProgramState;

// Slots of the shell's CSpace for the benchmark's objects (after the RPC
// receive window and the shared frame: see main.cpp).
constexpr uint64_t kSlotBenchEndpoint = program::kFirstFreeSlot + 8;
constexpr uint64_t kSlotBenchReply = program::kFirstFreeSlot + 9;

template <size_t N> void copy_text(char (&out)[N], wire::Text text) {
    size_t n = text.size < N - 1 ? text.size : N - 1;
    for (size_t i = 0; i < n; ++i)
        out[i] = text.ptr[i];
    out[n] = '\0';
}

const char* state_name(ProgramState s) {
    switch (s) {
    case ProgramState::starting:
        return "starting";
    case ProgramState::running:
        return "running";
    case ProgramState::restarting:
        return "restarting";
    case ProgramState::stopped:
        return "stopped";
    case ProgramState::failed:
        return "failed";
    }
    return "unknown";
}

bool rpc_failed(RpcError e, Failure& why) {
    format_to(why.text, sizeof(why.text), "init did not answer: %s", rpc_error_text(e));
    return false;
}

bool answer_failed(idl::common::Error::Reader error, Failure& why) {
    copy_text(why.text, error.message());
    return false;
}

bool pager_failed(RpcError e, Failure& why) {
    format_to(why.text, sizeof(why.text), "the pager is not answering (%s)", rpc_error_text(e));
    return false;
}

// A SetResult: true if the pager did it, else its message in `why`.
bool pager_did(idl::pager::SetResult::Reader result, Failure& why) {
    if (result.has_error() && result.error().code() != idl::common::ErrorCode::ok)
        return answer_failed(result.error(), why);
    return true;
}

void client_row(idl::pager::ClientStats::Reader s, PagerClientRow& r) {
    r = PagerClientRow{};
    copy_text(r.name, s.client());
    r.resident = s.residentPages();
    r.compressed = s.compressedPages();
    r.same_filled = s.sameFilledPages();
    r.raw = s.rawPages();
    r.original_bytes = s.originalBytes();
    r.compressed_bytes = s.compressedBytes();
    r.page_ins = s.pageIns();
    r.page_outs = s.pageOuts();
    r.page_in_cost = s.pageInCost();
    r.page_out_cost = s.pageOutCost();
    r.zero_fills = s.zeroFills();
    r.refused_faults = s.refusedFaults();
    r.level = PagerLevel(uint8_t(s.level()));
    r.budget = s.budgetFrames();
    auto policy = s.policy();
    switch (policy.which()) {
    case idl::pager::Policy::Which::threshold:
        r.policy.kind = PagerPolicyKind::Threshold;
        r.policy.parameter = policy.threshold().lowWatermark();
        break;
    case idl::pager::Policy::Which::idle:
        r.policy.kind = PagerPolicyKind::Idle;
        r.policy.parameter = policy.idle().idleTicks();
        break;
    default:
        r.policy.kind = PagerPolicyKind::Demand;
        break;
    }
    r.policy.eviction =
        policy.eviction() == idl::pager::Eviction::lru ? PagerEviction::Lru : PagerEviction::Clock;
}

bool injector_failed(RpcError e, Failure& why) {
    format_to(why.text, sizeof(why.text), "the injector is not answering (%s)", rpc_error_text(e));
    return false;
}

// The Injections of an answer into rows (at most Machine::kMaxInjections).
template <typename List> uint32_t injection_rows(List list, InjectionRow* rows) {
    uint32_t count = list.size() < Machine::kMaxInjections ? list.size() : Machine::kMaxInjections;
    for (uint32_t i = 0; i < count; ++i) {
        auto in = list[i];
        InjectionRow& r = rows[i];
        r = InjectionRow{};
        r.sequence = in.sequence();
        copy_text(r.target, in.target());
        r.kind = FaultKind(uint8_t(in.kind()));
        r.seed = in.seed();
        r.region = FaultRegion(uint8_t(in.region()));
        r.address = in.address();
        r.bit = in.bit();
        r.generation = in.generation();
    }
    return count;
}

// splitmix64's finaliser: spreads the TSC's low-order change over the seed.
uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// The benchmark's partner: answers every call at once.
void echo_forever(void*) {
    Message m;
    if (ipc::recv(kSlotBenchEndpoint, kSlotBenchReply, m) < 0) return;
    for (;;)
        if (ipc::reply_recv(kSlotBenchEndpoint, kSlotBenchReply, m) < 0) return;
}

} // namespace

bool RpcMachine::programs(ProgramRow* rows, uint32_t& count, Failure& why) {
    idl::init::SupervisorClient supervisor(supervisor_);
    auto call = supervisor.programs(shared_);
    auto result = call.send();
    if (!result) return rpc_failed(result.error(), why);
    auto list = result->programs();
    count = list.size() < kMaxRows ? list.size() : kMaxRows;
    for (uint32_t i = 0; i < count; ++i) {
        auto p = list[i];
        ProgramRow& r = rows[i];
        r = ProgramRow{};
        copy_text(r.name, p.name());
        copy_text(r.module, p.module());
        copy_text(r.last_fault, p.lastFault());
        copy_text(r.thread, p.thread());
        const char* state = state_name(p.state());
        for (size_t c = 0; state[c] && c + 1 < sizeof(r.state); ++c)
            r.state[c] = state[c];
        r.generation = p.generation();
        r.restarts = p.restarts();
        r.clients = p.clients();
        r.priority = p.priority();
        r.quota = p.memoryQuota();
        r.memory_used = p.memoryUsed();
        r.cpu = p.cpuInstructions();
        r.ipc = p.ipcCount();
        r.faults = p.faults();
    }
    return true;
}

bool RpcMachine::caps(const char* program, CapRow* rows, uint32_t& count, Failure& why) {
    idl::init::SupervisorClient supervisor(supervisor_);
    auto call = supervisor.caps(shared_);
    call.params().set_name(program);
    auto result = call.send();
    if (!result) return rpc_failed(result.error(), why);
    if (result->is_error()) return answer_failed(result->error(), why);
    auto list = result->caps();
    count = list.size() < kMaxRows ? list.size() : kMaxRows;
    for (uint32_t i = 0; i < count; ++i) {
        auto c = list[i];
        rows[i] = CapRow{};
        rows[i].slot = c.slot();
        copy_text(rows[i].type, c.type());
        rows[i].rights = c.rights();
        rows[i].badge = c.badge();
        copy_text(rows[i].what, c.what());
    }
    return true;
}

bool RpcMachine::memory(MemorySummary& summary, MemoryRow* rows, uint32_t& count, Failure& why) {
    idl::init::SupervisorClient supervisor(supervisor_);
    auto call = supervisor.memory(shared_);
    auto result = call.send();
    if (!result) return rpc_failed(result.error(), why);
    summary.ram = result->ramBytes();
    summary.used = result->usedBytes();
    auto list = result->programs();
    count = list.size() < kMaxRows ? list.size() : kMaxRows;
    for (uint32_t i = 0; i < count; ++i) {
        auto p = list[i];
        rows[i] = MemoryRow{};
        copy_text(rows[i].name, p.name());
        rows[i].quota = p.quota();
        rows[i].memory = p.memoryBytes();
        rows[i].used = p.memoryUsed();
        rows[i].image = p.imageBytes();
    }
    return true;
}

bool RpcMachine::restart(const char* program, uint32_t& generation, Failure& why) {
    idl::init::SupervisorClient supervisor(supervisor_);
    auto call = supervisor.restart();
    call.params().set_name(program);
    auto result = call.send();
    if (!result) return rpc_failed(result.error(), why);
    if (result->has_error() && result->error().code() != idl::common::ErrorCode::ok)
        return answer_failed(result->error(), why);
    // Its new generation, as init reports it now.
    static ProgramRow rows[kMaxRows];
    uint32_t count = 0;
    if (!programs(rows, count, why)) return false;
    for (uint32_t i = 0; i < count; ++i)
        if (strcmp(rows[i].name, program) == 0) generation = rows[i].generation;
    return true;
}

bool RpcMachine::kill(const char* program, Failure& why) {
    idl::init::SupervisorClient supervisor(supervisor_);
    auto call = supervisor.kill();
    call.params().set_name(program);
    auto result = call.send();
    if (!result) return rpc_failed(result.error(), why);
    if (result->has_error() && result->error().code() != idl::common::ErrorCode::ok)
        return answer_failed(result->error(), why);
    return true;
}

bool RpcMachine::pager_status(PagerStoreRow& store, PagerClientRow* rows, uint32_t& count,
                              Failure& why) {
    idl::pager::PagerClient pager(pager_);
    auto call = pager.status(shared_);
    auto result = call.send();
    if (!result) return pager_failed(result.error(), why);
    auto list = result->clients();
    count = list.size() < kMaxRows ? list.size() : kMaxRows;
    for (uint32_t i = 0; i < count; ++i)
        client_row(list[i], rows[i]);
    auto s = result->store();
    store.capacity = s.capacityBytes();
    store.used = s.usedBytes();
    store.stored = s.storedBytes();
    store.fragmentation_percent = s.fragmentationPercent();
    return true;
}

bool RpcMachine::pager_stats(const char* client, PagerClientRow& row, Failure& why) {
    idl::pager::PagerClient pager(pager_);
    auto call = pager.stats(shared_);
    call.params().set_client(client);
    auto result = call.send();
    if (!result) return pager_failed(result.error(), why);
    if (result->is_error()) return answer_failed(result->error(), why);
    client_row(result->stats(), row);
    return true;
}

bool RpcMachine::pager_set_level(const char* client, PagerLevel level, Failure& why) {
    idl::pager::PagerClient pager(pager_);
    auto call = pager.setLevel();
    call.params().set_client(client);
    call.params().set_level(idl::pager::Level(uint16_t(level)));
    auto result = call.send();
    if (!result) return pager_failed(result.error(), why);
    return pager_did(*result, why);
}

bool RpcMachine::pager_set_policy(const char* client, const PagerPolicy& policy, Failure& why) {
    idl::pager::PagerClient pager(pager_);
    auto call = pager.setPolicy();
    call.params().set_client(client);
    auto wire_policy = call.params().init_policy();
    switch (policy.kind) {
    case PagerPolicyKind::Threshold:
        wire_policy.init_threshold().set_lowWatermark(policy.parameter);
        break;
    case PagerPolicyKind::Idle:
        wire_policy.init_idle().set_idleTicks(policy.parameter);
        break;
    case PagerPolicyKind::Demand:
        wire_policy.set_demand();
        break;
    }
    wire_policy.set_eviction(policy.eviction == PagerEviction::Lru ? idl::pager::Eviction::lru
                                                                   : idl::pager::Eviction::clock);
    auto result = call.send();
    if (!result) return pager_failed(result.error(), why);
    return pager_did(*result, why);
}

bool RpcMachine::pager_set_budget(const char* client, uint32_t frames, Failure& why) {
    idl::pager::PagerClient pager(pager_);
    auto call = pager.setBudget();
    call.params().set_client(client);
    call.params().set_frames(frames);
    auto result = call.send();
    if (!result) return pager_failed(result.error(), why);
    return pager_did(*result, why);
}

bool RpcMachine::inject(const FaultRequest& request, InjectionRow* done, uint32_t& count,
                        Failure& why) {
    idl::inject::InjectorClient injector(injector_);
    auto call = injector.inject(shared_); // (up to 32 Injections come back)
    auto params = call.params();
    params.set_target(request.target);
    params.set_kind(idl::inject::FaultKind(uint16_t(request.kind)));
    params.set_count(request.count);
    params.set_seed(request.seed);
    params.set_region(idl::inject::Region(uint16_t(request.region)));
    params.set_stopTicks(0); // the injector's default
    params.set_address(request.address);
    params.set_bit(request.bit);
    auto result = call.send();
    if (!result) return injector_failed(result.error(), why);
    if (result->is_error()) return answer_failed(result->error(), why);
    count = injection_rows(result->done(), done);
    return true;
}

bool RpcMachine::injection_log(uint32_t last, InjectionRow* rows, uint32_t& count, Failure& why) {
    idl::inject::InjectorClient injector(injector_);
    auto call = injector.log(shared_);
    call.params().set_last(last);
    auto result = call.send();
    if (!result) return injector_failed(result.error(), why);
    count = injection_rows(result->injections(), rows);
    return true;
}

uint64_t RpcMachine::fresh_seed() {
    // 32 bits: short enough to type again.
    return mix(__builtin_ia32_rdtsc() ^ (uint64_t(sys::clock_ticks()) << 40)) & 0xFFFFFFFFu;
}

uint64_t RpcMachine::ticks() {
    return uint64_t(sys::clock_ticks());
}

uint32_t RpcMachine::ticks_per_second() {
    return abi::kClockHz;
}

size_t RpcMachine::recent_log(char* out, size_t capacity) {
    int64_t n = inv::log_read(log_, reinterpret_cast<uint64_t>(out), capacity);
    return n < 0 ? 0 : size_t(n);
}

bool RpcMachine::bench_ipc(uint32_t rounds, uint64_t& cycles, Failure& why) {
    if (!bench_endpoint_) {
        // (Whatever a failed attempt made goes again, so the next can retry.)
        auto undo = [] {
            for (uint64_t slot : {kSlotBenchEndpoint, kSlotBenchReply}) {
                inv::SlotInfo held{};
                if (inv::slot_info(program::kSlotCNode, slot, 64, held) > 0)
                    (void)inv::cnode_delete(program::kSlotCNode, slot, 64);
            }
        };
        if (inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Endpoint), 0,
                                program::kSlotCNode, kSlotBenchEndpoint, 1) != 1 ||
            inv::untyped_retype(program::kSlotMemory, uint64_t(abi::ObjectType::Reply), 0,
                                program::kSlotCNode, kSlotBenchReply, 1) != 1) {
            undo();
            format_to(why.text, sizeof(why.text), "no memory for the benchmark's objects");
            return false;
        }
        if (Thread::spawn(echo_forever, nullptr) < 0) {
            undo();
            format_to(why.text, sizeof(why.text), "cannot start the benchmark's thread");
            return false;
        }
        bench_endpoint_ = kSlotBenchEndpoint;
    }
    Message m;
    // One round first, so the partner is waiting in its receive.
    m.info = abi::MessageInfo::make(0, 1);
    if (ipc::call(bench_endpoint_, m) < 0) {
        format_to(why.text, sizeof(why.text), "the benchmark's call failed");
        return false;
    }
    uint64_t start = __builtin_ia32_rdtsc();
    for (uint32_t i = 0; i < rounds; ++i) {
        m.info = abi::MessageInfo::make(0, 1);
        m.words[0] = i;
        if (ipc::call(bench_endpoint_, m) < 0) {
            format_to(why.text, sizeof(why.text), "the benchmark's call failed");
            return false;
        }
    }
    cycles = (__builtin_ia32_rdtsc() - start) / rounds;
    return true;
}

void RpcMachine::shutdown(Failure& why) {
    (void)console_.flush();
    sys::system_halt(uint64_t(abi::HaltReason::Success));
    format_to(why.text, sizeof(why.text), "the kernel refused to power off");
}

} // namespace rayos::shell
