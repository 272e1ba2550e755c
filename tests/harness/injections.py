"""The fault injector's report of one injection, as the shell's ``inject``
prints it and the injector logs it:
``#3 bitflip memhog seed 7: data at 0x40a1c3 bit 5 (generation 1)`` (the log
quotes the program: ``'memhog'``). Used by the shell tests and the fault
campaign runner."""

from __future__ import annotations

import dataclasses
import re

KINDS = ("crash", "stop", "bitflip", "corrupt", "truncate", "drop", "delay", "starve")
REGIONS = ("any", "code", "data", "stack")
# Groups: sequence, kind, program, seed, region, address (hex), bit, generation.
LINE_RE = re.compile(rf"#(\d+) ({'|'.join(KINDS)}) '?([\w.-]+?)'? seed (\d+): "
                     rf"({'|'.join(REGIONS)}) at 0x([0-9a-fA-F]+) bit ([0-7]) "
                     r"\(generation (\d+)\)")


@dataclasses.dataclass(frozen=True)
class Injection:
    """One injection the injector reports having done."""

    sequence: int
    kind: str
    target: str
    seed: int
    region: str
    address: int  # the byte flipped; the rip (crash, stop); messages armed (IPC kinds)
    bit: int
    generation: int  # of the target when it was injected

    @staticmethod
    def from_match(match: re.Match[str]) -> Injection:
        g = match.groups()
        return Injection(int(g[0]), g[1], g[2], int(g[3]), g[4], int(g[5], 16), int(g[6]),
                         int(g[7]))
