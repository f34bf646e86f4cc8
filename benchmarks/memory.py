"""Peak memory per phase.

On Linux the peak resident set (``VmHWM``) can be reset by writing ``5`` to ``/proc/self/clear_refs``,
so each phase gets its own peak. Elsewhere only the process-wide ``ru_maxrss`` high-water mark is
available, and a phase's figure is the peak of everything before it too (``exact`` says which).
Subprocess phases (cold start, sync, the fake API server) report their own ``VmHWM``.
"""

from __future__ import annotations

import contextlib
import re
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def maxrss_mb() -> float:
    """The process's peak RSS so far, in MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


def peak_rss_mb() -> float:
    """This process's own peak RSS in MB: ``VmHWM`` where /proc has it.

    A child's ``ru_maxrss`` can include the parent's RSS at fork time (Linux carries the high-water mark
    across exec), so subprocesses report ``VmHWM`` instead.
    """
    kb = _status_kb("VmHWM")
    return kb / 1024 if kb is not None else maxrss_mb()


def _status_kb(field: str) -> int | None:
    try:
        match = re.search(rf"^{field}:\s+(\d+)\s+kB", _STATUS.read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def rss_mb() -> float | None:
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@dataclass
class PhaseMemory:
    name: str
    seconds: float = 0.0
    rss_before_mb: float | None = None
    peak_mb: float | None = None
    exact: bool = False  # True: the peak of this phase alone; False: the process's peak so far

    def as_dict(self) -> dict:
        return {
            "phase": self.name,
            "seconds": round(self.seconds, 3),
            "rss_before_mb": None if self.rss_before_mb is None else round(self.rss_before_mb, 1),
            "peak_mb": None if self.peak_mb is None else round(self.peak_mb, 1),
            "peak_is_per_phase": self.exact,
        }


class MemoryLog:
    """``with log.phase("pivots 2m"): ...`` records wall time and peak RSS of each phase."""

    def __init__(self) -> None:
        self.phases: list[PhaseMemory] = []

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[PhaseMemory]:
        record = PhaseMemory(name, rss_before_mb=rss_mb())
        record.exact = _reset_peak()
        start = time.perf_counter()
        try:
            yield record
        finally:
            record.seconds = time.perf_counter() - start
            hwm = _status_kb("VmHWM") if record.exact else None
            record.peak_mb = hwm / 1024 if hwm is not None else maxrss_mb()
            self.phases.append(record)

    def add_external(self, name: str, seconds: float, peak_mb: float | None) -> None:
        """A phase measured in a subprocess (its own peak RSS)."""
        self.phases.append(PhaseMemory(name, seconds=seconds, peak_mb=peak_mb, exact=True))

    def as_list(self) -> list[dict]:
        return [p.as_dict() for p in self.phases]
