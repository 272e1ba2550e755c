// The shell's command layer on the host: splitting lines, parsing every
// command into its typed object (and refusing bad arguments with one error
// line), running them against a fake Machine, and Tab completion.
// (compress, the pager's commands: shell_compress_test.cpp.)
#include "registry.h"
#include "shell_fake_machine.h"
#include "words.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace shell_test;

TEST_CASE("words: split on spaces and tabs") {
    Words w;
    REQUIRE(split_words("  restart \t console  ", 21, w) == SplitError::Ok);
    CHECK(w.count == 2);
    CHECK(w.is(0, "restart"));
    CHECK(w.is(1, "console"));
    CHECK_FALSE(w.is(2, "x"));
    REQUIRE(split_words("", 0, w) == SplitError::Ok);
    CHECK(w.count == 0);
}

TEST_CASE("words: refuse control characters, binary bytes, too many words, long lines") {
    Words w;
    CHECK(split_words("ps\x01", 3, w) == SplitError::ControlCharacter);
    CHECK(split_words("ps \xff", 4, w) == SplitError::ControlCharacter);
    CHECK(split_words("ps\0x", 4, w) == SplitError::ControlCharacter);
    std::string many;
    for (int i = 0; i < 17; ++i)
        many += "a ";
    CHECK(split_words(many.data(), many.size(), w) == SplitError::TooManyWords);
    std::string exactly(16 * 2 - 1, 'a');
    for (size_t i = 1; i < exactly.size(); i += 2)
        exactly[i] = ' ';
    CHECK(split_words(exactly.data(), exactly.size(), w) == SplitError::Ok);
    CHECK(w.count == 16);
    std::string longest(255, 'x'), too_long(256, 'x');
    CHECK(split_words(longest.data(), longest.size(), w) == SplitError::Ok);
    CHECK(split_words(too_long.data(), too_long.size(), w) == SplitError::TooLong);
}

TEST_CASE("every command has a spec with usage, summary, description and a parser") {
    int count = 0;
    for_each_command(
        [](const CommandSpec& spec, void* c) {
            ++*static_cast<int*>(c);
            CHECK(spec.name[0] != '\0');
            CHECK(std::strncmp(spec.usage, spec.name, std::strlen(spec.name)) == 0);
            CHECK(spec.summary[0] != '\0');
            CHECK(spec.description[0] != '\0');
            CHECK(static_cast<bool>(spec.parse));
            CHECK(find_command(spec.name) == &spec);
        },
        &count);
    CHECK(count == 13);
    CHECK(find_command("nosuch") == nullptr);
}

TEST_CASE("help lists every command and explains one") {
    FakeMachine m;
    Run all = run(m, "help");
    CHECK(all.ok);
    for (const char* name : {"help", "ps", "caps", "mem", "servers", "restart", "kill", "compress",
                             "inject", "uptime", "log", "bench", "shutdown"})
        CHECK(all.out.find(std::string("\n  ") + name + " ") != std::string::npos);
    Run one = run(m, "help restart");
    CHECK(one.ok);
    CHECK(one.out.rfind("usage: restart <program>\n", 0) == 0);
    CHECK(error_of(m, "help nosuch") == "error: help: no command 'nosuch'\n");
    CHECK(error_of(m, "help ps mem") == "error: help: usage: help [command]\n");
}

TEST_CASE("unknown commands and bad lines get one error line and run nothing") {
    FakeMachine m;
    CHECK(error_of(m, "frobnicate") == "error: unknown command 'frobnicate' (type 'help')\n");
    CHECK(error_of(m, "ps\x07") ==
          "error: the line contains control characters or non-ASCII bytes\n");
    CHECK(error_of(m, std::string(300, 'p')) == "error: line too long (at most 255 characters)\n");
    Run overflowed = run(m, "ps", true);
    CHECK_FALSE(overflowed.ok);
    CHECK(overflowed.out == "error: line too long (at most 255 characters)\n");
    CHECK(m.calls.empty());
    Run empty = run(m, "   ");
    CHECK(empty.ok);
    CHECK(empty.out.empty());
}

TEST_CASE("wrong arguments: usage errors for every command") {
    FakeMachine m;
    CHECK(error_of(m, "ps x") == "error: ps: usage: ps\n");
    CHECK(error_of(m, "servers x") == "error: servers: usage: servers\n");
    CHECK(error_of(m, "caps") == "error: caps: usage: caps <program>\n");
    CHECK(error_of(m, "caps a b") == "error: caps: usage: caps <program>\n");
    CHECK(error_of(m, "mem all") == "error: mem: usage: mem\n");
    CHECK(error_of(m, "restart") == "error: restart: usage: restart <program>\n");
    CHECK(error_of(m, "kill a b") == "error: kill: usage: kill <program>\n");
    CHECK(error_of(m, "uptime now") == "error: uptime: usage: uptime\n");
    CHECK(error_of(m, "log 1 2") == "error: log: usage: log [lines]\n");
    CHECK(error_of(m, "log x") == "error: log: lines must be a number from 1 to 1000\n");
    CHECK(error_of(m, "log 0") == "error: log: lines must be a number from 1 to 1000\n");
    CHECK(error_of(m, "log 1001") == "error: log: lines must be a number from 1 to 1000\n");
    CHECK(error_of(m, "bench") == "error: bench: usage: bench ipc [rounds]\n");
    CHECK(error_of(m, "bench disk") == "error: bench: usage: bench ipc [rounds]\n");
    CHECK(error_of(m, "bench ipc -5") ==
          "error: bench: rounds must be a number from 1 to 1000000\n");
    CHECK(error_of(m, "bench ipc 99999999999999999999") ==
          "error: bench: rounds must be a number from 1 to 1000000\n");
    CHECK(error_of(m, "shutdown now") == "error: shutdown: usage: shutdown\n");
    CHECK(error_of(m, "restart " + std::string(40, 'n')) == "error: restart: no such program\n");
    CHECK(m.calls.empty()); // nothing ran
}

