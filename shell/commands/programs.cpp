// ps, servers: the programs init runs, as its Supervisor reports them.
#include "command.h"

#include <rayos/string.h>

namespace rayos::shell {
namespace {

bool same(const char* a, const char* b) {
    return strcmp(a, b) == 0;
}

// A server's health from what its thread does: waiting for calls or
// working on one is healthy; waiting on another program is busy.
const char* health(const ProgramRow& r) {
    if (!same(r.state, "running")) return "down";
    if (same(r.thread, "receiving") || same(r.thread, "ready")) return "serving";
    if (same(r.thread, "calling") || same(r.thread, "sending") || same(r.thread, "waiting"))
        return "busy";
    return "not serving";
}

// Both commands show the same rows, differently.
class ProgramTable final : public Command {
public:
    explicit ProgramTable(bool servers_only) : servers_only_(servers_only) {}

    bool run(Machine& machine, Printer& out) override {
        static ProgramRow rows[Machine::kMaxRows];
        uint32_t count = 0;
        Failure why;
        if (!machine.programs(rows, count, why)) {
            out.error("%s: %s", servers_only_ ? "servers" : "ps", why.text);
            return false;
        }
        if (servers_only_) {
            out.print("%-12s %10s  %-10s %7s  %s\n", "NAME", "GENERATION", "STATE", "CLIENTS",
                      "HEALTH");
            for (uint32_t i = 0; i < count; ++i)
                if (rows[i].clients > 0)
                    out.print("%-12s %10u  %-10s %7u  %s\n", rows[i].name, rows[i].generation,
                              rows[i].state, rows[i].clients, health(rows[i]));
            return true;
        }
        out.print("%-12s %-10s %-10s %4s %4s %4s %12s %8s %6s %8s  %s\n", "NAME", "STATE", "THREAD",
                  "GEN", "RST", "PRIO", "CPU", "IPC", "FAULTS", "MEM KiB", "LAST END");
        for (uint32_t i = 0; i < count; ++i) {
            const ProgramRow& r = rows[i];
            out.print("%-12s %-10s %-10s %4u %4u %4u %12lu %8lu %6lu %8lu  %s\n", r.name, r.state,
                      r.thread[0] ? r.thread : "-", r.generation, r.restarts, r.priority, r.cpu,
                      r.ipc, r.faults, r.memory_used / 1024, r.last_fault[0] ? r.last_fault : "-");
        }
        return true;
    }

private:
    bool servers_only_;
};

Parsed parse_ps(const Words& words) {
    if (words.count != 1) return usage_error();
    return parsed(new ProgramTable(false));
}

Parsed parse_servers(const Words& words) {
    if (words.count != 1) return usage_error();
    return parsed(new ProgramTable(true));
}

const CommandSpec kSpecs[] = {
    {"ps", "ps", "programs and their threads: state, CPU, IPC, restarts",
     "One row per program of the manifest: its state, what its thread does now (THREAD: "
     "ready, receiving, calling, waiting...), generation (GEN), restarts (RST), priority, its "
     "thread's CPU time (instructions) and IPC calls, faults, memory in use, and how its last "
     "generation ended.",
     nullptr, Completes::Nothing, parse_ps, nullptr},
    {"servers", "servers", "the servers other programs use: generation and health",
     "Programs that some manifest entry grants to others, with their generation (it grows "
     "with every restart), state, number of clients and health: serving (waiting for calls or "
     "working on one), busy (waiting on another program), down.",
     nullptr, Completes::Nothing, parse_servers, nullptr},
};

} // namespace

extern const CommandFamily kProgramCommands{kSpecs, 2};

} // namespace rayos::shell
