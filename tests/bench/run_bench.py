#!/usr/bin/python3
"""./rayos bench: runs the benchmark programs under QEMU's deterministic
instruction counting (-icount shift=0: the guest TSC advances one tick per
guest instruction, -cpu qemu64) and prints a table, or with --json one object
{"benchmarks": [{"name", "unit", "median", "min", "iterations"}, ...]}.

Each run boots init (a benchmark program itself, or init with a manifest
and the programs it starts); benchmark programs print lines
  BENCH name=<name> unit=<unit> median=<n> min=<n> iterations=<n>
Last, boot.to_shell boots the system ./rayos run boots and reads the TSC the
shell reports just before its first prompt.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import qemu  # noqa: E402

# Benchmark runs, in this order: boot modules relative to the build
# directory, the first one init.
RUNS = [
    ["tests/bench/bench_kernel.elf"],
    ["tests/bench/bench_lz4.elf"],
    ["init/init.elf", "tests/bench/restart.manifest.bin", "tests/system/echo_program.elf",
     "tests/bench/restart_bench.elf"],
    ["init/init.elf", "tests/bench/pager_bench.manifest.bin", "servers/pager/pager.elf",
     "tests/bench/pager_bench.elf"],
]

# Targets from the issues, and Debian's Linux 6.1 measured the same way
# (docs/ARCHITECTURE.md §Measuring).
TARGETS = {
    "boot.to_init": ("<= 20,000,000", "6.1 billion"),
    "boot.to_shell": ("<= 60,000,000", ""),
    "syscall.null": ("<= 80", "335"),
    "ipc.call_reply.same_as": ("", "futex 10,100"),
    "ipc.call_reply.cross_as": ("<= 400", "pipe 12,970"),
    "ipc.call_reply.words4": ("<= 450", ""),
    "sched.yield_switch": ("<= 250", ""),
    "fault.roundtrip.same_as": ("", ""),
    "fault.roundtrip.cross_as": ("<= 1,200", "page fault 2,741"),
    "vspace.map_page": ("<= 650", ""),
    "notification.signal_wait.same_as": ("", ""),
    "notification.signal_wait.cross_as": ("<= 480", ""),
    "idl.call.small": ("<= 1.5 x cross_as", ""),
    "idl.call.bytes1k": ("", ""),
    "init.restart": ("<= 5,000,000", ""),
    "pager.lz4.compress.text": ("(reference)", "49,193"),
    "pager.lz4.decompress.text": ("(reference)", "25,412"),
    "pager.fault.zero": ("", "anonymous fault 2,741"),
    "pager.pagein.text": ("", ""),
    "pager.pagein.overhead": ("<= 3,000", ""),
    "pager.pageout.text": ("", ""),
    "pager.ratio.mix": ("", ""),
}

SHELL_READY = re.compile(rb"shell: ready at TSC (\d+)")

LINE = re.compile(r"^BENCH name=(\S+) unit=(\S+) median=([\d.]+) min=([\d.]+) iterations=(\d+)",
                  re.MULTILINE)


def boot_to_shell(build: Path, timeout: float = 120.0) -> dict:
    """Boots the system, reads the TSC the shell reports just before its
    first prompt (instructions since reset), then types `shutdown`."""
    argv = qemu.qemu_command(build / "microkernel" / "kernel.elf", qemu.system_modules(build))
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    assert process.stdin is not None and process.stdout is not None
    deadline = time.monotonic() + timeout
    seen = b""
    try:
        while not (match := SHELL_READY.search(seen)) or b"rayos> " not in seen:
            if time.monotonic() > deadline:
                raise RuntimeError("no shell prompt within the timeout")
            chunk = process.stdout.read1(4096)
            if not chunk:
                raise RuntimeError("QEMU ended before the shell prompt")
            seen += chunk
        process.stdin.write(b"shutdown\r")
        process.stdin.flush()
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    instructions = int(match.group(1))
    return {"name": "boot.to_shell", "unit": "instructions", "median": instructions,
            "min": instructions, "iterations": 1}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    build = Path(args.build)
    results = []
    for modules in RUNS:
        verdict = qemu.run(build / "microkernel" / "kernel.elf",
                           [str(build / module) for module in modules],
                           timeout=300, expect="success")
        if not verdict.passed:
            print(f"bench: {modules[-1]}: {verdict.line()}", file=sys.stderr)
            print(verdict.log[-3000:], file=sys.stderr)
            return 1
        for name, unit, median, minimum, iterations in LINE.findall(verdict.log):
            number = float if "." in median else int
            results.append({"name": name, "unit": unit, "median": number(median),
                            "min": number(minimum), "iterations": int(iterations)})
    try:
        results.append(boot_to_shell(build))
    except RuntimeError as error:
        print(f"bench: boot.to_shell: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"benchmarks": results}))
        return 0
    header = ("benchmark", "median", "min", "iterations", "target", "Linux 6.1")
    rows = [(r["name"], f"{r['median']:,}", f"{r['min']:,}", str(r["iterations"]),
             *TARGETS.get(r["name"], ("", ""))) for r in results]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print("instructions under QEMU -icount shift=0 -cpu qemu64 (deterministic)")
    for row in [header, *rows]:
        print("  ".join(cell.rjust(w) if i in (1, 2, 3) else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
