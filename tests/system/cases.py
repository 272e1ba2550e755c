"""The QEMU system tests: each case boots the kernel with one program as
init and says what must happen. Run by tests/run_tests.py (./rayos test).

Fields:
  name          stable test id (filter with ./rayos test <glob>)
  init          the init program, relative to the build directory, with its
                command line ("tests/system/kernel_basics.elf filter=fault.*");
                None boots without any module
  append        kernel command line
  expect        what the harness must observe (tests/harness/qemu.py):
                "summary" (guest test summary with 0 failed), "success",
                or a failure category ("panic", "triple-fault", "timeout",
                "guest-failure") for cases proving the harness catches it
  modules       further boot modules after init ("@source/..." or build-relative,
                with arguments)
  log_contains  regular expressions that must each match the serial log
  builds        the build types ("debug", "release") the case runs on
"""

from __future__ import annotations

import dataclasses
from typing import Optional


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    init: Optional[str]
    append: str = ""
    expect: str = "summary"
    timeout: float = 120.0
    modules: tuple[str, ...] = ()
    log_contains: tuple[str, ...] = ()
    builds: tuple[str, ...] = ("debug",)


NOT_AN_ELF = "@source/tests/system/data/not-an-elf.txt"

# memhog's line of the pager's statistics, with page-outs and page-ins.
PAGED_IN = r"memhog: pager: [1-9]\d* page-outs, [1-9]\d* page-ins"


def pager_case(name: str, manifest: str, *log_contains: str, watcher: bool = False) -> Case:
    """Init with tests/system/data/<manifest>.manifest.txt, memhog and the
    pager (and pager_watcher, which judges), on both builds."""
    modules = (f"tests/system/{manifest}.manifest.bin", "tests/workload/memhog.elf",
               "servers/pager/pager.elf") + (("tests/system/pager_watcher.elf",) if watcher else ())
    return Case(f"system.{name}", "init/init.elf", expect="success", builds=("debug", "release"),
                modules=modules, log_contains=log_contains)

