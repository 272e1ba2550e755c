#!/usr/bin/python3
"""The shell tests: each one types into the serial console of a booted RayOS
(init, the console server, the shell, the compression pager and its client
memhog, the fault injector: init/system.manifest.txt) and checks the replies.

    test_shell.py [--build build/debug] [--verbose] [PATTERN ...]

CHECKS run in order and share one booted system (shell_suite.py). Each
session check leaves the shell at a prompt, except the last, which powers
the machine off; checks that read a generation compare with what they saw
first, so any subset runs on its own. The script checks run
``run_interactive.py --script`` in a VM of their own.

tests/run_tests.py runs them as the suite ``shell`` (names ``shell.<check>``);
run alone, this prints one PASS/FAIL line per check and a summary.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import qemu  # noqa: E402
import injections  # noqa: E402
from console_session import BANNER, Reply  # noqa: E402
from injections import Injection  # noqa: E402
from shell_suite import Check, CheckFailed, Context, ensure, run_checks  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
RUN_INTERACTIVE = REPO / "tests" / "harness" / "run_interactive.py"

COMMANDS = ("help", "ps", "caps", "mem", "servers", "restart", "kill", "compress", "inject",
            "uptime", "log", "bench", "shutdown")
# The programs in init's system manifest.
PROGRAMS = ("console", "shell", "pager", "memhog", "injector")
SERVERS = ("console", "pager", "injector")  # those other programs use
SYSTEM_MANIFEST = REPO / "init" / "system.manifest.txt"
PAGER_CLIENT = "memhog"  # the pager's client in the system manifest
LEVELS = ("none", "fast", "balanced", "best")
STATES = ("running", "restarting", "stopped", "failed")

UP, DOWN, RIGHT, LEFT = b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D"
HOME, END = b"\x1b[H", b"\x1b[F"
BACKSPACE, CTRL_C, CTRL_U, TAB, ENTER = b"\x7f", b"\x03", b"\x15", b"\t", b"\r"
# Control bytes the line editor has no use for (it rings the bell): all
# below 0x20 except ^A ^C ^E BS TAB LF CR ^U ESC.
IGNORED_CONTROLS = bytes(b for b in range(0x20) if b not in b"\x01\x03\x05\x08\t\n\r\x15\x1b")
BINARY = bytes(range(0x80, 0x100))

LINE_TOO_LONG = "error: line too long (at most 255 characters)"
MAX_LINE = 255
KILL_TIMEOUT = 120.0  # the console comes back after init's back-off
PAGE_OUT_TIMEOUT = 30.0  # memhog pages out within its first round (half a second)
PAGER_POLL = 0.3
LONG_LINE = 10_000
PACE = 64  # keys typed before waiting for their echo
SCRIPT_TIMEOUT = 300.0
UPTIME_WAIT = 10.0
PASTED_LINES = 20
PASTE_TIMEOUT = 20.0  # a paste is echoed in well under a second

UPTIME_RE = re.compile(r"^up (\d+)\.(\d\d) s \((\d+) ticks\)$")
BENCH_RE = re.compile(r"^ipc round trip: (\d+) cycles \(average of (\d+) calls\)$")
HELP_ROW_RE = re.compile(r"^  ([a-z]+) +(\S.*)$")
CAPS_ROW_RE = re.compile(r"^ *(\d+) +(\S+)")
UNKNOWN_RE = re.compile(r"^error: unknown command '(.*)' \(type 'help'\)$")
COMPRESS_HEADER = ("CLIENT", "RES/BUDGET", "COMPR", "SAME", "RAW", "ORIG", "KiB", "STORED", "KiB",
                   "RATIO", "PAGE-INS", "PAGE-OUTS", "LEVEL", "POLICY", "EVICTION")
# A row of `compress status`: name, resident/budget, 4 counts... (see COMPRESS_HEADER).
COMPRESS_ROW_RE = re.compile(r"^(\S+) +(\d+)/(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +"
                             r"(\d+\.\d\d|-) +(\d+) +(\d+) +(none|fast|balanced|best) +"
                             r"(demand|threshold:\d+|idle:\d+) +(lru|clock)$")
STORE_RE = re.compile(r"^store: capacity (\d+) KiB, used (\d+) KiB, stored (\d+) KiB, "
                      r"fragmentation (\d+)%$")
STATS_LINE_RE = re.compile(r"^([a-z][a-z -]*[a-z]) {2,}(\S.*)$")
COUNT_COST_RE = re.compile(r"^(\d+)(?: \((\d+) instructions each on average\))?$")
BYTES_RE = re.compile(r"^(\d+) (?:bytes )?\((\d+) KiB\)$")
COMPRESS_USAGE = "error: compress: usage: compress status|stats|level|policy|budget ..."
INJECT_USAGE = ("error: inject: usage: inject <program> "
                "crash|stop|bitflip|corrupt|truncate|drop|delay|starve ... | log [n]")
# A line per injection, exactly (the host's campaign runner reads it).
INJECTION_RE = re.compile(rf"^{injections.LINE_RE.pattern}$")
STOP_TICKS = 50  # the injector's default stop
DELAY_TICKS = 20  # the injector's default delay
STARVE_BUDGET = 40  # frames: more than any check gives memhog before


# --- helpers ------------------------------------------------------------------

def lines_of(output: str) -> list[str]:
    return output.split("\n") if output else []


def only_line(output: str, what: str) -> str:
    """The single line of ``output``; fails unless there is exactly one."""
    lines = lines_of(output)
    ensure(len(lines) == 1, f"{what}: expected one line, got {lines!r}")
    return lines[0]


def expect_error(context: Context, command: str, error: str) -> None:
    """``command`` must answer with exactly the one line ``error``."""
    output = context.session.run(command)
    ensure(lines_of(output) == [error], f"{command!r}: expected {error!r}, got {output!r}")


def uptime_ticks(output: str, what: str = "uptime") -> int:
    match = UPTIME_RE.match(only_line(output, what))
    ensure(match, f"{what}: not 'up S.HH s (N ticks)': {output!r}")
    return int(match.group(3))


def expect_uptime_ran(reply: Reply, line: str = "uptime") -> None:
    """The edited line shows ``line`` and what ran was uptime."""
    ensure(reply.line.rstrip() == line,
           f"the terminal shows {reply.line!r}, not {line!r} (raw {reply.raw!r})")
    uptime_ticks(reply.output, f"after editing to {line!r}")


def table(output: str, header_start: str, header_has: str, what: str) -> list[str]:
    """The rows of a table whose header starts with / contains the given words."""
    lines = lines_of(output)
    ensure(lines, f"{what}: no output")
    header = lines[0]
    ensure(header.startswith(header_start) and header_has in header,
           f"{what}: header {header!r} lacks {header_start!r} ... {header_has!r}")
    ensure(not any(line.startswith("error: ") for line in lines), f"{what}: {output!r}")
    return lines[1:]


def row_of(rows: list[str], name: str, what: str) -> str:
    found = [row for row in rows if row.split()[:1] == [name]]
    ensure(len(found) == 1, f"{what}: expected one row for {name!r} in {rows!r}")
    return found[0]


def server_row(context: Context) -> tuple[int, str]:
    """(generation, state) of the console in ``servers``."""
    rows = table(context.session.run("servers"), "NAME", "GENERATION", "servers")
    fields = row_of(rows, "console", "servers").split()
    ensure(len(fields) >= 3 and fields[1].isdigit() and fields[2] in STATES,
           f"servers: console row not 'console <generation> <state> ...': {fields!r}")
    return int(fields[1]), fields[2]


def expect_uptime_answers(context: Context) -> None:
    uptime_ticks(context.session.run("uptime"), "uptime (does the shell still answer?)")


# --- the session checks, in order ------------------------------------------------

def boots_to_prompt(context: Context) -> None:
    log = context.session.log
    ensure(BANNER in log, "no shell banner")
    modules = len(qemu.system_modules(context.build))
    ensure(re.search(rf"boot modules: {modules}\b", log),
           f"the kernel did not report {modules} boot modules")


def empty_line_runs_nothing(context: Context) -> None:
    reply = context.session.enter(ENTER)
    ensure(reply.output == "", f"an empty line printed {reply.output!r}")


def help_lists_commands(context: Context) -> None:
    lines = lines_of(context.session.run("help"))
    if lines and not lines[0].startswith(" "):
        lines = lines[1:]  # a heading line is allowed
    names = []
    for line in lines:
        match = HELP_ROW_RE.match(line)
        ensure(match, f"help: line not '  name  summary': {line!r}")
        names.append(match.group(1))
    ensure(sorted(names) == sorted(COMMANDS), f"help lists {names}, expected {list(COMMANDS)}")


def help_for_each_command(context: Context) -> None:
    usages = {"restart": "usage: restart <program>", "caps": "usage: caps <program>",
              "bench": "usage: bench ipc [rounds]",
              "compress": "usage: compress status|stats|level|policy|budget ...",
              "inject": INJECT_USAGE.removeprefix("error: inject: ")}
    for command in COMMANDS:
        lines = lines_of(context.session.run(f"help {command}"))
        ensure(len(lines) >= 2 and lines[0].startswith(f"usage: {command}") and lines[1].strip(),
               f"help {command}: expected 'usage: {command}...' and a description: {lines!r}")
        if command in usages:
            ensure(lines[0] == usages[command], f"help {command}: {lines[0]!r}, "
                   f"expected {usages[command]!r}")


def help_unknown_command(context: Context) -> None:
    expect_error(context, "help nosuch", "error: help: no command 'nosuch'")


def unknown_command(context: Context) -> None:
    expect_error(context, "foo", "error: unknown command 'foo' (type 'help')")


def wrong_arguments(context: Context) -> None:
    expect_error(context, "restart", "error: restart: usage: restart <program>")
    expect_error(context, "caps a b", "error: caps: usage: caps <program>")
    expect_error(context, "bench foo", "error: bench: usage: bench ipc [rounds]")


def ps_lists_programs(context: Context) -> None:
    rows = table(context.session.run("ps"), "NAME", "STATE", "ps")
    ensure(sorted(row.split()[0] for row in rows if row.split()) == sorted(PROGRAMS),
           f"ps: expected rows for {PROGRAMS}, got {rows!r}")
    for name in PROGRAMS:
        fields = row_of(rows, name, "ps").split()
        ensure("running" in fields, f"ps: {name} is not running: {fields!r}")
        ensure(sum(field.isdigit() for field in fields) >= 2,
               f"ps: {name} row lacks generation and restart count: {fields!r}")


def servers_lists_console(context: Context) -> None:
    rows = table(context.session.run("servers"), "NAME", "GENERATION", "servers")
    ensure([row.split()[0] for row in rows if row.split()] == list(SERVERS),
           f"servers: expected rows for {SERVERS}, got {rows!r}")
    generation, state = server_row(context)
    ensure(state == "running" and generation >= 1, f"servers: console {state}, "
           f"generation {generation}")
    # An idle console waits for calls: healthy.
    fields = row_of(rows, "console", "servers").split()
    ensure(fields[-1] == "serving", f"servers: console health is not 'serving': {fields!r}")
    # The pager serves the shell (and memhog's faults, on the same endpoint);
    # the injector serves the shell.
    for server in ("pager", "injector"):
        fields = row_of(rows, server, "servers").split()
        ensure(len(fields) == 5 and fields[1].isdigit() and int(fields[1]) >= 1
               and fields[2] == "running" and fields[3] == "1"
               and fields[4] in ("serving", "busy"),
               f"servers: {server} row not '{server} <generation> running 1 serving': {fields!r}")


def caps_lists_slots(context: Context) -> None:
    for program in PROGRAMS:
        rows = table(context.session.run(f"caps {program}"), "SLOT", "", f"caps {program}")
        ensure(rows and all(CAPS_ROW_RE.match(row) for row in rows),
               f"caps {program}: rows not '<slot> <type> ...': {rows!r}")
        ensure(any(CAPS_ROW_RE.match(row).group(2) == "Endpoint" for row in rows),
               f"caps {program}: no Endpoint among {rows!r}")
    # The shell's grants, in manifest order from slot 8: the pager is slot
    # 11, the injector slot 12.
    rows = table(context.session.run("caps shell"), "SLOT", "", "caps shell")
    for slot, server in (("11", "pager"), ("12", "injector")):
        found = [row for row in rows if row.split()[:2] == [slot, "Endpoint"]]
        ensure(len(found) == 1 and found[0].endswith(f"grant: server '{server}'"),
               f"caps shell: slot {slot} is not the {server}'s endpoint: {rows!r}")


def caps_unknown_program(context: Context) -> None:
    expect_error(context, "caps nosuch", "error: caps: no such program")


def mem_shows_ram_and_programs(context: Context) -> None:
    lines = lines_of(context.session.run("mem"))
    ensure(lines and lines[0].startswith("RAM:"), f"mem: first line not 'RAM: ...': {lines!r}")
    for program in PROGRAMS:
        ensure(any(re.search(rf"\b{program}\b", line) for line in lines[1:]),
               f"mem: no row for {program}: {lines!r}")


def uptime_advances(context: Context) -> None:
    # Guest time advances while the guest idles (QEMU warps the instruction
    # clock to the next timer), i.e. with host time: ask again for a while.
    first = uptime_ticks(context.session.run("uptime"))
    deadline = time.monotonic() + UPTIME_WAIT
    while True:
        time.sleep(0.2)
        later = uptime_ticks(context.session.run("uptime"))
        if later > first:
            return
        ensure(later == first, f"uptime: ticks went back from {first} to {later}")
        ensure(time.monotonic() < deadline,
               f"uptime: still {first} ticks after {UPTIME_WAIT:g} s")


def log_shows_kernel_log(context: Context) -> None:
    lines = lines_of(context.session.run("log"))
    ensure(1 <= len(lines) <= 20, f"log: expected 1-20 lines, got {len(lines)}")
    ensure(not any(line.startswith("error: ") for line in lines), f"log: {lines!r}")
    lines = lines_of(context.session.run("log 3"))
    ensure(1 <= len(lines) <= 3, f"log 3: expected 1-3 lines, got {lines!r}")


def bench_ipc(context: Context) -> None:
    match = BENCH_RE.match(only_line(context.session.run("bench ipc"), "bench ipc"))
    ensure(match and int(match.group(1)) > 0, "bench ipc: not 'ipc round trip: N cycles "
           "(average of R calls)'")
    line = only_line(context.session.run("bench ipc 50"), "bench ipc 50")
    match = BENCH_RE.match(line)
    ensure(match and match.group(2) == "50", f"bench ipc 50: {line!r}")


# --- compress: the compression pager ----------------------------------------------

STATS_KEYS = ("client", "resident pages", "compressed pages", "same-filled pages", "raw pages",
              "original bytes", "compressed bytes", "ratio", "memory saved", "page-ins",
              "page-outs", "zero fills", "refused faults", "level", "policy", "budget")
TOTALS_KEYS = tuple(key for key in STATS_KEYS if key not in ("level", "policy"))
POLICY_RE = re.compile(r"^(demand|threshold (\d+)|idle (\d+)) \(.*\), eviction (lru|clock)$")


def manifest_budget(client: str) -> int:
    """The client's resident budget (frames) in init's system manifest."""
    text = SYSTEM_MANIFEST.read_text(encoding="utf-8")
    entries = text.split("(name = ")[1:]
    entry = next((e for e in entries if e.startswith(f'"{client}"')), "")
    match = re.search(r"budgetFrames = (\d+)", entry)
    ensure(match, f"{SYSTEM_MANIFEST}: no paging budget for {client!r}")
    return int(match.group(1))


def ratio_text(original: int, compressed: int) -> str:
    """What the shell prints for the ratio: two decimals, rounded; "-"."""
    if compressed == 0:
        return "-"
    hundredths = (original * 100 * 2 + compressed) // (2 * compressed)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclasses.dataclass(frozen=True)
class PagerRow:
    """A client's row of ``compress status``."""

    name: str
    resident: int
    budget: int
    stored_pages: int  # compressed, same-filled and raw
    ratio: str
    page_ins: int
    page_outs: int
    level: str
    policy: str
    eviction: str


