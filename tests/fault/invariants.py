"""What must hold after every fault, and what a fault did.

The invariants, checked after each fault (campaign.py does the checking,
with the helpers here):

1. The kernel is alive: no ``KERNEL PANIC`` on the serial console and QEMU
   still runs (a program powering the machine off breaks this too).
2. The shell answers: ``uptime`` replies within the command time limit.
3. Supervision did its job: once nothing is ``restarting`` any more (a
   settle limit bounds the wait), every program of the manifest is
   ``running``, or ``failed`` with its restart budget used up (RST equals
   its maxRestarts, or its pager failed), or ``stopped`` after it exited
   cleanly under a policy other than ``always``. A program still
   ``restarting`` at the settle limit, failed with budget left, or stopped
   without a clean exit breaks it; so does one init reported ``crashed``
   that runs on in the same generation.
4. No unexplained wrong data. memhog, the workload, checks every page it
   reads against what it wrote last and prints ``memhog: round N: K
   verification errors`` when K > 0. Its pages live in memhog's own memory
   and pass through its pager, so a bit the campaign flipped in either may
   legitimately make memhog see wrong data: an error report is *explained*
   when, at the point of the log where it appears, the generation of
   memhog then running, or that of its pager, has had a bit flipped by the
   campaign (generations are followed through init's ``restarting '<x>'
   ... generation N`` lines and the injector's ``(generation g)``). An
   explained report is the outcome ``workload error reported`` (detected
   end to end). Any other report is a violation: the system itself made
   data wrong -- after a crash or a stop (which lose no data: a restarted
   memhog starts from scratch, its pager drops its old pages, a stopped
   program resumes where it was), after a fault in an unrelated program,
   or in a generation started after the flipped one went away.
5. No hang: every command the campaign types returns within its time
   limit, and memhog makes progress (its CPU time grows between two ``ps``
   a second apart) unless a bit was flipped in its running generation or
   its pager's (a flipped instruction may loop: that stall is reported as
   ``workload error reported``, like wrong data).

Outcomes of one fault, the first that applies:
  invariant violated       one of the above broke
  workload error reported  memhog reported wrong data (or stalled) and a
                           bitflip of this fault explains it
  server restarted         a server (a program others are granted: console,
                           pager, injector) crashed and was restarted or
                           failed per its policy
  detected and recovered   another program (memhog) crashed and was
                           restarted (or failed) per its policy
  no effect                none of the above: nothing crashed, no error
  not injected             the shell refused the inject command (the
                           injector said why); not a fault at all
Faults are checked in batches (campaign.py --batch): an event counts for
the latest fault of the batch into that program or its pager. Effects that
show up after a later batch (a flipped bit that crashes its program later,
errors that go on) count for the fault whose bitflip explains them (the
last one into that program's generation, or its pager's), unless a fault
of the later batch hit that program (or its pager) itself.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from faults import INJECTION_RE, Fault

NO_EFFECT = "no effect"
RECOVERED = "detected and recovered"
SERVER_RESTARTED = "server restarted"
WORKLOAD_ERROR = "workload error reported"
VIOLATED = "invariant violated"
NOT_INJECTED = "not injected"
OUTCOMES = (NO_EFFECT, RECOVERED, SERVER_RESTARTED, WORKLOAD_ERROR, VIOLATED, NOT_INJECTED)
SEVERITY = {NOT_INJECTED: -1, NO_EFFECT: 0, RECOVERED: 1, SERVER_RESTARTED: 2, WORKLOAD_ERROR: 3,
            VIOLATED: 4}

WORKLOAD = "memhog"
PANIC_MARKER = "KERNEL PANIC"

_NAME = r"'([\w.-]+)'"
CRASHED_RE = re.compile(rf"init: {_NAME} (?:crashed \((.*)\)|exited with an error \((.*)\))")
EXITED_CLEANLY_RE = re.compile(rf"init: {_NAME} exited cleanly")
RESTARTING_RE = re.compile(rf"init: restarting {_NAME} (?:in \d+ ticks \(restart \d+ of \d+, "
                           r"generation (\d+)\)|on request \(generation (\d+)\))")
FAILED_RE = re.compile(rf"init: {_NAME} (?:failed: (.*)|stays down)")
ERRORS_RE = re.compile(rf"{WORKLOAD}: (?:round \d+|.* rounds): (\d+) verification errors")
HALT_RE = re.compile(r"kernel: system halt requested by '([\w.-]+)'[^\n]*")


# --- the manifest -----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Policy:
    """What init's system manifest says of one program."""

    name: str
    restart: str  # always, onFailure or never
    max_restarts: int
    pager: str  # the program that pages it ("" if none)
    server: bool  # some program is granted it


