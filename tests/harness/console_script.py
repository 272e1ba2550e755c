"""./rayos run --script FILE (or commands on standard input): RayOS as a
batch interpreter of shell commands.

The system boots (``ConsoleSession``), then each script line that is not
empty and does not start with ``#`` is typed at the shell prompt; the
command and its output are printed as ``rayos> command`` and the output
lines. At the end of the script ``shutdown`` is typed (unless the script
did it) and the machine must power off with the success code.

Exit status: 0 if everything went well; 1 if any output line started with
``error: `` (the script still runs to its end), if the VM died, panicked or
stopped answering (the end of its serial log goes to stderr), if it did not
power off cleanly, or if lines follow ``shutdown``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu  # noqa: E402
from console_session import PROMPT, ConsoleSession, SessionError  # noqa: E402

SHUTDOWN = "shutdown"
LOG_TAIL_LINES = 20


def script_commands(text: str) -> list[str]:
    """The commands of a script: its non-empty lines that are not comments."""
    commands = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            commands.append(line)
    return commands


def run_script(build: Path, commands: Sequence[str], append: str = "",
               out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    """Boots the system in ``build``, runs ``commands`` and powers off;
    returns the exit status described in the module docstring."""
    session = None
    try:
        session = ConsoleSession(build, append=append)
        session.boot()
        errors = 0
        ran = 0
        for command in commands:
            if command == SHUTDOWN:
                break
            reply = session.enter(command.encode() + b"\r")
            ran += 1
            out.write(f"{PROMPT}{command}\n")
            for line in reply.lines:
                out.write(line + "\n")
            out.flush()
            if reply.errors:
                errors += 1
        out.write(f"{PROMPT}{SHUTDOWN}\n")
        out.flush()
        status = session.shutdown()
        out.write("powering off\n")
        out.flush()
    except SessionError as error:
        err.write(f"rayos: {error}\n")
        if session is not None:
            tail = session.log.replace("\r", "").rstrip("\n").split("\n")[-LOG_TAIL_LINES:]
            err.write("rayos: the end of the serial log:\n")
            err.writelines(f"  | {line}\n" for line in tail)
        return 1
    finally:
        if session is not None:
            session.close()

    failed = False
    verdict = qemu.decide(status, session.log, False, "success")
    if not verdict.passed:
        err.write(f"rayos: the system did not power off cleanly: {verdict.reason}\n")
        failed = True
    skipped = len(commands) - ran - 1
    if skipped > 0:
        err.write(f"rayos: {skipped} command(s) after '{SHUTDOWN}' were not run\n")
        failed = True
    if errors:
        err.write(f"rayos: {errors} command(s) reported an error\n")
        failed = True
    return 1 if failed else 0