def compress_status(context: Context) -> dict[str, PagerRow]:
    """The rows of ``compress status`` by client (the store line checked)."""
    output = context.session.run("compress status")
    lines = lines_of(output)
    ensure(len(lines) >= 2 and lines[0].split() == list(COMPRESS_HEADER),
           f"compress status: no table header: {output!r}")
    store = STORE_RE.match(lines[-1])
    ensure(store, f"compress status: last line not 'store: capacity ...': {lines[-1]!r}")
    capacity, used, stored, fragmentation = (int(group) for group in store.groups())
    ensure(capacity > 0 and stored <= used <= capacity and fragmentation <= 100,
           f"compress status: store figures do not add up: {lines[-1]!r}")
    rows = {}
    for line in lines[1:-1]:
        match = COMPRESS_ROW_RE.match(line)
        ensure(match, f"compress status: row not 'client resident/budget counts... level "
               f"policy eviction': {line!r}")
        g = match.groups()
        rows[g[0]] = PagerRow(g[0], int(g[1]), int(g[2]), int(g[3]) + int(g[4]) + int(g[5]),
                              g[8], int(g[9]), int(g[10]), g[11], g[12], g[13])
    return rows


def client_row(context: Context) -> PagerRow:
    rows = compress_status(context)
    ensure(list(rows) == [PAGER_CLIENT], f"compress status: expected one row, for "
           f"{PAGER_CLIENT!r}, got {list(rows)}")
    return rows[PAGER_CLIENT]


