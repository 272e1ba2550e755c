#!/usr/bin/python3
"""./rayos run: boots RayOS with the serial console on this terminal.

The whole system boots (``qemu.system_modules``: init, its manifest, the
console server and the shell) and the shell's prompt is on your terminal.
QEMU's monitor shares the terminal: Ctrl-A X quits, Ctrl-A H lists the other
keys. The exit status follows what the guest reported: 0 after a clean
power-off (or when you quit with Ctrl-A X), 1 when the system reported a
failure or the kernel panicked.

With ``--script FILE`` (``-`` for standard input; ./rayos passes that when
its standard input is not a terminal) nothing is interactive: the commands
are typed at the prompt one by one and RayOS powers off at the end; see
console_script.py for the output and the exit status.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu  # noqa: E402


def interactive(build: Path, append: str) -> int:
    """QEMU on this terminal until the guest powers off or the user quits."""
    argv = qemu.interactive_command(build / "microkernel" / "kernel.elf",
                                    qemu.system_modules(build), append=append)
    status = subprocess.call(argv)
    codes = qemu.exit_codes()
    if status == codes.success_status:
        return 0
    if status == 0:
        print("\nrayos: QEMU ended without a power-off code (Ctrl-A X, or a reset).")
        return 0
    if status == codes.panic_status:
        print("\nrayos: the kernel panicked (see above).", file=sys.stderr)
    elif status == codes.failure_status:
        print("\nrayos: the system powered off reporting a failure.", file=sys.stderr)
    else:
        print(f"\nrayos: QEMU exited with status {status}.", file=sys.stderr)
    return 1


def scripted(build: Path, append: str, script: str) -> int:
    """Types the commands of ``script`` (a file, or ``-``: standard input)."""
    from console_script import run_script, script_commands  # needs pexpect; run it only here

    try:
        text = sys.stdin.read() if script == "-" else Path(script).read_text(encoding="utf-8")
    except OSError as error:
        print(f"rayos: cannot read the script: {error}", file=sys.stderr)
        return 2
    return run_script(build, script_commands(text), append=append)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True, help="build directory (build/debug ...)")
    parser.add_argument("--append", default="", help="kernel command line")
    parser.add_argument("--script", metavar="FILE",
                        help="type the commands in FILE ('-': standard input), then power off")
    args = parser.parse_args()
    build = Path(args.build)
    if args.script is not None:
        return scripted(build, args.append, args.script)
    return interactive(build, args.append)


if __name__ == "__main__":
    sys.exit(main())
