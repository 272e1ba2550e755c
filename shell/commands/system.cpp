// uptime, log [lines], shutdown.
#include "command.h"

namespace rayos::shell {
namespace {

class Uptime final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        uint64_t ticks = machine.ticks();
        uint32_t hz = machine.ticks_per_second();
        out.print("up %lu.%02lu s (%lu ticks)\n", ticks / hz, (ticks % hz) * 100 / hz, ticks);
        return true;
    }
};

class Log final : public Command {
public:
    explicit Log(uint32_t lines) : lines_(lines) {}

    bool run(Machine& machine, Printer& out) override {
        static char recent[16384];
        size_t n = machine.recent_log(recent, sizeof(recent));
        // Back from the end to the start of the last `lines_` lines.
        size_t start = n;
        uint32_t seen = 0;
        if (start > 0 && recent[start - 1] == '\n') --start;
        while (start > 0) {
            if (recent[start - 1] == '\n' && ++seen == lines_) break;
            --start;
        }
        if (seen < lines_ && start == 0 && n == sizeof(recent)) {
            // The oldest line is cut: skip to the first whole one.
            while (start < n && recent[start] != '\n')
                ++start;
            if (start < n) ++start;
        }
        // What programs wrote reaches the terminal printable: other control
        // bytes (escape sequences...) become '?'.
        for (size_t i = start; i < n; ++i) {
            char c = recent[i];
            if ((c < ' ' && c != '\n' && c != '\t') || c == 0x7F) recent[i] = '?';
            if (static_cast<unsigned char>(c) >= 0x80) recent[i] = '?';
        }
        out.write(recent + start, n - start);
        if (n > start && recent[n - 1] != '\n') out.text("\n");
        return true;
    }

private:
    uint32_t lines_;
};

class Shutdown final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        out.text("powering off\n");
        Failure why;
        machine.shutdown(why);
        out.error("shutdown: %s", why.text);
        return false;
    }
};

Parsed parse_uptime(const Words& words) {
    if (words.count != 1) return usage_error();
    return parsed(new Uptime);
}

Parsed parse_log(const Words& words) {
    if (words.count > 2) return usage_error();
    uint32_t lines = 20;
    if (words.count == 2 && (lines = parse_number(words.word[1], 1000)) == 0)
        return parse_error("lines must be a number from 1 to 1000");
    return parsed(new Log(lines));
}

Parsed parse_shutdown(const Words& words) {
    if (words.count != 1) return usage_error();
    return parsed(new Shutdown);
}

const CommandSpec kSpecs[] = {
    {"uptime", "uptime", "time since boot", "Seconds and kernel timer ticks since boot.", nullptr,
     Completes::Nothing, parse_uptime, nullptr},
    {"log", "log [lines]", "recent kernel and program messages",
     "The last lines (20 unless given, at most 1000) of what the kernel console printed: "
     "kernel messages and every program's log output.",
     nullptr, Completes::Nothing, parse_log, nullptr},
    {"shutdown", "shutdown", "power the machine off",
     "Powers the virtual machine off cleanly; ./rayos run then exits with status 0.", nullptr,
     Completes::Nothing, parse_shutdown, nullptr},
};

} // namespace

extern const CommandFamily kSystemCommands{kSpecs, 3};

} // namespace rayos::shell
