// The fault injector as a server (idl/inject.capnp): software-implemented
// fault injection into the programs its manifest entry grants it the
// thread and address space of (threadOf, addressSpaceOf). Init says where
// each target's code, data and stack are (NameService.injectionTargets).
//
//   crash    the target's thread is pointed at an unmapped page (its rip is
//            recorded): it takes a page fault it cannot handle, and init's
//            supervision deals with it as with any crash
//   stop     the thread is suspended, then resumed after stopTicks (its
//            clients meet silence meanwhile)
//   bitflip  one bit of one byte, in a page of its code, data or stack,
//            read and written with vspace_read / vspace_write
//   corrupt, truncate, drop
//            its next `count` received messages get a bit flipped or are
//            cut short, or replies it sends are lost (the kernel does it:
//            tcb_inject on its thread)
//
// Injection i of a request with seed S uses seed S for i = 0 and a seed
// derived from S and i otherwise; every injection is logged with its own
// seed, so `count 1, seed <that>` repeats exactly that one (against the
// same program image).
#pragma once

#include <rayos/idl/inject.rpc.h>

#include <cstdint>

namespace rayos::injector {

class InjectorService final : public idl::inject::InjectorServer {
public:
    static constexpr uint32_t kMaxCount = 32;  // injections per request
    static constexpr uint32_t kLogSize = 256;  // injections remembered
    static constexpr uint32_t kMaxStopped = 8; // stops waiting to be resumed
    static constexpr uint32_t kDefaultStopTicks = 50;
    static constexpr uint32_t kDefaultDelayTicks = 20;
    static constexpr uint32_t kMaxDelayTicks = 1000; // (the kernel's kMaxInjectDelayTicks)

    explicit InjectorService(uint64_t timer) : timer_(timer) {}

    RpcError inject(rpc::CallContext& call, idl::inject::InjectRequest::Reader params,
                    idl::inject::InjectResult::Builder result) override;
    RpcError log(rpc::CallContext& call, idl::inject::LogRequest::Reader params,
                 idl::inject::LogResult::Builder result) override;
    // The timer: resumes stopped threads that are due.
    RpcError other(rpc::Incoming& in) override;

private:
    struct Target {
        char name[32];
        uint64_t thread, address_space;
        uint32_t generation;
        bool running;
        uint64_t ranges[3][2]; // code, data, stack: [start, end)
    };
    struct Record {
        uint32_t sequence;
        char target[32];
        idl::inject::FaultKind kind;
        uint64_t seed;
        idl::inject::Region region;
        uint64_t address;
        uint8_t bit;
        uint32_t generation;
    };
    struct Stopped {
        uint64_t thread = 0; // a copy of the TCB capability (0: free)
        uint64_t due = 0;    // tick
    };

    // The target's current state from init; false if it is not one.
    bool find_target(wire::Text name, Target& out);
    // One injection; false (and `why`) if it could not be done.
    bool inject_one(const Target& t, idl::inject::FaultKind kind, idl::inject::Region region,
                    uint64_t seed, uint32_t stop_ticks, Record& record, const char*& why);
    Record first_record(const Target& t, idl::inject::FaultKind kind, uint64_t seed) const;
    // corrupt, truncate, drop, delay, starve: the kernel arms the target's
    // thread (tcb_inject) for its next `count` messages or memory requests.
    static bool armed_in_kernel(idl::inject::FaultKind kind);
    bool arm(const Target& t, idl::inject::InjectRequest::Reader params, uint64_t seed, Record& r,
             const char*& why);
    bool crash(const Target& t, Record& r, const char*& why);
    bool stop(const Target& t, uint32_t ticks, Record& r, const char*& why);
    bool bitflip(const Target& t, idl::inject::Region region, uint64_t seed, Record& r,
                 const char*& why);
    // The bit `bit` of the byte at `address` (a bitflip repeated from its
    // log line); the region is the one the address is in.
    bool bitflip_at(const Target& t, uint64_t address, uint8_t bit, Record& r, const char*& why);
    static bool flip(const Target& t, uint64_t address, uint8_t bit, const char*& why);
    void arm_timer();
    static void fill(idl::inject::Injection::Builder out, const Record& r);

    uint64_t timer_;
    Record log_[kLogSize] = {};
    uint32_t sequence_ = 0; // injections done (the log holds the last kLogSize)
    Stopped stopped_[kMaxStopped];
};

} // namespace rayos::injector
