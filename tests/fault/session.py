"""One booted RayOS for a fault campaign: typing commands with a time limit,
reading ``ps``, keeping the serial log.

Built on the shell tests' ``ConsoleSession`` (tests/harness). What differs
is how failures are reported: a command that gets no prompt within its
time limit is a ``Hang``, QEMU's exit (a panic, a power-off, a triple
fault) is ``Died``; both carry a one-line reason. One thing is not a hang:
when the console server dies while the shell prints, the shell's reply and
prompt can be lost with it, so a command whose prompt does not come gets
one Enter more (``prompt_lost`` counts those) before it counts as a hang.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import time
from pathlib import Path
from typing import IO, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from console_session import BANNER, ConsoleSession, SessionError  # noqa: E402
import qemu  # noqa: E402

SETTLE_QUIET = 1.0  # after booting: wait until the console is quiet this long...
SETTLE_TIMEOUT = 15.0  # ...but no longer than this

# A row of `ps`: NAME STATE THREAD GEN RST PRIO CPU IPC FAULTS MEM-KiB LAST-END.
PS_ROW_RE = re.compile(r"^(\S+) +(running|restarting|stopped|failed) +(\S+) +(\d+) +(\d+) +"
                       r"(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(.*)$")
UPTIME_RE = re.compile(r"^up \d+\.\d\d s \((\d+) ticks\)$", re.MULTILINE)


class Hang(Exception):
    """A command got no prompt within its time limit (the VM still runs)."""


class Died(Exception):
    """QEMU is gone: the kernel panicked, the machine powered off or reset."""


@dataclasses.dataclass(frozen=True)
class Program:
    """One row of ``ps``."""

    name: str
    state: str
    thread: str
    generation: int
    restarts: int
    cpu: int
    last_end: str


class System:
    """A booted system (see the module doc). ``log`` is its whole serial log."""

    def __init__(self, build: Path, timeout: float, mirror: Optional[IO[str]] = None) -> None:
        self.timeout = timeout
        self.prompt_lost = 0  # commands whose prompt needed a second Enter
        self.shell_restarts = 0  # banners seen in replies (the shell started again)
        self._session = ConsoleSession(build, timeout=timeout, mirror=mirror)

    def boot(self) -> System:
        try:
            self._session.boot()
            self._session.wait_quiet(SETTLE_QUIET, SETTLE_TIMEOUT)
            self._session.discard_pending()
        except SessionError as error:
            raise self._failure(error, "booting") from None
        return self

    @property
    def log(self) -> str:
        return self._session.log

    def mark(self) -> int:
        return self._session.mark()

    @property
    def alive(self) -> bool:
        return self._session.alive

    def wait(self, seconds: float) -> None:
        """Lets the system run for ``seconds``, reading what it prints."""
        deadline = time.monotonic() + seconds
        try:
            while (left := deadline - time.monotonic()) > 0:
                self._session.wait_quiet(left, left)
        except SessionError as error:
            raise self._failure(error, "waiting") from None

    def command(self, line: str, timeout: Optional[float] = None) -> str:
        """Types ``line`` and returns the shell's reply (without the echo)."""
        limit = self.timeout if timeout is None else timeout
        session = self._session
        try:
            session.discard_pending()
            session.send_keys(line.encode() + b"\r")
            try:
                reply = session.expect_prompt(limit)
            except SessionError:
                if not session.alive:
                    raise
                session.send_keys(b"\r")  # the prompt may have gone with the console
                reply = session.expect_prompt(limit)
                self.prompt_lost += 1
                return reply.raw.replace("\r", "")
        except SessionError as error:
            raise self._failure(error, repr(line)) from None
        if BANNER in reply.raw:
            self.shell_restarts += 1
        return reply.output

    def ps(self, expected: tuple[str, ...] = (), tries: int = 3) -> dict[str, Program]:
        """The rows of ``ps`` by name. Lines other programs print in between
        are skipped; while a row of ``expected`` is missing (such a line
        broke it), ``ps`` is typed again."""
        rows: dict[str, Program] = {}
        for _ in range(tries):
            rows = {}
            for line in self.command("ps").split("\n"):
                match = PS_ROW_RE.match(line)
                if match:
                    g = match.groups()
                    rows[g[0]] = Program(g[0], g[1], g[2], int(g[3]), int(g[4]), int(g[6]),
                                         g[10].strip())
            if rows and all(name in rows for name in expected):
                break
        return rows

    def uptime(self, timeout: Optional[float] = None) -> int:
        """Ticks since boot, from ``uptime``; -1 if the reply is not one."""
        output = self.command("uptime", timeout)
        match = UPTIME_RE.search(output)
        return int(match.group(1)) if match else -1

    def close(self) -> None:
        self._session.close()

    def _failure(self, error: SessionError, doing: str) -> Exception:
        panic = qemu.find_panic(self.log)
        if panic is not None:
            return Died(f"{panic} (while {doing})")
        if not self._session.alive:
            return Died(f"while {doing}: {error}")
        return Hang(f"{doing}: {error}")