def wait_for_page_outs(context: Context) -> PagerRow:
    """memhog's row once the pager has paged some of it out."""
    deadline = time.monotonic() + PAGE_OUT_TIMEOUT
    while True:
        row = client_row(context)
        if row.page_outs > 0:
            return row
        ensure(time.monotonic() < deadline,
               f"compress status: no page-outs of {PAGER_CLIENT} after {PAGE_OUT_TIMEOUT:g} s")
        time.sleep(PAGER_POLL)


def compress_stats(context: Context, client: str = "") -> dict[str, str]:
    """``compress stats [client]`` as {key: value}, its figures checked."""
    command = f"compress stats {client}".rstrip()
    output = context.session.run(command)
    stats = {}
    for line in lines_of(output):
        match = STATS_LINE_RE.match(line)
        ensure(match, f"{command}: line not 'key  value': {line!r} in {output!r}")
        stats[match.group(1)] = match.group(2)
    keys = STATS_KEYS if client else TOTALS_KEYS
    ensure(tuple(stats) == keys, f"{command}: keys {list(stats)}, expected {list(keys)}")
    ensure(stats["client"] == (client or "total (all clients)"),
           f"{command}: client {stats['client']!r}")
    for key in ("resident pages", "compressed pages", "same-filled pages", "raw pages",
                "zero fills", "refused faults"):
        ensure(stats[key].isdigit(), f"{command}: {key} {stats[key]!r} is not a number")
    sizes = {}
    for key in ("original bytes", "compressed bytes", "memory saved"):
        match = BYTES_RE.match(stats[key])
        ensure(match and int(match.group(2)) == int(match.group(1)) // 1024,
               f"{command}: {key} not 'N (N/1024 KiB)': {stats[key]!r}")
        sizes[key] = int(match.group(1))
    original, compressed = sizes["original bytes"], sizes["compressed bytes"]
    ensure(sizes["memory saved"] == max(original - compressed, 0),
           f"{command}: memory saved {sizes['memory saved']} is not {original} - {compressed}")
    ensure(stats["ratio"] == ratio_text(original, compressed),
           f"{command}: ratio {stats['ratio']!r}, expected {ratio_text(original, compressed)!r}")
    for key in ("page-ins", "page-outs"):
        match = COUNT_COST_RE.match(stats[key])
        ensure(match and (match.group(2) is not None) == (int(match.group(1)) > 0),
               f"{command}: {key} not 'N (C instructions each on average)': {stats[key]!r}")
    if client:
        ensure(stats["level"] in LEVELS, f"{command}: level {stats['level']!r}")
        ensure(POLICY_RE.match(stats["policy"]), f"{command}: policy {stats['policy']!r}")
    ensure(re.fullmatch(r"\d+ frames" + ("" if client else re.escape(" (all clients)")),
                        stats["budget"]), f"{command}: budget {stats['budget']!r}")
    return stats


def count(stats: dict[str, str], key: str) -> int:
    return int(stats[key].split()[0])


def settings(context: Context) -> tuple[str, str, str]:
    """memhog's (level, policy, budget) from ``compress stats``."""
    stats = compress_stats(context, PAGER_CLIENT)
    return stats["level"], stats["policy"], stats["budget"]


def policy_command(policy: str) -> str:
    """The ``compress policy`` arguments that set a policy as stats shows it."""
    match = POLICY_RE.match(policy)
    ensure(match, f"policy {policy!r}")
    return f"{match.group(1)} {match.group(4)}"


def expect_confirmation(context: Context, command: str, start: str, end: str = "") -> None:
    """``command`` answers with one line that starts (and ends) so."""
    line = only_line(context.session.run(command), command)
    ensure(line.startswith(start) and line.endswith(end),
           f"{command}: expected {start!r}...{end!r}, got {line!r}")


def compress_status_shows_memhog(context: Context) -> None:
    row = wait_for_page_outs(context)  # the table and store line checked too
    budget = manifest_budget(PAGER_CLIENT)
    ensure(row.budget == budget and 1 <= row.resident <= budget,
           f"compress status: {PAGER_CLIENT} has {row.resident}/{row.budget} resident, "
           f"expected at most its budget of {budget}")
    # A page-out stored a page; it stays stored until paged in, and memhog
    # has touched more pages than it may keep.
    ensure(row.stored_pages >= 1, f"compress status: {row.page_outs} page-outs but nothing "
           f"stored: {row}")


def compress_stats_of_memhog_and_totals(context: Context) -> None:
    seen = wait_for_page_outs(context)
    budget = manifest_budget(PAGER_CLIENT)
    stats = compress_stats(context, PAGER_CLIENT)
    ensure(count(stats, "page-outs") >= seen.page_outs and count(stats, "resident pages") <= budget,
           f"compress stats {PAGER_CLIENT}: {stats}")
    ensure(stats["budget"] == f"{budget} frames", f"compress stats: budget {stats['budget']!r}")
    ensure(count(stats, "zero fills") >= 1, f"compress stats: no zero fills: {stats}")
    totals = compress_stats(context)
    # memhog is the only client: the totals are its figures, later.
    ensure(totals["budget"] == f"{budget} frames (all clients)",
           f"compress stats: total budget {totals['budget']!r}")
    for key in ("page-outs", "page-ins", "zero fills"):
        ensure(count(totals, key) >= count(stats, key),
               f"compress stats: total {key} {totals[key]!r} below memhog's {stats[key]!r}")


