// What the shell's commands ask of the system. The shell program implements
// it over IPC (init's Supervisor, the compression pager, the fault injector,
// the kernel); host tests give a fake.
// Every query fills plain rows; a failure comes back as one line of text.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rayos::shell {

// Why something failed: one line for humans.
struct Failure {
    char text[120] = {};
};

struct ProgramRow {
    char name[32] = {};
    char state[12] = {}; // running, restarting, stopped, failed
    char module[32] = {};
    char last_fault[64] = {};
    char thread[12] = {}; // its main thread: ready, receiving, calling, ...
    uint32_t generation = 0, restarts = 0, clients = 0;
    uint8_t priority = 0;
    uint64_t quota = 0, memory_used = 0;
    uint64_t cpu = 0, ipc = 0, faults = 0; // its main thread's counters
};

struct CapRow {
    uint32_t slot = 0;
    char type[16] = {};
    uint8_t rights = 0;
    uint64_t badge = 0;
    char what[80] = {};
};

struct MemoryRow {
    char name[32] = {};
    uint64_t quota = 0, memory = 0, used = 0, image = 0;
};

struct MemorySummary {
    uint64_t ram = 0, used = 0;
};

// The compression pager (idl/pager.capnp), in the shell's own terms.
enum class PagerLevel : uint8_t { None, Fast, Balanced, Best };
enum class PagerPolicyKind : uint8_t { Demand, Threshold, Idle };
enum class PagerEviction : uint8_t { Lru, Clock };

struct PagerPolicy {
    PagerPolicyKind kind = PagerPolicyKind::Demand;
    uint32_t parameter = 0; // Threshold: the low watermark (free frames); Idle: ticks
    PagerEviction eviction = PagerEviction::Clock;
};

// One client's pages, or the totals over all clients (name "total"; its
// level and policy mean nothing, its budget is the sum).
struct PagerClientRow {
    char name[32] = {};
    uint64_t resident = 0, compressed = 0, same_filled = 0, raw = 0; // pages
    uint64_t original_bytes = 0, compressed_bytes = 0;
    uint64_t page_ins = 0, page_outs = 0;
    uint64_t page_in_cost = 0, page_out_cost = 0; // average instructions of one
    uint64_t zero_fills = 0, refused_faults = 0;
    PagerLevel level = PagerLevel::None;
    PagerPolicy policy;
    uint32_t budget = 0; // frames
};

struct PagerStoreRow {
    uint64_t capacity = 0, used = 0, stored = 0; // bytes
    uint8_t fragmentation_percent = 0;
};

// The fault injector (idl/inject.capnp), in the shell's own terms.
// (In idl/inject.capnp's order.)
enum class FaultKind : uint8_t { Crash, Stop, Bitflip, Corrupt, Truncate, Drop, Delay, Starve };
enum class FaultRegion : uint8_t { Any, Code, Data, Stack };

// What to inject: `count` injections of one kind into one program, from
// `seed` (the first injection uses it as it is; the injector derives the
// others' seeds from it).
struct FaultRequest {
    char target[32] = {};
    FaultKind kind = FaultKind::Crash;
    FaultRegion region = FaultRegion::Any; // bitflip only
    uint32_t count = 1;
    uint64_t seed = 0;
    uint64_t address = 0; // bitflip at this byte (0: where the seed says) ...
    uint8_t bit = 0;      // ... this bit of it
};

// One injection as the injector did it (and keeps it in its log).
struct InjectionRow {
    uint32_t sequence = 0; // since the injector started
    char target[32] = {};
    FaultKind kind = FaultKind::Crash;
    uint64_t seed = 0;                     // repeats this one injection
    FaultRegion region = FaultRegion::Any; // where the bit was flipped (any: crash, stop)
    uint64_t address = 0; // the byte flipped; the thread's rip (crash, stop); messages armed
                          // (corrupt, truncate, drop)
    uint8_t bit = 0;
    uint32_t generation = 0; // of the target when it was injected
};

class Machine {
public:
    static constexpr uint32_t kMaxRows = 64;
    static constexpr uint32_t kMaxInjections = 32; // per request, and of the log at once

    // Each fills at most kMaxRows rows and sets `count`; false with `why`
    // set when the question could not be answered.
    virtual bool programs(ProgramRow* rows, uint32_t& count, Failure& why) = 0;
    virtual bool caps(const char* program, CapRow* rows, uint32_t& count, Failure& why) = 0;
    virtual bool memory(MemorySummary& summary, MemoryRow* rows, uint32_t& count, Failure& why) = 0;
    // The new generation in `generation`.
    virtual bool restart(const char* program, uint32_t& generation, Failure& why) = 0;
    virtual bool kill(const char* program, Failure& why) = 0;

    // The pager: every client and the store; one client's statistics
    // ("" for the totals); its settings. A refusal comes back in `why` with
    // the pager's own message.
    virtual bool pager_status(PagerStoreRow& store, PagerClientRow* rows, uint32_t& count,
                              Failure& why) = 0;
    virtual bool pager_stats(const char* client, PagerClientRow& row, Failure& why) = 0;
    virtual bool pager_set_level(const char* client, PagerLevel level, Failure& why) = 0;
    virtual bool pager_set_policy(const char* client, const PagerPolicy& policy, Failure& why) = 0;
    virtual bool pager_set_budget(const char* client, uint32_t frames, Failure& why) = 0;

    // The fault injector: injects (the injections done, at most
    // kMaxInjections, in `done`); the last `last` injections of its log,
    // oldest first. A refusal comes back in `why` with the injector's own
    // message.
    virtual bool inject(const FaultRequest& request, InjectionRow* done, uint32_t& count,
                        Failure& why) = 0;
    virtual bool injection_log(uint32_t last, InjectionRow* rows, uint32_t& count,
                               Failure& why) = 0;
    // A seed for injections nobody gave one for (different each time).
    virtual uint64_t fresh_seed() = 0;

    virtual uint64_t ticks() = 0;
    virtual uint32_t ticks_per_second() = 0;
    // The most recent kernel console output, oldest first; its length.
    virtual size_t recent_log(char* out, size_t capacity) = 0;
    // The average cycles of `rounds` IPC round trips.
    virtual bool bench_ipc(uint32_t rounds, uint64_t& cycles, Failure& why) = 0;
    // Powers the machine off (returns only if that failed).
    virtual void shutdown(Failure& why) = 0;

protected:
    ~Machine() = default;
};

} // namespace rayos::shell
