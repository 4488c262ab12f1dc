"""Wall time and peak memory of one child process, measured on the child itself.

`os.wait4` returns the child's own resource usage, so `ru_maxrss` is the peak resident
set of that process alone, not of the benchmark that starts it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system time of the child: steadier than wall time on a shared machine
    peak_rss: int  # bytes
    status: int


def run_child(argv: Sequence[str], log: Path, ok: tuple[int, ...] = (0,)) -> Run:
    """Run `argv` with its output in `log`; raise when its exit status is not in `ok`."""
    with log.open("w", encoding="utf-8") as out:
        clock = time.perf_counter()
        child = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - clock
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv[:3])} … exited with {child.returncode}; see {log}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, child.returncode)


@dataclass(frozen=True)
class Series:
    """The repeats of one measured command."""

    runs: tuple[Run, ...]

    @property
    def best(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(r.peak_rss for r in self.runs)
