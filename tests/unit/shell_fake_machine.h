// The shell's host tests' fake system (shell_commands_test.cpp,
// shell_compress_test.cpp, shell_inject_test.cpp): two programs, a pager
// with two clients and a fault injector with three targets kept in memory,
// and helpers that run a line or ask for completions.
#pragma once

#include "completion.h"
#include "interpreter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace shell_test {

using namespace rayos::shell;

struct Screen final : Output {
    std::string bytes;
    void write(const char* data, size_t length) override { bytes.append(data, length); }
};

template <size_t N> void set(char (&out)[N], const char* text) {
    std::strncpy(out, text, N - 1);
}

inline PagerClientRow pager_client(const char* name, uint32_t budget) {
    PagerClientRow r;
    set(r.name, name);
    r.budget = budget;
    return r;
}

// A program the fake injector may inject into: its generation, whether it
// runs, where its code, data and stack are, and where its thread is.
struct FakeTarget {
    std::string name;
    uint32_t generation = 1;
    bool running = true;
    uint64_t ranges[3][2] = {}; // code, data, stack: [start, end)
    uint64_t rip = 0;
};

// A system with two programs, a pager with two clients and an injector
// with three targets; records what the commands asked for. The pager's
// refusals follow servers/pager, the injector's servers/injector.
struct FakeMachine final : Machine {
    std::vector<std::string> calls;
    bool init_answers = true;
    uint32_t console_generation = 1;
    std::string log_text = "one\ntwo\nthree\nfour\n";

    bool pager_answers = true;
    PagerStoreRow pager_store{1048576, 49152, 40000, 12};
    std::vector<PagerClientRow> pager_clients;

    bool injector_answers = true;
    std::vector<FakeTarget> injector_targets;
    std::vector<InjectionRow> injector_log; // everything injected, oldest first
    uint32_t injector_stopped = 0;          // stops not yet resumed (the injector keeps 8)
    uint64_t next_seed = 0x5eed;            // fresh_seed() counts up from here

    FakeMachine() {
        for (const char* name : {"console", "pager", "memhog"}) {
            FakeTarget t;
            t.name = name;
            uint64_t base = 0x400000 + 0x100000 * injector_targets.size();
            t.ranges[0][0] = base;
            t.ranges[0][1] = base + 0x3000;
            t.ranges[1][0] = base + 0x3000;
            t.ranges[1][1] = base + 0x5000;
            t.ranges[2][0] = 0x7fff0000;
            t.ranges[2][1] = 0x7fff4000;
            t.rip = base + 0x123;
            injector_targets.push_back(t);
        }
        PagerClientRow memhog = pager_client("memhog", 16);
        memhog.resident = 16;
        memhog.compressed = 40;
        memhog.same_filled = 6;
        memhog.raw = 2;
        memhog.original_bytes = 48 * 4096; // 196608
        memhog.compressed_bytes = 45000;   // ratio 4.369 -> 4.37
        memhog.page_ins = 1234;
        memhog.page_outs = 1282;
        memhog.page_in_cost = 5120;
        memhog.page_out_cost = 20480;
        memhog.zero_fills = 64;
        memhog.level = PagerLevel::Balanced;
        memhog.policy.eviction = PagerEviction::Clock;
        pager_clients.push_back(memhog);
        PagerClientRow idle = pager_client("idler", 8); // nothing stored yet
        idle.resident = 3;
        idle.zero_fills = 3;
        idle.level = PagerLevel::Best;
        idle.policy = {PagerPolicyKind::Idle, 20, PagerEviction::Lru};
        pager_clients.push_back(idle);
    }

