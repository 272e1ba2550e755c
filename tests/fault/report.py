"""What a campaign prints: a line per fault as it goes, then the tables
(faults by kind and target, outcomes by kind and by target) and every
violation with what reproduces it."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import faults
import invariants as inv

if TYPE_CHECKING:
    from campaign import Campaign, Result

DETAIL_WIDTH = 110


def fault_line(result: Result) -> str:
    """``#  3 boot 1  inject pager bitflip data 1 123 -> no effect: ...``"""
    fault = result.fault
    line = f"#{fault.index:3} boot {result.boot:<2} {fault.command} -> {result.outcome}"
    notes = result.violations or result.details
    if notes:
        line += ": " + "; ".join(notes)
    return line if len(line) <= DETAIL_WIDTH + 60 else line[:DETAIL_WIDTH + 57] + "..."


def _grid(title: str, rows: Sequence[str], columns: Sequence[str],
          counts: Counter[tuple[str, str]]) -> list[str]:
    """A table of ``counts[(row, column)]`` with totals."""
    width = max(len(title), *(len(row) for row in rows), len("total"))
    heads = [max(len(column), 5) for column in columns]
    lines = ["  " + title.ljust(width) + "".join(f" {c:>{w}}" for c, w in zip(columns, heads))
             + "  total"]
    for row in rows:
        cells = [counts[(row, column)] for column in columns]
        if sum(cells):
            lines.append("  " + row.ljust(width) + "".join(
                f" {n if n else '.':>{w}}" for n, w in zip(cells, heads)) + f"  {sum(cells):5}")
    totals = [sum(counts[(row, column)] for row in rows) for column in columns]
    lines.append("  " + "total".ljust(width) + "".join(
        f" {n:>{w}}" for n, w in zip(totals, heads)) + f"  {sum(totals):5}")
    return lines


def table(campaign: Campaign, elapsed: float) -> str:
    """The whole report."""
    results, options = campaign.results, campaign.options
    drawn = faults.CAMPAIGNS[options.campaign]
    kinds = []
    for kind in faults.KINDS:  # (bit flips by region)
        if kind in drawn:
            kinds += [f"bitflip {r}" for r in faults.REGIONS] if kind == "bitflip" else [kind]
    targets = list(options.targets)
    injected = [r for r in results if r.outcome != inv.NOT_INJECTED]
    out = [f"Fault campaign '{options.campaign}', seed {options.seed}: {len(results)} faults "
           f"({options.runs} runs of {options.faults_per_run}), {len(injected)} injected "
           f"({sum(_injections(r) for r in injected)} single injections), "
           f"{campaign.boots} boots, {elapsed:.0f} s", ""]
    out += _grid("FAULTS", kinds, targets,
                 Counter((r.fault.label, r.fault.target) for r in results))
    out.append("")
    outcomes = list(inv.OUTCOMES)
    out += _grid("OUTCOME BY KIND", outcomes, list(dict.fromkeys(k.split()[0] for k in kinds)),
                 Counter((r.outcome, r.fault.kind) for r in results))
    out.append("")
    out += _grid("OUTCOME BY TARGET", outcomes, targets,
                 Counter((r.outcome, r.fault.target) for r in results))
    out.append("")
    out += violations(campaign)
    return "\n".join(out)


def _injections(result: Result) -> int:
    """Single injections of an injected fault: bits flipped, or messages,
    replies or memory requests armed, or one crash or stop."""
    if result.fault.kind in faults.ARMED_KINDS:
        return result.fault.count
    mine = [i for i in result.injected if i.kind == result.fault.kind]
    return min(len(mine), result.fault.count) or 1


def violations(campaign: Campaign) -> list[str]:
    """Each violation, and how to reproduce it."""
    bad = [r for r in campaign.results if r.violations]
    if not bad and not campaign.boot_failures:
        return ["No invariant was violated."]
    out = [f"{len(bad)} faults violated invariants:" if bad else "Booting failed:"]
    for failure in campaign.boot_failures:
        out.append(f"  {failure}")
    for r in bad:
        out.append(f"  fault #{r.fault.index} (seed {campaign.options.seed}, boot {r.boot}): "
                   f"{r.fault.command}")
        out += [f"    - {v}" for v in r.violations]
        if r.live_flips:
            out.append("    bits flipped earlier, still in running programs: faults "
                       + ", ".join(r.live_flips))
        out.append(f"    campaign: {campaign.options.command_line()}  (fault #{r.fault.index})")
        out.append(f"    by hand:  printf '%s\\n' {' '.join(repr(c) for c in r.typed)} ps "
                   f"| ./rayos run")
        if r.log is not None:
            out.append(f"    serial log: {os.path.relpath(r.log)}")
    return out


def violated(campaign: Campaign) -> bool:
    return bool(campaign.boot_failures) or any(r.violations for r in campaign.results)
