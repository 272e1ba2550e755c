// restart <program>, kill <program>: asking init's supervisor.
#include "command.h"

namespace rayos::shell {
namespace {

class Supervise final : public Command {
public:
    explicit Supervise(bool kill) : kill_(kill) {}

    bool run(Machine& machine, Printer& out) override {
        Failure why;
        if (kill_) {
            if (!machine.kill(program_, why)) {
                out.error("kill: %s", why.text);
                return false;
            }
            out.print("killed '%s'; init restarts it per its policy\n", program_);
            return true;
        }
        uint32_t generation = 0;
        if (!machine.restart(program_, generation, why)) {
            out.error("restart: %s", why.text);
            return false;
        }
        out.print("restarted '%s' (generation %u)\n", program_, generation);
        return true;
    }

    char program_[32] = {};

private:
    bool kill_;
};

Parsed parse(const Words& words, bool kill) {
    if (words.count != 2) return usage_error();
    auto* command = new Supervise(kill);
    if (!copy_name(command->program_, words.word[1])) {
        delete command;
        return parse_error("no such program");
    }
    return parsed(command);
}

const CommandSpec kSpecs[] = {
    {"restart", "restart <program>", "tear a program down and start it again",
     "Init starts the program again now, as a new generation (its clients' old "
     "capabilities stop working; they look it up again). Also brings back a failed one.",
     nullptr, Completes::Programs, [](const Words& w) { return parse(w, false); }, nullptr},
    {"kill", "kill <program>", "make a program crash, to watch supervision",
     "Init makes the program's thread jump to an address that is never mapped: it crashes like any "
     "buggy program "
     "and init restarts it (or not) by its restart policy. See ps and log afterwards.",
     nullptr, Completes::Programs, [](const Words& w) { return parse(w, true); }, nullptr},
};

} // namespace

extern const CommandFamily kSuperviseCommands{kSpecs, 2};

} // namespace rayos::shell
