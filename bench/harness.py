"""Timing helpers and the report that ``make bench`` prints and writes to docs/performance.md."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["PEAK", "Report", "Row", "machine", "median_seconds"]


def median_seconds(fn: Callable[[], object], *, repeat: int = 7, min_time: float = 0.05) -> float:
    """Median wall time of one call of ``fn``, timing batches of at least ``min_time``."""
    fn()  # warm up
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    number = max(1, int(min_time / once))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


@dataclass
class Row:
    """One measured operation."""

    name: str
    ours: float
    baseline: float | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> str:
        """How many times faster than the baseline (or '—')."""
        if self.baseline is None:
            return "—"
        return f"{self.baseline / self.ours:,.1f}×"


@dataclass
class Report:
    """Sections of rows, rendered as Markdown."""

    sections: dict[str, list[Row]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, section: str, row: Row) -> Row:
        """Record a row and echo it on stderr as it lands."""
        self.sections.setdefault(section, []).append(row)
        status = {True: "met", False: "MISSED", None: ""}[row.met]
        print(
            f"[{section}] {row.name}: ours {_fmt(row.ours)}, baseline {_fmt(row.baseline)},"
            f" ratio {row.ratio} {row.goal} {status}",
            file=sys.stderr,
        )
        return row

    def note(self, section: str, text: str) -> None:
        """Attach free text (e.g. a scaling table) to a section."""
        self.notes.setdefault(section, []).append(text)

    def markdown(self) -> str:
        """The whole report."""
        out = []
        for section in sorted(set(self.sections) | set(self.notes)):
            out.append(f"## {section}\n")
            rows = self.sections.get(section, [])
            if rows:
                out.append("| operation | syncscope | baseline | speed-up | goal | met |")
                out.append("|---|---:|---:|---:|---|---|")
                for r in rows:
                    met = {True: "yes", False: "**no**", None: ""}[r.met]
                    name = r.name + (f" ({r.note})" if r.note else "")
                    cells = [name, _fmt(r.ours), _fmt(r.baseline), r.ratio, r.goal, met]
                    out.append("| " + " | ".join(cells) + " |")
                out.append("")
            out.extend(self.notes.get(section, []))
            out.append("")
        return "\n".join(out)


def machine() -> str:
    """A short description of the machine and interpreter."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}; {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()};"
        f" Python {platform.python_version()}; measured {datetime.now(UTC):%Y-%m-%d}"
    )


PEAK = (
    "def peak_kib():\n"
    "    # VmHWM is this process's own peak. ru_maxrss is not: Linux carries the parent's\n"
    "    # peak across fork and exec into it, so a child of the bench would report the bench.\n"
    "    try:\n"
    "        with open('/proc/self/status', encoding='ascii') as status:\n"
    "            for line in status:\n"
    "                if line.startswith('VmHWM:'):\n"
    "                    return int(line.split()[1])\n"
    "    except OSError:\n"
    "        pass\n"
    "    import resource\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
)
"""Source of ``peak_kib()``, the peak resident memory in KiB, for the bench's child processes."""
