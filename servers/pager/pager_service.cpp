// The pager as a server (see pager_service.h).
#include "pager_service.h"

#include <rayos/invoke.h>
#include <rayos/ipc.h>
#include <rayos/paging.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

#include <new>

namespace rayos::pager {
namespace {

using idl::common::ErrorCode;
namespace wire_pager = idl::pager;

uint64_t now_ticks() {
    return uint64_t(sys::clock_ticks());
}

template <typename E> void set_error(E error, ErrorCode code, const char* message) {
    error.set_code(code);
    error.set_message(message);
}

} // namespace

bool PagerService::add(const ClientConfig& config, uint64_t fault_badge, uint64_t init_faults,
                       uint64_t address_space) {
    if (count_ == limits::kPagerMaxClients) return false;
    ServedClient& s = clients_[count_];
    s.fault_badge = fault_badge;
    s.generation = ServedClient::kUnknown;
    s.init_faults = init_faults;
    s.memory = KernelMemory(address_space);
    if (!s.memory.reserve(config.budget_frames)) {
        print("pager: no memory for the %u frames of '%s'\n", config.budget_frames, config.name);
        return false;
    }
    alignas(Client) static uint8_t storage[limits::kPagerMaxClients][sizeof(Client)];
    s.client = new (storage[count_]) Client(config, s.memory, store_);
    ++count_;
    return true;
}

ServedClient* PagerService::find(wire::Text name) {
    for (uint32_t i = 0; i < count_; ++i)
        if (name.equals(clients_[i].client->config().name)) return &clients_[i];
    return nullptr;
}

template <typename E> ServedClient* PagerService::target(wire::Text name, E error) {
    ServedClient* s = find(name);
    if (!s) set_error(error, ErrorCode::notFound, "no such client of the pager");
    return s;
}

void PagerService::fill(wire_pager::ClientStats::Builder out, const char* name,
                        const ClientStats& s, const Client* client) const {
    out.set_client(name);
    out.set_residentPages(s.resident);
    out.set_compressedPages(s.compressed);
    out.set_sameFilledPages(s.same_filled);
    out.set_rawPages(s.raw);
    out.set_originalBytes(s.original_bytes);
    out.set_compressedBytes(s.compressed_bytes);
    out.set_pageIns(s.page_ins);
    out.set_pageOuts(s.page_outs);
    out.set_pageInCost(s.page_ins ? s.page_in_instructions / s.page_ins : 0);
    out.set_pageOutCost(s.page_outs ? s.page_out_instructions / s.page_outs : 0);
    out.set_zeroFills(s.zero_fills);
    out.set_refusedFaults(s.refused);
    auto policy = out.init_policy();
    if (!client) { // the totals
        policy.set_demand();
        uint32_t budget = 0;
        for (uint32_t i = 0; i < count_; ++i)
            budget += clients_[i].client->budget();
        out.set_budgetFrames(budget);
        return;
    }
    out.set_level(wire_pager::Level(uint16_t(client->level())));
    out.set_budgetFrames(client->budget());
    const Policy& p = client->policy();
    switch (p.kind) {
    case Policy::Kind::Demand:
        policy.set_demand();
        break;
    case Policy::Kind::Threshold:
        policy.init_threshold().set_lowWatermark(p.parameter);
        break;
    case Policy::Kind::Idle:
        policy.init_idle().set_idleTicks(p.parameter);
        break;
    }
    policy.set_eviction(wire_pager::Eviction(uint16_t(p.eviction)));
}

RpcError PagerService::status(rpc::CallContext&, wire_pager::StatusRequest::Reader,
                              wire_pager::StatusResult::Builder result) {
    auto list = result.init_clients(count_);
    for (uint32_t i = 0; i < count_; ++i) {
        const Client& c = *clients_[i].client;
        fill(list[i], c.config().name, c.stats(), &c);
    }
    StoreStats s = store_.stats();
    auto store = result.init_store();
    store.set_capacityBytes(s.capacity_bytes);
    store.set_usedBytes(s.span_bytes);
    store.set_storedBytes(s.stored_bytes);
    store.set_fragmentationPercent(uint8_t(s.fragmentation_permille / 10));
    return RpcError::Ok;
}

RpcError PagerService::stats(rpc::CallContext&, wire_pager::StatsRequest::Reader params,
                             wire_pager::StatsResult::Builder result) {
    wire::Text name = params.client();
    if (name.size == 0) {
        ClientStats total;
        for (uint32_t i = 0; i < count_; ++i)
            total.add(clients_[i].client->stats());
        fill(result.init_stats(), "total", total, nullptr);
        return RpcError::Ok;
    }
    ServedClient* s = find(name);
    if (!s) {
        set_error(result.init_error(), ErrorCode::notFound, "no such client of the pager");
        return RpcError::Ok;
    }
    fill(result.init_stats(), s->client->config().name, s->client->stats(), s->client);
    return RpcError::Ok;
}

RpcError PagerService::setLevel(rpc::CallContext&, wire_pager::SetLevelRequest::Reader params,
                                wire_pager::SetResult::Builder result) {
    ServedClient* s = target(params.client(), result.init_error());
    if (!s) return RpcError::Ok;
    uint16_t level = uint16_t(params.level());
    if (level > uint16_t(Level::Best)) {
        set_error(result.init_error(), ErrorCode::invalidArgument, "no such compression level");
        return RpcError::Ok;
    }
    s->client->set_level(Level(level));
    return RpcError::Ok;
}

RpcError PagerService::setPolicy(rpc::CallContext&, wire_pager::SetPolicyRequest::Reader params,
                                 wire_pager::SetResult::Builder result) {
    ServedClient* s = target(params.client(), result.init_error());
    if (!s) return RpcError::Ok;
    auto requested = params.policy();
    Policy policy;
    using Which = wire_pager::Policy::Which;
    switch (requested.which()) {
    case Which::demand:
        policy.kind = Policy::Kind::Demand;
        break;
    case Which::threshold:
        policy.kind = Policy::Kind::Threshold;
        policy.parameter = requested.threshold().lowWatermark();
        break;
    case Which::idle:
        policy.kind = Policy::Kind::Idle;
        policy.parameter = requested.idle().idleTicks();
        break;
    default:
        set_error(result.init_error(), ErrorCode::invalidArgument, "no such policy");
        return RpcError::Ok;
    }
    uint16_t eviction = uint16_t(requested.eviction());
    if (eviction > uint16_t(Eviction::Clock)) {
        set_error(result.init_error(), ErrorCode::invalidArgument, "no such eviction order");
        return RpcError::Ok;
    }
    policy.eviction = Eviction(eviction);
    if (!s->client->set_policy(policy, now_ticks())) {
        set_error(result.init_error(), ErrorCode::invalidArgument,
                  policy.kind == Policy::Kind::Threshold
                      ? "the watermark must be 1 .. the budget - 1 free frames"
                      : "idle ticks must be at least 1");
        return RpcError::Ok;
    }
    arm_timer();
    return RpcError::Ok;
}

RpcError PagerService::setBudget(rpc::CallContext&, wire_pager::SetBudgetRequest::Reader params,
                                 wire_pager::SetResult::Builder result) {
    ServedClient* s = target(params.client(), result.init_error());
    if (!s) return RpcError::Ok;
    uint32_t frames = params.frames();
    switch (s->client->set_budget(frames, now_ticks())) {
    case Client::BudgetResult::Ok:
        break;
    case Client::BudgetResult::Invalid:
        set_error(result.init_error(), ErrorCode::invalidArgument,
                  "a budget is 1 .. 64 frames (rayos::limits::kPagerMaxBudget)");
        break;
    case Client::BudgetResult::BelowWatermark:
        set_error(result.init_error(), ErrorCode::invalidArgument,
                  "the budget must stay above the threshold policy's watermark");
        break;
    case Client::BudgetResult::NoMemory:
        set_error(result.init_error(), ErrorCode::outOfMemory,
                  "the pager's memory quota has no room for more frames");
        break;
    case Client::BudgetResult::StoreFull:
        set_error(result.init_error(), ErrorCode::limitReached,
                  "the compressed store is full: pages cannot go out");
        break;
    }
    return RpcError::Ok;
}

void PagerService::arm_timer() {
    // Scans as often as the shortest idle time asks, at most every kScanTicks.
    uint32_t period = 0;
    for (uint32_t i = 0; i < count_; ++i) {
        const Policy& p = clients_[i].client->policy();
        if (p.kind != Policy::Kind::Idle) continue;
        uint32_t want = p.parameter < kScanTicks ? p.parameter : kScanTicks;
        if (period == 0 || want < period) period = want;
    }
    if (period == timer_period_) return;
    (void)inv::notification_set_timer(timer_, period, 1); // (0 cancels it)
    timer_period_ = period;
}

RpcError PagerService::fault(ServedClient& s, uint64_t badge, uint64_t label,
                             const wire::Segment& words) {
    Client& c = *s.client;
    uint32_t generation = program::fault_badge_generation(badge);
    if (s.generation != generation) {
        // A new generation of the client: its old pages went with it.
        if (s.generation != ServedClient::kUnknown) {
            print("pager: '%s' was started again: its old pages are dropped\n", c.config().name);
            c.reset();
        }
        s.generation = generation;
    }
    FaultResult served = FaultResult::OutsideRegion;
    uint64_t address = words.size > 2 ? words.words[2] : 0;
    if (label == abi::kFaultPage && address >= paging::kRegionBase) {
        uint64_t page = (address - paging::kRegionBase) / paging::kPageSize;
        if (page < c.config().region_pages) {
            served = c.fault(uint32_t(page), now_ticks());
            if (served == FaultResult::Served) return RpcError::Ok; // resume it
            print("pager: cannot serve '%s' at page %lu: %s; passing the fault to init\n",
                  c.config().name, page, fault_result_name(served));
        }
    }
    // Not ours to serve: init supervises it as any crash (an exit report
    // too). The client stays stopped.
    Message forward;
    forward.info = abi::MessageInfo::make(label, words.size < 4 ? words.size : 4);
    for (uint32_t i = 0; i < 4; ++i)
        forward.words[i] = i < words.size ? words.words[i] : 0;
    (void)ipc::call(s.init_faults, forward);
    return RpcError::ServerFailed;
}

RpcError PagerService::other(rpc::Incoming& in) {
    uint64_t label = in.method_label(), badge = in.badge();
    if (label == abi::kLabelNotification) { // the idle policy's scan
        uint64_t now = now_ticks();
        for (uint32_t i = 0; i < count_; ++i)
            (void)clients_[i].client->tick(now);
        timer_period_ = 0; // (it has fired: set it again)
        arm_timer();
        return RpcError::Ok;
    }
    if (!program::is_fault_badge(badge)) return RpcError::UnknownMethod;
    for (uint32_t i = 0; i < count_; ++i)
        if (clients_[i].fault_badge == program::fault_badge_program(badge))
            return fault(clients_[i], badge, label, in.segment());
    return RpcError::UnknownMethod; // (a fault of no client: it stays stopped)
}

} // namespace rayos::pager
