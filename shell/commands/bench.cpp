// bench ipc [rounds]: measurements taken live.
#include "command.h"

namespace rayos::shell {

namespace {

class BenchIpc final : public Command {
public:
    explicit BenchIpc(uint32_t rounds) : rounds_(rounds) {}

    bool run(Machine& machine, Printer& out) override {
        uint64_t cycles = 0;
        Failure why;
        if (!machine.bench_ipc(rounds_, cycles, why)) {
            out.error("bench: %s", why.text);
            return false;
        }
        out.print("ipc round trip: %lu cycles (average of %u calls)\n", cycles, rounds_);
        return true;
    }

private:
    uint32_t rounds_;
};

const char* const kSubcommands[] = {"ipc", nullptr};

Parsed parse_bench(const Words& words) {
    if (words.count < 2 || words.count > 3 || !words.is(1, "ipc")) return usage_error();
    uint32_t rounds = 1000;
    if (words.count == 3 && (rounds = parse_number(words.word[2], 1000000)) == 0)
        return parse_error("rounds must be a number from 1 to 1000000");
    return parsed(new BenchIpc(rounds));
}

const CommandSpec kSpecs[] = {
    {"bench", "bench ipc [rounds]", "measure the IPC round trip live",
     "bench ipc: calls a thread of the shell's own through the kernel (call, reply and "
     "receive) `rounds` times (1000 unless given) and prints the average in TSC cycles "
     "(instructions under ./rayos bench's instruction counting).",
     kSubcommands, Completes::Subcommands, parse_bench, nullptr},
};

} // namespace

extern const CommandFamily kBenchCommands{kSpecs, 1};

} // namespace rayos::shell
