#!/usr/bin/python3
"""Boot RayOS in QEMU for tests and decide whether the run passed.

This module is the one place that knows how to start QEMU for RayOS: the
system tests, the benchmarks and the ``./rayos`` script all go through
``qemu_command`` / ``run``.

How a verdict is decided (``decide``), first match wins:

1. timeout        QEMU did not exit within the time limit (it is killed).
2. panic          a log line contains ``KERNEL PANIC:``, or QEMU exited with
                  the panic status (kQemuExitPanic); either one suffices.
3. triple-fault   QEMU exited 0: with -no-reboot a triple fault (or any reset)
                  ends QEMU with status 0.
4. qemu-error     QEMU exited 1: QEMU itself failed (bad option, missing file).
5. guest-failure  the guest wrote kQemuExitFailure to the debug-exit port.
6. success code   the guest wrote kQemuExitSuccess. With expect="summary" the
                  last line matching ``N passed, M failed`` decides
                  (``success`` if M == 0, else ``summary-failed``; none at all
                  is ``no-summary``). With any other expectation the success
                  code alone is ``success`` unless a summary reports failures.
7. unexpected-exit any other status (e.g. QEMU killed by a signal).

The guest's debug-exit values are read from the ABI header (abi.h); QEMU turns
a written value v into the exit status (v << 1) | 1.

``expect`` is "summary" (default), "success", or one of the failure categories
"panic", "triple-fault", "timeout", "guest-failure". For a failure category the
run passes exactly when that category is what was observed; this is how the
harness proves it catches failures.
"""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import functools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Optional, Union

REPO_ROOT = Path(__file__).resolve().parents[2]
ABI_HEADER = REPO_ROOT / "microkernel" / "include" / "rayos" / "abi" / "abi.h"

QEMU_BINARY = "qemu-system-x86_64"

# The machine every RayOS run uses: one qemu64 CPU, 512 MiB, no network, no
# display, no reboot on a triple fault, and the debug-exit port.
MACHINE_FLAGS: tuple[str, ...] = (
    "-machine", "pc",
    "-cpu", "qemu64",
    "-smp", "1",
    "-m", "512",
    "-accel", "tcg",
    "-nic", "none",
    "-display", "none",
    "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
)

# Deterministic runs (tests, benchmarks): instruction counting instead of
# host time (the guest's TSC advances one tick per instruction), fixed RTC
# and RNG seed.
DETERMINISTIC_FLAGS: tuple[str, ...] = (
    "-icount", "shift=0,align=off,sleep=off",
    "-rtc", "base=2024-01-01T00:00:00,clock=vm",
    "-seed", "1",
)

STANDARD_FLAGS: tuple[str, ...] = MACHINE_FLAGS + DETERMINISTIC_FLAGS

SUCCESS = "success"
SUMMARY_FAILED = "summary-failed"
NO_SUMMARY = "no-summary"
GUEST_FAILURE = "guest-failure"
PANIC = "panic"
TRIPLE_FAULT = "triple-fault"
TIMEOUT = "timeout"
QEMU_ERROR = "qemu-error"
UNEXPECTED_EXIT = "unexpected-exit"

CATEGORIES: tuple[str, ...] = (
    SUCCESS, SUMMARY_FAILED, NO_SUMMARY, GUEST_FAILURE, PANIC,
    TRIPLE_FAULT, TIMEOUT, QEMU_ERROR, UNEXPECTED_EXIT,
)
EXPECTED_FAILURES: tuple[str, ...] = (PANIC, TRIPLE_FAULT, TIMEOUT, GUEST_FAILURE)
EXPECTATIONS: tuple[str, ...] = ("summary", "success") + EXPECTED_FAILURES

PANIC_MARKER = "KERNEL PANIC:"
FAIL_MARKER = "[FAIL]"
SUMMARY_RE = re.compile(r"^(\d+) passed, (\d+) failed$")
_ABI_CONST_RE = re.compile(
    r"constexpr\s+uint32_t\s+(kQemuExit\w+)\s*=\s*(0[xX][0-9a-fA-F]+|\d+)\s*;")

PathLike = Union[str, "os.PathLike[str]"]


@dataclasses.dataclass(frozen=True)
class ExitCodes:
    """The guest's debug-exit values (from abi.h) and QEMU's resulting statuses."""

    success: int
    failure: int
    panic: int

    @staticmethod
    def status_of(value: int) -> int:
        return (value << 1) | 1

    @property
    def success_status(self) -> int:
        return self.status_of(self.success)

    @property
    def failure_status(self) -> int:
        return self.status_of(self.failure)

    @property
    def panic_status(self) -> int:
        return self.status_of(self.panic)