    bool programs(ProgramRow* rows, uint32_t& count, Failure& why) override {
        calls.push_back("programs");
        if (!init_answers) {
            set(why.text, "init did not answer");
            return false;
        }
        rows[0] = ProgramRow{};
        set(rows[0].name, "console");
        set(rows[0].state, "running");
        set(rows[0].thread, "receiving");
        rows[0].generation = console_generation;
        rows[0].clients = 1;
        rows[0].cpu = 12345;
        rows[1] = ProgramRow{};
        set(rows[1].name, "shell");
        set(rows[1].state, "running");
        rows[1].generation = 1;
        set(rows[1].last_fault, "exit code 3");
        count = 2;
        return true;
    }
    bool caps(const char* program, CapRow* rows, uint32_t& count, Failure& why) override {
        calls.push_back(std::string("caps ") + program);
        if (std::strcmp(program, "console") != 0) {
            set(why.text, "no such program");
            return false;
        }
        rows[0] = CapRow{};
        rows[0].slot = 1;
        set(rows[0].type, "Endpoint");
        rows[0].rights = 1;
        set(rows[0].what, "its endpoint");
        count = 1;
        return true;
    }
    bool memory(MemorySummary& summary, MemoryRow* rows, uint32_t& count, Failure&) override {
        calls.push_back("memory");
        summary.ram = 512 << 20;
        summary.used = 4 << 20;
        rows[0] = MemoryRow{};
        set(rows[0].name, "console");
        rows[0].quota = 65536;
        count = 1;
        return true;
    }
    bool restart(const char* program, uint32_t& generation, Failure& why) override {
        calls.push_back(std::string("restart ") + program);
        if (std::strcmp(program, "console") != 0) {
            set(why.text, "no such program");
            return false;
        }
        generation = ++console_generation;
        return true;
    }
    bool kill(const char* program, Failure& why) override {
        calls.push_back(std::string("kill ") + program);
        if (std::strcmp(program, "console") != 0) {
            set(why.text, "no such program");
            return false;
        }
        return true;
    }

    // --- the pager ---------------------------------------------------------

    bool pager_down(Failure& why) {
        if (pager_answers) return false;
        set(why.text, "the pager is not answering (the IPC failed: no such endpoint, missing "
                      "rights, or the server went away)");
        return true;
    }
    PagerClientRow* pager_find(const char* client, Failure& why) {
        for (PagerClientRow& r : pager_clients)
            if (std::strcmp(r.name, client) == 0) return &r;
        set(why.text, "no such client of the pager");
        return nullptr;
    }
    bool pager_status(PagerStoreRow& store, PagerClientRow* rows, uint32_t& count,
                      Failure& why) override {
        calls.push_back("pager status");
        if (pager_down(why)) return false;
        store = pager_store;
        count = uint32_t(pager_clients.size());
        std::copy(pager_clients.begin(), pager_clients.end(), rows);
        return true;
    }
    bool pager_stats(const char* client, PagerClientRow& row, Failure& why) override {
        calls.push_back(std::string("pager stats ") + client);
        if (pager_down(why)) return false;
        if (client[0] == '\0') { // the totals, as the pager adds them up
            row = pager_client("total", 0);
            row.policy.eviction = PagerEviction::Lru;
            for (const PagerClientRow& r : pager_clients) {
                row.resident += r.resident;
                row.compressed += r.compressed;
                row.same_filled += r.same_filled;
                row.raw += r.raw;
                row.original_bytes += r.original_bytes;
                row.compressed_bytes += r.compressed_bytes;
                row.page_ins += r.page_ins;
                row.page_outs += r.page_outs;
                row.zero_fills += r.zero_fills;
                row.refused_faults += r.refused_faults;
                row.budget += r.budget;
            }
            row.page_in_cost = 5000;
            row.page_out_cost = 20000;
            return true;
        }
        PagerClientRow* r = pager_find(client, why);
        if (!r) return false;
        row = *r;
        return true;
    }
    bool pager_set_level(const char* client, PagerLevel level, Failure& why) override {
        calls.push_back(std::string("pager level ") + client + " " + std::to_string(int(level)));
        if (pager_down(why)) return false;
        PagerClientRow* r = pager_find(client, why);
        if (!r) return false;
        r->level = level;
        return true;
    }
    bool pager_set_policy(const char* client, const PagerPolicy& policy, Failure& why) override {
        const char* kinds[] = {"demand", "threshold", "idle"};
        calls.push_back(std::string("pager policy ") + client + " " + kinds[int(policy.kind)] +
                        " " + std::to_string(policy.parameter) + " " +
                        (policy.eviction == PagerEviction::Lru ? "lru" : "clock"));
        if (pager_down(why)) return false;
        PagerClientRow* r = pager_find(client, why);
        if (!r) return false;
        if (policy.kind == PagerPolicyKind::Threshold &&
            (policy.parameter == 0 || policy.parameter >= r->budget)) {
            set(why.text, "the watermark must be 1 .. the budget - 1 free frames");
            return false;
        }
        if (policy.kind == PagerPolicyKind::Idle && policy.parameter == 0) {
            set(why.text, "idle ticks must be at least 1");
            return false;
        }
        r->policy = policy;
        return true;
    }
    bool pager_set_budget(const char* client, uint32_t frames, Failure& why) override {
        calls.push_back(std::string("pager budget ") + client + " " + std::to_string(frames));
        if (pager_down(why)) return false;
        PagerClientRow* r = pager_find(client, why);
        if (!r) return false;
        if (frames == 0 || frames > 64) {
            set(why.text, "a budget is 1 .. 64 frames (rayos::limits::kPagerMaxBudget)");
            return false;
        }
        if (r->policy.kind == PagerPolicyKind::Threshold && r->policy.parameter >= frames) {
            set(why.text, "the budget must stay above the threshold's watermark");
            return false;
        }
        r->budget = frames;
        if (r->resident > frames) r->resident = frames;
        return true;
    }