def compress_level_changes_level(context: Context) -> None:
    level, _, _ = settings(context)
    for new in ("fast", "best", level):
        line = only_line(context.session.run(f"compress level {PAGER_CLIENT} {new}"), "level")
        ensure(line == f"{PAGER_CLIENT}: level {new}",
               f"compress level {PAGER_CLIENT} {new}: {line!r}")
        now = compress_stats(context, PAGER_CLIENT)["level"]
        ensure(now == new, f"after compress level {new}: stats show level {now!r}")
        ensure(client_row(context).level == new, f"after compress level {new}: status shows "
               f"{client_row(context).level!r}")


def compress_policy_changes_policy(context: Context) -> None:
    _, policy, budget = settings(context)
    frames = int(budget.split()[0])
    client = PAGER_CLIENT
    expect_confirmation(context, f"compress policy {client} threshold 4",
                        f"{client}: policy threshold 4 (", "), eviction clock")
    stats = compress_stats(context, client)
    ensure(stats["policy"].startswith("threshold 4 (") and stats["policy"].endswith("clock"),
           f"after compress policy threshold 4: stats show {stats['policy']!r}")
    # The pager keeps 4 frames of the budget free from memhog's next fault on.
    deadline = time.monotonic() + PAGE_OUT_TIMEOUT
    while True:
        row = client_row(context)
        ensure((row.policy, row.eviction) == ("threshold:4", "clock"),
               f"after compress policy threshold 4: status shows {row}")
        if row.resident <= frames - 4:
            break
        ensure(time.monotonic() < deadline, f"threshold 4: still {row.resident} of {frames} "
               f"frames resident after {PAGE_OUT_TIMEOUT:g} s")
        time.sleep(PAGER_POLL)
    expect_confirmation(context, f"compress policy {client} idle 20 lru",
                        f"{client}: policy idle 20 (", "), eviction lru")
    stats = compress_stats(context, client)
    ensure(stats["policy"].startswith("idle 20 (") and stats["policy"].endswith("eviction lru"),
           f"after compress policy idle 20 lru: stats show {stats['policy']!r}")
    row = client_row(context)
    ensure((row.policy, row.eviction) == ("idle:20", "lru"),
           f"after compress policy idle 20 lru: status shows {row}")
    expect_confirmation(context, f"compress policy {client} {policy_command(policy)}",
                        f"{client}: policy {policy}")


def compress_budget_changes_budget(context: Context) -> None:
    _, _, budget = settings(context)
    client = PAGER_CLIENT
    expect_confirmation(context, f"compress budget {client} 24", f"{client}: budget 24 frames")
    stats = compress_stats(context, client)
    ensure(stats["budget"] == "24 frames", f"after compress budget 24: {stats['budget']!r}")
    ensure(client_row(context).budget == 24, "after compress budget 24: status shows budget "
           f"{client_row(context).budget}")
    totals = compress_stats(context)
    ensure(totals["budget"] == "24 frames (all clients)",
           f"after compress budget 24: total budget {totals['budget']!r}")
    frames = budget.split()[0]
    expect_confirmation(context, f"compress budget {client} {frames}",
                        f"{client}: budget {frames} frames")


def compress_bad_input(context: Context) -> None:
    before = settings(context)
    refused = "error: compress: "
    cases = (
        ("compress", COMPRESS_USAGE),
        ("compress frobnicate", COMPRESS_USAGE),
        ("compress stats memhog memhog", "error: compress: usage: compress stats [client]"),
        # The pager's own answers.
        ("compress level nosuch fast", "error: compress: no such client of the pager"),
        ("compress stats nosuch", "error: compress: no such client of the pager"),
        ("compress level memhog ultra",
         "error: compress: unknown level 'ultra' (none, fast, balanced or best)"),
        ("compress policy memhog sometimes",
         "error: compress: unknown policy 'sometimes' (threshold, idle or demand)"),
        ("compress policy memhog threshold 99", "watermark"),  # above the budget: the pager
        ("compress policy memhog idle 0", "error: compress: ticks must be a number from 1 to "
         "1000000"),
        ("compress budget memhog 0",
         "error: compress: frames must be a number from 1 to 1000000"),
        ("compress budget memhog 1000", "budget"),  # more than the pager allows
        ("compress budget memhog 24 48", "error: compress: usage: compress budget <client> "
         "<frames>"),
    )
    for command, expected in cases:
        line = only_line(context.session.run(command), command)
        if expected.startswith("error: "):
            ensure(line == expected, f"{command!r}: expected {expected!r}, got {line!r}")
        else:  # the pager's message: one line that says what is wrong
            ensure(line.startswith(refused) and expected in line and len(line) > len(refused) + 10,
                   f"{command!r}: expected one '{refused}...{expected}...' line, got {line!r}")
        expect_uptime_answers(context)
    after = settings(context)
    ensure(after == before, f"refused commands changed memhog's settings: {before} -> {after}")


def tab_completes_compress(context: Context) -> None:
    level, policy, _ = settings(context)
    # The sub-command, the client (asked of the pager) and the level.
    reply = context.session.enter(b"compress le" + TAB + b"me" + TAB + b"fa" + TAB + ENTER)
    line = f"compress level {PAGER_CLIENT} fast"
    ensure(reply.line.rstrip() == line, f"the terminal shows {reply.line!r}, not {line!r}")
    ensure(reply.output == f"{PAGER_CLIENT}: level fast", f"{line}: {reply.output!r}")
    # A policy and, after its number, an eviction order.
    reply = context.session.enter(b"compress po" + TAB + b"me" + TAB + b"th" + TAB + b"4 c" + TAB
                                  + ENTER)
    line = f"compress policy {PAGER_CLIENT} threshold 4 clock"
    ensure(reply.line.rstrip() == line, f"the terminal shows {reply.line!r}, not {line!r}")
    ensure(reply.output.startswith(f"{PAGER_CLIENT}: policy threshold 4 ("),
           f"{line}: {reply.output!r}")
    expect_confirmation(context, f"compress level {PAGER_CLIENT} {level}",
                        f"{PAGER_CLIENT}: level {level}")
    expect_confirmation(context, f"compress policy {PAGER_CLIENT} {policy_command(policy)}",
                        f"{PAGER_CLIENT}: policy {policy}")


# Lines other programs (and the debug kernel) print while init restarts some
# (and the injector for each injection).
OTHERS_RE = re.compile(r"^(?:init|pager|memhog|console|injector): |^syscall rejected: ")


def own_lines(output: str) -> list[str]:
    """The lines of ``output`` without other programs' messages."""
    return [line for line in lines_of(output) if not OTHERS_RE.match(line)]


def answer_lines(context: Context, command: str, timeout: float | None = None) -> list[str]:
    """What ``command`` printed, without other programs' lines (the
    injector logs each injection, init each crash) or its own echo, should
    their output have pushed it onto a line of its own."""
    output = context.session.run(command, timeout)
    return [line for line in own_lines(output) if line != command]


def program_row(context: Context, name: str) -> tuple[str, int]:
    """(state, generation) of a program in ``ps``."""
    fields = row_of(answer_lines(context, "ps")[1:], name, "ps").split()
    ensure(len(fields) >= 4 and fields[3].isdigit(), f"ps: {name} row {fields!r}")
    return fields[1], int(fields[3])