def parse_exit_codes(header_text: str) -> ExitCodes:
    """Extract kQemuExitSuccess/Failure/Panic from the text of abi.h."""
    found = {name: int(value, 0) for name, value in _ABI_CONST_RE.findall(header_text)}
    try:
        return ExitCodes(success=found["kQemuExitSuccess"],
                         failure=found["kQemuExitFailure"],
                         panic=found["kQemuExitPanic"])
    except KeyError as missing:
        raise ValueError(f"ABI header lacks constexpr uint32_t {missing.args[0]}") from None


@functools.lru_cache(maxsize=None)
def exit_codes(header: Optional[PathLike] = None) -> ExitCodes:
    """The exit codes defined in the ABI header (read once and cached)."""
    path = Path(header) if header is not None else ABI_HEADER
    return parse_exit_codes(path.read_text(encoding="utf-8"))


@dataclasses.dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str  # one line, human readable
    category: str  # one of CATEGORIES (what was observed)
    exit_status: Optional[int]
    summary: Optional[tuple[int, int]]  # (passed, failed) from the last summary line
    log: str
    elapsed: float
    stderr: str = ""

    def line(self) -> str:
        """The one-line report: ``PASS <reason>`` or ``FAIL <category>: <reason>``."""
        if self.passed:
            return f"PASS {self.reason}"
        return f"FAIL {self.category}: {self.reason}"


# --- log analysis -----------------------------------------------------------

def log_lines(log: str) -> list[str]:
    """The log split into lines, with carriage returns removed."""
    return [line.replace("\r", "") for line in log.split("\n")]


def find_summary(log: str) -> Optional[tuple[int, int]]:
    """(passed, failed) from the last ``N passed, M failed`` line, if any."""
    summary = None
    for line in log_lines(log):
        match = SUMMARY_RE.match(line)
        if match:
            summary = (int(match.group(1)), int(match.group(2)))
    return summary


def find_panic(log: str) -> Optional[str]:
    """The first panic line, from the marker on (the marker may follow other
    output on the same serial line when outputs interleave)."""
    for line in log_lines(log):
        index = line.find(PANIC_MARKER)
        if index >= 0:
            return line[index:].strip()
    return None


def failed_tests(log: str) -> list[str]:
    """Lines that report a failed test (those containing ``[FAIL]``)."""
    return [line.strip() for line in log_lines(log) if FAIL_MARKER in line]


def last_line(log: str) -> str:
    """The last non-empty log line, or a placeholder."""
    for line in reversed(log_lines(log)):
        if line.strip():
            return line.strip()
    return "<no output>"


def _one_line(text: str, limit: int = 300) -> str:
    flat = " | ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def _format_seconds(seconds: float) -> str:
    return f"{seconds:g}"


# --- the decision -----------------------------------------------------------

