// The shell's compress commands on the host, against the fake pager of
// shell_fake_machine.h: parsing and every usage error, the output of
// status and stats, the settings reaching the pager typed, the pager's
// refusals and its absence as one error line, and Tab completion.
#include "registry.h"
#include "shell_fake_machine.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace shell_test;

namespace {

const char* const kStatusHeader =
    "CLIENT       RES/BUDGET  COMPR  SAME  RAW  ORIG KiB STORED KiB  RATIO  PAGE-INS PAGE-OUTS  "
    "LEVEL     POLICY       EVICTION\n";

const char* const kMemhogStats = "client             memhog\n"
                                 "resident pages     16\n"
                                 "compressed pages   40\n"
                                 "same-filled pages  6\n"
                                 "raw pages          2\n"
                                 "original bytes     196608 (192 KiB)\n"
                                 "compressed bytes   45000 (43 KiB)\n"
                                 "ratio              4.37\n"
                                 "memory saved       151608 bytes (148 KiB)\n"
                                 "page-ins           1234 (5120 instructions each on average)\n"
                                 "page-outs          1282 (20480 instructions each on average)\n"
                                 "zero fills         64\n"
                                 "refused faults     0\n"
                                 "level              balanced\n"
                                 "policy             demand (pages go out when a fault needs a "
                                 "frame), eviction clock\n"
                                 "budget             16 frames\n";

// The value of the "key   value" line of `compress stats` output.
std::string stat(const std::string& output, const std::string& key) {
    size_t at = output.find("\n" + key + " ");
    if (output.rfind(key + " ", 0) == 0)
        at = 0;
    else if (at == std::string::npos)
        return "<no " + key + ">";
    else
        ++at;
    size_t value = output.find_first_not_of(' ', at + key.size());
    return output.substr(value, output.find('\n', value) - value);
}

} // namespace

TEST_CASE("compress: in help, with a usage per sub-command") {
    FakeMachine m;
    const CommandSpec* spec = find_command("compress");
    REQUIRE(spec != nullptr);
    Run all = run(m, "help");
    CHECK(all.out.find("\n  compress   the compression pager: its clients, statistics and "
                       "settings\n") != std::string::npos);
    Run one = run(m, "help compress");
    CHECK(one.ok);
    CHECK(one.out.rfind("usage: compress status|stats|level|policy|budget ...\n"
                        "  compress status: ",
                        0) == 0);
    for (const char* form :
         {"\n  compress stats [client]: ", "\n  compress level <client> none|fast|balanced|best: ",
          "\n  compress policy <client> threshold <free-frames>|idle <ticks>|demand "
          "[lru|clock]: ",
          "\n  compress budget <client> <frames>: "})
        CHECK(one.out.find(form) != std::string::npos);
    CHECK(m.calls.empty());
}

