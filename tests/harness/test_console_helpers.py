"""Self-tests of the console helpers that need no VM: what a terminal shows
(terminal.py), how a reply is cut (console_session.split_reply) and which
script lines are commands (console_script.script_commands).

Run: /usr/bin/python3 -m unittest tests/harness/test_console_helpers.py -v
"""

from __future__ import annotations

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from console_script import script_commands  # noqa: E402
from console_session import split_reply  # noqa: E402
from terminal import visible_line  # noqa: E402


class VisibleLineTests(unittest.TestCase):
    def test_plain_text_and_bells(self) -> None:
        self.assertEqual(visible_line("rayos> up\atime"), "rayos> uptime")

    def test_redraw_with_erase_and_cursor_left(self) -> None:
        # "uptimX", Backspace, "e": the editor redraws the line, then echoes.
        self.assertEqual(visible_line("rayos> uptimX\rrayos> uptim\x1b[Ke"), "rayos> uptime")
        # Insertion in the middle: the redraw leaves the cursor 2 left of the end.
        text = "rayos> uptme\x1b[1D\x1b[1D\rrayos> uptime\x1b[K\x1b[2D"
        self.assertEqual(visible_line(text), "rayos> uptime")

    def test_overwrite_after_carriage_return_and_newline(self) -> None:
        self.assertEqual(visible_line("abcdef\rXY"), "XYcdef")
        self.assertEqual(visible_line("first\r\nsecond"), "second")
        self.assertEqual(visible_line("ab\x1b[3Cc"), "ab   c")


class SplitReplyTests(unittest.TestCase):
    def test_echo_then_output(self) -> None:
        reply = split_reply("uptime\r\r\nup 1.00 s (100 ticks)\r\r\n")
        self.assertEqual(reply.line, "uptime")
        self.assertEqual(reply.output, "up 1.00 s (100 ticks)")
        self.assertEqual(reply.lines, ["up 1.00 s (100 ticks)"])
        self.assertEqual(reply.errors, [])

    def test_no_output(self) -> None:
        reply = split_reply("\r\n")
        self.assertEqual((reply.line, reply.output, reply.lines), ("", "", []))

    def test_errors_and_bells(self) -> None:
        reply = split_reply("fo\ao\r\nerror: unknown command 'foo' (type 'help')\r\n")
        self.assertEqual(reply.line, "foo")
        self.assertEqual(reply.errors, ["error: unknown command 'foo' (type 'help')"])
        self.assertEqual(reply.bells, 1)


class ScriptCommandsTests(unittest.TestCase):
    def test_comments_and_empty_lines_are_skipped(self) -> None:
        text = "# a comment\n\n  uptime  \n   # indented comment\nbench ipc 10\n\n"
        self.assertEqual(script_commands(text), ["uptime", "bench ipc 10"])


if __name__ == "__main__":
    unittest.main()