TEST_CASE("ps and servers show the supervisor's rows") {
    FakeMachine m;
    Run ps = run(m, "ps");
    CHECK(ps.ok);
    CHECK(ps.out.rfind("NAME", 0) == 0);
    CHECK(ps.out.find("STATE") != std::string::npos);
    CHECK(ps.out.find("THREAD") != std::string::npos);
    CHECK(ps.out.find("console      running    receiving     1") != std::string::npos);
    CHECK(ps.out.find("shell        running    -             1") != std::string::npos);
    CHECK(ps.out.find("12345") != std::string::npos);
    CHECK(ps.out.find("exit code 3") != std::string::npos);
    Run servers = run(m, "servers");
    CHECK(servers.ok);
    CHECK(servers.out.find("GENERATION") != std::string::npos);
    CHECK(servers.out.find("console               1  running          1  serving") !=
          std::string::npos);
    CHECK(servers.out.find("shell") == std::string::npos); // nobody uses the shell
    m.init_answers = false;
    CHECK(error_of(m, "ps") == "error: ps: init did not answer\n");
}

TEST_CASE("caps, mem, restart, kill call the machine with the typed argument") {
    FakeMachine m;
    Run caps = run(m, "caps console");
    CHECK(caps.ok);
    CHECK(caps.out.find("   1  Endpoint     R---") != std::string::npos);
    CHECK(caps.out.find("1 capabilities") != std::string::npos);
    CHECK(error_of(m, "caps nosuch") == "error: caps: no such program\n");
    Run mem = run(m, "mem");
    CHECK(mem.ok);
    CHECK(mem.out.rfind("RAM: 524288 KiB, 4096 KiB made into objects", 0) == 0);
    Run restart = run(m, "restart console");
    CHECK(restart.ok);
    CHECK(restart.out == "restarted 'console' (generation 2)\n");
    CHECK(error_of(m, "restart nosuch") == "error: restart: no such program\n");
    Run kill = run(m, "kill console");
    CHECK(kill.ok);
    CHECK(kill.out == "killed 'console'; init restarts it per its policy\n");
    CHECK(m.calls == std::vector<std::string>{"caps console", "caps nosuch", "memory",
                                              "restart console", "restart nosuch", "kill console"});
}

TEST_CASE("uptime, log, bench, shutdown") {
    FakeMachine m;
    CHECK(run(m, "uptime").out == "up 12.34 s (1234 ticks)\n");
    CHECK(run(m, "log").out == "one\ntwo\nthree\nfour\n");
    CHECK(run(m, "log 2").out == "three\nfour\n");
    m.log_text = "plain\n\x1b[2Jcleared\x07\xff\tok\n";
    CHECK(run(m, "log").out == "plain\n?[2Jcleared??\tok\n"); // no escapes reach the terminal
    Run bench = run(m, "bench ipc 50");
    CHECK(bench.ok);
    CHECK(bench.out == "ipc round trip: 400 cycles (average of 50 calls)\n");
    CHECK(run(m, "bench ipc").out.find("average of 1000 calls") != std::string::npos);
    Run off = run(m, "shutdown");
    CHECK_FALSE(off.ok);
    CHECK(off.out == "powering off\nerror: shutdown: refused in tests\n");
}

TEST_CASE("completion: commands, sub-commands, programs, help topics") {
    FakeMachine m;
    CHECK(completions(&m, "").size() == 13);
    auto r = completions(&m, "re");
    CHECK(std::find(r.begin(), r.end(), "restart") != r.end());
    CHECK(completions(&m, "bench ") == std::vector<std::string>{"ipc"});
    CHECK(completions(&m, "bench i") == std::vector<std::string>{"ipc"});
    CHECK(completions(&m, "kill ") == std::vector<std::string>{"console", "shell"});
    CHECK(completions(&m, "help ").size() == 13);
    CHECK(completions(&m, "uptime ").empty());
    CHECK(completions(&m, "bench ipc ").empty());
    CHECK(completions(&m, "nosuch ").empty());
    CHECK(completions(nullptr, "caps ").empty()); // no machine: no program names
    CHECK(completions(&m, "ps\x01").empty());
}
