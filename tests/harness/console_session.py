"""A RayOS system booted in QEMU, driven through its serial console.

``ConsoleSession`` boots the full system (init, the system manifest, the
console server and the shell: ``qemu.system_modules``) under the
deterministic QEMU flags, waits for the shell's first prompt and then types
into the console like an operator::

    with ConsoleSession(Path("build/debug")).boot() as session:
        print(session.run("uptime"))          # "up 1.23 s (123 ticks)"
        reply = session.enter(b"upt\\t\\r")    # keys, then the reply
        status = session.shutdown()           # QEMU's exit status

The serial port is QEMU's stdio on a pseudo-terminal (pexpect), with
``signal=off`` so that Ctrl-C reaches the guest instead of stopping QEMU.
Matching is done here on the collected text rather than by pexpect's
``expect``, so that long input can be typed in chunks while the echo is
read (neither side of the terminal fills up). Everything the guest (and
QEMU) prints is kept in ``log``. Any failure (the VM died,
panicked or did not answer in time) raises ``SessionError`` with a one-line
reason.

How replies are cut: the shell starts every prompt on a fresh line, while
the line editor redraws its line after ``\\r``; so a prompt is ``rayos> ``
right after a newline. Between two prompts come the echo of the typed line
(up to the first newline) and then the command's output.
"""

from __future__ import annotations

import dataclasses
import os
import re
import select
import sys
import time
from pathlib import Path
from typing import IO, Callable, Optional, Union

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu  # noqa: E402
from terminal import visible_line  # noqa: E402

PROMPT = "rayos> "
BANNER = "RayOS shell. Type 'help' for commands."
ERROR_PREFIX = "error: "

BOOT_TIMEOUT = 120.0  # TCG on a loaded machine: the first boot can be slow
COMMAND_TIMEOUT = 60.0
POWER_OFF_TIMEOUT = 60.0

SEND_CHUNK = 64  # bytes typed at once; the output is collected in between
READ_SIZE = 65536

_PROMPT_RE = re.compile(r"(?<=\n)" + re.escape(PROMPT))

Pattern = Union[str, "re.Pattern[str]"]


class SessionError(Exception):
    """The session cannot go on: the VM died or did not answer in time."""


@dataclasses.dataclass(frozen=True)
class Reply:
    """What the console showed between typing a line and the next prompt."""

    raw: str  # exactly what arrived, after the previous prompt up to this one
    line: str  # the edited line as the terminal shows it (without the prompt)
    output: str  # the lines after the echo, "\r" removed, no final newline

    @property
    def lines(self) -> list[str]:
        return self.output.split("\n") if self.output else []

    @property
    def errors(self) -> list[str]:
        """Output lines that report an error (they start with ``error: ``)."""
        return [line for line in self.lines if line.startswith(ERROR_PREFIX)]

    @property
    def bells(self) -> int:
        """How many times the line editor rang the bell (refused a key)."""
        return self.raw.count("\a")


def split_reply(raw: str) -> Reply:
    """Cut the text between two prompts into the echoed line and the output."""
    echo, _, rest = raw.partition("\n")
    shown = visible_line(PROMPT + echo)
    if shown.startswith(PROMPT):
        shown = shown[len(PROMPT):]
    output = rest.replace("\r", "")
    if output.endswith("\n"):
        output = output[:-1]
    return Reply(raw=raw, line=shown, output=output)


class _Transcript:
    """Collects what the guest printed; optionally mirrors it to a stream."""

    def __init__(self, mirror: Optional[IO[str]]) -> None:
        self.chunks: list[str] = []
        self.mirror = mirror

    def add(self, text: str) -> None:
        self.chunks.append(text)
        if self.mirror is not None:
            self.mirror.write(text)
            self.mirror.flush()

    def text(self) -> str:
        return "".join(self.chunks)


