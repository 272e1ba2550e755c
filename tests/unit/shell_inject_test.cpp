// The shell's inject commands on the host, against the fake injector of
// shell_fake_machine.h: parsing and every usage error, the defaults (count
// 1, a fresh seed), the line per injection a campaign runner parses, the
// log, the injector's refusals and its absence as one error line, and Tab
// completion.
#include "registry.h"
#include "shell_fake_machine.h"

#include <doctest/doctest.h>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

using namespace shell_test;

namespace {

const char* const kUsage = "error: inject: usage: inject <program> "
                           "crash|stop|bitflip|corrupt|truncate|drop|delay|starve ... | log [n]\n";
const char* const kNotATarget =
    "error: inject: not a program the injector's manifest entry grants it\n";
const char* const kDown = "error: inject: the injector is not answering (the IPC failed: no "
                          "such endpoint, missing rights, or the server went away)\n";

// A line as the campaign runner reads it: false unless every field is
// there and the line is nothing more.
struct LineFields {
    unsigned sequence = 0, bit = 0, generation = 0;
    char kind[16] = {}, target[32] = {}, region[16] = {};
    unsigned long long seed = 0, address = 0;
};

bool read_line(const std::string& line, LineFields& f) {
    int end = -1;
    int n = std::sscanf(
        line.c_str(), "#%u %15s %31s seed %llu: %15s at 0x%llx bit %u (generation %u)%n",
        &f.sequence, f.kind, f.target, &f.seed, f.region, &f.address, &f.bit, &f.generation, &end);
    return n == 8 && end == int(line.size());
}

// The line the shell must print for a row (written independently of the
// shell's own formatting).
std::string line_of(const InjectionRow& r) {
    const char* kinds[] = {"crash", "stop", "bitflip", "corrupt", "truncate", "drop"};
    const char* regions[] = {"any", "code", "data", "stack"};
    char text[200];
    std::snprintf(text, sizeof(text),
                  "#%" PRIu32 " %s %s seed %" PRIu64 ": %s at 0x%" PRIx64 " bit %u (generation "
                  "%" PRIu32 ")\n",
                  r.sequence, kinds[int(r.kind)], r.target, r.seed, regions[int(r.region)],
                  r.address, unsigned(r.bit), r.generation);
    return text;
}

std::string lines_of(const std::vector<InjectionRow>& rows, size_t from, size_t to) {
    std::string out;
    for (size_t i = from; i < to; ++i)
        out += line_of(rows[i]);
    return out;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

const FakeTarget& target(const FakeMachine& m, const std::string& name) {
    for (const FakeTarget& t : m.injector_targets)
        if (t.name == name) return t;
    FAIL("no target " << name);
    return m.injector_targets[0];
}

} // namespace

TEST_CASE("inject: in help, with every form") {
    FakeMachine m;
    REQUIRE(find_command("inject") != nullptr);
    Run all = run(m, "help");
    CHECK(all.out.find("\n  inject     inject faults into a program: crash, stop, flip bits, "
                       "damage its IPC, starve it\n") != std::string::npos);
    Run one = run(m, "help inject");
    CHECK(one.ok);
    CHECK(one.out.rfind(
              "usage: inject <program> crash|stop|bitflip|corrupt|truncate|drop|delay|starve ... | "
              "log [n]\n"
              "  inject <program> crash [count] [seed]: ",
              0) == 0);
    for (const char* form :
         {"\n  inject <program> stop [count] [seed]: ",
          "\n  inject <program> bitflip [code|data|stack|any] [count] [seed]: ",
          "\n  inject <program> bitflip at 0x<address> <bit>: ",
          "\n  inject <program> delay [count] [seed]: ",
          "\n  inject <program> starve [count] [seed]: ", "\n  inject log [n]: ", "docs/FAULTS.md"})
        CHECK(one.out.find(form) != std::string::npos);
    CHECK(m.calls.empty());
}

TEST_CASE("inject: wrong arguments get one error line and ask the injector nothing") {
    FakeMachine m;
    // Words missing, or not a fault kind.
    CHECK(error_of(m, "inject") == kUsage);
    CHECK(error_of(m, "inject memhog") == kUsage);
    CHECK(
        error_of(m, "inject memhog frobnicate") ==
        "error: inject: unknown fault kind 'frobnicate' (crash, stop, bitflip, corrupt, truncate, "
        "drop, delay or starve)\n");
    CHECK(error_of(m, "inject memhog CRASH") ==
          "error: inject: unknown fault kind 'CRASH' (crash, "
          "stop, bitflip, corrupt, truncate, drop, delay or starve)\n");
    CHECK(error_of(m, "inject memhog " + std::string(100, 'k')) ==
          "error: inject: unknown fault kind '" + std::string(20, 'k') +
              "' (crash, stop, bitflip, corrupt, truncate, drop, delay or starve)\n");
    CHECK(error_of(m, "inject crash memhog") ==
          "error: inject: unknown fault kind 'memhog' (crash, stop, bitflip, corrupt, truncate, "
          "drop, delay or starve)\n");
    // Counts and seeds.
    const std::string count = "error: inject: count must be a number from 1 to 32\n";
    for (const char* word : {"0", "33", "99", "x", "-1", "1.5", "99999999999999999999"}) {
        CAPTURE(word);
        CHECK(error_of(m, std::string("inject memhog crash ") + word) == count);
        CHECK(error_of(m, std::string("inject memhog stop ") + word + " 7") == count);
        CHECK(error_of(m, std::string("inject memhog bitflip data ") + word) == count);
    }
    CHECK(error_of(m, "inject memhog bitflip data data") == count);
    const std::string seed =
        "error: inject: seed must be a number from 0 to 18446744073709551615\n";
    for (const char* word : {"x", "-1", "0x10", "18446744073709551616", "99999999999999999999"}) {
        CAPTURE(word);
        CHECK(error_of(m, std::string("inject memhog crash 1 ") + word) == seed);
        CHECK(error_of(m, std::string("inject memhog bitflip stack 2 ") + word) == seed);
    }
    // Too many words, for each form.
    CHECK(error_of(m, "inject memhog crash 1 2 3") ==
          "error: inject: usage: inject <program> crash|stop|corrupt|truncate|drop|delay|starve "
          "[count] [seed]\n");
    CHECK(error_of(m, "inject memhog stop 1 2 3") ==
          "error: inject: usage: inject <program> crash|stop|corrupt|truncate|drop|delay|starve "
          "[count] [seed]\n");
    const std::string bitflip =
        "error: inject: usage: inject <program> bitflip [code|data|stack|any] [count] [seed]\n";
    CHECK(error_of(m, "inject memhog bitflip 1 2 3") == bitflip);
    CHECK(error_of(m, "inject memhog bitflip data 1 2 3") == bitflip);
    // A region only for bitflip.
    CHECK(error_of(m, "inject memhog crash data") ==
          "error: inject: crash takes no region (only bitflip does)\n");
    CHECK(error_of(m, "inject memhog stop stack 1 5") ==
          "error: inject: stop takes no region (only bitflip does)\n");
    // The log.
    const std::string n = "error: inject: n must be a number from 1 to 32\n";
    for (const char* word : {"0", "33", "x", "-3"}) {
        CAPTURE(word);
        CHECK(error_of(m, std::string("inject log ") + word) == n);
    }
    CHECK(error_of(m, "inject log 1 2") == "error: inject: usage: inject log [n]\n");
    // A name no program can have.
    CHECK(error_of(m, "inject " + std::string(40, 'p') + " crash") == kNotATarget);
    CHECK(m.calls.empty()); // nothing reached the injector
}

TEST_CASE("inject: count 1 and a fresh seed unless given, the region any unless given") {
    FakeMachine m;
    Run crash = run(m, "inject memhog crash");
    CHECK(crash.ok);
    CHECK(crash.out == "#0 crash memhog seed 24301: any at 0x600123 bit 0 (generation 1)\n");
    Run again = run(m, "inject memhog crash");
    CHECK(again.out == "#1 crash memhog seed 24302: any at 0x600123 bit 0 (generation 2)\n");
    CHECK(run(m, "inject console stop").ok);
    CHECK(run(m, "inject pager bitflip").ok);
    CHECK(run(m, "inject pager bitflip 2").ok);
    CHECK(run(m, "inject pager bitflip code").ok);
    CHECK(run(m, "inject memhog stop 1 0").ok); // seed 0 is a seed
    CHECK(run(m, "inject memhog bitflip any 1 18446744073709551615").ok);
    CHECK(m.calls == std::vector<std::string>{
                         "inject memhog crash any 1 24301", "inject memhog crash any 1 24302",
                         "inject console stop any 1 24303", "inject pager bitflip any 1 24304",
                         "inject pager bitflip any 2 24305", "inject pager bitflip code 1 24306",
                         "inject memhog stop any 1 0",
                         "inject memhog bitflip any 1 18446744073709551615"});
}

TEST_CASE("inject: one line per injection, in the campaign runner's format") {
    FakeMachine m;
    Run flips = run(m, "inject memhog bitflip data 3 42");
    CHECK(flips.ok);
    REQUIRE(m.injector_log.size() == 3);
    CHECK(flips.out == lines_of(m.injector_log, 0, 3));
    const FakeTarget& memhog = target(m, "memhog");
    std::vector<std::string> lines = split(flips.out);
    REQUIRE(lines.size() == 3);
    for (size_t i = 0; i < lines.size(); ++i) {
        CAPTURE(lines[i]);
        LineFields f;
        REQUIRE(read_line(lines[i], f));
        CHECK(f.sequence == i);
        CHECK(std::string(f.kind) == "bitflip");
        CHECK(std::string(f.target) == "memhog");
        CHECK(std::string(f.region) == "data");
        CHECK(f.address >= memhog.ranges[1][0]);
        CHECK(f.address < memhog.ranges[1][1]);
        CHECK(f.bit < 8);
        CHECK(f.generation == 1);
    }
    // The first injection's seed is the request's; the others' differ.
    CHECK(lines[0].find(" seed 42: ") != std::string::npos);
    CHECK(m.injector_log[1].seed != 42);
    CHECK(m.injector_log[2].seed != m.injector_log[1].seed);
    // Any region: the seed chooses one per injection.
    Run any = run(m, "inject memhog bitflip 32 7");
    REQUIRE(m.injector_log.size() == 35);
    CHECK(any.out == lines_of(m.injector_log, 3, 35));
    for (size_t i = 3; i < 35; ++i)
        CHECK(m.injector_log[i].region != FaultRegion::Any);
    // Exactly the row's values, at their extremes; a kind or region off the
    // wire that the shell does not know is "?".
    InjectionRow r;
    r.sequence = 4294967295u;
    set(r.target, "console");
    r.kind = FaultKind::Stop;
    r.seed = 18446744073709551615ull;
    r.region = FaultRegion::Stack;
    r.address = 0xffff800000abcdefull;
    r.bit = 7;
    r.generation = 4000000000u;
    m.injector_log.push_back(r);
    CHECK(run(m, "inject log 1").out == "#4294967295 stop console seed 18446744073709551615: stack "
                                        "at 0xffff800000abcdef bit 7 (generation 4000000000)\n");
    r.kind = FaultKind(9);
    r.region = FaultRegion(200);
    m.injector_log.push_back(r);
    CHECK(run(m, "inject log 1").out == "#4294967295 ? console seed 18446744073709551615: ? at "
                                        "0xffff800000abcdef bit 7 (generation 4000000000)\n");
}

TEST_CASE("inject: a crash is the request's only injection; stops as many as the injector can") {
    FakeMachine m;
    Run crash = run(m, "inject pager crash 5 9");
    CHECK(crash.ok);
    CHECK(crash.out == "#0 crash pager seed 9: any at 0x500123 bit 0 (generation 1)\n");
    CHECK(target(m, "pager").generation == 2);
    // The fake injector keeps 8 stopped at once (as servers/injector): the
    // ones done are printed; none done is its error.
    Run stops = run(m, "inject console stop 10 5");
    CHECK(stops.ok);
    CHECK(split(stops.out).size() == 8);
    CHECK(stops.out == lines_of(m.injector_log, 1, 9));
    CHECK(stops.out.rfind("#1 stop console seed 5: any at 0x400123 bit 0 (generation 1)\n", 0) ==
          0);
    CHECK(error_of(m, "inject console stop") ==
          "error: inject: too many programs are stopped already\n");
}

TEST_CASE("inject: the injector's refusals are one error line with its message") {
    FakeMachine m;
    CHECK(error_of(m, "inject nosuch crash") == kNotATarget);
    CHECK(error_of(m, "inject shell bitflip code 1 3") == kNotATarget);
    m.injector_targets[2].running = false; // memhog, between two generations
    CHECK(error_of(m, "inject memhog crash") == "error: inject: that program is not running now\n");
    m.injector_targets[2].running = true;
    m.injector_targets[2].ranges[1][1] = m.injector_targets[2].ranges[1][0]; // no data
    CHECK(error_of(m, "inject memhog bitflip data") ==
          "error: inject: that region of the program is empty\n");
    CHECK(m.calls.size() == 4);
    CHECK(m.injector_log.empty());
    CHECK(run(m, "inject log").out == "(no injections yet)\n");
}

TEST_CASE("inject: an injector that does not answer is one error line for every command") {
    FakeMachine m;
    m.injector_answers = false;
    for (const char* line : {"inject memhog crash", "inject console stop 1 5",
                             "inject memhog bitflip data 3 42", "inject log", "inject log 5"}) {
        CAPTURE(line);
        CHECK(error_of(m, line) == kDown);
    }
    CHECK(m.calls.size() == 5);
    m.injector_answers = true; // back again
    CHECK(run(m, "inject memhog bitflip stack 1 1").ok);
    CHECK(run(m, "inject log").out == lines_of(m.injector_log, 0, 1));
}

TEST_CASE("inject log: the last n, oldest first") {
    FakeMachine m;
    Run empty = run(m, "inject log");
    CHECK(empty.ok);
    CHECK(empty.out == "(no injections yet)\n");
    CHECK(run(m, "inject memhog bitflip 32 1").ok);
    CHECK(run(m, "inject pager bitflip code 8 2").ok);
    REQUIRE(m.injector_log.size() == 40);
    Run last10 = run(m, "inject log");
    CHECK(last10.ok);
    CHECK(last10.out == lines_of(m.injector_log, 30, 40));
    CHECK(run(m, "inject log 3").out == lines_of(m.injector_log, 37, 40));
    CHECK(run(m, "inject log 32").out == lines_of(m.injector_log, 8, 40));
    CHECK(run(m, "inject log 1").out.rfind("#39 bitflip pager seed ", 0) == 0);
    CHECK(m.calls == std::vector<std::string>{"injection log 10", "inject memhog bitflip any 32 1",
                                              "inject pager bitflip code 8 2", "injection log 10",
                                              "injection log 3", "injection log 32",
                                              "injection log 1"});
}

TEST_CASE("completion: inject's programs and log, fault kinds, regions and at") {
    FakeMachine m;
    const std::vector<std::string> first{"log", "console", "pager", "memhog"};
    const std::vector<std::string> kinds{"crash",    "stop", "bitflip", "corrupt",
                                         "truncate", "drop", "delay",   "starve"};
    const std::vector<std::string> regions{"any", "code", "data", "stack", "at"};
    auto r = completions(&m, "inj");
    CHECK(std::find(r.begin(), r.end(), "inject") != r.end());
    CHECK(completions(&m, "inject ") == first);
    CHECK(completions(&m, "inject me") == first); // (the editor keeps the matches)
    CHECK(completions(&m, "inject memhog ") == kinds);
    CHECK(completions(&m, "inject console s") == kinds);
    CHECK(completions(&m, "inject memhog bitflip ") == regions);
    CHECK(completions(&m, "inject memhog bitflip d") == regions);
    CHECK(completions(&m, "inject memhog crash ").empty()); // a count
    CHECK(completions(&m, "inject memhog stop ").empty());
    CHECK(completions(&m, "inject memhog bitflip data ").empty());
    CHECK(completions(&m, "inject memhog bitflip data 1 ").empty());
    CHECK(completions(&m, "inject log ").empty());
    CHECK(completions(&m, "inject log 3 ").empty());
    CHECK(completions(nullptr, "inject memhog bitflip ") == regions);
    CHECK(m.calls.empty()); // the injector is not asked
}

TEST_CASE("inject: armed faults (IPC, delay, starve) arm the next ones in one request, one line") {
    FakeMachine m;
    for (const char* kind : {"corrupt", "truncate", "drop", "delay", "starve"}) {
        auto r = run(m, std::string("inject console ") + kind + " 5 9");
        CHECK(r.out.find(std::string(" ") + kind + " console seed 9: any at 0x5 bit 0") !=
              std::string::npos);
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
    CHECK(error_of(m, "inject console corrupt data 1 2") ==
          "error: inject: corrupt takes no region (only bitflip does)\n");
}

TEST_CASE("inject: bitflip at flips one named bit") {
    FakeMachine m;
    const FakeTarget& memhog = target(m, "memhog");
    uint64_t byte = memhog.ranges[1][0] + 5; // in its data
    char line[80];
    snprintf(line, sizeof line, "inject memhog bitflip at 0x%lx 6", (unsigned long)byte);
    Run at = run(m, line);
    CHECK(at.ok);
    char expected[120];
    snprintf(expected, sizeof expected, "data at 0x%lx bit 6 (generation 1)\n",
             (unsigned long)byte);
    CHECK(at.out.find(expected) != std::string::npos);
    CHECK(m.injector_log.back().address == byte);
    CHECK(m.injector_log.back().bit == 6);
    const std::string at_usage = "error: inject: usage: inject <program> bitflip at 0x<address> "
                                 "<bit>\n";
    CHECK(error_of(m, "inject memhog bitflip at") == at_usage);
    CHECK(error_of(m, "inject memhog bitflip at 0x1000") == at_usage);
    CHECK(error_of(m, "inject memhog bitflip at 0x1000 1 2") == at_usage);
    const std::string address =
        "error: inject: address must be a hexadecimal number such as 0x401a2c\n";
    for (const char* word : {"4096", "0x", "0x0", "0xg1", "0x12345678901234567"})
        CHECK(error_of(m, std::string("inject memhog bitflip at ") + word + " 1") == address);
    for (const char* word : {"8", "-1", "01", "x"})
        CHECK(error_of(m, std::string("inject memhog bitflip at 0x1000 ") + word) ==
              "error: inject: bit must be 0 to 7\n");
    size_t calls = m.calls.size();
    CHECK(error_of(m, "inject memhog bitflip at 0x10 1") ==
          "error: inject: that address is not in the program's code, data or stack\n");
    CHECK(m.calls.size() == calls + 1); // (the injector's refusal)
    CHECK(error_of(m, "inject memhog delay data") ==
          "error: inject: delay takes no region (only bitflip does)\n");
}
