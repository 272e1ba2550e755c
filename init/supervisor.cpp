// init's Supervisor (see supervisor.h).
#include "supervisor.h"

#include <rayos/invoke.h>
#include <rayos/program.h>

#include "format.h"

namespace rayos::init {
namespace {

using idl::common::ErrorCode;
using idl::init::ProgramState;

ProgramState state_of(State s) {
    switch (s) {
    case State::Running:
        return ProgramState::running;
    case State::Restarting:
        return ProgramState::restarting;
    case State::Stopped:
    case State::Crashed:
        return ProgramState::stopped;
    case State::Failed:
        return ProgramState::failed;
    }
    return ProgramState::failed;
}

// Bytes of the program's own untyped memory made into objects (0 when it
// is not running).
uint64_t memory_used(const RunningProgram& r) {
    if (r.state != State::Running) return 0;
    inv::SlotInfo info{};
    if (inv::slot_info(r.loaded.cnode, program::kSlotMemory, r.loaded.cnode_radix, info) !=
        int64_t(abi::ObjectType::Untyped))
        return 0;
    return info.word;
}

// What init put in slot `slot` of program `r`.
void describe(const System& system, const RunningProgram& r, uint32_t index, uint64_t slot,
              char* out, size_t size) {
    switch (slot) {
    case program::kSlotEndpoint:
        format_to(out, size, "its endpoint (clients call it here)");
        return;
    case program::kSlotNameService:
        format_to(out, size, "init's name service");
        return;
    case program::kSlotReply:
        format_to(out, size, "reply object for serving");
        return;
    case program::kSlotCNode:
        format_to(out, size, "its own CSpace root");
        return;
    case program::kSlotMemory:
        format_to(out, size, "its memory (quota %lu bytes)", system.entry(index).memoryQuota());
        return;
    case program::kSlotNotification:
        format_to(out, size, "its notification (IRQs, timers)");
        return;
    default:
        break;
    }
    auto grants = system.entry(index).grants();
    if (slot >= program::kFirstGrantSlot && slot - program::kFirstGrantSlot < grants.size()) {
        auto grant = grants[uint32_t(slot - program::kFirstGrantSlot)];
        using Which = idl::manifest::Grant::Which;
        switch (grant.which()) {
        case Which::server:
            format_to(out, size, "grant: server '%s'", grant.server().c_str());
            return;
        case Which::ioPorts:
            format_to(out, size, "grant: I/O ports %#x-%#x", grant.ioPorts().first(),
                      grant.ioPorts().last());
            return;
        case Which::irq:
            format_to(out, size, "grant: IRQ %u", grant.irq());
            return;
        case Which::supervisor:
            format_to(out, size, "grant: supervisor");
            return;
        case Which::log:
            format_to(out, size, "grant: kernel log");
            return;
        case Which::faultEndpointOf:
            format_to(out, size, "grant: faults of '%s'", grant.faultEndpointOf().c_str());
            return;
        case Which::addressSpaceOf:
            format_to(out, size, "grant: address space of '%s'", grant.addressSpaceOf().c_str());
            return;
        case Which::threadOf:
            format_to(out, size, "grant: thread of '%s'", grant.threadOf().c_str());
            return;
        default:
            break;
        }
    }
    (void)r;
    format_to(out, size, slot >= program::kFirstFreeSlot ? "made by the program" : "");
}

void set_error(idl::common::Error::Builder error, ErrorCode code, const char* message) {
    error.set_code(code);
    error.set_message(message);
}

} // namespace

template <typename R>
int Supervisor::target(const rpc::CallContext& call, wire::Text name, R result,
                       const char* refuse_self, bool must_run) const {
    int index = system_.find(name.ptr, name.size);
    if (index < 0) {
        set_error(result.init_error(), ErrorCode::notFound, "no such program");
        return -1;
    }
    if (refuse_self && uint64_t(index) + 1 == call.badge()) {
        set_error(result.init_error(), ErrorCode::invalidArgument, refuse_self);
        return -1;
    }
    if (must_run && system_.program(uint32_t(index)).state != State::Running) {
        set_error(result.init_error(), ErrorCode::invalidArgument, "it is not running");
        return -1;
    }
    return index;
}

bool Supervisor::allowed(const rpc::CallContext& call) const {
    uint64_t caller = call.badge();
    return caller >= 1 && caller <= system_.count() && system_.may_supervise(uint32_t(caller - 1));
}

RpcError Supervisor::programs(rpc::CallContext& call, idl::init::Empty::Reader,
                              idl::init::ProgramsResult::Builder result) {
    if (!allowed(call)) return RpcError::NotPermitted;
    uint32_t n = system_.count();
    auto list = result.init_programs(n);
    for (uint32_t i = 0; i < n; ++i) {
        const RunningProgram& r = system_.program(i);
        auto entry = system_.entry(i);
        auto info = list[i];
        info.set_name(r.name);
        info.set_state(state_of(r.state));
        info.set_generation(r.generation);
        info.set_restarts(r.restarts);
        info.set_priority(entry.priority());
        info.set_memoryQuota(entry.memoryQuota());
        info.set_memoryUsed(memory_used(r));
        info.set_lastFault(r.last_fault);
        info.set_module(entry.module().c_str());
        inv::TcbStats stats{};
        if (r.state == State::Running && inv::tcb_stats(r.loaded.tcb, stats) >= 0) {
            info.set_cpuInstructions(stats.cpu_cycles);
            info.set_ipcCount(stats.ipc);
            info.set_faults(stats.faults);
            int64_t activity = inv::tcb_read_state(r.loaded.tcb);
            if (activity >= 0)
                info.set_thread(abi::thread_activity_name(abi::ThreadActivity(activity)));
        }
        uint32_t clients = 0;
        for (uint32_t c = 0; c < n; ++c)
            for (uint32_t g = 0; g < system_.program(c).grant_count; ++g)
                if (system_.program(c).grant_targets[g] == i) ++clients;
        info.set_clients(clients);
    }
    return RpcError::Ok;
}

RpcError Supervisor::restart(rpc::CallContext& call, idl::init::ProgramName::Reader params,
                             idl::init::Result::Builder result) {
    if (!allowed(call)) return RpcError::NotPermitted;
    int index =
        target(call, params.name(), result,
               "a program cannot restart itself this way (it would not hear the answer)", false);
    if (index >= 0 && !system_.restart_now(uint32_t(index)))
        set_error(result.init_error(), ErrorCode::internal, "it could not be started again");
    return RpcError::Ok;
}

RpcError Supervisor::kill(rpc::CallContext& call, idl::init::ProgramName::Reader params,
                          idl::init::Result::Builder result) {
    if (!allowed(call)) return RpcError::NotPermitted;
    int index = target(call, params.name(), result, "a program cannot kill itself this way", true);
    if (index >= 0 && !system_.kill(uint32_t(index)))
        set_error(result.init_error(), ErrorCode::internal, "its thread could not be redirected");
    return RpcError::Ok;
}

RpcError Supervisor::caps(rpc::CallContext& call, idl::init::ProgramName::Reader params,
                          idl::init::CapsResult::Builder result) {
    if (!allowed(call)) return RpcError::NotPermitted;
    int index = target(call, params.name(), result, nullptr, true);
    if (index < 0) return RpcError::Ok;
    const RunningProgram& r = system_.program(uint32_t(index));
    const uint64_t slots = 1ull << r.loaded.cnode_radix;
    uint32_t held = 0;
    inv::SlotInfo info{};
    for (uint64_t s = 1; s < slots; ++s)
        if (inv::slot_info(r.loaded.cnode, s, r.loaded.cnode_radix, info) > 0) ++held;
    auto list = result.init_caps(held);
    uint32_t n = 0;
    for (uint64_t s = 1; s < slots && n < held; ++s) {
        int64_t type = inv::slot_info(r.loaded.cnode, s, r.loaded.cnode_radix, info);
        if (type <= 0) continue;
        auto cap = list[n++];
        cap.set_slot(uint32_t(s));
        cap.set_type(abi::object_type_name(abi::ObjectType(type)));
        cap.set_rights(info.rights);
        if (info.type == abi::ObjectType::Endpoint || info.type == abi::ObjectType::Notification)
            cap.set_badge(info.word);
        char what[80];
        describe(system_, r, uint32_t(index), s, what, sizeof(what));
        cap.set_what(what);
    }
    return RpcError::Ok;
}

RpcError Supervisor::memory(rpc::CallContext& call, idl::init::Empty::Reader,
                            idl::init::MemoryResult::Builder result) {
    if (!allowed(call)) return RpcError::NotPermitted;
    const abi::BootInfo& boot = system_.boot();
    uint64_t ram = 0, used = 0;
    inv::SlotInfo info{};
    for (uint64_t i = 0; i < boot.untyped_count; ++i) {
        if (boot.untyped[i].is_device) continue;
        ram += 1ull << boot.untyped[i].size_bits;
        if (inv::slot_info(abi::kInitSlotCNode, boot.untyped_first + i, 64, info) ==
            int64_t(abi::ObjectType::Untyped))
            used += info.word;
    }
    result.set_ramBytes(ram);
    result.set_usedBytes(used);
    uint32_t n = system_.count();
    auto list = result.init_programs(n);
    for (uint32_t i = 0; i < n; ++i) {
        const RunningProgram& r = system_.program(i);
        auto p = list[i];
        p.set_name(r.name);
        p.set_quota(system_.entry(i).memoryQuota());
        p.set_memoryBytes(1ull << r.memory_bits);
        p.set_memoryUsed(memory_used(r));
        if (inv::slot_info(abi::kInitSlotCNode, r.untyped, 64, info) ==
            int64_t(abi::ObjectType::Untyped))
            p.set_imageBytes((1ull << info.size_bits) - (1ull << r.memory_bits));
    }
    return RpcError::Ok;
}

} // namespace rayos::init
