#!/usr/bin/python3
"""./rayos run: boots RayOS with the serial console on this terminal.

QEMU's monitor shares the terminal: Ctrl-A X quits, Ctrl-A H lists the other
keys. The exit status follows what the guest reported: 0 after a clean
power-off (or when you quit with Ctrl-A X), 1 when the system reported a
failure or the kernel panicked.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qemu  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True, help="build directory (build/debug ...)")
    parser.add_argument("--append", default="", help="kernel command line")
    args = parser.parse_args()
    build = Path(args.build)
    argv = qemu.interactive_command(build / "microkernel" / "kernel.elf",
                                    [str(build / "init" / "init.elf")], append=args.append)
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


if __name__ == "__main__":
    sys.exit(main())
