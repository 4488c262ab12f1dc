"""The benchmark's exports, written by `reglement generate` and reused while their size is the same."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from measure import run_child

AS_OF = "2026-11-28"  # the generator's default audit date; the benchmark audits as of it too
MARKER = "benchmark-export.json"


def reglement_command() -> str:
    """The `reglement` script installed beside this Python, or the one on PATH."""
    beside = Path(sys.executable).with_name("reglement")
    found = str(beside) if beside.is_file() else shutil.which("reglement")
    if not found:
        raise SystemExit("benchmarks/run.py: no `reglement` command; install the project first (pip install -e .)")
    return found


@dataclass(frozen=True)
class Size:
    clients: int
    events_per_client: int
    rates: str = "audit"
    partition: str | None = None  # "month": the access log as a folder of monthly Parquet files
    seed: int = 1

    @property
    def name(self) -> str:
        base = f"c{self.clients}-e{self.events_per_client}-{self.rates}"
        return base + (f"-{self.partition}" if self.partition else "")


def ensure_export(root: Path, size: Size, reglement: str) -> Path:
    """The folder of an export of `size` under `root`: reused when its marker says it is complete, else written."""
    folder = root / size.name
    marker = folder / MARKER
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == asdict(size):
        return folder
    if folder.exists():  # an interrupted or older generation of this very name
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    print(f"generating {size.clients:,} clients × {size.events_per_client:,} events ({size.rates}) into {folder} …",
          flush=True)
    argv = [reglement, "generate", "--out", str(folder), "--clients", str(size.clients), "--seed", str(size.seed),
            "--format", "parquet", "--as-of", AS_OF, "--events-per-client", str(size.events_per_client),
            "--rates", size.rates, "--no-ground-truth"] + (["--partition", size.partition] if size.partition else [])
    run_child(argv, root / f"generate-{size.name}.log")
    marker.write_text(json.dumps(asdict(size)) + "\n", encoding="utf-8")
    return folder
