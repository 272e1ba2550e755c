"""Runs the shell checks (test_shell.py) in order, sharing booted systems.

Booting RayOS takes seconds, so the checks share one ``ConsoleSession``:
the first check that needs it boots the system and waits until the
console falls quiet (the programs besides the shell have started working),
the following ones type into the same console. A check either returns
(pass) or raises (fail): ``CheckFailed`` for a wrong reply,
``SessionError`` when the VM died or did not answer. After a failure the runner cancels any half-typed line (Ctrl-C)
and waits until the console falls quiet at a prompt; if it does not, the VM
is stopped and the next check boots a fresh one. If booting itself fails, the remaining
checks fail without booting again.

Each check is reported once (``report(name, passed, detail)``, names
``shell.<check>``). On failure its log goes to ``<logs>/shell.<check>.log``:
the serial log of the session (with a line marking where the check began)
and anything the check noted (e.g. the output of a program it ran).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Optional

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from console_session import ConsoleSession, SessionError  # noqa: E402

RESYNC_TIMEOUT = 30.0
RESYNC_QUIET = 1.0
SETTLE_QUIET = 1.0  # after booting: no output for this long...
SETTLE_TIMEOUT = 15.0  # ...or go on after this long anyway
TAIL_LINES = 15

Report = Callable[[str, bool, str], None]


class CheckFailed(Exception):
    """The system answered, but not as it should."""


def ensure(condition: object, message: str) -> None:
    """Fails the running check with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


class Context:
    """What a check works with: the build, the shared session, and notes."""

    def __init__(self, build: Path, mirror: Optional[IO[str]] = None) -> None:
        self.build = build
        self.mirror = mirror
        self.notes: list[str] = []
        self.used_session = False  # whether the running check asked for it
        self._session: Optional[ConsoleSession] = None
        self._boot_failure: Optional[str] = None

    @property
    def session(self) -> ConsoleSession:
        """The shared session, booted on first use (or after the last died)."""
        self.used_session = True
        if self._session is not None and self._session.exit_status is None:
            return self._session
        if self._boot_failure is not None:
            raise SessionError(f"no shell session (booting failed: {self._boot_failure})")
        self._session = ConsoleSession(self.build, mirror=self.mirror)
        try:
            session = self._session.boot()
        except SessionError as error:
            self._boot_failure = str(error)
            raise
        # Other programs get to run once the shell waits for keys (the pager
        # serves memhog's first faults, and the debug kernel prints a line
        # for each system call it rejects on the way): let them finish
        # before the first check types, so their lines land in no reply.
        session.wait_quiet(SETTLE_QUIET, SETTLE_TIMEOUT)
        session.discard_pending()
        return session

    @property
    def last_session(self) -> Optional[ConsoleSession]:
        """The session booted last, running or not (None before any boot)."""
        return self._session

    @property
    def live_session(self) -> Optional[ConsoleSession]:
        """The session if one was booted and still runs (without booting)."""
        if self._session is not None and self._session.exit_status is None:
            return self._session
        return None

    def note(self, text: str) -> None:
        """Adds text to the log saved if the running check fails."""
        self.notes.append(text)

    def recover(self) -> None:
        """Back to a quiet prompt after a failed check (Ctrl-C, then wait
        until the console has said everything), or stop the VM."""
        session = self.live_session
        if session is None:
            return
        try:
            session.send_keys(b"\x03")
            session.wait_quiet(RESYNC_QUIET, RESYNC_TIMEOUT)
            if session.at_prompt():
                session.discard_pending()
                return
        except SessionError:
            pass
        session.close()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


@dataclasses.dataclass(frozen=True)
class Check:
    name: str  # the test is reported as shell.<name>
    run: Callable[[Context], None]


def _save_log(path: Path, context: Context, log: str, start: int, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = log[:start] + f"\n===== shell.{name} starts here =====\n" + log[start:] if log else ""
    for note in context.notes:
        text += f"\n===== noted by shell.{name} =====\n{note}"
    path.write_text(text, encoding="utf-8")


def _print_tail(text: str, path: Path) -> None:
    lines = text.replace("\r", "").rstrip("\n").split("\n")[-TAIL_LINES:]
    print("\n".join(f"  | {line!r}"[:200] for line in lines if line))
    print(f"  full log: {path}")


def run_checks(build: Path, checks: Sequence[Check], report: Report, logs: Path,
               mirror: Optional[IO[str]] = None) -> None:
    """Runs ``checks`` in order against the system in ``build`` (``mirror``
    gets the serial output as it arrives)."""
    context = Context(build, mirror)
    try:
        for check in checks:
            context.notes = []
            context.used_session = False
            before = context.live_session
            start = before.mark() if before is not None else 0
            started = time.monotonic()
            try:
                check.run(context)
                failure = None
            except (CheckFailed, SessionError) as error:
                failure = str(error)
            except Exception as error:  # a bug in the check: still one failure
                failure = f"{type(error).__name__}: {error}"
            elapsed = time.monotonic() - started
            if failure is None:
                report(f"shell.{check.name}", True, f"ok ({elapsed:.1f} s)")
                continue
            session = context.last_session if context.used_session else None
            if session is not None and session is not before:
                start = 0  # the check booted this session
            log = session.log if session is not None else ""
            path = logs / f"shell.{check.name}.log"
            _save_log(path, context, log, start, check.name)
            _print_tail(log[start:] + "".join(context.notes), path)
            report(f"shell.{check.name}", False, f"{failure} ({elapsed:.1f} s)")
            context.recover()
    finally:
        context.close()