TEST_CASE("compress: wrong arguments get one error line and ask the pager nothing") {
    FakeMachine m;
    const std::string usage = "error: compress: usage: compress ";
    // The sub-command.
    CHECK(error_of(m, "compress") == usage + "status|stats|level|policy|budget ...\n");
    CHECK(error_of(m, "compress frobnicate") == usage + "status|stats|level|policy|budget ...\n");
    CHECK(error_of(m, "compress STATUS") == usage + "status|stats|level|policy|budget ...\n");
    // Words missing or too many.
    CHECK(error_of(m, "compress status memhog") == usage + "status\n");
    CHECK(error_of(m, "compress stats memhog idler") == usage + "stats [client]\n");
    CHECK(error_of(m, "compress level") == usage + "level <client> none|fast|balanced|best\n");
    CHECK(error_of(m, "compress level memhog") ==
          usage + "level <client> none|fast|balanced|best\n");
    CHECK(error_of(m, "compress level memhog fast now") ==
          usage + "level <client> none|fast|balanced|best\n");
    const std::string policy_usage =
        usage + "policy <client> threshold <free-frames>|idle <ticks>|demand [lru|clock]\n";
    for (const char* line :
         {"compress policy", "compress policy memhog", "compress policy memhog threshold",
          "compress policy memhog idle", "compress policy memhog demand lru now",
          "compress policy memhog threshold 4 lru now", "compress policy memhog idle 20 lru 1"})
        CHECK(error_of(m, line) == policy_usage);
    CHECK(error_of(m, "compress budget") == usage + "budget <client> <frames>\n");
    CHECK(error_of(m, "compress budget memhog") == usage + "budget <client> <frames>\n");
    CHECK(error_of(m, "compress budget memhog 24 frames") == usage + "budget <client> <frames>\n");
    // Words that are not what they should be.
    CHECK(error_of(m, "compress level memhog ultra") ==
          "error: compress: unknown level 'ultra' (none, fast, balanced or best)\n");
    CHECK(error_of(m, "compress level memhog FAST") ==
          "error: compress: unknown level 'FAST' (none, fast, balanced or best)\n");
    CHECK(error_of(m, "compress level memhog " + std::string(100, 'u')) ==
          "error: compress: unknown level '" + std::string(20, 'u') +
              "' (none, fast, balanced or best)\n");
    CHECK(error_of(m, "compress policy memhog sometimes") ==
          "error: compress: unknown policy 'sometimes' (threshold, idle or demand)\n");
    CHECK(error_of(m, "compress policy memhog demand fifo") ==
          "error: compress: unknown eviction order 'fifo' (lru or clock)\n");
    CHECK(error_of(m, "compress policy memhog idle 20 LRU") ==
          "error: compress: unknown eviction order 'LRU' (lru or clock)\n");
    CHECK(error_of(m, "compress policy memhog demand 4") ==
          "error: compress: unknown eviction order '4' (lru or clock)\n");
    for (const char* number : {"0", "x", "-4", "4.5", "1000001", "99999999999999999999"}) {
        CAPTURE(number);
        CHECK(error_of(m, std::string("compress policy memhog threshold ") + number) ==
              "error: compress: free frames must be a number from 1 to 1000000\n");
        CHECK(error_of(m, std::string("compress policy memhog idle ") + number + " lru") ==
              "error: compress: ticks must be a number from 1 to 1000000\n");
        CHECK(error_of(m, std::string("compress budget memhog ") + number) ==
              "error: compress: frames must be a number from 1 to 1000000\n");
    }
    // A client name no client can have.
    const std::string long_name(40, 'n');
    CHECK(error_of(m, "compress stats " + long_name) ==
          "error: compress: no such client of the pager\n");
    CHECK(error_of(m, "compress level " + long_name + " fast") ==
          "error: compress: no such client of the pager\n");
    CHECK(error_of(m, "compress policy " + long_name + " demand") ==
          "error: compress: no such client of the pager\n");
    CHECK(error_of(m, "compress budget " + long_name + " 8") ==
          "error: compress: no such client of the pager\n");
    CHECK(m.calls.empty()); // nothing reached the pager
}

TEST_CASE("compress status: a row per client, then the store") {
    FakeMachine m;
    Run status = run(m, "compress status");
    CHECK(status.ok);
    CHECK(
        status.out ==
        std::string(kStatusHeader) +
            "memhog            16/16     40     6    2       192         43   4.37      1234      "
            "1282  balanced  demand       clock\n"
            "idler               3/8      0     0    0         0          0      -         0    "
            "     0  best      idle:20      lru\n"
            "store: capacity 1024 KiB, used 48 KiB, stored 39 KiB, fragmentation 12%\n");
    CHECK(m.calls == std::vector<std::string>{"pager status"});
    // A threshold policy; a ratio that rounds up to the next whole number.
    m.pager_clients[0].policy = {PagerPolicyKind::Threshold, 4, PagerEviction::Lru};
    m.pager_clients[0].original_bytes = 1999;
    m.pager_clients[0].compressed_bytes = 1000;
    m.pager_clients[0].level = PagerLevel::None;
    Run again = run(m, "compress status");
    CHECK(again.out.find(
              "\nmemhog            16/16     40     6    2         1          0   2.00 ") !=
          std::string::npos);
    CHECK(again.out.find("  none      threshold:4  lru\n") != std::string::npos);
    // No clients: the header and the store.
    m.pager_clients.clear();
    m.pager_store = PagerStoreRow{};
    CHECK(run(m, "compress status").out ==
          std::string(kStatusHeader) +
              "store: capacity 0 KiB, used 0 KiB, stored 0 KiB, fragmentation 0%\n");
}

