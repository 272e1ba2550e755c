// inject <program> crash|stop|bitflip [region] [count] [seed] | inject log [n]
// (and the other kinds; kSpecs below says all):
// software-implemented fault injection through the fault injector
// (idl/inject.capnp, servers/injector/), reproducible from a seed.
//
// Every injection is printed as one line that a host campaign runner parses:
//   #<sequence> <kind> <target> seed <seed>: <region> at 0x<address> bit <bit> (generation <g>)
#include "command.h"

#include <rayos/string.h>

namespace rayos::shell {
namespace {

// Names of the wire's enums, in their order; nullptr-terminated (Tab
// completion offers them).
const char* const kKinds[] = {"crash", "stop",  "bitflip", "corrupt", "truncate",
                              "drop",  "delay", "starve",  nullptr};
constexpr uint32_t kKindCount = 8;
const char* const kRegions[] = {"any", "code", "data", "stack", nullptr};
// After bitflip: a region, or `at` an address.
const char* const kBitflipWords[] = {"any", "code", "data", "stack", "at", nullptr};
// What the first argument may be: `log`, or a program the injector's
// manifest entry grants it (init/system.manifest.txt; the injector knows
// them, but only it: a static list for Tab completion, checked against the
// manifest by the shell tests).
const char* const kFirstWords[] = {"log", "console", "pager", "memhog", nullptr};

// The usage of each form (after "inject ").
const char* const kFaultUsage =
    "<program> crash|stop|corrupt|truncate|drop|delay|starve [count] [seed]";
const char* const kBitflipUsage = "<program> bitflip [code|data|stack|any] [count] [seed]";
const char* const kBitflipAtUsage = "<program> bitflip at 0x<address> <bit>";
const char* const kLogUsage = "log [n]";

constexpr uint32_t kDefaultLog = 10;

// What the injector says of a program it is not given (and of a name no
// program can have).
const char* const kNotATarget = "not a program the injector's manifest entry grants it";

// The rows of an answer: up to 32 injections.
InjectionRow* injection_rows() {
    static InjectionRow rows[Machine::kMaxInjections];
    return rows;
}

void print_injection(Printer& out, const InjectionRow& r) {
    out.print("#%u %s %s seed %lu: %s at 0x%lx bit %u (generation %u)\n", r.sequence,
              name_of(kKinds, kKindCount, r.kind), r.target, r.seed, name_of(kRegions, 4, r.region),
              r.address, r.bit, r.generation);
}

void failed(Printer& out, const Failure& why) {
    out.error("inject: %s", why.text);
}

class Inject final : public Command {
public:
    bool run(Machine& machine, Printer& out) override {
        if (!seeded_) request_.seed = machine.fresh_seed();
        InjectionRow* rows = injection_rows();
        uint32_t count = 0;
        Failure why;
        if (!machine.inject(request_, rows, count, why)) {
            failed(out, why);
            return false;
        }
        if (count == 0) {
            out.error("inject: the injector did not say what it did");
            return false;
        }
        for (uint32_t i = 0; i < count; ++i)
            print_injection(out, rows[i]);
        return true;
    }

    FaultRequest request_;
    bool seeded_ = false; // else a fresh seed when it runs
};

class Log final : public Command {
public:
    explicit Log(uint32_t last) : last_(last) {}