def _observe(exit_status: Optional[int], log: str, timed_out: bool, expect: str,
             stderr: str, timeout: Optional[float]) -> tuple[str, str, Optional[tuple[int, int]]]:
    """Classify a run: (category, reason, summary)."""
    codes = exit_codes()
    summary = find_summary(log)
    panic_line = find_panic(log)
    status_text = f"exit status {exit_status}"

    if timed_out:
        limit = f" within {_format_seconds(timeout)} s" if timeout is not None else ""
        reason = f"hang: no exit{limit}; last log line: {last_line(log)}"
        if panic_line is not None and panic_line != last_line(log):
            reason += f"; log has {panic_line}"
        return TIMEOUT, reason, summary

    if panic_line is not None:
        return PANIC, f"{panic_line} ({status_text})", summary
    if exit_status == codes.panic_status:
        return PANIC, (f"panic {status_text} without a '{PANIC_MARKER}' line; "
                       f"last log line: {last_line(log)}"), summary

    if exit_status == 0:
        reason = "QEMU exited 0: triple fault or reset (-no-reboot)"
        if log.strip():
            reason += f"; last log line: {last_line(log)}"
        return TRIPLE_FAULT, reason, summary

    if exit_status == 1:
        detail = _one_line(stderr) or "no message on stderr"
        return QEMU_ERROR, f"QEMU failed (exit status 1): {detail}", summary

    if exit_status == codes.failure_status:
        reason = f"guest reported failure ({status_text})"
        if summary is not None:
            reason += f"; summary: {summary[0]} passed, {summary[1]} failed"
        failures = failed_tests(log)
        if failures:
            reason += f"; first failure: {failures[0]}"
        elif summary is None:
            reason += f"; last log line: {last_line(log)}"
        return GUEST_FAILURE, reason, summary

    if exit_status == codes.success_status:
        if summary is None:
            if expect == "summary":
                return NO_SUMMARY, ("success exit but no 'N passed, M failed' line; "
                                    f"last log line: {last_line(log)}"), summary
            return SUCCESS, f"guest exited with the success code ({status_text})", summary
        passed_count, failed_count = summary
        text = f"{passed_count} passed, {failed_count} failed"
        if failed_count == 0:
            return SUCCESS, text, summary
        failures = failed_tests(log)
        if failures:
            text += f"; first failure: {failures[0]}"
        return SUMMARY_FAILED, text, summary

    if exit_status is None:
        return UNEXPECTED_EXIT, "QEMU exit status unknown", summary
    if exit_status < 0:
        return UNEXPECTED_EXIT, f"QEMU killed by signal {-exit_status}", summary
    reason = f"unexpected QEMU {status_text}"
    if exit_status & 1:
        reason += f" (debug-exit value {exit_status >> 1:#x}?)"
    return UNEXPECTED_EXIT, f"{reason}; last log line: {last_line(log)}", summary


def decide(exit_status: Optional[int], log: str, timed_out: bool, expect: str = "summary",
           stderr: str = "", *, timeout: Optional[float] = None,
           elapsed: float = 0.0) -> Verdict:
    """Turn what happened in a run into a Verdict (pure; see module docstring).

    ``exit_status`` is QEMU's return code (negative: killed by that signal,
    None: unknown), ``log`` the serial output, ``timed_out`` whether QEMU had
    to be killed, ``stderr`` QEMU's own error output. ``timeout`` is only used
    in the reason text.
    """
    if expect not in EXPECTATIONS:
        raise ValueError(f"expect must be one of {', '.join(EXPECTATIONS)}; got {expect!r}")
    category, reason, summary = _observe(exit_status, log, timed_out, expect, stderr, timeout)
    if expect in EXPECTED_FAILURES:
        passed = category == expect
        reason = (f"expected {expect}, observed it: {reason}" if passed
                  else f"expected {expect}, observed {category}: {reason}")
    else:
        passed = category == SUCCESS
    return Verdict(passed=passed, reason=reason, category=category,
                   exit_status=exit_status, summary=summary, log=log,
                   elapsed=elapsed, stderr=stderr)


# --- running QEMU -----------------------------------------------------------

def _initrd_item(module: str) -> str:
    # QEMU splits -initrd at ',' and reads ',,' as a literal comma.
    return module.replace(",", ",,")


def qemu_command(kernel: PathLike, modules: Sequence[str], append: str = "",
                 serial: str = "stdio", extra: Sequence[str] = ()) -> list[str]:
    """The QEMU argv that boots ``kernel`` with boot ``modules``.

    Each module is ``"path arg1 arg2"``: the first word is the file, the whole
    string is the module's command line.
    """
    if isinstance(modules, str):
        raise TypeError("modules must be a sequence of strings, not a string")
    argv = [QEMU_BINARY, *STANDARD_FLAGS, "-serial", serial, "-monitor", "none",
            "-kernel", os.fspath(kernel)]
    if modules:
        argv += ["-initrd", ",".join(_initrd_item(m) for m in modules)]
    if append:
        argv += ["-append", append]
    argv += list(extra)
    return argv


def system_modules(build: PathLike) -> list[str]:
    """The boot modules of the whole system in ``build`` (build/debug ...):
    init first, then its system manifest and the programs it names (the
    console server, the shell, the pager and its client memhog, the fault injector).
    ``./rayos run``, the shell tests and boot.to_shell boot these."""
    root = Path(build)
    return [str(root / "init" / "init.elf"),
            str(root / "init" / "system.manifest.bin"),
            str(root / "servers" / "console" / "console.elf"),
            str(root / "shell" / "shell.elf"),
            str(root / "servers" / "pager" / "pager.elf"),
            str(root / "tests" / "workload" / "memhog.elf"),
            str(root / "servers" / "injector" / "injector.elf")]