TEST_CASE("compress status: the ratio has two decimals, rounded") {
    FakeMachine m;
    auto ratio = [&m](uint64_t original, uint64_t compressed) {
        m.pager_clients[0].original_bytes = original;
        m.pager_clients[0].compressed_bytes = compressed;
        return stat(run(m, "compress stats memhog").out, "ratio");
    };
    CHECK(ratio(4096, 4096) == "1.00");
    CHECK(ratio(10000, 3000) == "3.33");
    CHECK(ratio(20000, 3000) == "6.67");
    CHECK(ratio(1999, 1000) == "2.00");
    CHECK(ratio(1004, 1000) == "1.00");
    CHECK(ratio(1005, 1000) == "1.01");
    CHECK(ratio(4096, 1) == "4096.00");
    CHECK(ratio(0, 0) == "-");
    CHECK(ratio(8192, 0) == "-"); // only same-filled pages: nothing stored
    CHECK(stat(run(m, "compress stats memhog").out, "memory saved") == "8192 bytes (8 KiB)");
    m.pager_clients[0].original_bytes = 4096; // (a raw page can't cost more, but if it did)
    m.pager_clients[0].compressed_bytes = 5000;
    CHECK(stat(run(m, "compress stats memhog").out, "memory saved") == "0 bytes (0 KiB)");
}

TEST_CASE("compress stats: one client, or the totals") {
    FakeMachine m;
    Run memhog = run(m, "compress stats memhog");
    CHECK(memhog.ok);
    CHECK(memhog.out == kMemhogStats);
    Run idler = run(m, "compress stats idler");
    CHECK(idler.ok);
    CHECK(stat(idler.out, "client") == "idler");
    CHECK(stat(idler.out, "ratio") == "-");
    CHECK(stat(idler.out, "page-ins") == "0"); // no average of nothing
    CHECK(stat(idler.out, "page-outs") == "0");
    CHECK(stat(idler.out, "level") == "best");
    CHECK(stat(idler.out, "policy") == "idle 20 (pages unused for 20 ticks go out), eviction lru");
    Run totals = run(m, "compress stats");
    CHECK(totals.ok);
    CHECK(stat(totals.out, "client") == "total (all clients)");
    CHECK(stat(totals.out, "resident pages") == "19");
    CHECK(stat(totals.out, "zero fills") == "67");
    CHECK(stat(totals.out, "page-ins") == "1234 (5000 instructions each on average)");
    CHECK(stat(totals.out, "budget") == "24 frames (all clients)");
    // The totals have no level or policy of their own.
    CHECK(totals.out.find("\nlevel ") == std::string::npos);
    CHECK(totals.out.find("\npolicy ") == std::string::npos);
    CHECK(error_of(m, "compress stats nosuch") == "error: compress: no such client of the pager\n");
    CHECK(m.calls == std::vector<std::string>{"pager stats memhog", "pager stats idler",
                                              "pager stats ", "pager stats nosuch"});
}

TEST_CASE("compress level, policy, budget: typed to the pager, confirmed in one line") {
    FakeMachine m;
    for (const char* level : {"none", "fast", "balanced", "best"}) {
        Run r = run(m, std::string("compress level memhog ") + level);
        CHECK(r.ok);
        CHECK(r.out == std::string("memhog: level ") + level + "\n");
        CHECK(stat(run(m, "compress stats memhog").out, "level") == level);
    }
    CHECK(run(m, "compress level memhog fast").ok);
    CHECK(stat(run(m, "compress stats memhog").out, "level") == "fast");

    Run threshold = run(m, "compress policy memhog threshold 4");
    CHECK(threshold.ok);
    CHECK(threshold.out == "memhog: policy threshold 4 (keeps 4 frames free), eviction clock\n");
    CHECK(stat(run(m, "compress stats memhog").out, "policy") ==
          "threshold 4 (keeps 4 frames free), eviction clock");
    Run idle = run(m, "compress policy memhog idle 20 lru");
    CHECK(idle.out == "memhog: policy idle 20 (pages unused for 20 ticks go out), eviction lru\n");
    CHECK(run(m, "compress status").out.find("  idle:20      lru\n") != std::string::npos);
    CHECK(run(m, "compress policy memhog demand").out ==
          "memhog: policy demand (pages go out when a fault needs a frame), eviction clock\n");
    CHECK(run(m, "compress policy memhog demand lru").ok);
    CHECK(run(m, "compress policy memhog threshold 15 clock").ok);

    Run budget = run(m, "compress budget memhog 24");
    CHECK(budget.ok);
    CHECK(budget.out == "memhog: budget 24 frames\n");
    CHECK(stat(run(m, "compress stats memhog").out, "budget") == "24 frames");
    CHECK(run(m, "compress status").out.find("\nmemhog            16/24 ") != std::string::npos);

    std::vector<std::string> set_calls;
    for (const std::string& call : m.calls)
        if (call.rfind("pager stats", 0) != 0 && call != "pager status") set_calls.push_back(call);
    CHECK(set_calls == std::vector<std::string>{
                           "pager level memhog 0", "pager level memhog 1", "pager level memhog 2",
                           "pager level memhog 3", "pager level memhog 1",
                           "pager policy memhog threshold 4 clock",
                           "pager policy memhog idle 20 lru", "pager policy memhog demand 0 clock",
                           "pager policy memhog demand 0 lru",
                           "pager policy memhog threshold 15 clock", "pager budget memhog 24"});
}