    bool run(Machine& machine, Printer& out) override {
        InjectionRow* rows = injection_rows();
        uint32_t count = 0;
        Failure why;
        if (!machine.injection_log(last_, rows, count, why)) {
            failed(out, why);
            return false;
        }
        if (count == 0) out.text("(no injections yet)\n");
        for (uint32_t i = 0; i < count; ++i)
            print_injection(out, rows[i]);
        return true;
    }

private:
    uint32_t last_;
};

Parsed usage(const char* form) {
    return parse_error("usage: inject %s", form);
}

// A decimal number that fits 64 bits (0 included).
bool parse_seed(const char* word, uint64_t& out) {
    uint64_t value = 0;
    if (!*word) return false;
    for (; *word; ++word) {
        if (*word < '0' || *word > '9') return false;
        uint64_t digit = uint64_t(*word - '0');
        if (value > (~uint64_t(0) - digit) / 10) return false;
        value = value * 10 + digit;
    }
    out = value;
    return true;
}

Parsed parse_log(const Words& words) {
    if (words.count > 3) return usage(kLogUsage);
    uint32_t last = kDefaultLog;
    if (words.count == 3 && (last = parse_number(words.word[2], Machine::kMaxInjections)) == 0)
        return parse_error("n must be a number from 1 to %u", Machine::kMaxInjections);
    return parsed(new Log(last));
}

// A hexadecimal address (0x...) other than 0.
bool parse_address(const char* word, uint64_t& out) {
    if (word[0] != '0' || (word[1] != 'x' && word[1] != 'X') || !word[2]) return false;
    uint64_t value = 0;
    for (const char* c = word + 2; *c; ++c) {
        uint64_t digit = *c >= '0' && *c <= '9'   ? uint64_t(*c - '0')
                         : *c >= 'a' && *c <= 'f' ? uint64_t(*c - 'a' + 10)
                         : *c >= 'A' && *c <= 'F' ? uint64_t(*c - 'A' + 10)
                                                  : 16;
        if (digit == 16 || value >> 60) return false;
        value = value << 4 | digit;
    }
    out = value;
    return value != 0;
}

// inject <program> bitflip at 0x<address> <bit>
Parsed parse_bitflip_at(const Words& words, FaultRequest request) {
    if (words.count != 6) return usage(kBitflipAtUsage);
    if (!parse_address(words.word[4], request.address))
        return parse_error("address must be a hexadecimal number such as 0x401a2c");
    const char* bit = words.word[5];
    if (bit[0] < '0' || bit[0] > '7' || bit[1]) return parse_error("bit must be 0 to 7");
    request.bit = uint8_t(bit[0] - '0');
    if (!copy_name(request.target, words.word[1])) return parse_error("%s", kNotATarget);
    auto* command = new Inject;
    command->request_ = request;
    command->seeded_ = false;
    return parsed(command);
}

Parsed parse_inject(const Words& words) {
    if (words.count < 2) return usage_error();
    if (strcmp(words.word[1], "log") == 0) return parse_log(words);
    if (words.count < 3) return usage_error();
    int kind = index_of(kKinds, words.word[2]);
    if (kind < 0)
        return parse_error("unknown fault kind '%.20s' (crash, stop, bitflip, corrupt, "
                           "truncate, drop, delay or starve)",
                           words.word[2]);
    FaultRequest request;
    request.kind = FaultKind(kind);
    bool bitflip = request.kind == FaultKind::Bitflip;
    if (bitflip && words.count > 3 && strcmp(words.word[3], "at") == 0)
        return parse_bitflip_at(words, request);
    uint32_t next = 3; // the word after the kind (and the region)
    if (next < words.count) {
        int region = index_of(kRegions, words.word[next]);
        if (region >= 0 && !bitflip)
            return parse_error("%s takes no region (only bitflip does)", kKinds[kind]);
        if (region >= 0) {
            request.region = FaultRegion(region);
            ++next;
        }
    }
    if (words.count > next + 2) return usage(bitflip ? kBitflipUsage : kFaultUsage);
    if (next < words.count &&
        (request.count = parse_number(words.word[next], Machine::kMaxInjections)) == 0)
        return parse_error("count must be a number from 1 to %u", Machine::kMaxInjections);
    bool seeded = next + 1 < words.count;
    if (seeded && !parse_seed(words.word[next + 1], request.seed))
        return parse_error("seed must be a number from 0 to %lu", ~uint64_t(0));
    if (!copy_name(request.target, words.word[1])) return parse_error("%s", kNotATarget);
    auto* command = new Inject;
    command->request_ = request;
    command->seeded_ = seeded;
    return parsed(command);
}

// After the program: the fault kinds; after bitflip: the regions.
void complete_inject(const Words& words, uint32_t position, Machine*, const Offer& offer) {
    if (strcmp(words.word[1], "log") == 0) return;
    if (position == 2) return offer_all(offer, kKinds);
    if (position == 3 && strcmp(words.word[2], "bitflip") == 0) offer_all(offer, kBitflipWords);
}

const CommandSpec kSpecs[] = {
    {"inject",
     "inject <program> crash|stop|bitflip|corrupt|truncate|drop|delay|starve ... | log [n]",
     "inject faults into a program: crash, stop, flip bits, damage its IPC, starve it",
     "inject <program> crash [count] [seed]: points the program's thread at an unmapped "
     "page; the fault it cannot handle is a crash like any other, which init's supervision "
     "deals with (one injection per request: the program is gone after it).\n"
     "  inject <program> stop [count] [seed]: suspends its thread for 50 ticks (its clients "
     "meet silence meanwhile).\n"
     "  inject <program> bitflip [code|data|stack|any] [count] [seed]: flips one bit of a "
     "byte in its code, data or stack (any unless given: the seed chooses).\n"
     "  inject <program> bitflip at 0x<address> <bit>: flips that bit of that byte (a line "
     "of the log repeated exactly).\n"
     "  inject <program> corrupt|truncate|drop [count] [seed]: its next count messages "
     "arrive with one bit flipped or cut short, or count of its replies are lost (the "
     "caller's call fails as if the program had gone); one line, whose address is count.\n"
     "  inject <program> delay [count] [seed]: its next count replies reach their callers "
     "20 ticks late.\n"
     "  inject <program> starve [count] [seed]: its next count requests for memory "
     "(untyped_retype) are refused as if its quota had run out.\n"
     "  count is 1 to 32 (1 unless given), seed a decimal number (a fresh one unless given). "
     "Each injection done is one line: #<sequence> <kind> <program> seed <seed>: <region> at "
     "0x<address> bit <bit> (generation <g>), with the address flipped or the thread's rip; "
     "the first injection's seed is the request's, so the same command with that seed "
     "repeats the request, and count 1 with a line's region and seed repeats that injection.\n"
     "  inject log [n]: the last n injections (10 unless given, at most 32), oldest first.\n"
     "  The programs are those the injector's manifest entry grants it (console, pager, "
     "memhog); docs/FAULTS.md explains the injector.",
     kFirstWords, Completes::Subcommands, parse_inject, complete_inject},
};

} // namespace

extern const CommandFamily kInjectCommands{kSpecs, 1};

} // namespace rayos::shell
