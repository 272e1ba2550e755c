// The shell's host tests' fake system (shell_commands_test.cpp,
// shell_compress_test.cpp): two programs, a pager with two clients kept in
// memory, and helpers that run a line or ask for completions.
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

// A system with two programs and a pager with two clients; records what
// the commands asked for. The pager's refusals follow servers/pager.
struct FakeMachine final : Machine {
    std::vector<std::string> calls;
    bool init_answers = true;
    uint32_t console_generation = 1;
    std::string log_text = "one\ntwo\nthree\nfour\n";

    bool pager_answers = true;
    PagerStoreRow pager_store{1048576, 49152, 40000, 12};
    std::vector<PagerClientRow> pager_clients;

    FakeMachine() {
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
