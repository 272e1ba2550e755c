"""Which faults a campaign injects, and how to read back what was done.

A campaign's faults are drawn up front from one ``random.Random(seed)``
stream: for every fault the same five draws (target, kind, region, count,
injection seed), whatever the kind, so fault ``i`` of a seed is always the
same fault and a campaign is repeated exactly by its seed (what the system
does with a fault still depends on when it lands). The injection seed is
passed to the shell's ``inject`` command, so a single fault is repeated by
typing its command (``Fault.command``) on a fresh system.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from injections import LINE_RE, Injection  # noqa: E402

TARGETS = ("console", "pager", "memhog")  # what the injector's manifest entry grants it
KINDS = ("crash", "stop", "bitflip", "corrupt", "truncate", "drop", "delay",
         "starve")  # (injections.KINDS' order)
# Armed in the kernel for the target's next `count` messages, replies or
# memory requests (one injection line each).
ARMED_KINDS = ("corrupt", "truncate", "drop", "delay", "starve")
REGIONS = ("code", "data", "stack", "any")
CAMPAIGNS = {"crash": {"crash": 1}, "stop": {"stop": 1}, "bitflip": {"bitflip": 1},
             "mixed": {"crash": 2, "stop": 2, "bitflip": 4, "corrupt": 1, "truncate": 1,
                       "drop": 1, "delay": 1, "starve": 1},
             "ipc": {"corrupt": 1, "truncate": 1, "drop": 1, "delay": 1},
             "starve": {"starve": 1}}
BITFLIP_COUNTS = (1, 1, 1, 2, 4, 8)  # bits flipped by one bitflip command

# One injection as the shell prints it, or as the injector logs it.
INJECTION_RE = LINE_RE


@dataclasses.dataclass(frozen=True)
class Fault:
    index: int  # in the campaign, from 0
    target: str
    kind: str
    region: str  # bitflip only ("" for crash and stop)
    count: int  # injections (bits flipped, messages armed); 1 for crash and stop
    seed: int  # the injection seed typed to the shell

    @property
    def command(self) -> str:
        """The shell command that injects this fault."""
        if self.kind == "bitflip":
            return f"inject {self.target} bitflip {self.region} {self.count} {self.seed}"
        if self.kind in ARMED_KINDS:
            return f"inject {self.target} {self.kind} {self.count} {self.seed}"
        return f"inject {self.target} {self.kind} 1 {self.seed}"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.region}" if self.region else self.kind


def plan(campaign: str, seed: int, count: int, targets: Sequence[str]) -> list[Fault]:
    """The ``count`` faults of a campaign (a key of CAMPAIGNS) into ``targets``."""
    weights = CAMPAIGNS[campaign]
    kinds, kind_weights = list(weights), list(weights.values())
    rng = random.Random(seed)
    faults = []
    for index in range(count):
        target = rng.choice(list(targets))
        kind = rng.choices(kinds, kind_weights)[0]
        region = rng.choice(REGIONS)
        bits = rng.choice(BITFLIP_COUNTS)
        injection_seed = rng.getrandbits(64)
        bitflip = kind == "bitflip"
        count = bits if bitflip else (1 + bits % 4 if kind in ARMED_KINDS else 1)
        faults.append(Fault(index, target, kind, region if bitflip else "", count,
                            injection_seed))
    return faults


def injections(text: str) -> list[Injection]:
    """The injections reported in ``text`` (shell replies or the log), each
    sequence number once."""
    found: dict[int, Injection] = {}
    for match in INJECTION_RE.finditer(text.replace("\r", "")):
        sequence = int(match.group(1))
        found.setdefault(sequence, Injection.from_match(match))
    return [found[key] for key in sorted(found)]
