#!/usr/bin/python3
"""Runs every RayOS test and ends with one line "N passed, N failed".

    run_tests.py [--build-root build] [PATTERN ...]

Suites, in order:
  unit     host unit tests (doctest, ASan/UBSan): build/debug/tests/unit/rayos_unit_tests
  idl      host tests of the IDL layer (doctest, ASan/UBSan):
           build/debug/tests/idl/rayos_idl_tests, then the fuzz target
           build/debug/tests/idl/rayos_idl_fuzz for 30 s on a copy of the
           committed corpus tests/idl/corpus/ (crash inputs are kept in
           build/debug/test-logs/)
  harness  self-tests of the QEMU harness (tests/harness/test_qemu_harness.py)
  system   QEMU system tests (tests/system/cases.py) on the debug and release builds
  shell    the shell tests (tests/shell/test_shell.py) on the debug build: they
           boot the whole system (init, console server, shell) and type into
           its serial console; most share one booted system
  fault    a short fault injection campaign (tests/fault/campaign.py, the
           one ./rayos fault runs) on the debug build, with a fixed seed:
           one test, fault.short_campaign, passed iff no invariant broke

A PATTERN (shell glob, e.g. 'system.*', 'harness.catches_*', 'shell.*' or
'fault.*') selects system cases, shell tests and the campaign by name; with
patterns only the matching ones run.
Counting: each doctest case and each harness self-test counts once, the fuzz
run once; a system case with a guest test summary counts its guest tests,
any other case once; each shell test once, the campaign once.
Serial logs of system cases go to build/<type>/test-logs/, those of failed
shell tests to build/debug/test-logs/shell.<name>.log, those of the
campaign's violations to build/debug/fault-logs/.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "harness"))
sys.path.insert(0, str(REPO / "tests" / "system"))

import qemu  # noqa: E402
from cases import CASES, Case  # noqa: E402


class Tally:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.failures: list[str] = []

    def record(self, name: str, ok: bool, detail: str, passed: int = -1, failed: int = -1) -> None:
        if passed >= 0:
            self.passed += passed
            self.failed += failed
            if failed == 0 and not ok:
                self.failed += 1
        elif ok:
            self.passed += 1
        else:
            self.failed += 1
        if not ok:
            self.failures.append(name)
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


def run_unit(binary: Path, name: str, tally: Tally) -> None:
    """Runs a doctest binary; each of its test cases counts once."""
    if not binary.exists():
        tally.record(name, False, f"{binary} is not built")
        return
    started = time.monotonic()
    proc = subprocess.run([str(binary)], capture_output=True, text=True)
    match = re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", proc.stdout)
    ok = proc.returncode == 0 and match is not None
    passed, failed = (int(match.group(2)), int(match.group(3))) if match else (0, 0)
    if not ok:
        sys.stdout.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    tally.record(name, ok, f"{passed} passed, {failed} failed "
                 f"({time.monotonic() - started:.1f} s)", passed, failed)


FUZZ_SECONDS = 30
FUZZ_TIMEOUT = 120


def run_fuzz(build: Path, tally: Tally) -> None:
    """Runs the IDL fuzz target on a temporary copy of the committed corpus
    (which stays unchanged); passes iff libFuzzer exits with 0."""
    binary = build / "tests" / "idl" / "rayos_idl_fuzz"
    if not binary.exists():
        tally.record("idl.fuzz", False, f"{binary} is not built (it needs clang++)")
        return
    logs = build / "test-logs"
    logs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rayos-idl-fuzz-") as work:
        corpus = Path(work) / "corpus"
        shutil.copytree(REPO / "tests" / "idl" / "corpus", corpus)
        command = [str(binary), f"-max_total_time={FUZZ_SECONDS}", "-timeout=10",
                   "-rss_limit_mb=2048", f"-artifact_prefix={logs}/idl-fuzz-", str(corpus)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=FUZZ_TIMEOUT, cwd=work)
        except subprocess.TimeoutExpired:
            tally.record("idl.fuzz", False, f"no result after {FUZZ_TIMEOUT} s")
            return
    done = re.search(r"Done (\d+) runs in (\d+) second", proc.stderr)
    if proc.returncode == 0:
        runs = f"{done.group(1)} runs in {done.group(2)} s" if done else "finished"
        tally.record("idl.fuzz", True, f"{runs}, no crash")
        return
    sys.stdout.write(proc.stderr[-4000:])
    crash = re.search(r"Test unit written to (\S+)", proc.stderr)
    detail = f"exit code {proc.returncode}"
    if crash:
        detail += f", input in {crash.group(1)} (reproduce: {binary} {crash.group(1)})"
    tally.record("idl.fuzz", False, detail)


def run_harness_selftests(tally: Tally) -> None:
    suite = unittest.defaultTestLoader.discover(str(REPO / "tests" / "harness"),
                                                pattern="test_*.py")
    stream = open("/dev/null", "w")
    result = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    failed = len(result.failures) + len(result.errors)
    for test, trace in result.failures + result.errors:
        print(f"  {test.id()}:\n{trace}")
    tally.record("harness.selftests", result.wasSuccessful(),
                 f"{result.testsRun - failed} passed, {failed} failed",
                 result.testsRun - failed, failed)


def module_path(build: Path, spec: str) -> str:
    path, _, args = spec.partition(" ")
    if path.startswith("@source/"):
        full = REPO / path[len("@source/"):]
    else:
        full = build / path
    return f"{full} {args}".strip()


def run_case(build: Path, kind: str, case: Case, tally: Tally) -> None:
    logs = build / "test-logs"
    logs.mkdir(exist_ok=True)
    log_path = logs / f"{case.name}.log"
    modules = [module_path(build, case.init)] if case.init else []
    modules += [module_path(build, extra) for extra in case.modules]
    verdict = qemu.run(build / "microkernel" / "kernel.elf", modules, append=case.append,
                       timeout=case.timeout, expect=case.expect, log_path=log_path)
    ok = verdict.passed
    detail = verdict.reason
    missing = [rx for rx in case.log_contains if not re.search(rx, verdict.log, re.MULTILINE)]
    if missing:
        ok = False
        detail += "; log lacks: " + ", ".join(repr(m) for m in missing)
    name = f"{case.name} [{kind}]"
    if not ok:
        tail = verdict.log.splitlines()[-25:]
        print("\n".join(f"  | {line}" for line in tail))
        print(f"  full log: {log_path}")
    detail += f" ({verdict.elapsed:.1f} s)"
    if case.expect == "summary" and verdict.summary is not None:
        tally.record(name, ok, detail, verdict.summary[0], verdict.summary[1])
    else:
        tally.record(name, ok, detail)


def run_shell_suite(build: Path, patterns: list[str], tally: Tally) -> None:
    """The shell tests whose names match ``patterns`` (all without any)."""
    try:
        sys.path.insert(0, str(REPO / "tests" / "shell"))
        import shell_suite
        import test_shell
    except ImportError as error:  # pexpect (python3-pexpect) is missing
        tally.record("shell", False, f"cannot load the shell tests: {error}")
        return
    checks = test_shell.selected(patterns)
    if not checks:
        return
    missing = [module for module in qemu.system_modules(build) if not Path(module).exists()]
    if missing:
        tally.record("shell", False, f"{missing[0]} is not built")
        return
    shell_suite.run_checks(build, checks, tally.record, build / "test-logs")


# The short campaign: 320 faults of every kind, checked every 20, about 2 minutes.
FAULT_CAMPAIGN = {"campaign": "mixed", "seed": 1, "runs": 8, "faults_per_run": 40, "batch": 20}


def run_fault_suite(build: Path, patterns: list[str], tally: Tally) -> None:
    """The short fault injection campaign, if ``patterns`` select it."""
    name = "fault.short_campaign"
    if patterns and not any(fnmatch.fnmatchcase(name, p) for p in patterns):
        return
    try:
        sys.path.insert(0, str(REPO / "tests" / "fault"))
        import campaign
        import report
    except ImportError as error:  # pexpect (python3-pexpect) is missing
        tally.record(name, False, f"cannot load the campaign: {error}")
        return
    missing = [module for module in qemu.system_modules(build) if not Path(module).exists()]
    if missing:
        tally.record(name, False, f"{missing[0]} is not built")
        return
    try:
        done, elapsed = campaign.run(build, campaign.Options(**FAULT_CAMPAIGN),
                                     lambda line: None)
    except Exception as error:  # a bug in the campaign: still one failure
        tally.record(name, False, f"{type(error).__name__}: {error}")
        return
    print(report.table(done, elapsed))
    bad = sum(1 for result in done.results if result.violations) + len(done.boot_failures)
    tally.record(name, not report.violated(done),
                 f"{len(done.results)} faults, {bad} violations ({elapsed:.0f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-root", default=str(REPO / "build"))
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    root = Path(args.build_root)
    tally = Tally()
    started = time.monotonic()

    if not args.patterns:
        debug = root / "debug"
        run_unit(debug / "tests" / "unit" / "rayos_unit_tests", "unit.doctest", tally)
        run_unit(debug / "tests" / "idl" / "rayos_idl_tests", "idl.doctest", tally)
        run_fuzz(debug, tally)
        run_harness_selftests(tally)
    for case in CASES:
        if args.patterns and not any(fnmatch.fnmatchcase(case.name, p) for p in args.patterns):
            continue
        for kind in case.builds:
            run_case(root / kind, kind, case, tally)
    run_shell_suite(root / "debug", args.patterns, tally)
    run_fault_suite(root / "debug", args.patterns, tally)

    print(f"\nall tests finished in {time.monotonic() - started:.0f} s")
    if tally.failures:
        print("failed: " + ", ".join(tally.failures))
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 0 if tally.failed == 0 and not tally.failures else 1


if __name__ == "__main__":
    sys.exit(main())