def policies(manifest: Path) -> dict[str, Policy]:
    """The programs of init/system.manifest.txt, in order."""
    text = re.sub(r"#[^\n]*", "", manifest.read_text(encoding="utf-8"))
    entries = re.split(r'\(name = "', text)[1:]
    names = [entry.split('"', 1)[0] for entry in entries]
    found = {}
    for name, entry in zip(names, entries):
        restart = re.search(r"restart = \((\w+) = void(?:, maxRestarts = (\d+))?", entry)
        pager = [other for other, body in zip(names, entries)
                 if f'faultEndpointOf = "{name}"' in body]
        found[name] = Policy(name, restart.group(1) if restart else "never",
                             int(restart.group(2) or 0) if restart else 0,
                             pager[0] if pager else "",
                             any(f'server = "{name}"' in body for body in entries))
    return found


# --- what the log says ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Event:
    """Something a fault did, as the serial log tells it."""

    what: str  # crashed, restarted, failed, exited, errors, stalled, halt
    program: str
    line: str
    fault: int  # the fault it counts for
    explained: bool = True  # (errors) a bitflip explains it


class LogWatch:
    """Follows one boot's serial log: the generations init announces, the
    bitflips the injector logs, and the events after each fault (see the
    module doc for whom they count)."""

    def __init__(self, programs: dict[str, Policy]) -> None:
        self.programs = programs
        self.generations = {name: 1 for name in programs}
        self.flipped: dict[tuple[str, int], int] = {}  # (program, generation) -> fault
        self.position = 0  # how far the log was read
        self.by_sequence: dict[int, int] = {}  # injection number -> fault

    def sync(self, generations: dict[str, int]) -> None:
        """Generations as ``ps`` showed them (a log line may have been torn)."""
        self.generations.update(generations)

    def injected(self, sequence: int, fault: Fault) -> None:
        """Injection ``sequence`` (the injector's number) belongs to ``fault``."""
        self.by_sequence[sequence] = fault.index

    def scan(self, log: str, batch: Sequence[Fault]) -> list[Event]:
        """The events in the log since the last scan, ``batch`` being the
        faults injected since the last check (the last one the latest)."""
        text, self.position = log[self.position:], len(log)
        # Only whole lines; the rest waits for the next scan.
        cut = text.rfind("\n") + 1
        self.position -= len(text) - cut
        events = []
        for line in text[:cut].replace("\r", "").split("\n"):
            events += self._line(line, batch)
        return events

    def _line(self, line: str, batch: Sequence[Fault]) -> list[Event]:
        # (The shell's reply and the injector's own log line say the same.)
        match = INJECTION_RE.search(line)
        if match:
            if match.group(2) == "bitflip":
                fault = self.by_sequence.get(int(match.group(1)), batch[-1].index)
                self.flipped[(match.group(3), int(match.group(8)))] = fault
            return []
        if match := RESTARTING_RE.search(line):
            name = match.group(1)
            owner = self._owner(name, batch)  # (the generation that ended)
            self.generations[name] = int(match.group(2) or match.group(3))
            return [Event("restarted", name, match.group(0), owner)]
        for what, regex in (("crashed", CRASHED_RE), ("failed", FAILED_RE),
                            ("exited", EXITED_CLEANLY_RE)):
            if match := regex.search(line):
                name = match.group(1)
                return [Event(what, name, line[match.start():].strip(), self._owner(name, batch))]
        if match := HALT_RE.search(line):
            return [Event("halt", match.group(1), match.group(0), batch[-1].index)]
        if (match := ERRORS_RE.search(line)) and int(match.group(1)) > 0:
            flip = self.explaining_flip(WORKLOAD)
            return [Event("errors", WORKLOAD, line[match.start():].strip(),
                          batch[-1].index if flip is None else flip,
                          explained=flip is not None)]
        return []

    def live_flips(self) -> list[tuple[int, str, int]]:
        """(fault, program, generation) of every bitflip into a generation
        that still runs, by fault."""
        return sorted((fault, name, generation)
                      for (name, generation), fault in self.flipped.items()
                      if self.generations.get(name) == generation)

    def explaining_flip(self, name: str) -> Optional[int]:
        """The latest fault whose bitflip explains trouble in ``name`` now (a
        bit flipped in its running generation or its pager's), or None."""
        suspects = [name] + ([self.programs[name].pager] if name in self.programs and
                             self.programs[name].pager else [])
        flips = [self.flipped[key] for key in ((s, self.generations.get(s, 0)) for s in suspects)
                 if key in self.flipped]
        return max(flips) if flips else None

    def _owner(self, name: str, batch: Sequence[Fault]) -> int:
        """The fault an event of program ``name`` counts for: the latest of
        the batch into it or its pager, else the bitflip that explains it,
        else the latest of the batch."""
        policy = self.programs.get(name)
        for fault in reversed(batch):
            if fault.target == name or (policy is not None and fault.target == policy.pager):
                return fault.index
        flip = self.explaining_flip(name)
        return batch[-1].index if flip is None else flip


