// What the shell's commands ask of the system. The shell program implements
// it over IPC (init's Supervisor, the kernel); host tests give a fake.
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

class Machine {
public:
    static constexpr uint32_t kMaxRows = 64;

    // Each fills at most kMaxRows rows and sets `count`; false with `why`
    // set when the question could not be answered.
    virtual bool programs(ProgramRow* rows, uint32_t& count, Failure& why) = 0;
    virtual bool caps(const char* program, CapRow* rows, uint32_t& count, Failure& why) = 0;
    virtual bool memory(MemorySummary& summary, MemoryRow* rows, uint32_t& count, Failure& why) = 0;
    // The new generation in `generation`.
    virtual bool restart(const char* program, uint32_t& generation, Failure& why) = 0;
    virtual bool kill(const char* program, Failure& why) = 0;

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