    // --- the fault injector --------------------------------------------------

    bool injector_down(Failure& why) {
        if (injector_answers) return false;
        set(why.text, "the injector is not answering (the IPC failed: no such endpoint, missing "
                      "rights, or the server went away)");
        return true;
    }
    static std::string request_text(const FaultRequest& r) {
        const char* kinds[] = {"crash",    "stop", "bitflip", "corrupt",
                               "truncate", "drop", "delay",   "starve"};
        const char* regions[] = {"any", "code", "data", "stack"};
        return std::string("inject ") + r.target + " " + kinds[int(r.kind)] + " " +
               regions[int(r.region)] + " " + std::to_string(r.count) + " " +
               std::to_string(r.seed);
    }
    // The injector's splitmix64 finaliser (any mixing would do here).
    static uint64_t mix(uint64_t x) {
        x += 0x9E3779B97F4A7C15ull;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        return x ^ (x >> 31);
    }
    // One injection, as servers/injector does it; false with `why` if it
    // cannot be done.
    bool inject_one(FakeTarget& t, const FaultRequest& request, uint64_t seed, InjectionRow& r,
                    const char*& why) {
        r = InjectionRow{};
        r.sequence = uint32_t(injector_log.size());
        set(r.target, t.name.c_str());
        r.kind = request.kind;
        r.seed = seed;
        r.generation = t.generation;
        switch (request.kind) {
        case FaultKind::Crash:
            r.address = t.rip;
            return true;
        case FaultKind::Stop:
            if (injector_stopped == 8) {
                why = "too many programs are stopped already";
                return false;
            }
            ++injector_stopped;
            r.address = t.rip;
            return true;
        case FaultKind::Bitflip: {
            if (request.address) { // one byte, named
                uint32_t which = 0;
                while (which < 3 && !(request.address >= t.ranges[which][0] &&
                                      request.address < t.ranges[which][1]))
                    ++which;
                if (which == 3) {
                    why = "that address is not in the program's code, data or stack";
                    return false;
                }
                r.region = FaultRegion(which + 1);
                r.address = request.address;
                r.bit = request.bit;
                return true;
            }
            uint64_t random = mix(seed);
            uint32_t which = request.region == FaultRegion::Any ? uint32_t(random % 3)
                                                                : uint32_t(request.region) - 1;
            r.region = FaultRegion(which + 1);
            uint64_t start = t.ranges[which][0], end = t.ranges[which][1];
            if (end <= start) {
                why = "that region of the program is empty";
                return false;
            }
            r.address = start + mix(random) % (end - start);
            r.bit = uint8_t(mix(mix(random)) % 8);
            return true;
        }
        case FaultKind::Corrupt:
        case FaultKind::Truncate:
        case FaultKind::Drop:
        case FaultKind::Delay:
        case FaultKind::Starve:
            r.address = request.count; // the messages armed, in one line
            return true;
        }
        why = "no such fault kind";
        return false;
    }
    bool inject(const FaultRequest& request, InjectionRow* done, uint32_t& count,
                Failure& why) override {
        calls.push_back(request_text(request));
        if (injector_down(why)) return false;
        if (request.count == 0 || request.count > kMaxInjections) {
            set(why.text, "count must be 1 .. 32");
            return false;
        }
        auto t = std::find_if(injector_targets.begin(), injector_targets.end(),
                              [&](const FakeTarget& each) { return each.name == request.target; });
        if (t == injector_targets.end()) {
            set(why.text, "not a program the injector's manifest entry grants it");
            return false;
        }
        if (!t->running) {
            set(why.text, "that program is not running now");
            return false;
        }
        count = 0;
        const char* reason = "";
        for (uint32_t i = 0; i < request.count; ++i) {
            uint64_t seed = i == 0 ? request.seed : mix(request.seed ^ (uint64_t(i) << 32));
            if (!inject_one(*t, request, seed, done[count], reason)) break;
            injector_log.push_back(done[count++]);
            if (request.kind == FaultKind::Crash) { // it restarts as its next generation
                ++t->generation;
                break;
            }
            if (request.kind >= FaultKind::Corrupt) break; // (one request arms them all)
        }
        if (count == 0) {
            set(why.text, reason);
            return false;
        }
        return true;
    }
    bool injection_log(uint32_t last, InjectionRow* rows, uint32_t& count, Failure& why) override {
        calls.push_back("injection log " + std::to_string(last));
        if (injector_down(why)) return false;
        if (last == 0 || last > kMaxInjections) last = kMaxInjections;
        count = std::min(last, uint32_t(injector_log.size()));
        std::copy(injector_log.end() - count, injector_log.end(), rows);
        return true;
    }
    uint64_t fresh_seed() override { return next_seed++; }

