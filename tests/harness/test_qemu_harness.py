"""Self-tests of the QEMU test harness (tests/harness/qemu.py).

The verdict logic is tested as a pure function, without a kernel. The QEMU
tests boot tiny hand-assembled multiboot images (generated into a temporary
directory) that succeed, hang, triple-fault, fail or panic, to prove that the
harness's process handling catches each case independently of RayOS.

Run: /usr/bin/python3 -m unittest tests/harness/test_qemu_harness.py -v
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import qemu  # noqa: E402  (needs the sys.path entry above)

CODES = qemu.exit_codes()
OK = CODES.success_status
FAILURE = CODES.failure_status
PANIC = CODES.panic_status


class ExitCodeTests(unittest.TestCase):
    def test_read_from_abi_header(self) -> None:
        self.assertEqual((CODES.success, CODES.failure, CODES.panic), (0x10, 0x11, 0x12))
        self.assertEqual((OK, FAILURE, PANIC), (33, 35, 37))

    def test_parse_decimal_and_hex(self) -> None:
        text = ("constexpr uint32_t kQemuExitSuccess = 0x20; // x\n"
                "constexpr uint32_t kQemuExitFailure=33;\n"
                "constexpr  uint32_t  kQemuExitPanic = 0X22 ;\n")
        self.assertEqual(qemu.parse_exit_codes(text), qemu.ExitCodes(0x20, 33, 0x22))

    def test_missing_constant_is_an_error(self) -> None:
        with self.assertRaisesRegex(ValueError, "kQemuExitPanic"):
            qemu.parse_exit_codes("constexpr uint32_t kQemuExitSuccess = 0x10;\n"
                                  "constexpr uint32_t kQemuExitFailure = 0x11;\n")


class DecideTests(unittest.TestCase):
    def check(self, verdict: qemu.Verdict, category: str, passed: bool) -> None:
        self.assertEqual(verdict.category, category, verdict.reason)
        self.assertEqual(verdict.passed, passed, verdict.reason)
        self.assertNotIn("\n", verdict.reason)
        self.assertTrue(verdict.reason)

    # success code
    def test_summary_with_no_failures_passes(self) -> None:
        v = qemu.decide(OK, "boot\n12 passed, 0 failed\n", False, "summary")
        self.check(v, "success", True)
        self.assertEqual(v.summary, (12, 0))
        self.assertEqual(v.exit_status, OK)
        self.assertIn("12 passed, 0 failed", v.reason)

    def test_success_code_without_summary(self) -> None:
        self.check(qemu.decide(OK, "hello\n", False, "summary"), "no-summary", False)
        self.check(qemu.decide(OK, "", False, "summary"), "no-summary", False)

    def test_success_code_alone_passes_with_expect_success(self) -> None:
        self.check(qemu.decide(OK, "hello\n", False, "success"), "success", True)

    def test_summary_with_failures(self) -> None:
        log = "[PASS] a\n[FAIL] b: 1 != 2\n[PASS] c\n[PASS] d\n3 passed, 1 failed\n"
        v = qemu.decide(OK, log, False, "summary")
        self.check(v, "summary-failed", False)
        self.assertEqual(v.summary, (3, 1))
        self.assertIn("3 passed, 1 failed", v.reason)
        self.assertIn("[FAIL] b: 1 != 2", v.reason)

    def test_failing_summary_fails_even_with_expect_success(self) -> None:
        self.check(qemu.decide(OK, "0 passed, 2 failed\n", False, "success"),
                   "summary-failed", False)

    def test_summary_with_carriage_return(self) -> None:
        v = qemu.decide(OK, "boot\r\n4 passed, 0 failed\r\n", False, "summary")
        self.check(v, "success", True)
        self.assertEqual(v.summary, (4, 0))

    def test_summary_without_trailing_newline(self) -> None:
        self.check(qemu.decide(OK, "4 passed, 0 failed", False, "summary"), "success", True)

    def test_last_summary_wins(self) -> None:
        self.check(qemu.decide(OK, "3 passed, 1 failed\n4 passed, 0 failed\n", False),
                   "success", True)
        v = qemu.decide(OK, "4 passed, 0 failed\n3 passed, 1 failed\n", False)
        self.check(v, "summary-failed", False)
        self.assertEqual(v.summary, (3, 1))

    def test_summary_must_be_a_whole_line(self) -> None:
        for log in ("note: 3 passed, 0 failed\n", "3 passed, 0 failed!\n", "3 passed,0 failed\n"):
            with self.subTest(log=log):
                self.check(qemu.decide(OK, log, False, "summary"), "no-summary", False)

    # panic
    def test_panic_line_and_exit_zero_is_panic(self) -> None:
        v = qemu.decide(0, "boot\nKERNEL PANIC: page fault at 0x0\n", False)
        self.check(v, "panic", False)
        self.assertIn("KERNEL PANIC: page fault at 0x0", v.reason)

    def test_panic_line_beats_success_and_summary(self) -> None:
        log = "5 passed, 0 failed\r\nKERNEL PANIC: oops\r\n"
        self.check(qemu.decide(OK, log, False, "summary"), "panic", False)
        self.check(qemu.decide(FAILURE, log, False, "summary"), "panic", False)
        self.check(qemu.decide(1, log, False, "summary"), "panic", False)

    def test_panic_line_after_other_output_on_the_same_line(self) -> None:
        v = qemu.decide(PANIC, "user printKERNEL PANIC: double fault\n", False)
        self.check(v, "panic", False)
        self.assertIn("KERNEL PANIC: double fault", v.reason)
        self.assertNotIn("user print", v.reason)

    def test_panic_status_without_line(self) -> None:
        v = qemu.decide(PANIC, "boot\n", False)
        self.check(v, "panic", False)
        self.assertIn(str(PANIC), v.reason)

    # timeout
    def test_timeout_comes_first(self) -> None:
        v = qemu.decide(None, "boot\nKERNEL PANIC: stuck\nspinning\n", True, timeout=3)
        self.check(v, "timeout", False)
        self.assertIn("hang: no exit within 3 s", v.reason)
        self.assertIn("spinning", v.reason)
        self.assertIn("KERNEL PANIC: stuck", v.reason)
        self.check(qemu.decide(OK, "1 passed, 0 failed\n", True), "timeout", False)

    def test_timeout_with_empty_log(self) -> None:
        v = qemu.decide(None, "", True, timeout=2.5)
        self.check(v, "timeout", False)
        self.assertIn("within 2.5 s", v.reason)

    # QEMU statuses
    def test_exit_zero_is_triple_fault(self) -> None:
        v = qemu.decide(0, "boot\n", False)
        self.check(v, "triple-fault", False)
        self.assertIn("QEMU exited 0: triple fault or reset (-no-reboot)", v.reason)

    def test_exit_one_is_qemu_error_with_stderr(self) -> None:
        v = qemu.decide(1, "", False, "summary",
                        "qemu-system-x86_64: could not load kernel 'x'\nsecond line\n")
        self.check(v, "qemu-error", False)
        self.assertIn("could not load kernel 'x'", v.reason)
        self.assertIn("second line", v.reason)

    def test_failure_code(self) -> None:
        v = qemu.decide(FAILURE, "boot\n", False)
        self.check(v, "guest-failure", False)

    def test_failure_code_reports_summary(self) -> None:
        v = qemu.decide(FAILURE, "[FAIL] x\n2 passed, 1 failed\n", False)
        self.check(v, "guest-failure", False)
        self.assertIn("2 passed, 1 failed", v.reason)
        self.assertIn("[FAIL] x", v.reason)
        # A clean summary does not override the failure code.
        self.check(qemu.decide(FAILURE, "5 passed, 0 failed\n", False), "guest-failure", False)

    def test_other_statuses_are_unexpected(self) -> None:
        for status in (2, 3, 39, 255, -9, None):
            with self.subTest(status=status):
                self.check(qemu.decide(status, "1 passed, 0 failed\n", False),
                           "unexpected-exit", False)
        self.assertIn("signal 9", qemu.decide(-9, "", False).reason)

    # expected failure categories
    def test_expected_failure_categories(self) -> None:
        observed = {
            "panic": (PANIC, "KERNEL PANIC: test\n", False),
            "triple-fault": (0, "", False),
            "timeout": (None, "", True),
            "guest-failure": (FAILURE, "", False),
        }
        for expect in qemu.EXPECTED_FAILURES:
            for category, (status, log, timed_out) in observed.items():
                with self.subTest(expect=expect, observed=category):
                    v = qemu.decide(status, log, timed_out, expect)
                    self.check(v, category, expect == category)
                    self.assertIn(f"expected {expect}", v.reason)
                    if expect != category:
                        self.assertIn(f"observed {category}", v.reason)

    def test_expected_failure_not_met_by_success(self) -> None:
        v = qemu.decide(OK, "1 passed, 0 failed\n", False, "panic")
        self.check(v, "success", False)
        self.assertIn("expected panic, observed success", v.reason)

    def test_unknown_expectation_is_rejected(self) -> None:
        with self.assertRaises(ValueError):
            qemu.decide(OK, "", False, "qemu-error")

    def test_verdict_line(self) -> None:
        self.assertEqual(qemu.decide(OK, "1 passed, 0 failed\n", False).line(),
                         "PASS 1 passed, 0 failed")
        self.assertTrue(qemu.decide(0, "", False).line().startswith("FAIL triple-fault: "))


class LogHelperTests(unittest.TestCase):
    def test_failed_tests(self) -> None:
        log = "[PASS] a\r\n[FAIL] b: expected 1\r\n  [FAIL] c\nFAIL d\n"
        self.assertEqual(qemu.failed_tests(log), ["[FAIL] b: expected 1", "[FAIL] c"])
        self.assertEqual(qemu.failed_tests(""), [])


class CommandTests(unittest.TestCase):
    def test_standard_flags(self) -> None:
        argv = qemu.qemu_command("k.elf", [])
        self.assertEqual(argv[0], "qemu-system-x86_64")
        joined = " ".join(argv)
        for flag in ("-machine pc", "-cpu qemu64", "-smp 1", "-m 512", "-accel tcg",
                     "-icount shift=0,align=off,sleep=off",
                     "-rtc base=2024-01-01T00:00:00,clock=vm", "-nic none", "-seed 1",
                     "-display none", "-no-reboot",
                     "-device isa-debug-exit,iobase=0xf4,iosize=0x04",
                     "-serial stdio", "-monitor none", "-kernel k.elf"):
            self.assertIn(flag, joined)
        self.assertNotIn("-initrd", argv)
        self.assertNotIn("-append", argv)

    def test_modules_append_serial_extra(self) -> None:
        argv = qemu.qemu_command(Path("/b/k.elf"), ["/b/init a b", "/b/srv"], append="log=debug",
                                 serial="file:/tmp/s.log", extra=["-S"])
        self.assertEqual(argv[argv.index("-initrd") + 1], "/b/init a b,/b/srv")
        self.assertEqual(argv[argv.index("-append") + 1], "log=debug")
        self.assertEqual(argv[argv.index("-serial") + 1], "file:/tmp/s.log")
        self.assertEqual(argv[argv.index("-kernel") + 1], "/b/k.elf")
        self.assertEqual(argv[-1], "-S")

    def test_commas_in_module_arguments_are_escaped(self) -> None:
        argv = qemu.qemu_command("k", ["/b/init x,y"])
        self.assertEqual(argv[argv.index("-initrd") + 1], "/b/init x,,y")

    def test_modules_must_be_a_list(self) -> None:
        with self.assertRaises(TypeError):
            qemu.qemu_command("k", "/b/init")  # type: ignore[arg-type]


# --- tiny multiboot images -------------------------------------------------------

LOAD_ADDRESS = 0x100000  # physical; the header sits at file offset 0
HEADER_SIZE = 32  # 8 little-endian dwords
MULTIBOOT_MAGIC = 0x1BADB002
MULTIBOOT_AOUT_KLUDGE = 0x00010000  # flag bit 16: addresses are in the header
COM1 = 0x3F8


class Code:
    """32-bit x86 machine code, written byte by byte.

    The code runs at LOAD_ADDRESS + HEADER_SIZE in flat 32-bit protected mode
    with interrupts disabled and paging off, as multiboot guarantees.
    """

    def __init__(self) -> None:
        self.bytes = bytearray()

    def serial_write(self, text: str) -> "Code":
        self.bytes += b"\x66\xba" + struct.pack("<H", COM1)  # mov dx, 0x3f8
        for byte in text.encode("ascii"):
            self.bytes += bytes([0xB0, byte])  # mov al, byte
            self.bytes += b"\xee"  # out dx, al
        return self

    def debug_exit(self, value: int) -> "Code":
        self.bytes += bytes([0xB0, value])  # mov al, value
        self.bytes += b"\xe6\xf4"  # out 0xf4, al  (isa-debug-exit)
        return self

    def load_zero_idt(self, descriptor_address: int) -> "Code":
        # lidt [disp32]: 0f 01 /3 with ModRM 00 011 101 (disp32 only) = 0x1d.
        self.bytes += b"\x0f\x01\x1d" + struct.pack("<I", descriptor_address)
        return self

    def int3(self) -> "Code":
        self.bytes += b"\xcc"  # int3
        return self

    def halt_forever(self) -> "Code":
        self.bytes += b"\xfa"  # cli
        self.bytes += b"\xf4"  # hlt
        self.bytes += b"\xeb\xfd"  # jmp back to the hlt (rel8 -3)
        return self


def multiboot_image(code: bytes, data: bytes = b"") -> bytes:
    """A flat multiboot kernel: header, then code, then data, padded to 8 KiB.

    QEMU scans the first 8 KiB for the header; padding to that size keeps the
    scan inside the file.
    """
    entry = LOAD_ADDRESS + HEADER_SIZE
    checksum = -(MULTIBOOT_MAGIC + MULTIBOOT_AOUT_KLUDGE) & 0xFFFFFFFF
    body = code + data
    header = struct.pack(
        "<8I",
        MULTIBOOT_MAGIC,
        MULTIBOOT_AOUT_KLUDGE,
        checksum,
        LOAD_ADDRESS,  # header_addr
        LOAD_ADDRESS,  # load_addr
        LOAD_ADDRESS + 8192,  # load_end_addr: the whole padded file
        0,  # bss_end_addr: no bss
        entry,  # entry_addr
    )
    assert len(header) == HEADER_SIZE and len(header) + len(body) <= 8192
    return (header + body).ljust(8192, b"\0")


def triple_fault_image() -> bytes:
    # lidt (7 bytes) + int3 (1) + halt_forever (4), then the descriptor.
    descriptor_address = LOAD_ADDRESS + HEADER_SIZE + 12
    code = Code().load_zero_idt(descriptor_address).int3().halt_forever().bytes
    assert len(code) == 12
    # IDT limit 0, base 0: int3 -> #GP -> #DF -> triple fault -> reset.
    zero_idt_descriptor = b"\0" * 6
    return multiboot_image(bytes(code), zero_idt_descriptor)


@unittest.skipUnless(shutil.which(qemu.QEMU_BINARY), "qemu-system-x86_64 not installed")
class QemuProcessTests(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="rayos-harness-")
        self.addCleanup(self._tmp.cleanup)
        self.dir = Path(self._tmp.name)

    def image(self, name: str, content: bytes) -> Path:
        path = self.dir / name
        path.write_bytes(content)
        return path

    def test_success(self) -> None:
        kernel = self.image("a.bin", multiboot_image(
            bytes(Code().debug_exit(CODES.success).halt_forever().bytes)))
        v = qemu.run(kernel, [], timeout=30, expect="success")
        self.assertEqual((v.category, v.passed), ("success", True), v.reason)
        self.assertEqual(v.exit_status, OK)
        self.assertLess(v.elapsed, 30)

    def test_summary_and_log_file(self) -> None:
        module = self.image("module.txt", b"hello")
        kernel = self.image("s.bin", multiboot_image(bytes(
            Code().serial_write("booting\r\n[FAIL] t1\r\n2 passed, 1 failed\r\n")
            .debug_exit(CODES.success).halt_forever().bytes)))
        log_path = self.dir / "logs" / "serial.log"
        v = qemu.run(kernel, [f"{module} arg1 arg2"], append="x=1", timeout=30,
                     log_path=log_path)
        self.assertEqual((v.category, v.passed), ("summary-failed", False), v.reason)
        self.assertEqual(v.summary, (2, 1))
        self.assertEqual(qemu.failed_tests(v.log), ["[FAIL] t1"])
        self.assertEqual(log_path.read_bytes().decode(), v.log)
        self.assertIn("2 passed, 1 failed", v.log)

    def test_hang_is_killed(self) -> None:
        kernel = self.image("b.bin", multiboot_image(bytes(Code().halt_forever().bytes)))
        start = time.monotonic()
        v = qemu.run(kernel, [], timeout=3, expect="timeout")
        self.assertEqual((v.category, v.passed), ("timeout", True), v.reason)
        self.assertIn("hang: no exit within 3 s", v.reason)
        self.assertIsNone(v.exit_status)
        self.assertLess(time.monotonic() - start, 13)

    def test_triple_fault(self) -> None:
        kernel = self.image("c.bin", triple_fault_image())
        v = qemu.run(kernel, [], timeout=30, expect="triple-fault")
        self.assertEqual((v.category, v.passed), ("triple-fault", True), v.reason)
        self.assertEqual(v.exit_status, 0)

    def test_panic(self) -> None:
        kernel = self.image("d.bin", multiboot_image(bytes(
            Code().serial_write("KERNEL PANIC: test\n").debug_exit(CODES.panic)
            .halt_forever().bytes)))
        v = qemu.run(kernel, [], timeout=30, expect="panic")
        self.assertEqual((v.category, v.passed), ("panic", True), v.reason)
        self.assertEqual(v.exit_status, PANIC)
        self.assertIn("KERNEL PANIC: test", v.reason)
        # Judged as a normal test run, the same image fails as a panic.
        self.assertEqual(qemu.run(kernel, [], timeout=30).line()[:11], "FAIL panic:")

    def test_guest_failure(self) -> None:
        kernel = self.image("e.bin", multiboot_image(bytes(
            Code().debug_exit(CODES.failure).halt_forever().bytes)))
        v = qemu.run(kernel, [], timeout=30, expect="guest-failure")
        self.assertEqual((v.category, v.passed), ("guest-failure", True), v.reason)

    def test_qemu_error(self) -> None:
        kernel = self.image("a.bin", multiboot_image(bytes(
            Code().debug_exit(CODES.success).halt_forever().bytes)))
        v = qemu.run(kernel, [str(self.dir / "missing-module")], timeout=30)
        self.assertEqual((v.category, v.passed), ("qemu-error", False), v.reason)
        self.assertIn("missing-module", v.reason)

    def test_cli(self) -> None:
        script = Path(qemu.__file__).resolve()
        kernel = self.image("c.bin", triple_fault_image())
        failing = subprocess.run([sys.executable, str(script), "--kernel", str(kernel),
                                  "--timeout", "30"], capture_output=True, text=True)
        self.assertEqual(failing.returncode, 1, failing.stderr)
        self.assertTrue(failing.stdout.startswith("FAIL triple-fault: "), failing.stdout)
        self.assertEqual(failing.stdout.count("\n"), 1)
        passing = subprocess.run([sys.executable, str(script), "--kernel", str(kernel),
                                  "--expect", "triple-fault"], capture_output=True, text=True)
        self.assertEqual(passing.returncode, 0, passing.stderr)
        self.assertTrue(passing.stdout.startswith("PASS expected triple-fault"), passing.stdout)


if __name__ == "__main__":
    unittest.main()