# --- invariants ---------------------------------------------------------------------

def panic_line(log: str) -> Optional[str]:
    """Invariant 1: the first line with the panic marker, if any."""
    for line in log.replace("\r", "").split("\n"):
        index = line.find(PANIC_MARKER)
        if index >= 0:
            return line[index:].strip()
    return None


def supervision(rows: dict, programs: dict[str, Policy], events: list[Event],
                log: str) -> list[str]:
    """Invariant 3 on the settled ``ps`` rows (program name -> system.Program)."""
    problems = []
    for name, policy in programs.items():
        row = rows.get(name)
        if row is None:
            problems.append(f"ps shows no row for '{name}'")
            continue
        if row.state == "restarting":
            problems.append(f"'{name}' is still restarting (generation {row.generation}, "
                            f"{row.restarts} restarts)")
        elif row.state == "failed":
            pager = programs.get(policy.pager)
            pager_down = pager is not None and rows.get(pager.name) is not None and \
                rows[pager.name].state != "running"
            if row.restarts < policy.max_restarts and not pager_down:
                why = [e.line for e in events if e.what == "failed" and e.program == name]
                problems.append(f"'{name}' failed after {row.restarts} of "
                                f"{policy.max_restarts} restarts: {why[-1] if why else '?'}")
        elif row.state == "stopped":
            clean = re.search(rf"init: '{re.escape(name)}' exited cleanly", log)
            if policy.restart == "always" or not clean:
                problems.append(f"'{name}' is stopped (policy {policy.restart}"
                                f"{', it exited cleanly' if clean else ', no clean exit'})")
    crashed = {e.program for e in events if e.what == "crashed"}
    restarted = {e.program for e in events if e.what in ("restarted", "failed")}
    for name in sorted(crashed - restarted):
        row = rows.get(name)
        if row is not None and row.state == "running":
            problems.append(f"init reported '{name}' crashed but it runs on in generation "
                            f"{row.generation}")
    return problems


def classify(fault: Fault, events: list[Event], violations: list[str],
             programs: dict[str, Policy]) -> str:
    """The outcome of ``fault`` from its own events (see the module doc)."""
    mine = [e for e in events if e.fault == fault.index]
    if violations:
        return VIOLATED
    if any(e.what in ("errors", "stalled") for e in mine):
        return WORKLOAD_ERROR
    hit = {e.program for e in mine if e.what in ("crashed", "restarted", "failed", "exited")}
    if any(programs[name].server for name in hit if name in programs):
        return SERVER_RESTARTED
    if hit:
        return RECOVERED
    return NO_EFFECT
