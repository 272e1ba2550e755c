// The fault injector (see injector_service.h).
#include "injector_service.h"

#include <rayos/idl/init.rpc.h>
#include <rayos/invoke.h>
#include <rayos/program.h>
#include <rayos/runtime.h>
#include <rayos/syscall.h>

namespace rayos::injector {
namespace {

using idl::common::ErrorCode;
using idl::inject::FaultKind;
using idl::inject::Region;

// Private copies of stopped threads' TCB capabilities.
constexpr uint64_t kFirstStoppedSlot = program::kFirstFreeSlot + 8;

uint64_t mix(uint64_t x) { // splitmix64's finaliser
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

const char* kind_name(FaultKind kind) {
    switch (kind) {
    case FaultKind::crash:
        return "crash";
    case FaultKind::stop:
        return "stop";
    case FaultKind::bitflip:
        return "bitflip";
    case FaultKind::corrupt:
        return "corrupt";
    case FaultKind::truncate:
        return "truncate";
    case FaultKind::drop:
        return "drop";
    case FaultKind::delay:
        return "delay";
    case FaultKind::starve:
        return "starve";
    }
    return "?";
}

const char* region_name(Region region) {
    switch (region) {
    case Region::any:
        return "any";
    case Region::code:
        return "code";
    case Region::data:
        return "data";
    case Region::stack:
        return "stack";
    }
    return "?";
}

template <typename E> void set_error(E error, ErrorCode code, const char* message) {
    error.set_code(code);
    error.set_message(message);
}

void copy_name(char (&out)[32], const char* in, uint32_t length) {
    uint32_t n = length < sizeof(out) - 1 ? length : uint32_t(sizeof(out) - 1);
    for (uint32_t i = 0; i < n; ++i)
        out[i] = in[i];
    out[n] = 0;
}

} // namespace

bool InjectorService::find_target(wire::Text name, Target& out) {
    idl::init::NameServiceClient init(program::kSlotNameService);
    auto call = init.injectionTargets();
    auto answer = call.send();
    if (!answer) return false;
    auto list = answer.value().targets();
    for (uint32_t i = 0; i < list.size(); ++i) {
        auto t = list[i];
        wire::Text n = t.name();
        if (n.size != name.size || !name.equals(n.c_str())) continue;
        copy_name(out.name, n.ptr, n.size);
        out.thread = t.threadSlot();
        out.address_space = t.addressSpaceSlot();
        out.generation = t.generation();
        out.running = t.running();
        out.ranges[0][0] = t.codeStart();
        out.ranges[0][1] = t.codeEnd();
        out.ranges[1][0] = t.dataStart();
        out.ranges[1][1] = t.dataEnd();
        out.ranges[2][0] = t.stackStart();
        out.ranges[2][1] = t.stackEnd();
        return true;
    }
    return false;
}

bool InjectorService::crash(const Target& t, Record& r, const char*& why) {
    inv::TcbRegisters regs{};
    if (inv::tcb_crash(t.thread, regs) != 0) {
        why = "its thread cannot be redirected";
        return false;
    }
    r.address = regs.rip;
    return true;
}

bool InjectorService::stop(const Target& t, uint32_t ticks, Record& r, const char*& why) {
    uint32_t i = 0;
    while (i < kMaxStopped && stopped_[i].thread)
        ++i;
    if (i == kMaxStopped) {
        why = "too many programs are stopped already";
        return false;
    }
    // A copy of the capability: if the target restarts meanwhile, the copy
    // goes with the old thread and the new one is left alone.
    uint64_t slot = kFirstStoppedSlot + i;
    if (inv::cnode_copy(program::kSlotCNode, slot, 64, t.thread, abi::rights::kAll) != 0) {
        why = "its thread capability cannot be copied";
        return false;
    }
    if (inv::tcb_suspend(slot) != 0) {
        (void)inv::cnode_delete(program::kSlotCNode, slot, 64);
        why = "its thread cannot be suspended";
        return false;
    }
    inv::TcbRegisters regs{};
    if (inv::tcb_registers(slot, regs) == 0) r.address = regs.rip;
    stopped_[i] = {slot, uint64_t(sys::clock_ticks()) + (ticks ? ticks : kDefaultStopTicks)};
    arm_timer();
    return true;
}

bool InjectorService::bitflip(const Target& t, Region region, uint64_t seed, Record& r,
                              const char*& why) {
    uint64_t random = mix(seed);
    uint32_t which = region == Region::any ? uint32_t(random % 3) : uint32_t(region) - 1;
    r.region = Region(which + 1);
    uint64_t start = t.ranges[which][0], end = t.ranges[which][1];
    if (end <= start) {
        why = "that region of the program is empty";
        return false;
    }
    random = mix(random);
    uint64_t address = start + random % (end - start);
    uint8_t bit = uint8_t(mix(random) % 8);
    if (!flip(t, address, bit, why)) return false;
    r.address = address;
    r.bit = bit;
    return true;
}

bool InjectorService::bitflip_at(const Target& t, uint64_t address, uint8_t bit, Record& r,
                                 const char*& why) {
    if (bit > 7) {
        why = "bit must be 0 .. 7";
        return false;
    }
    uint32_t which = 0;
    while (which < 3 && !(address >= t.ranges[which][0] && address < t.ranges[which][1]))
        ++which;
    if (which == 3) {
        why = "that address is not in the program's code, data or stack";
        return false;
    }
    if (!flip(t, address, bit, why)) return false;
    r.region = Region(which + 1);
    r.address = address;
    r.bit = bit;
    return true;
}

bool InjectorService::flip(const Target& t, uint64_t address, uint8_t bit, const char*& why) {
    uint8_t byte = 0;
    if (inv::vspace_read(t.address_space, address, reinterpret_cast<uint64_t>(&byte), 1) != 1) {
        why = "its memory cannot be read there";
        return false;
    }
    byte ^= uint8_t(1u << bit);
    if (inv::vspace_write(t.address_space, address, reinterpret_cast<uint64_t>(&byte), 1) != 1) {
        why = "its memory cannot be written there";
        return false;
    }
    return true;
}

InjectorService::Record InjectorService::first_record(const Target& t, FaultKind kind,
                                                      uint64_t seed) const {
    Record r{};
    r.sequence = sequence_;
    copy_name(r.target, t.name, 31);
    r.kind = kind;
    r.seed = seed;
    r.region = Region::any;
    r.generation = t.generation;
    return r;
}

bool InjectorService::armed_in_kernel(FaultKind kind) {
    return kind == FaultKind::corrupt || kind == FaultKind::truncate || kind == FaultKind::drop ||
           kind == FaultKind::delay || kind == FaultKind::starve;
}

bool InjectorService::arm(const Target& t, idl::inject::InjectRequest::Reader params, uint64_t seed,
                          Record& r, const char*& why) {
    abi::Injection mode = abi::Injection::Corrupt;
    switch (params.kind()) {
    case FaultKind::truncate:
        mode = abi::Injection::Truncate;
        break;
    case FaultKind::drop:
        mode = abi::Injection::DropReply;
        break;
    case FaultKind::delay:
        mode = abi::Injection::DelayReply;
        break;
    case FaultKind::starve:
        mode = abi::Injection::Starve;
        break;
    default:
        break;
    }
    uint32_t ticks = params.delayTicks() ? params.delayTicks() : kDefaultDelayTicks;
    if (inv::tcb_inject(t.thread, uint64_t(mode), params.count(), seed, ticks) < 0) {
        why = "the kernel refused to arm its thread";
        return false;
    }
    r.address = params.count();
    return true;
}

bool InjectorService::inject_one(const Target& t, FaultKind kind, Region region, uint64_t seed,
                                 uint32_t stop_ticks, Record& r, const char*& why) {
    r = first_record(t, kind, seed);
    switch (kind) {
    case FaultKind::crash:
        return crash(t, r, why);
    case FaultKind::stop:
        return stop(t, stop_ticks, r, why);
    case FaultKind::bitflip:
        return bitflip(t, region, seed, r, why);
    case FaultKind::corrupt:
    case FaultKind::truncate:
    case FaultKind::drop:
    case FaultKind::delay:
    case FaultKind::starve:
        break;
    }
    why = "no such fault kind";
    return false;
}

void InjectorService::fill(idl::inject::Injection::Builder out, const Record& r) {
    out.set_sequence(r.sequence);
    out.set_target(r.target);
    out.set_kind(r.kind);
    out.set_seed(r.seed);
    out.set_region(r.region);
    out.set_address(r.address);
    out.set_bit(r.bit);
    out.set_generation(r.generation);
}

RpcError InjectorService::inject(rpc::CallContext&, idl::inject::InjectRequest::Reader params,
                                 idl::inject::InjectResult::Builder result) {
    uint32_t count = params.count();
    if (count == 0 || count > kMaxCount) {
        set_error(result.init_error(), ErrorCode::invalidArgument, "count must be 1 .. 32");
        return RpcError::Ok;
    }
    if (uint16_t(params.kind()) > uint16_t(FaultKind::starve) ||
        uint16_t(params.region()) > uint16_t(Region::stack)) {
        set_error(result.init_error(), ErrorCode::invalidArgument, "no such fault kind or region");
        return RpcError::Ok;
    }
    if (params.delayTicks() > kMaxDelayTicks) {
        set_error(result.init_error(), ErrorCode::invalidArgument, "delay must be 1 .. 1000 ticks");
        return RpcError::Ok;
    }
    bool at = params.address() != 0;
    if (at && (params.kind() != FaultKind::bitflip || count != 1)) {
        set_error(result.init_error(), ErrorCode::invalidArgument,
                  "an address is for one bitflip only");
        return RpcError::Ok;
    }
    Target t{};
    if (!find_target(params.target(), t)) {
        set_error(result.init_error(), ErrorCode::notFound,
                  "not a program the injector's manifest entry grants it");
        return RpcError::Ok;
    }
    if (!t.running) {
        set_error(result.init_error(), ErrorCode::busy, "that program is not running now");
        return RpcError::Ok;
    }
    Record records[kMaxCount];
    uint32_t done = 0;
    const char* why = "";
    bool armed = armed_in_kernel(params.kind());
    for (uint32_t i = 0; i < (armed ? 1 : count); ++i) {
        uint64_t seed = i == 0 ? params.seed() : mix(params.seed() ^ (uint64_t(i) << 32));
        bool injected = false;
        if (armed || at) {
            records[done] = first_record(t, params.kind(), seed);
            injected = armed ? arm(t, params, seed, records[done], why)
                             : bitflip_at(t, params.address(), params.bit(), records[done], why);
        } else {
            injected = inject_one(t, params.kind(), params.region(), seed, params.stopTicks(),
                                  records[done], why);
        }
        if (!injected) break;
        Record& r = records[done++];
        log_[sequence_ % kLogSize] = r;
        ++sequence_;
        print("injector: #%u %s '%s' seed %lu: %s at %#lx bit %u (generation %u)\n", r.sequence,
              kind_name(r.kind), r.target, r.seed, region_name(r.region), r.address, r.bit,
              r.generation);
        // After a crash the target is gone: the rest of the request would
        // meet its next generation (or nothing).
        if (params.kind() == FaultKind::crash) break;
    }
    if (done == 0) {
        set_error(result.init_error(), ErrorCode::invalidArgument, why);
        return RpcError::Ok;
    }
    auto list = result.init_done(done);
    for (uint32_t i = 0; i < done; ++i)
        fill(list[i], records[i]);
    return RpcError::Ok;
}

RpcError InjectorService::log(rpc::CallContext&, idl::inject::LogRequest::Reader params,
                              idl::inject::LogResult::Builder result) {
    uint32_t kept = sequence_ < kLogSize ? sequence_ : kLogSize;
    uint32_t last = params.last() == 0 || params.last() > kMaxCount ? kMaxCount : params.last();
    uint32_t n = kept < last ? kept : last;
    auto list = result.init_injections(n);
    for (uint32_t i = 0; i < n; ++i)
        fill(list[i], log_[(sequence_ - n + i) % kLogSize]);
    return RpcError::Ok;
}

void InjectorService::arm_timer() {
    uint64_t next = 0;
    for (const Stopped& s : stopped_)
        if (s.thread && (next == 0 || s.due < next)) next = s.due;
    if (next == 0) return;
    uint64_t now = uint64_t(sys::clock_ticks());
    (void)inv::notification_set_timer(timer_, next > now ? next - now : 1, 1);
}

RpcError InjectorService::other(rpc::Incoming& in) {
    if (in.method_label() != abi::kLabelNotification) return RpcError::UnknownMethod;
    uint64_t now = uint64_t(sys::clock_ticks());
    for (Stopped& s : stopped_) {
        if (!s.thread || s.due > now) continue;
        (void)inv::tcb_resume(s.thread); // (fails harmlessly if it is gone)
        (void)inv::cnode_delete(program::kSlotCNode, s.thread, 64);
        s = Stopped{};
    }
    arm_timer();
    return RpcError::Ok;
}

} // namespace rayos::injector