def kill_and_wait_back(context: Context, program: str, command: str, family: str,
                       back: Callable[[list[str]], bool], what: str) -> int:
    """Kills ``program``; while init restarts it, ``command`` must say in one
    error line that it is not answering; returns its old generation once
    ``command``'s answer satisfies ``back``."""
    session = context.session
    _, generation = program_row(context, program)
    output = session.run(f"kill {program}", KILL_TIMEOUT)
    ensure(f"killed '{program}'; init restarts it per its policy" in lines_of(output),
           f"kill {program}: {output!r}")
    deadline = time.monotonic() + KILL_TIMEOUT
    down = 0
    while True:
        lines = answer_lines(context, command)
        output = "\n".join(lines)
        if lines and lines[0].startswith("error: "):
            ensure(len(lines) == 1 and lines[0].startswith(
                f"error: {family}: the {program} is not answering ("),
                f"{command} while the {program} restarts: {output!r}")
            down += 1
        else:
            ensure(back(lines), f"{command} after the {program}'s restart ({what}): {output!r}")
            break
        ensure(time.monotonic() < deadline, f"the {program} is not back after {KILL_TIMEOUT:g} s")
        time.sleep(PAGER_POLL)
    context.note(f"{command} said the {program} is not answering {down} times")
    return generation


def compress_survives_pager_restart(context: Context) -> None:
    # While init restarts the pager, compress says it does not answer; then
    # the shell reaches the new generation through the same grant slot.
    session = context.session
    generation = kill_and_wait_back(
        context, "pager", "compress status", "compress",
        lambda lines: bool(lines) and lines[0].split() == list(COMPRESS_HEADER), "its table")
    deadline = time.monotonic() + KILL_TIMEOUT
    # memhog went down with its pager's memory and starts again after it.
    while True:
        pager, memhog = program_row(context, "pager"), program_row(context, PAGER_CLIENT)
        if pager == ("running", generation + 1) and memhog[0] == "running":
            break
        ensure(time.monotonic() < deadline, f"after kill pager: pager {pager}, memhog {memhog} "
               f"after {KILL_TIMEOUT:g} s")
        time.sleep(PAGER_POLL)
    session.wait_quiet(1.0, 15.0)  # (the restarts' messages)
    session.discard_pending()
    row = wait_for_page_outs(context)
    ensure(row.budget == manifest_budget(PAGER_CLIENT), f"after the restart: {row}")


# --- inject: the fault injector -----------------------------------------------------

NOT_A_TARGET = "error: inject: not a program the injector's manifest entry grants it"
# The same seed, target and program image give the same byte and bit: done
# twice, this flips a bit of memhog's data and back.
FLIP = f"inject {PAGER_CLIENT} bitflip data 1 7"


def injection(line: str, what: str) -> Injection:
    match = INJECTION_RE.match(line)
    ensure(match, f"{what}: not '#<sequence> <kind> <target> seed <seed>: <region> at "
           f"0x<address> bit <bit> (generation <g>)': {line!r}")
    return Injection.from_match(match)


def inject(context: Context, command: str, timeout: float | None = None) -> list[Injection]:
    """The injections ``command`` reports, a line each."""
    lines = answer_lines(context, command, timeout)
    ensure(lines, f"{command}: no output")
    return [injection(line, command) for line in lines]


def injection_log(context: Context, last: int | None = None) -> list[Injection]:
    """``inject log [last]``, oldest first."""
    command = "inject log" if last is None else f"inject log {last}"
    lines = answer_lines(context, command)
    if lines == ["(no injections yet)"]:
        return []
    return [injection(line, command) for line in lines]


def injector_targets() -> list[str]:
    """The programs whose thread the injector's manifest entry grants it."""
    text = SYSTEM_MANIFEST.read_text(encoding="utf-8")
    entry = next((e for e in text.split("(name = ")[1:] if e.startswith('"injector"')), "")
    targets = re.findall(r'threadOf = "([^"]+)"', entry)
    ensure(targets, f"{SYSTEM_MANIFEST}: no threadOf grants for the injector")
    return targets


def expect_one_line(context: Context, command: str, expected: str) -> None:
    """``command`` answers with the one line ``expected`` (besides other
    programs' lines)."""
    lines = answer_lines(context, command)
    ensure(lines == [expected], f"{command!r}: expected {expected!r}, got {lines!r}")


def expect_injection(done: list[Injection], command: str, **fields: object) -> Injection:
    """The one injection ``command`` did, with these fields."""
    ensure(len(done) == 1, f"{command}: expected one injection, got {done}")
    wrong = {k: getattr(done[0], k) for k, v in fields.items() if getattr(done[0], k) != v}
    ensure(not wrong, f"{command}: expected {fields}, got {done[0]}")
    return done[0]


def inject_bad_input(context: Context) -> None:
    before = injection_log(context, 1)
    memhog = program_row(context, PAGER_CLIENT)
    count = "error: inject: count must be a number from 1 to 32"
    cases = (
        ("inject", INJECT_USAGE),
        (f"inject {PAGER_CLIENT}", INJECT_USAGE),
        (f"inject {PAGER_CLIENT} frobnicate",
         "error: inject: unknown fault kind 'frobnicate' (crash, stop, bitflip, corrupt, truncate, "
         "drop, delay or starve)"),
        (f"inject {PAGER_CLIENT} bitflip at 0x10 1",
         "error: inject: that address is not in the program's code, data or stack"),
        (f"inject {PAGER_CLIENT} bitflip at 4096 1",
         "error: inject: address must be a hexadecimal number such as 0x401a2c"),
        (f"inject {PAGER_CLIENT} crash 0", count),
        (f"inject {PAGER_CLIENT} crash 99", count),
        (f"inject {PAGER_CLIENT} crash data", "error: inject: crash takes no region (only "
         "bitflip does)"),
        (f"inject {PAGER_CLIENT} bitflip data 1 2 3", "error: inject: usage: inject <program> "
         "bitflip [code|data|stack|any] [count] [seed]"),
        (f"inject {PAGER_CLIENT} stop 1 x", "error: inject: seed must be a number from 0 to "
         "18446744073709551615"),
        ("inject log 0", "error: inject: n must be a number from 1 to 32"),
        # The injector's own answers: programs its manifest entry does not grant it.
        ("inject nosuch crash", NOT_A_TARGET),
        ("inject shell crash", NOT_A_TARGET),
        ("inject injector stop", NOT_A_TARGET),
    )
    for command, expected in cases:
        expect_one_line(context, command, expected)
        expect_uptime_answers(context)
    ensure(injection_log(context, 1) == before, "a refused command injected something")
    after = program_row(context, PAGER_CLIENT)
    ensure(after == memhog, f"refused commands changed {PAGER_CLIENT}: {memhog} -> {after}")


def inject_bitflip_prints_line(context: Context) -> None:
    _, generation = program_row(context, PAGER_CLIENT)
    flip = expect_injection(inject(context, FLIP), FLIP, kind="bitflip", target=PAGER_CLIENT,
                            seed=7, region="data", generation=generation)
    ensure(flip.address > 0, f"{FLIP}: address {flip.address:#x}")
    # The same seed again: the same byte and bit (flipped back), the next
    # sequence number.
    expect_injection(inject(context, FLIP), FLIP, sequence=flip.sequence + 1,
                     address=flip.address, bit=flip.bit, generation=generation)
    expect_uptime_answers(context)


def inject_log_shows_injections(context: Context) -> None:
    flips = inject(context, FLIP) + inject(context, FLIP)
    log = injection_log(context)
    all_kept = injection_log(context, 32)
    ensure(len(log) == min(10, len(all_kept)) and all_kept[-len(log):] == log,
           f"inject log: {log} is not the last 10 of inject log 32: {all_kept}")
    ensure(log[-2:] == flips, f"inject log: does not end with {flips}: {log}")
    ensure(all(b.sequence == a.sequence + 1 for a, b in zip(all_kept, all_kept[1:])),
           f"inject log 32: not oldest first, one by one: {[i.sequence for i in all_kept]}")
    ensure(injection_log(context, 1) == flips[1:], f"inject log 1: not {flips[1]}")
    ensure(injection_log(context, 2) == flips, f"inject log 2: not {flips}")


