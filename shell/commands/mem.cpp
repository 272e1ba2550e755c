// mem: memory in the machine and per program.
#include "command.h"

namespace rayos::shell {
namespace {

class Mem final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        static MemoryRow rows[Machine::kMaxRows];
        MemorySummary summary;
        uint32_t count = 0;
        Failure why;
        if (!machine.memory(summary, rows, count, why)) {
            out.error("mem: %s", why.text);
            return false;
        }
        out.print("RAM: %lu KiB, %lu KiB made into objects, %lu KiB untyped\n", summary.ram / 1024,
                  summary.used / 1024, (summary.ram - summary.used) / 1024);
        out.print("%-12s %10s %10s %10s %10s\n", "PROGRAM", "QUOTA KiB", "GIVEN KiB", "USED KiB",
                  "IMAGE KiB");
        for (uint32_t i = 0; i < count; ++i)
            out.print("%-12s %10lu %10lu %10lu %10lu\n", rows[i].name, rows[i].quota / 1024,
                      rows[i].memory / 1024, rows[i].used / 1024, rows[i].image / 1024);
        return true;
    }
};

Parsed parse_mem(const Words& words) {
    if (words.count != 1) return usage_error();
    return parsed(new Mem);
}

const CommandSpec kSpecs[] = {
    {"mem", "mem", "memory: total, used, per program",
     "RAM handed to init and how much of it is made into kernel objects; per program its "
     "manifest quota, the untyped memory it was given (the quota rounded down to a power of "
     "two), how much of that it has used, and init's region for its image and stack.",
     nullptr, Completes::Nothing, parse_mem, nullptr},
};

} // namespace

extern const CommandFamily kMemoryCommands{kSpecs, 1};

} // namespace rayos::shell
