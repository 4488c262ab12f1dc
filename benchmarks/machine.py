"""What the benchmark ran on, so that a table of seconds can be read next to another one."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import duckdb


def _proc(path: str, field: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load() -> str:
    """The load averages over 1, 5 and 15 minutes: how busy the machine was besides the benchmark."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def describe(reglement: str) -> list[str]:
    """CPU, cores, memory, operating system and the versions that matter."""
    memory = _proc("/proc/meminfo", "MemTotal")
    gib = f"{int(memory.split()[0]) / 2**20:.1f} GiB" if memory else "unknown"
    version = subprocess.run([reglement, "--version"], capture_output=True, text=True).stdout.strip()
    return [
        f"CPU: {_proc('/proc/cpuinfo', 'model name') or platform.processor() or 'unknown'}, "
        f"{len(os.sched_getaffinity(0))} cores; RAM {gib}; {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, {version}",
    ]