def tab_choices(context: Context, keys: bytes) -> list[str]:
    """The choices Tab lists after typing ``keys`` (then the line is dropped)."""
    reply = context.session.enter(keys + TAB + CTRL_C)
    lines = [line for line in reply.raw.replace("\r", "").split("\n") if "  " in line]
    ensure(len(lines) == 1, f"{keys!r}<Tab>: no one line of choices in {reply.raw!r}")
    return lines[0].split()


def tab_completes_inject(context: Context) -> None:
    # A static list (the injector alone knows its targets): it must be the
    # injector's manifest grants (shell/commands/inject.cpp, kFirstWords).
    first = tab_choices(context, b"inject ")
    ensure(first == ["log"] + injector_targets(), f"inject <Tab>: {first}, expected log and "
           f"the injector's targets {injector_targets()}")
    kinds = tab_choices(context, f"inject {PAGER_CLIENT} ".encode())
    ensure(kinds == ["crash", "stop", "bitflip", "corrupt", "truncate", "drop", "delay", "starve"],
           f"inject {PAGER_CLIENT} <Tab>: {kinds}")
    regions = tab_choices(context, f"inject {PAGER_CLIENT} bitflip ".encode())
    ensure(regions == ["any", "code", "data", "stack", "at"],
           f"inject {PAGER_CLIENT} bitflip <Tab>: {regions}")
    # The program, the kind and the region completed: FLIP (then once more,
    # to flip the bit back).
    reply = context.session.enter(b"inject me" + TAB + b"bi" + TAB + b"da" + TAB + b"1 7" + ENTER)
    ensure(reply.line.rstrip() == FLIP, f"the terminal shows {reply.line!r}, not {FLIP!r}")
    flip = expect_injection([injection(line, FLIP) for line in own_lines(reply.output)], FLIP,
                            kind="bitflip", target=PAGER_CLIENT, seed=7, region="data")
    expect_injection(inject(context, FLIP), FLIP, address=flip.address, bit=flip.bit)


def inject_console_stop(context: Context) -> None:
    # The console's thread is suspended for 50 ticks: the shell's answer
    # (which the console writes) comes after it is resumed.
    generation, _ = server_row(context)
    before = uptime_ticks(context.session.run("uptime"))
    command = "inject console stop 1 5"
    expect_injection(inject(context, command, KILL_TIMEOUT), command, kind="stop",
                     target="console", seed=5, region="any", bit=0, generation=generation)
    after = uptime_ticks(context.session.run("uptime"))
    ensure(after - before >= STOP_TICKS, f"{command}: the shell answered {after - before} ticks "
           f"later, before the console's {STOP_TICKS} ticks of silence were over")
    ensure(server_row(context) == (generation, "running"),
           f"after {command}: the console is {server_row(context)}, not running in generation "
           f"{generation}")
    expect_uptime_answers(context)


def inject_pager_delay_and_starve(context: Context) -> None:
    # delay: the pager's next reply (to the shell) comes 20 ticks late, intact.
    before = uptime_ticks(context.session.run("uptime"))
    command = "inject pager delay 1 5"
    expect_injection(inject(context, command), command, kind="delay", target="pager", seed=5,
                     address=1)
    row = client_row(context)
    after = uptime_ticks(context.session.run("uptime"))
    ensure(after - before >= DELAY_TICKS, f"{command}: compress status answered "
           f"{after - before} ticks later, within the delay of {DELAY_TICKS}")
    # starve: the pager's next request for memory (frames for a bigger
    # budget than it ever had) is refused; the same request then works.
    command = "inject pager starve 1 6"
    expect_injection(inject(context, command), command, kind="starve", target="pager", seed=6,
                     address=1)
    grow = f"compress budget {PAGER_CLIENT} {STARVE_BUDGET}"
    expect_one_line(context, grow,
                    "error: compress: the pager's memory quota has no room for more frames")
    ensure(client_row(context).budget == row.budget, f"a refused {grow} changed the budget")
    expect_confirmation(context, grow, f"{PAGER_CLIENT}: budget {STARVE_BUDGET} frames")
    expect_confirmation(context, f"compress budget {PAGER_CLIENT} {row.budget}",
                        f"{PAGER_CLIENT}: budget {row.budget} frames")


def inject_memhog_crash_restarts_it(context: Context) -> None:
    session = context.session
    _, generation = program_row(context, PAGER_CLIENT)
    command = f"inject {PAGER_CLIENT} crash"
    crash = expect_injection(inject(context, command), command, kind="crash",
                             target=PAGER_CLIENT, region="any", bit=0, generation=generation)
    # Its thread took a page fault it cannot handle; init restarts it.
    session.wait_quiet(1.0, 15.0)  # (init's messages)
    session.discard_pending()
    deadline = time.monotonic() + KILL_TIMEOUT
    while True:
        state, now = program_row(context, PAGER_CLIENT)
        if (state, now) == ("running", generation + 1):
            break
        ensure(now <= generation + 1, f"after {command}: {PAGER_CLIENT} went from generation "
               f"{generation} to {now}")
        ensure(time.monotonic() < deadline, f"after {command}: {PAGER_CLIENT} is {state} in "
               f"generation {now} after {KILL_TIMEOUT:g} s")
        time.sleep(PAGER_POLL)
    session.wait_quiet(1.0, 15.0)  # (the restart's messages)
    session.discard_pending()
    row = row_of(answer_lines(context, "ps")[1:], PAGER_CLIENT, "ps")
    ensure("page fault" in row, f"ps: {PAGER_CLIENT}'s last end is not a page fault: {row!r}")
    ensure(injection_log(context, 1) == [crash], f"inject log 1 after {command}: not {crash}")


def inject_survives_injector_restart(context: Context) -> None:
    # While init restarts the injector, inject says it does not answer; then
    # the shell reaches the new generation, whose log starts empty.
    generation = kill_and_wait_back(context, "injector", "inject log", "inject",
                                    lambda lines: lines == ["(no injections yet)"], "an empty log")
    ensure(program_row(context, "injector") == ("running", generation + 1),
           f"after kill injector: {program_row(context, 'injector')}")
    expect_injection(inject(context, FLIP), FLIP, sequence=0)
    expect_injection(inject(context, FLIP), FLIP, sequence=1)


def history_up_and_down(context: Context) -> None:
    session = context.session
    session.run("uptime")
    session.run("servers")
    expect_uptime_ran(session.enter(UP + UP + ENTER))  # history: uptime servers uptime
    for keys, what in ((UP + UP + UP + DOWN + ENTER, "Up Up Up Down"), (UP + ENTER, "Up")):
        reply = session.enter(keys)
        ensure(reply.line == "servers" and reply.output.startswith("NAME"),
               f"{what}: expected 'servers' to run, got {reply.line!r}: {reply.output!r}")


def backspace_erases(context: Context) -> None:
    expect_uptime_ran(context.session.enter(b"uptimX" + BACKSPACE + b"e" + ENTER))


def left_right_insert(context: Context) -> None:
    expect_uptime_ran(context.session.enter(b"uptme" + LEFT + LEFT + b"i" + RIGHT + ENTER))


def home_end_move(context: Context) -> None:
    expect_uptime_ran(context.session.enter(b"ptim" + HOME + b"u" + END + b"e" + ENTER))