CASES: tuple[Case, ...] = (
    # The kernel's own test suite, on both builds.
    Case("system.kernel_basics", "tests/system/kernel_basics.elf", builds=("debug", "release")),
    # Capabilities: BootInfo, CNode operations, untyped retype.
    Case("system.cap_basics", "tests/system/cap_basics.elf", builds=("debug", "release"),
         modules=(NOT_AN_ELF + " some arguments",)),
    # Synchronous IPC: endpoints, badges, Reply objects.
    Case("system.ipc_basics", "tests/system/ipc_basics.elf", builds=("debug", "release")),
    # Notifications: signals, timers, binding to a thread.
    Case("system.notification_basics", "tests/system/notification_basics.elf",
         builds=("debug", "release")),
    # Threads from TCB objects, priorities, fault messages to handlers.
    Case("system.tcb_basics", "tests/system/tcb_basics.elf", builds=("debug", "release")),
    # The kernel's fault injection on a thread: memory refused, replies held.
    Case("system.inject_basics", "tests/system/inject_basics.elf", builds=("debug", "release")),
    # Userspace-managed memory: page tables, frames, rights, accessed/dirty.
    Case("system.memory_basics", "tests/system/memory_basics.elf", builds=("debug", "release")),
    # I/O port capabilities and interrupts as notification signals.
    Case("system.irq_io_basics", "tests/system/irq_io_basics.elf", builds=("debug", "release")),
    # Init's program loader: a program from a boot module, in its own
    # address space and CSpace.
    Case("system.loader_basics", "tests/system/loader_basics.elf", builds=("debug", "release"),
         modules=("tests/system/loader_child.elf", NOT_AN_ELF)),
    # Init reads a manifest, starts its programs with only what it grants,
    # and answers name look-ups; a bad manifest is named and init stops.
    Case("system.init_starts_the_manifest", "init/init.elf", expect="success",
         builds=("debug", "release"),
         modules=("tests/system/echo_system.manifest.bin", "tests/system/echo_program.elf",
                  "tests/system/echo_user.elf", "tests/system/no_grants.elf"),
         log_contains=(r"init: started 4 programs",
                       r"no_grants: reaches nothing \(no server, no grant, no Supervisor, 64 KiB\)",
                       r"init: 'no_grants' exited cleanly",
                       r"echo_program: serving \(public\)",
                       r"echo_user: found 'echo', generation 1",
                       r"echo_user: 40 \+ 2 = 42 through 'echo'",
                       r"echo_user: the server sees it as client 3",
                       r"echo_user: 'secret': no such server",
                       r"echo_user: COM1 ports and IRQ 4 as granted, nothing more",
                       r"echo_user: 1024 KiB of memory, as its quota says, and no more",
                       r"echo_user: all checks passed")),
    # Supervision: crashed programs are torn down and restarted per policy,
    # a crash loop ends in "failed", stale capabilities reach nothing.
    Case("system.init_supervises", "init/init.elf", expect="success",
         builds=("debug", "release"),
         modules=("tests/system/supervision.manifest.bin", "tests/system/echo_program.elf",
                  "tests/system/loader_child.elf", "tests/system/supervision_watcher.elf"),
         log_contains=(r"init: 'crasher' crashed \(page fault",
                       r"init: restarting 'crasher' in 10 ticks \(restart 1 of 2, generation 2\)",
                       r"init: restarting 'crasher' in 20 ticks \(restart 2 of 2, generation 3\)",
                       r"init: 'crasher' failed: it crashed after 2 restarts",
                       r"init: 'once' stays down \(restart policy: never\)",
                       r"init: 'quitter' exited with an error \(exit code 3\)",
                       r"init: restarting 'quitter' in 0 ticks \(restart 1 of 1, generation 2\)",
                       r"init: 'quitter' failed: it crashed after 1 restarts",
                       r"init: 'done' exited cleanly",
                       r"watcher: the Supervisor refuses it: NotPermitted",
                       r"init: restarting 'echo' in \d+ ticks \(restart 1 of 3, generation 2\)",
                       r"watcher: echo is back in generation 2 and serves",
                       r"watcher: all checks passed")),
    # A program granted another's faults and address space (a pager) maps
    # pages where it faults and passes its other faults on to init.
    Case("system.init_grants_faults_and_address_spaces", "init/init.elf", expect="success",
         builds=("debug", "release"),
         modules=("tests/system/pager.manifest.bin", "tests/system/fault_client.elf",
                  "tests/system/fault_pager.elf"),
         log_contains=(r"pager: mapped a page at 0x500000000000 for its client",
                       r"client: read 0x5a5a5a5a5a5a5a5a from a page its pager mapped",
                       r"init: 'client' crashed \(exception, vector 6",
                       r"init: 'client' stays down",
                       r"pager: passed a fault \(vector 6\) on to init: answered",
                       r"pager: all checks passed")),
    # The compression pager: memhog's 64-page region through 16 resident
    # frames, every page written and checked over 3 rounds.
    pager_case("pager_serves_four_times_its_budget", "paging",
               r"pager: serving 'memhog': 64 pages, 16 resident",
               r"memhog: 64 pages of mixed, sequential, 3 rounds: 0 verification errors"),
    # Every level, pattern and policy: working sets over the budget, every
    # page checked on every read, the pager's statistics at the end.
    pager_case("pager_level_none_random", "paging_none",
               r"memhog: 64 pages of mixed, random, 3 rounds: 0 verification errors",
               PAGED_IN + r", \d+ zero fills, 0 compressed"),
    pager_case("pager_level_fast_hotcold", "paging_fast",
               r"memhog: 64 pages of text, hotcold, 3 rounds: 0 verification errors",
               PAGED_IN + r", \d+ zero fills, [1-9]\d* compressed"),
    pager_case("pager_level_best_lru", "paging_best",
               r"memhog: 64 pages of binary, sequential, 3 rounds: 0 verification errors",
               PAGED_IN + r", \d+ zero fills, [1-9]\d* compressed"),
    pager_case("pager_policy_threshold", "paging_threshold",
               r"memhog: 64 pages of mixed, hotcold, 3 rounds: 0 verification errors", PAGED_IN),
    # Nothing is over the budget here: only the idle policy pages out.
    pager_case("pager_policy_idle", "paging_idle",
               r"memhog: 16 pages of text, sequential, 6 rounds: 0 verification errors", PAGED_IN),
    # Several clients of one pager at once, each configured differently.
    pager_case("pager_serves_three_clients", "paging_clients",
               r"pager: serving 'memhog': 64 pages, 16 resident",
               r"pager: serving 'memhog2': 96 pages, 8 resident",
               r"pager: serving 'memhog3': 32 pages, 4 resident",
               r"memhog: 64 pages of mixed, random, 3 rounds: 0 verification errors",
               r"memhog: 96 pages of text, hotcold, 2 rounds: 0 verification errors",
               r"memhog: 32 pages of binary, sequential, 3 rounds: 0 verification errors",
               r"pager_watcher: every client finished its run with every page intact",
               watcher=True),
    # The pager killed mid-run (documented in docs/ARCHITECTURE.md): its
    # client's paged memory is gone, so init counts the client as crashed and
    # restarts it once the pager is back; nothing is silently wrong.
    pager_case("pager_killed_mid_run", "paging_kill",
               r"init: 'memhog' crashed \(its pager 'pager' went away with its paged memory\)",
               r"memhog: 64 pages of mixed, random, 6 rounds: 0 verification errors",
               r"pager_watcher: the pager was killed mid-run", watcher=True),
    # A full store: the fault is refused and reported, nothing crashes.
    pager_case("pager_store_full_is_reported", "paging_full",
               r"pager: cannot serve 'memhog' at page \d+: the compressed store is full",
               r"init: 'memhog' crashed \(page fault",
               r"pager_watcher: the full store refused a fault", watcher=True),
    # The fault injector against echo: bad requests, reproducible bit flips,
    # stop and resume, a crash init restarts, the log.
    Case("system.injector_basics", "init/init.elf", builds=("debug", "release"),
         modules=("tests/system/inject.manifest.bin", "tests/system/echo_program.elf",
                  "servers/injector/injector.elf", "tests/system/inject_driver.elf")),
    # Regression (./rayos fault, mixed seed 13, fault 31): a console restarted
    # while a byte waits in the UART gets it.
    Case("system.console_restarted_with_input_pending", "init/init.elf", expect="success",
         builds=("debug", "release"),
         modules=("tests/system/console_restart.manifest.bin", "servers/console/console.elf",
                  "servers/injector/injector.elf", "tests/system/console_restart_driver.elf"),
         log_contains=(r"console_restart: the restarted console got the byte",)),
    Case("system.init_stops_on_a_bad_manifest", "init/init.elf", expect="guest-failure",
         modules=("tests/system/bad.manifest.bin", "tests/system/echo_program.elf",
                  "tests/system/echo_user.elf"),
         log_contains=(r"init: manifest error in program 'echo_user': "
                       r"a grant names no program in the manifest: ehco",)),
    # IDL calls between address spaces through generated bindings.
    Case("system.idl_basics", "tests/system/idl_basics.elf", builds=("debug", "release")),
    # Random system calls and invocations: the kernel answers every one and
    # keeps working (./rayos fuzz runs a long campaign).
    Case("system.syscall_fuzz", "tests/system/syscall_fuzz.elf count=20000 seed=1",
         log_contains=(r"fuzz: 20000 calls, \d+ accepted, \d+ rejected",)),
    Case("system.syscall_fuzz_long", "tests/system/syscall_fuzz.elf count=200000 seed=2",
         builds=("release",), log_contains=(r"fuzz: 200000 calls",)),
    # What a user sees on ./rayos run.
    Case("system.boot_banner_and_init_greeting", "init/init.elf", expect="success",
         builds=("debug", "release"),
         log_contains=(r"RayOS \d+\.\d+\.\d+ - capability microkernel",
                       r"memory: \d+ MiB available",
                       r"boot modules: 1",
                       r"\[0\] .*/init/init\.elf",
                       r"timer: PIT at \d+ Hz",
                       r"init: hello from user mode \(ring 3\)",
                       r"init: stack 16-byte aligned, thread block canary set")),
    # Bad boot configurations are reported, not crashed on.
    Case("system.no_init_module_reported", None, expect="panic",
         log_contains=(r"KERNEL PANIC: no boot modules",)),
    Case("system.non_elf_init_rejected", NOT_AN_ELF, expect="panic",
         log_contains=(r"KERNEL PANIC: cannot load init from module 0: (InvalidArgument|NotSupported)",)),
    # The harness catches every way a run can fail (each must be reported
    # as exactly that failure).
    Case("harness.catches_guest_test_failure", "tests/system/harness_probe.elf fail=1",
         expect="guest-failure", log_contains=(r"^1 passed, 1 failed",)),
    Case("harness.accepts_passing_guest", "tests/system/harness_probe.elf"),
    Case("harness.catches_panic", "init/init.elf", append="selftest=panic", expect="panic",
         log_contains=(r"KERNEL PANIC: selftest: deliberate panic", r"backtrace:")),
    Case("harness.catches_ubsan_report", "init/init.elf", append="selftest=ubsan", expect="panic",
         log_contains=(r"KERNEL PANIC: UBSan: shift out of bounds at .*selftest\.cpp",)),
    Case("harness.catches_kernel_exception", "init/init.elf", append="selftest=kernel-fault",
         expect="panic",
         log_contains=(r"kernel exception: #PF page fault \(vector 14\), error code 0x2",
                       r"at ffffffff[0-9a-f]+ <rayos::run_boot_selftest",
                       r"address 0000000000000010",
                       r"rip=ffffffff[0-9a-f]+ cs=0008")),
    Case("harness.catches_stack_smash", "init/init.elf", append="selftest=stack-smash",
         expect="panic", log_contains=(r"KERNEL PANIC: kernel stack smashing detected",)),
    Case("harness.catches_kernel_stack_overflow", "init/init.elf",
         append="selftest=stack-overflow", expect="panic",
         log_contains=(r"kernel exception: #DF double fault",
                       r"KERNEL PANIC: double fault in kernel mode")),
    Case("harness.catches_triple_fault", "init/init.elf", append="selftest=triple-fault",
         expect="triple-fault"),
    Case("harness.catches_hang", "init/init.elf", append="selftest=hang", expect="timeout",
         timeout=5.0),
)