def interactive_command(kernel: PathLike, modules: Sequence[str], append: str = "") -> list[str]:
    """The QEMU argv for ``./rayos run``: the serial console (multiplexed with
    QEMU's monitor, so Ctrl-A X quits) on the terminal, guest time following
    host time so an idle guest does not spin."""
    argv = [QEMU_BINARY, *MACHINE_FLAGS, "-serial", "mon:stdio", "-kernel", os.fspath(kernel)]
    if modules:
        argv += ["-initrd", ",".join(_initrd_item(m) for m in modules)]
    if append:
        argv += ["-append", append]
    return argv


def _pump_stdout(stream: IO[bytes], chunks: list[str], echo: bool,
                 log_file: Optional[IO[str]]) -> None:
    """Copy QEMU's stdout (the guest serial port) into ``chunks`` as it arrives."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    fd = stream.fileno()
    while True:
        data = os.read(fd, 65536)
        text = decoder.decode(data, final=not data)
        if text:
            chunks.append(text)
            if echo:
                sys.stdout.write(text)
                sys.stdout.flush()
            if log_file is not None:
                log_file.write(text)
                log_file.flush()
        if not data:
            return


def _pump_stderr(stream: IO[bytes], chunks: list[bytes]) -> None:
    fd = stream.fileno()
    while True:
        data = os.read(fd, 65536)
        if not data:
            return
        chunks.append(data)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill QEMU and anything it started (it leads its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run(kernel: PathLike, modules: Sequence[str], append: str = "", timeout: float = 60.0,
        expect: str = "summary", log_path: Optional[PathLike] = None, echo: bool = False,
        extra: Sequence[str] = ()) -> Verdict:
    """Boot RayOS, wait for QEMU to exit (or kill it after ``timeout`` s), judge."""
    if expect not in EXPECTATIONS:
        raise ValueError(f"expect must be one of {', '.join(EXPECTATIONS)}; got {expect!r}")
    argv = qemu_command(kernel, modules, append=append, serial="stdio", extra=extra)
    log_file: Optional[IO[str]] = None
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        log_file = open(log_path, "w", encoding="utf-8", newline="")
    start = time.monotonic()
    try:
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, start_new_session=True)
        except OSError as error:
            return Verdict(passed=False, reason=f"cannot start {argv[0]}: {error}",
                           category=QEMU_ERROR, exit_status=None, summary=None, log="",
                           elapsed=time.monotonic() - start, stderr=str(error))
        out_chunks: list[str] = []
        err_chunks: list[bytes] = []
        assert process.stdout is not None and process.stderr is not None
        readers = [
            threading.Thread(target=_pump_stdout, daemon=True,
                             args=(process.stdout, out_chunks, echo, log_file)),
            threading.Thread(target=_pump_stderr, daemon=True,
                             args=(process.stderr, err_chunks)),
        ]
        for reader in readers:
            reader.start()
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            # Also reached on KeyboardInterrupt: never leave QEMU behind.
            if timed_out or process.returncode is None:
                _kill_group(process)
                process.wait()
        elapsed = time.monotonic() - start
        for reader in readers:
            reader.join(timeout=10.0)
        process.stdout.close()
        process.stderr.close()
        log = "".join(out_chunks)
        stderr = b"".join(err_chunks).decode("utf-8", errors="replace")
        return decide(None if timed_out else process.returncode, log, timed_out, expect,
                      stderr, timeout=timeout, elapsed=elapsed)
    finally:
        if log_file is not None:
            log_file.close()


# --- command line -------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Boot RayOS in QEMU and judge the run.")
    parser.add_argument("--kernel", required=True, help="multiboot kernel ELF")
    parser.add_argument("--module", action="append", default=[], metavar="'PATH ARGS'",
                        help="boot module: path followed by its arguments (repeatable)")
    parser.add_argument("--append", default="", help="kernel command line")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--expect", default="summary", choices=EXPECTATIONS,
                        help="what counts as a pass (default: summary)")
    parser.add_argument("--log", help="write the serial log to this file")
    parser.add_argument("--echo", action="store_true", help="echo the serial log live")
    args = parser.parse_args(argv)
    verdict = run(args.kernel, args.module, append=args.append, timeout=args.timeout,
                  expect=args.expect, log_path=args.log, echo=args.echo)
    if not verdict.passed and not args.echo:
        for line in failed_tests(verdict.log):
            print(f"  {line}", file=sys.stderr)
    print(verdict.line(), flush=True)
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