def ctrl_u_erases_to_line_start(context: Context) -> None:
    session = context.session
    expect_uptime_ran(session.enter(b"garbage" + CTRL_U + b"uptime" + ENTER))
    expect_uptime_ran(session.enter(b"xxuptime" + HOME + RIGHT + RIGHT + CTRL_U + ENTER))


def ctrl_c_cancels_line(context: Context) -> None:
    reply = context.session.enter(b"uptime" + CTRL_C)
    ensure("^C" in reply.raw, f"Ctrl-C: no '^C' shown: {reply.raw!r}")
    ensure(reply.output == "", f"Ctrl-C: the line ran: {reply.output!r}")
    expect_uptime_answers(context)


def tab_completes_command(context: Context) -> None:
    expect_uptime_ran(context.session.enter(b"upt" + TAB + ENTER))


def tab_completes_subcommand(context: Context) -> None:
    reply = context.session.enter(b"bench i" + TAB + ENTER)
    ensure(reply.line.rstrip() == "bench ipc", f"bench i<Tab>: the terminal shows {reply.line!r}")
    ensure(BENCH_RE.match(only_line(reply.output, "bench i<Tab>")), f"{reply.output!r}")


def long_line_refused(context: Context) -> None:
    # Typed as fast as the echo comes back (each key shows as itself or as
    # a bell); pasting at full speed is pasted_lines_arrive_intact.
    session = context.session
    session.discard_pending()
    typed = 0
    for start in range(0, LONG_LINE, PACE):
        session.send_keys(b"x" * min(PACE, LONG_LINE - start))
        typed = min(start + PACE, LONG_LINE)
        session.wait_until(lambda text: text.count("x") + text.count("\a") >= typed,
                           what=f"echo of {typed} keys")
    session.send_keys(ENTER)
    reply = session.expect_prompt()
    ensure(reply.lines == [LINE_TOO_LONG], f"{LONG_LINE:,} characters: expected "
           f"{LINE_TOO_LONG!r}, got {reply.output[:300]!r}")
    ensure(reply.line == "x" * MAX_LINE,
           f"the terminal shows {len(reply.line)} characters, expected {MAX_LINE}")
    ensure(reply.bells == LONG_LINE - MAX_LINE,
           f"{reply.bells} bells for {LONG_LINE - MAX_LINE} refused keys")
    expect_uptime_answers(context)


def pasted_lines_arrive_intact(context: Context) -> None:
    # Many lines typed at once (a paste, about 4 KB): every key must reach
    # the shell, in order. Each line is an unknown command, which the error
    # names.
    session = context.session
    # Lines of 3-digit counters: no repetition hides a lost key.
    names = [f"paste{index:02d}_" + "".join(f"{i:03d}" for i in range(64))
             for index in range(PASTED_LINES)]
    session.discard_pending()
    session.send_keys(b"".join(name.encode() + ENTER for name in names))
    for name in names:
        reply = session.expect_prompt(PASTE_TIMEOUT)
        match = UNKNOWN_RE.match(reply.lines[0]) if len(reply.lines) == 1 else None
        ensure(match, f"pasted line {name[:7]!r}: unexpected reply {reply.output[:200]!r}")
        got = match.group(1)
        at = next((i for i, (a, b) in enumerate(zip(name, got)) if a != b), min(len(name), len(got)))
        ensure(got == name, f"pasted line {name[:7]!r} arrived as {len(got)} characters instead "
               f"of {len(name)}, first difference at {at}: expected {name[at:at + 12]!r}, "
               f"got {got[at:at + 12]!r} (keys lost, repeated or reordered)")


def control_characters_ignored(context: Context) -> None:
    half = len(IGNORED_CONTROLS) // 2
    reply = context.session.enter(b"up" + IGNORED_CONTROLS[:half] + b"ti"
                                  + IGNORED_CONTROLS[half:] + b"me" + ENTER)
    expect_uptime_ran(reply)
    ensure(reply.bells >= len(IGNORED_CONTROLS),
           f"{reply.bells} bells for {len(IGNORED_CONTROLS)} control characters")


def binary_bytes_ignored(context: Context) -> None:
    reply = context.session.enter(b"up" + BINARY[:64] + b"ti" + BINARY[64:] + b"me" + ENTER)
    expect_uptime_ran(reply)
    ensure(reply.bells >= len(BINARY), f"{reply.bells} bells for {len(BINARY)} bytes >= 0x80")
    reply = context.session.enter(BINARY + ENTER)
    ensure(reply.output == "", f"a line of binary bytes printed {reply.output!r}")


# --- regressions: faults campaigns found --------------------------------------------

CONSOLE_ELF = Path("servers") / "console" / "console.elf"
UART_SYMBOL = "main::uart"  # console's static Uart: ports_, irq_ (+8), base_ (+16) ...
UART_IRQ_OFFSET = 8
RECEIVE_SYMBOL = "rayos::console::ConsoleService::receive()"
RPC_SERVER_SYMBOL = "main::storage"  # the console's rpc::Server
CHECK_TIMEOUT = 20.0  # init compares every program's code in well under a second


