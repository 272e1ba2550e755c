"""What a terminal shows: renders the shell's line-editor output into text.

The shell's line editor redraws the line it edits with carriage returns,
``ESC [ K`` (erase to the end of the line) and ``ESC [ n D`` / ``ESC [ n C``
(cursor left / right), and rings the bell for refused keys. ``visible_line``
replays such output on a one-line screen, so a test can check what the
operator saw (``rayos> uptime``) instead of the bytes that drew it.
"""

from __future__ import annotations

import re

_CSI_RE = re.compile(r"\x1b\[(\d*)([A-Za-z])")


def visible_line(text: str) -> str:
    """The last line a terminal shows after printing ``text``.

    Understood: printable characters (overwrite at the cursor), ``\\r``,
    ``\\n`` (starts a new, empty line), ``\\b``, ``ESC [ n C``, ``ESC [ n D``
    and ``ESC [ K``. Other control characters (the bell) and other escape
    sequences show nothing.
    """
    cells: list[str] = []
    column = 0
    index = 0
    while index < len(text):
        char = text[index]
        index += 1
        if char == "\x1b":
            match = _CSI_RE.match(text, index - 1)
            if match is None:
                continue
            index = match.end()
            count = int(match.group(1) or "1")
            command = match.group(2)
            if command == "C":
                column += count
            elif command == "D":
                column = max(0, column - count)
            elif command == "K":
                del cells[column:]
        elif char == "\r":
            column = 0
        elif char == "\n":
            cells, column = [], 0
        elif char == "\b":
            column = max(0, column - 1)
        elif char >= " " and char != "\x7f":
            if column > len(cells):
                cells.extend(" " * (column - len(cells)))
            if column == len(cells):
                cells.append(char)
            else:
                cells[column] = char
            column += 1
    return "".join(cells)
