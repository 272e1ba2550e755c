// caps <program>: the capabilities a program holds.
#include "command.h"

namespace rayos::shell {
namespace {

// Rights bits as letters (rayos/abi/abi.h rights: read, write, grant,
// grant-reply), '-' where a right is missing.
void rights_text(uint8_t rights, char (&out)[5]) {
    const char letters[] = {'R', 'W', 'G', 'P'};
    for (int i = 0; i < 4; ++i)
        out[i] = (rights & (1u << i)) ? letters[i] : '-';
    out[4] = '\0';
}

class Caps final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        static CapRow rows[Machine::kMaxRows];
        uint32_t count = 0;
        Failure why;
        if (!machine.caps(program_, rows, count, why)) {
            out.error("caps: %s", why.text);
            return false;
        }
        out.print("%4s  %-12s %-6s %6s  %s\n", "SLOT", "TYPE", "RIGHTS", "BADGE", "WHAT");
        for (uint32_t i = 0; i < count; ++i) {
            char rights[5];
            rights_text(rows[i].rights, rights);
            out.print("%4u  %-12s %-6s %6lu  %s\n", rows[i].slot, rows[i].type, rights,
                      rows[i].badge, rows[i].what);
        }
        out.print("%u capabilities\n", count);
        return true;
    }

    char program_[32] = {};
};

Parsed parse_caps(const Words& words) {
    if (words.count != 2) return usage_error();
    auto* caps = new Caps;
    if (!copy_name(caps->program_, words.word[1])) {
        delete caps;
        return parse_error("no such program");
    }
    return parsed(caps);
}

const CommandSpec kSpecs[] = {
    {"caps", "caps <program>", "the capabilities a program holds",
     "Every non-empty slot of the program's CSpace: the kernel object type, rights (R read, "
     "W write, G grant, P grant-reply), badge, and what init put there.",
     nullptr, Completes::Programs, parse_caps, nullptr},
};

} // namespace

extern const CommandFamily kCapsCommands{kSpecs, 1};

} // namespace rayos::shell