TEST_CASE("compress: the pager's refusals are one error line with its message") {
    FakeMachine m;
    const std::string not_found = "error: compress: no such client of the pager\n";
    CHECK(error_of(m, "compress level nosuch fast") == not_found);
    CHECK(error_of(m, "compress policy nosuch demand") == not_found);
    CHECK(error_of(m, "compress budget nosuch 8") == not_found);
    CHECK(error_of(m, "compress policy memhog threshold 99") ==
          "error: compress: the watermark must be 1 .. the budget - 1 free frames\n");
    CHECK(error_of(m, "compress policy memhog threshold 16") ==
          "error: compress: the watermark must be 1 .. the budget - 1 free frames\n");
    CHECK(error_of(m, "compress budget memhog 1000") ==
          "error: compress: a budget is 1 .. 64 frames (rayos::limits::kPagerMaxBudget)\n");
    CHECK(run(m, "compress policy memhog threshold 8").ok);
    CHECK(error_of(m, "compress budget memhog 8") ==
          "error: compress: the budget must stay above the threshold's watermark\n");
    // Nothing changed by the refusals.
    Run stats = run(m, "compress stats memhog");
    CHECK(stat(stats.out, "budget") == "16 frames");
    CHECK(stat(stats.out, "policy") == "threshold 8 (keeps 8 frames free), eviction clock");
}

TEST_CASE("compress: a pager that does not answer is one error line for every command") {
    FakeMachine m;
    m.pager_answers = false;
    const std::string down = "error: compress: the pager is not answering (the IPC failed: no such "
                             "endpoint, missing rights, or the server went away)\n";
    for (const char* line : {"compress status", "compress stats", "compress stats memhog",
                             "compress level memhog fast", "compress policy memhog idle 20 lru",
                             "compress budget memhog 24"}) {
        CAPTURE(line);
        CHECK(error_of(m, line) == down);
    }
    CHECK(m.calls.size() == 6);
    // Back again: it answers.
    m.pager_answers = true;
    CHECK(run(m, "compress stats memhog").out == kMemhogStats);
}

TEST_CASE("completion: compress sub-commands, clients, levels, policies, eviction orders") {
    FakeMachine m;
    const std::vector<std::string> subcommands{"status", "stats", "level", "policy", "budget"};
    const std::vector<std::string> clients{"memhog", "idler"};
    const std::vector<std::string> evictions{"lru", "clock"};
    auto r = completions(&m, "comp");
    CHECK(std::find(r.begin(), r.end(), "compress") != r.end());
    CHECK(completions(&m, "compress ") == subcommands);
    CHECK(completions(&m, "compress st") == subcommands); // (the editor keeps the matches)
    CHECK(completions(&m, "compress stats ") == clients);
    CHECK(completions(&m, "compress level ") == clients);
    CHECK(completions(&m, "compress policy me") == clients);
    CHECK(completions(&m, "compress budget ") == clients);
    CHECK(completions(&m, "compress status ").empty());
    CHECK(completions(&m, "compress nosuch ").empty());
    CHECK(completions(&m, "compress level memhog ") ==
          std::vector<std::string>{"none", "fast", "balanced", "best"});
    CHECK(completions(&m, "compress level memhog fast ").empty());
    CHECK(completions(&m, "compress policy memhog ") ==
          std::vector<std::string>{"demand", "threshold", "idle"});
    CHECK(completions(&m, "compress policy memhog demand ") == evictions);
    CHECK(completions(&m, "compress policy memhog threshold ").empty()); // a number
    CHECK(completions(&m, "compress policy memhog threshold 4 ") == evictions);
    CHECK(completions(&m, "compress policy memhog idle 20 c") == evictions);
    CHECK(completions(&m, "compress policy memhog idle 20 lru ").empty());
    CHECK(completions(&m, "compress policy memhog nosuch 4 ").empty());
    CHECK(completions(&m, "compress budget memhog ").empty());
    CHECK(completions(&m, "compress stats memhog ").empty());
    // Client names only from a pager that answers.
    m.pager_answers = false;
    CHECK(completions(&m, "compress level ").empty());
    CHECK(completions(nullptr, "compress level ").empty());
    CHECK(completions(nullptr, "compress level memhog ").size() == 4);
}