    uint64_t ticks() override { return 1234; }
    uint32_t ticks_per_second() override { return 100; }
    size_t recent_log(char* out, size_t capacity) override {
        std::string log = log_text;
        size_t n = log.size() < capacity ? log.size() : capacity;
        std::memcpy(out, log.data(), n);
        return n;
    }
    bool bench_ipc(uint32_t rounds, uint64_t& cycles, Failure&) override {
        calls.push_back("bench " + std::to_string(rounds));
        cycles = 400;
        return true;
    }
    void shutdown(Failure& why) override {
        calls.push_back("shutdown");
        set(why.text, "refused in tests");
    }
};

struct Run {
    bool ok;
    std::string out;
};

inline Run run(FakeMachine& machine, const std::string& line, bool overflowed = false) {
    Screen screen;
    Printer printer(screen);
    bool ok = execute(line.data(), line.size(), overflowed, machine, printer);
    return {ok, screen.bytes};
}

// The single error line a failed command printed.
inline std::string error_of(FakeMachine& machine, const std::string& line) {
    Run r = run(machine, line);
    CHECK_FALSE(r.ok);
    CHECK(r.out.rfind("error: ", 0) == 0);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    return r.out;
}

inline std::vector<std::string> completions(Machine* machine, const std::string& line) {
    CommandCompleter completer(machine);
    std::vector<std::string> offered;
    completer.complete(
        line.data(), line.size(),
        [](void* c, const char* candidate) {
            static_cast<std::vector<std::string>*>(c)->push_back(candidate);
        },
        &offered);
    return offered;
}

} // namespace shell_test