class ConsoleSession:
    """One booted RayOS system and its serial console (see the module doc)."""

    def __init__(self, build: Union[str, "os.PathLike[str]"], *, append: str = "",
                 timeout: float = COMMAND_TIMEOUT, mirror: Optional[IO[str]] = None) -> None:
        """A session for the system in ``build`` (build/debug ...); ``boot``
        starts it. ``timeout`` is the default wait for a reply, ``mirror``
        a stream that gets everything the guest prints as it arrives."""
        self.build = Path(build)
        self.append = append
        self.timeout = timeout
        self.exit_status: Optional[int] = None
        self.last_match: Optional[re.Match[str]] = None
        self._transcript = _Transcript(mirror)
        self._pending = ""
        self._child: Optional[pexpect.spawn] = None

    def boot(self, timeout: float = BOOT_TIMEOUT) -> ConsoleSession:
        """Starts QEMU and waits for the shell's banner and first prompt;
        raises SessionError (and stops QEMU) if they do not come."""
        argv = qemu.qemu_command(self.build / "microkernel" / "kernel.elf",
                                 qemu.system_modules(self.build), append=self.append,
                                 serial="chardev:console",
                                 extra=("-chardev", "stdio,id=console,signal=off"))
        try:
            self._child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8",
                                        codec_errors="replace", timeout=self.timeout,
                                        echo=False)
        except pexpect.ExceptionPexpect as error:
            self.exit_status = -1
            raise SessionError(f"cannot start {argv[0]}: {error}") from None
        os.set_blocking(self._child.child_fd, False)
        try:
            self.expect(re.escape(BANNER), timeout, what="shell banner")
            self.expect_prompt(timeout)
        except BaseException:
            self.close()
            raise
        return self

    # --- context manager ------------------------------------------------------

    def __enter__(self) -> ConsoleSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what was seen ----------------------------------------------------------

    @property
    def log(self) -> str:
        """Everything the guest printed so far."""
        return self._transcript.text()

    @property
    def alive(self) -> bool:
        """Booted and not ended yet."""
        return self._child is not None and self.exit_status is None

    def mark(self) -> int:
        """A position in ``log`` (its current length), to cut it later."""
        return len(self.log)

    # --- typing -------------------------------------------------------------------

    def run(self, command: str, timeout: Optional[float] = None) -> str:
        """Types ``command`` and Enter; returns its output (see ``Reply.output``)."""
        return self.enter(command.encode() + b"\r", timeout).output

    def enter(self, keys: bytes, timeout: Optional[float] = None) -> Reply:
        """Types ``keys`` (which end the line: ``\\r``, or Ctrl-C) and returns
        the reply up to the next prompt. Output that arrived before (log
        lines of other programs) is dropped from the reply first."""
        self.discard_pending()
        self.send_keys(keys)
        return self.expect_prompt(timeout)

    def send_keys(self, data: bytes) -> None:
        """Types raw bytes, a few at a time, collecting output in between so
        that neither side of the serial line blocks."""
        self._collect(0.0)  # fails if the VM is not running
        assert self._child is not None
        fd = self._child.child_fd
        for start in range(0, len(data), SEND_CHUNK):
            chunk = data[start:start + SEND_CHUNK]
            stalled_since = time.monotonic()
            while chunk:
                try:
                    written = os.write(fd, chunk)
                except BlockingIOError:
                    written = 0
                except OSError as error:  # QEMU has gone: say how it ended
                    self._collect(0.0)
                    raise SessionError(f"cannot type into the console: {error}") from None
                if written:
                    chunk = chunk[written:]
                    stalled_since = time.monotonic()
                    continue
                if time.monotonic() - stalled_since > self.timeout:
                    raise SessionError("timeout: the guest stopped reading its input; "
                                       f"last output: {self._tail()}")
                self._collect(0.0)
                select.select([fd], [fd], [], 0.05)
            self._collect(0.0)

    # --- waiting -------------------------------------------------------------------

    def expect(self, pattern: Pattern, timeout: Optional[float] = None,
               what: str = "") -> str:
        """Waits until ``pattern`` (a regular expression) appears in the output
        not consumed yet; returns the text before it and consumes both.
        The match is in ``last_match``."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            match = regex.search(self._pending)
            if match is not None:
                before = self._pending[:match.start()]
                self._pending = self._pending[match.end():]
                self.last_match = match
                return before
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SessionError(f"timeout: no {what or repr(regex.pattern)} within "
                                   f"{limit:g} s; last output: {self._tail()}")
            self._collect(min(remaining, 0.5))

    def wait_until(self, condition: Callable[[str], bool], timeout: Optional[float] = None,
                   what: str = "the expected output") -> str:
        """Waits until ``condition`` holds for the output not consumed yet
        (which stays unconsumed); returns that output."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while not condition(self._pending):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SessionError(f"timeout: no {what} within {limit:g} s; "
                                   f"last output: {self._tail()}")
            self._collect(min(remaining, 0.5))
        return self._pending

    def expect_prompt(self, timeout: Optional[float] = None) -> Reply:
        """Waits for the next prompt; returns what came before it as a Reply."""
        before = self.expect(_PROMPT_RE, timeout, what="prompt")
        return split_reply(before)

    def wait_quiet(self, quiet: float = 1.0, timeout: Optional[float] = None) -> str:
        """Collects output until none came for ``quiet`` s (at most ``timeout``
        s); returns the output not consumed yet (it stays unconsumed)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            seen = len(self._pending)
            self._collect(quiet)
            if len(self._pending) == seen:
                break
        return self._pending

    def at_prompt(self) -> bool:
        """Whether the output not consumed yet ends with a fresh prompt."""
        return ("\n" + self._pending).endswith("\n" + PROMPT)

    def discard_pending(self) -> None:
        """Drops output that arrived but was not expected (it stays in ``log``)."""
        self._collect(0.0)
        self._pending = ""

    # --- the end --------------------------------------------------------------------

    def shutdown(self, timeout: float = POWER_OFF_TIMEOUT) -> int:
        """Types ``shutdown``, waits for ``powering off`` and QEMU's exit;
        returns QEMU's exit status."""
        self.discard_pending()
        self.send_keys(b"shutdown\r")
        self.expect(r"powering off", timeout)
        return self.wait_exit(timeout)

    def wait_exit(self, timeout: float = POWER_OFF_TIMEOUT) -> int:
        """Waits until QEMU exits; returns its exit status."""
        deadline = time.monotonic() + timeout
        while self.exit_status is None:
            if time.monotonic() > deadline:
                raise SessionError(f"timeout: QEMU did not exit within {timeout:g} s; "
                                   f"last output: {self._tail()}")
            try:
                self._read(0.5)
            except pexpect.EOF:
                self._reap()
        return self.exit_status

    def close(self) -> Optional[int]:
        """Stops QEMU if it still runs; returns its exit status (negative:
        the signal that ended it)."""
        if self._child is None:
            return None
        if self.exit_status is None:
            try:
                self._collect(0.0)
            except SessionError:
                pass
        if self.exit_status is None:
            self._reap(force=True)
        return self.exit_status

    # --- internals -------------------------------------------------------------------

    def _read(self, timeout: float) -> None:
        """Reads what the guest printed within ``timeout`` s (raises
        pexpect.EOF when QEMU has gone)."""
        assert self._child is not None
        try:
            text = self._child.read_nonblocking(READ_SIZE, timeout=timeout)
        except pexpect.TIMEOUT:
            return
        self._transcript.add(text)
        self._pending += text

    def _collect(self, timeout: float) -> None:
        """Like _read, but QEMU's exit is a SessionError naming what happened."""
        if self._child is None:
            raise SessionError("the VM was not booted")
        if self.exit_status is not None:
            raise SessionError(f"the VM is gone (QEMU exit status {self.exit_status})")
        try:
            self._read(timeout)
        except pexpect.EOF:
            self._reap()
            # QEMU's own messages share the terminal: its last line is the one.
            verdict = qemu.decide(self.exit_status, self.log, False, "success",
                                  stderr=qemu.last_line(self.log))
            raise SessionError(f"the VM exited ({verdict.category}): {verdict.reason}") from None

    def _reap(self, force: bool = False) -> None:
        """Closes the terminal, waits for QEMU and keeps its exit status."""
        assert self._child is not None
        self._child.close(force=force)
        status = self._child.exitstatus
        if status is None and self._child.signalstatus is not None:
            status = -self._child.signalstatus
        self.exit_status = status

    def _tail(self, lines: int = 3) -> str:
        text = self.log.replace("\r", "").rstrip("\n").split("\n")[-lines:]
        return " | ".join(repr(line)[1:-1] for line in text) or "<nothing>"