def symbol_address(context: Context, symbol: str) -> int:
    """Where ``symbol`` (demangled) is in the console's ELF file."""
    elf = context.build / CONSOLE_ELF
    out = subprocess.run(["nm", "-C", str(elf)], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        fields = line.split(maxsplit=2)
        if len(fields) == 3 and fields[2] == symbol:
            return int(fields[0], 16)
    raise CheckFailed(f"{elf}: no symbol {symbol!r}")


def wait_for_console_generation(context: Context, generation: int, what: str) -> None:
    """The console runs in ``generation`` (typing Enter until the shell answers)."""
    session = context.session
    deadline = time.monotonic() + KILL_TIMEOUT
    while True:
        try:
            session.send_keys(ENTER)
            session.expect_prompt(2.0)
            if server_row(context) == (generation, "running"):
                break
        except Exception:  # noqa: BLE001 (the prompt went with the old console)
            pass
        ensure(time.monotonic() < deadline, f"{what}: the console is not running in "
               f"generation {generation} after {KILL_TIMEOUT:g} s")
    session.wait_quiet(1.0, 15.0)
    session.discard_pending()


def flip_console_bit(context: Context, symbol: str, offset: int, bit: int,
                     region: str) -> tuple[int, int]:
    """Flips ``bit`` of the byte at ``symbol`` + ``offset`` in the console
    (in ``region``); its generation then and the address."""
    generation, _ = server_row(context)
    address = symbol_address(context, symbol) + offset
    command = f"inject console bitflip at {address:#x} {bit}"
    expect_injection(inject(context, command), command, kind="bitflip", target="console",
                     region=region, address=address, bit=bit, generation=generation)
    return generation, address


def console_deaf_after_irq_slot_bitflip(context: Context) -> None:
    # mixed seed 23, fault 16: a bit flipped in the console's data, the slot
    # of its IRQ capability, left it running but deaf (every irq_handler_ack
    # failed, it did not crash, init saw nothing). It now stops with an error
    # when its port or IRQ capability fails, and init restarts it.
    generation, _ = flip_console_bit(context, UART_SYMBOL, UART_IRQ_OFFSET, 0, "data")
    # The next key raises the IRQ; acknowledging it fails.
    session = context.session
    session.send_keys(ENTER)
    session.wait_until(lambda text: "init: 'console' exited with an error" in text,
                       KILL_TIMEOUT, "the console stopping with an error")
    ensure("console: acknowledging IRQ 4 failed" in session.log,
           "the console did not say which capability failed")
    wait_for_console_generation(context, generation + 1, "the flip in its IRQ slot")
    expect_uptime_answers(context)


def console_garbled_after_code_bitflip(context: Context) -> None:
    # mixed seed 22, fault 5: a bit flipped in the console's receive code
    # garbled every key while it ran on. Init now compares the programs'
    # code with their ELF files (codeCheckTicks) and restarts the one whose
    # code changed, before it runs that code: no key is typed meanwhile.
    generation, address = flip_console_bit(context, RECEIVE_SYMBOL, 4, 3, "code")
    expected = f"init: 'console' crashed (its code changed at {address:#x}: memory corrupted)"
    context.session.wait_until(lambda text: expected in text, CHECK_TIMEOUT, repr(expected))
    wait_for_console_generation(context, generation + 1, "the flip in its code")
    row = row_of(answer_lines(context, "ps")[1:], "console", "ps")
    ensure(row.endswith(f"its code changed at {address:#x}"), f"ps: console's last end: {row!r}")
    reply = context.session.enter(b"uptime" + ENTER)
    expect_uptime_ran(reply)


def console_garbled_after_rpc_state_bitflip(context: Context) -> None:
    # mixed seed 2000, fault 218: bit 2 of the byte at 0x29 in the console's
    # RPC server object was the IPC buffer's address, kept in writable
    # memory: off by 1 KiB, every long message was read from the wrong
    # place and the console wrote garbage until the shell hung. The runtime
    # now reads the address from the thread block each time; the same flip
    # must leave the console's output intact.
    generation, address = flip_console_bit(context, RPC_SERVER_SYMBOL, 0x29, 2, "data")
    command = f"inject console bitflip at {address:#x} 2"
    for _ in range(3):
        reply = context.session.enter(b"uptime" + ENTER)
        expect_uptime_ran(reply)
    ensure(server_row(context) == (generation, "running"),
           f"after {command}: the console is {server_row(context)}")
    inject(context, command)  # (flipped back)


def kill_console_restarts_it(context: Context) -> None:
    generation, _ = server_row(context)
    output = context.session.run("kill console", KILL_TIMEOUT)
    ensure("killed 'console'; init restarts it per its policy" in lines_of(output),
           f"kill console: {output!r}")
    after, state = server_row(context)
    ensure((after, state) == (generation + 1, "running"),
           f"after kill console: console is {state} in generation {after}, expected running "
           f"in generation {generation + 1}")
    expect_uptime_answers(context)


def restart_console(context: Context) -> None:
    generation, _ = server_row(context)
    output = context.session.run("restart console", KILL_TIMEOUT)
    expected = f"restarted 'console' (generation {generation + 1})"
    ensure(expected in lines_of(output), f"restart console: expected {expected!r}, "
           f"got {output!r}")
    after, state = server_row(context)
    ensure((after, state) == (generation + 1, "running"),
           f"after restart: console {state} in generation {after}")
    expect_uptime_answers(context)


def restart_unknown_program(context: Context) -> None:
    expect_error(context, "restart nosuch", "error: restart: no such program")


def shutdown_powers_off(context: Context) -> None:
    status = context.session.shutdown()
    expected = qemu.exit_codes().success_status
    ensure(status == expected, f"QEMU exit status {status}, expected {expected} (success)")


# --- ./rayos run --script ---------------------------------------------------------

def run_script(context: Context, script: str, via_stdin: bool) -> subprocess.CompletedProcess[str]:
    """run_interactive.py --script on ``script``, given as a file or on
    standard input (``--script -``, what ./rayos passes for a pipe)."""
    with tempfile.TemporaryDirectory(prefix="rayos-script-") as work:
        path = Path(work) / "commands.rayos"
        path.write_text(script, encoding="utf-8")
        argv = [sys.executable, str(RUN_INTERACTIVE), "--build", str(context.build),
                "--script", "-" if via_stdin else str(path)]
        try:
            proc = subprocess.run(argv, input=script if via_stdin else "", capture_output=True,
                                  text=True, timeout=SCRIPT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"run_interactive.py --script: no exit in {SCRIPT_TIMEOUT:g} s")
    context.note(f"$ {' '.join(argv)}  (exit status {proc.returncode})\n"
                 f"--- script ---\n{script}--- stdout ---\n{proc.stdout}"
                 f"--- stderr ---\n{proc.stderr}")
    return proc


def script_good_commands_exit_0(context: Context) -> None:
    proc = run_script(context, "# a comment, then an empty line\n\nuptime\nshutdown\n", False)
    ensure(proc.returncode == 0, f"exit status {proc.returncode}, expected 0: "
           f"{proc.stderr.strip()[-300:]!r}")
    lines = proc.stdout.splitlines()
    ensure("rayos> uptime" in lines and any(UPTIME_RE.match(line) for line in lines),
           f"no 'rayos> uptime' and its output in {proc.stdout!r}")
    ensure("powering off" in lines, f"no 'powering off' in {proc.stdout!r}")


def script_error_exits_1(context: Context) -> None:
    proc = run_script(context, "uptime\nfoo\n", True)
    ensure(proc.returncode == 1, f"exit status {proc.returncode}, expected 1")
    lines = proc.stdout.splitlines()
    ensure("error: unknown command 'foo' (type 'help')" in lines,
           f"no error line for 'foo' in {proc.stdout!r}")
    ensure("powering off" in lines, f"the script did not end with a power-off: {proc.stdout!r}")


CHECKS: tuple[Check, ...] = tuple(Check(function.__name__, function) for function in (
    boots_to_prompt,
    empty_line_runs_nothing,
    help_lists_commands,
    help_for_each_command,
    help_unknown_command,
    unknown_command,
    wrong_arguments,
    ps_lists_programs,
    servers_lists_console,
    caps_lists_slots,
    caps_unknown_program,
    mem_shows_ram_and_programs,
    uptime_advances,
    log_shows_kernel_log,
    bench_ipc,
    compress_status_shows_memhog,
    compress_stats_of_memhog_and_totals,
    compress_level_changes_level,
    compress_policy_changes_policy,
    compress_budget_changes_budget,
    compress_bad_input,
    history_up_and_down,
    backspace_erases,
    left_right_insert,
    home_end_move,
    ctrl_u_erases_to_line_start,
    ctrl_c_cancels_line,
    tab_completes_command,
    tab_completes_subcommand,
    tab_completes_compress,
    long_line_refused,
    pasted_lines_arrive_intact,
    control_characters_ignored,
    binary_bytes_ignored,
    compress_survives_pager_restart,
    inject_bad_input,
    inject_bitflip_prints_line,
    inject_log_shows_injections,
    tab_completes_inject,
    inject_console_stop,
    inject_pager_delay_and_starve,
    inject_memhog_crash_restarts_it,
    inject_survives_injector_restart,
    console_deaf_after_irq_slot_bitflip,
    console_garbled_after_code_bitflip,
    console_garbled_after_rpc_state_bitflip,
    kill_console_restarts_it,
    restart_console,
    restart_unknown_program,
    shutdown_powers_off,  # powers off: the last check in the session
    script_good_commands_exit_0,
    script_error_exits_1,
))


def selected(patterns: list[str]) -> list[Check]:
    """The checks whose names (shell.<check>) match a pattern; all without."""
    return [check for check in CHECKS
            if not patterns or any(fnmatch.fnmatchcase(f"shell.{check.name}", p) for p in patterns)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build" / "debug"))
    parser.add_argument("--verbose", action="store_true",
                        help="show the serial console on stderr as it runs")
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    build = Path(args.build)
    results: list[bool] = []

    def report(name: str, ok: bool, detail: str) -> None:
        results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    run_checks(build, selected(args.patterns), report, build / "test-logs",
               mirror=sys.stderr if args.verbose else None)
    print(f"{results.count(True)} passed, {results.count(False)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
