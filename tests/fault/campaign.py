#!/usr/bin/python3
"""A fault injection campaign against RayOS: ``./rayos fault``.

    campaign.py [--build build/debug] [--campaign crash|bitflip|stop|ipc|starve|mixed]
                [--seed S] [--runs N] [--faults-per-run K] [--batch B]
                [--targets console,pager,memhog] [--timeout T] [--quiet]

N x K faults are drawn from the seed (faults.py). Each run boots the whole
system (the debug build: init, console, shell, pager, memhog, injector)
and injects its K faults through the shell's ``inject`` command, B at a
time (default 1), checking the invariants after each batch (invariants.py:
the kernel is alive, the shell answers, supervision restarted or failed
what crashed per policy, no unexplained wrong data, no hang). A run goes on
in the same system while the faults leave it healthy; after a violation,
or once a program is down for good (failed, stopped), the next batch gets
a freshly booted system.

The report (report.py) counts the faults by kind and target and their
outcomes; every violation comes with what reproduces it (the campaign's
seed and the fault's index, and the inject commands typed since that
system booted) and its serial log, kept in <build>/fault-logs/. Exit
status 1 if any invariant was violated, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faults  # noqa: E402
import invariants as inv  # noqa: E402
import report  # noqa: E402
from session import Died, Hang, System  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "init" / "system.manifest.txt"

WAIT = 1.5  # s after an injection before the checks (a stop lasts 50 ticks)
SETTLE_POLL = 0.5  # s between two `ps` while something is restarting
SETTLE_LIMIT = 30.0  # s: restarting longer than this is stuck (back-offs are < 2 s)
NOT_RUNNING = "that program is not running now"  # the injector's refusal
NOT_RUNNING_TRIES = 4  # times a fault is typed while its target restarts
PROGRESS_WAIT = 1.0  # s between the two `ps` that must show memhog's CPU time grow


@dataclasses.dataclass
class Options:
    campaign: str = "mixed"
    seed: int = 1
    runs: int = 5
    faults_per_run: int = 6
    targets: tuple[str, ...] = faults.TARGETS
    timeout: float = 20.0  # s for any one command
    batch: int = 1  # faults injected back to back before one check of the invariants

    def command_line(self) -> str:
        line = (f"./rayos fault --campaign {self.campaign} --seed {self.seed} --runs {self.runs} "
                f"--faults-per-run {self.faults_per_run} --targets {','.join(self.targets)}")
        line += f" --batch {self.batch}" if self.batch != Options.batch else ""
        return line + (f" --timeout {self.timeout:g}" if self.timeout != Options.timeout else "")


@dataclasses.dataclass
class Result:
    """One fault: what was done and what came of it."""

    fault: faults.Fault
    boot: int  # the boot of the campaign it was injected in (from 1)
    typed: list[str]  # the inject commands typed in that boot, up to this one
    outcome: str = inv.NO_EFFECT
    violations: list[str] = dataclasses.field(default_factory=list)
    details: list[str] = dataclasses.field(default_factory=list)
    injected: list[faults.Injection] = dataclasses.field(default_factory=list)
    log: Optional[Path] = None  # where the serial log went (violations)
    # (violations) earlier faults whose flipped bits were still in a running program
    live_flips: list[str] = dataclasses.field(default_factory=list)


class Campaign:
    """Runs the faults of ``options`` against the system in ``build``."""

    def __init__(self, build: Path, options: Options,
                 say: Callable[[str], None] = lambda line: None) -> None:
        self.build = build
        self.options = options
        self.say = say
        self.programs = inv.policies(MANIFEST)
        workload = self.programs.get(inv.WORKLOAD)
        self.pager = workload.pager if workload is not None else ""  # memhog's
        self.logs = build / "fault-logs"
        self.results: list[Result] = []
        self._by_index: dict[int, Result] = {}  # the results by fault index
        self.boot_failures: list[str] = []
        self.boots = 0
        self.system: Optional[System] = None
        self.watch = inv.LogWatch(self.programs)
        self.typed: list[str] = []
        self._last_rows: dict = {}  # the last `ps` of the system

    def run(self) -> list[Result]:
        options = self.options
        plan = faults.plan(options.campaign, options.seed,
                           options.runs * options.faults_per_run, options.targets)
        try:
            for start in range(0, len(plan), options.faults_per_run):
                self._power_off()  # every run starts from a fresh boot
                run = plan[start:start + options.faults_per_run]
                first = 0
                while first < len(run):
                    if self.system is None and not self._boot():
                        if len(self.boot_failures) >= 2:
                            return self.results
                        break
                    # (A batch cut short by a violation goes on after a new boot.)
                    results = self._inject(run[first:first + options.batch])
                    first += len(results)
                    for result in results:
                        self.say(report.fault_line(result))
                    last = results[-1]
                    if not self._healthy(last):
                        if last.violations:
                            last.log = self._save_log(last)
                        self._power_off()
        finally:
            self._power_off()
        return self.results

    # --- one batch of faults ------------------------------------------------------

    def _inject(self, batch: list[faults.Fault]) -> list[Result]:
        """Injects the faults of ``batch`` one after the other, then checks
        the invariants once; violations go to the batch's last fault."""
        system, watch = self.system, self.watch
        assert system is not None
        results: list[Result] = []
        events: list[inv.Event] = []
        lost, banners = system.prompt_lost, system.shell_restarts
        try:
            for fault in batch:
                self.typed.append(fault.command)
                result = Result(fault, self.boots, list(self.typed))
                results.append(result)
                self.results.append(result)
                self._by_index[fault.index] = result
                for _ in range(NOT_RUNNING_TRIES):
                    mark = system.mark()
                    reply = system.command(fault.command)
                    if NOT_RUNNING not in reply:
                        break
                    # Restarting after an earlier fault of the batch: soon again.
                    row = system.ps((fault.target,)).get(fault.target)
                    if row is None or row.state != "restarting":
                        break
                    system.wait(SETTLE_POLL)
                result.injected = (faults.injections(reply)
                                   or faults.injections(system.log[mark:]))
                for injection in result.injected:
                    watch.injected(injection.sequence, fault)
                if not result.injected:
                    result.details = [line for line in reply.split("\n") if line] or ["no reply"]
                events += watch.scan(system.log, batch[:len(results)])
            if any(result.injected for result in results):
                system.wait(WAIT)
                events += self._check(results[-1], batch)
        except (Hang, Died) as error:
            kind = "hang" if isinstance(error, Hang) else "the machine stopped"
            results[-1].violations.append(f"{kind}: {error}")
        done = batch[:len(results)]
        last = results[-1]
        events += watch.scan(system.log, done)
        panic = inv.panic_line(system.log)
        if panic is not None:
            last.violations.append(f"kernel panic: {panic}")
        elif not system.alive:
            last.violations.append("QEMU exited")
        for event in events:
            if event.what == "halt":
                last.violations.append(f"the machine was powered off: {event.line}")
            elif event.what == "errors" and not event.explained:
                last.violations.append(f"wrong data no bitflip explains: {event.line}")
        self._account(results, events)
        if last.violations:
            indices = {fault.index for fault in done}
            last.live_flips = [f"#{index} ({name}, generation {generation})"
                               for index, name, generation in watch.live_flips()
                               if index not in indices]
        if system.prompt_lost > lost:
            last.details.append("a prompt was lost (Enter typed again)")
        if system.shell_restarts > banners:
            last.details.append("the shell's banner came again")
        for result in results:
            if not result.injected and not result.violations:
                result.outcome = inv.NOT_INJECTED
        return results

    def _check(self, result: Result, batch: list[faults.Fault]) -> list[inv.Event]:
        """Invariants 2, 3 and 5 (and the events so far for 3 and 4)."""
        system = self.system
        assert system is not None
        if system.uptime() < 0:
            if system.uptime() < 0:  # (once more: a line another program printed broke it)
                result.violations.append("uptime: the reply is not 'up ... ticks'")
        if self.pager:
            # The pager answers the shell (a hang raises); this may also
            # run code a flipped bit broke, so before the programs settle.
            answer = system.command(f"compress stats {inv.WORKLOAD}")
            if "page-ins" not in answer:
                result.details.append(f"compress stats: {answer.strip()[:100]!r}")
        events: list[inv.Event] = []
        rows = self._progress(result, self._settle(), events)
        for again in (True, False):
            events += self.watch.scan(system.log, batch)
            problems = inv.supervision(rows, self.programs, events, system.log)
            if not problems or not again:
                break
            # Once more: what init printed may have crossed the last `ps`.
            system.wait(SETTLE_POLL)
            rows = self._settle()
        result.violations += problems
        self._last_rows = rows
        self.watch.sync({name: row.generation for name, row in rows.items()})
        return events

    def _settle(self) -> dict:
        """``ps`` once nothing is restarting any more (or at the limit)."""
        assert self.system is not None
        deadline = time.monotonic() + SETTLE_LIMIT
        while True:
            rows = self.system.ps(tuple(self.programs))
            busy = any(row.state == "restarting" for row in rows.values())
            if not busy or time.monotonic() > deadline:
                return rows
            self.system.wait(SETTLE_POLL)

    def _progress(self, result: Result, rows: dict, events: list[inv.Event]) -> dict:
        """Invariant 5 for the workload: memhog's CPU time grows (a stall a
        bitflip explains is an event; the rows of the last ``ps``)."""
        system, name = self.system, inv.WORKLOAD
        assert system is not None
        if not _running(rows, name, self.pager):
            return rows
        system.wait(PROGRESS_WAIT)
        later = system.ps(tuple(self.programs))
        before, after = rows[name], later.get(name)
        if after is None or after.generation != before.generation or after.cpu > before.cpu:
            return later
        flip = self.watch.explaining_flip(name)
        line = (f"{name} made no progress in {PROGRESS_WAIT:g} s (CPU {after.cpu}, "
                f"thread {after.thread})")
        if flip is None:
            result.violations.append(line)
        else:
            events.append(inv.Event("stalled", name, line, flip))
        return later

    def _account(self, results: list[Result], events: list[inv.Event]) -> None:
        """The outcome of each fault of a batch, and of earlier ones whose
        late effects showed now."""
        mine = {result.fault.index: result for result in results}
        for result in results:
            result.outcome = inv.classify(result.fault, events, result.violations, self.programs)
        for event in events:
            if event.fault in mine:
                if event.what != "restarted":
                    mine[event.fault].details.append(event.line)
            elif event.fault in self._by_index:
                earlier = self._by_index[event.fault]
                outcome = inv.classify(earlier.fault, [event], [], self.programs)
                self._note(earlier, outcome,
                           f"{event.line} (seen after fault #{results[-1].fault.index})")
        last = results[-1]
        if any(result.injected for result in results):
            last.details += [f"{name} is {row.state}" for name, row in self._last_rows.items()
                             if row.state != "running"]

    @staticmethod
    def _note(result: Result, outcome: str, detail: str) -> None:
        if inv.SEVERITY[outcome] > inv.SEVERITY[result.outcome]:
            result.outcome = outcome
        result.details.append(detail)

    # --- systems -------------------------------------------------------------------

    def _healthy(self, result: Result) -> bool:
        """Whether the next fault may use this system too."""
        if result.violations or self.system is None or not self.system.alive:
            return False
        if result.outcome == inv.NOT_INJECTED:
            return True
        rows = self._last_rows
        return bool(rows) and all(row.state == "running" for row in rows.values())

    def _boot(self) -> bool:
        self.boots += 1
        self.typed = []
        self.watch = inv.LogWatch(self.programs)
        self._last_rows = {}
        system = System(self.build, self.options.timeout)
        try:
            self.system = system.boot()
            return True
        except (Hang, Died) as error:
            self.boot_failures.append(f"boot {self.boots}: {error}")
            self.say(f"boot {self.boots} failed: {error}")
            self._write(self._log_path(f"boot{self.boots}"), system.log, [])
            system.close()
            return False

    def _power_off(self) -> None:
        if self.system is not None:
            self.system.close()
            self.system = None

    def _save_log(self, result: Result) -> Path:
        assert self.system is not None
        path = self._log_path(f"fault{result.fault.index}")
        self._write(path, self.system.log, result.typed)
        return path

    def _log_path(self, what: str) -> Path:
        return self.logs / f"{self.options.campaign}-seed{self.options.seed}-{what}.log"

    def _write(self, path: Path, log: str, typed: Sequence[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"# {self.options.command_line()}\n# typed after booting:\n"
        header += "".join(f"#   {line}\n" for line in typed) + "\n"
        path.write_text(header + log.replace("\r", ""), encoding="utf-8")


def _running(rows: dict, *names: str) -> bool:
    """Whether ``ps`` showed the programs named (not "") running."""
    return all(rows.get(name) is not None and rows[name].state == "running"
               for name in names if name)


def parse_options(argv: Optional[Sequence[str]]) -> tuple[Path, Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build" / "debug"))
    parser.add_argument("--campaign", choices=sorted(faults.CAMPAIGNS), default="mixed")
    parser.add_argument("--seed", type=int, default=Options.seed)
    parser.add_argument("--runs", type=int, default=Options.runs)
    parser.add_argument("--faults-per-run", type=int, default=Options.faults_per_run)
    parser.add_argument("--targets", default=",".join(faults.TARGETS))
    parser.add_argument("--batch", type=int, default=Options.batch,
                        help="faults injected back to back before each check of the invariants "
                        "(default %(default)d)")
    parser.add_argument("--timeout", type=float, default=Options.timeout,
                        help="seconds any one command may take (default %(default)g)")
    parser.add_argument("--quiet", action="store_true", help="no line per fault, only the report")
    args = parser.parse_args(argv)
    targets = tuple(t for t in args.targets.split(",") if t)
    unknown = [t for t in targets if t not in faults.TARGETS]
    if unknown or not targets:
        parser.error(f"--targets: one or more of {','.join(faults.TARGETS)}")
    if (args.runs < 1 or args.faults_per_run < 1 or args.batch < 1 or args.seed < 0
            or args.timeout <= 0):
        parser.error("--runs, --faults-per-run and --batch are at least 1, --seed at least 0")
    options = Options(args.campaign, args.seed, args.runs, args.faults_per_run, targets,
                      args.timeout, args.batch)
    return Path(args.build), options, args.quiet


def run(build: Path, options: Options, say: Callable[[str], None]) -> tuple[Campaign, float]:
    """Runs a campaign; returns it and how long it took."""
    started = time.monotonic()
    campaign = Campaign(build, options, say)
    campaign.run()
    return campaign, time.monotonic() - started


def main(argv: Optional[Sequence[str]] = None) -> int:
    build, options, quiet = parse_options(argv)
    campaign, elapsed = run(build, options, (lambda line: None) if quiet else
                            (lambda line: print(line, flush=True)))
    print(report.table(campaign, elapsed))
    return 1 if report.violated(campaign) else 0


if __name__ == "__main__":
    sys.exit(main())
