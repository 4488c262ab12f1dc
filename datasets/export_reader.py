"""Reading an export folder (CSV or Parquet) back into the contract's Python values, chunk by chunk.

Part of the oracle: it must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import contract


def _parse(kind: str) -> Callable[[str], Any]:
    """CSV text to the contract's Python value; an empty cell is null."""
    convert: Callable[[str], Any] = {
        "date": date.fromisoformat,
        "timestamp": datetime.fromisoformat,
        "bool": lambda s: {"true": True, "false": False}.get(s, s),
        "list<string>": lambda s: s.split(";"),
    }.get(kind, str)
    return lambda s: None if s == "" else convert(s)


def read_export(path: Path, dataset: str, chunk_rows: int = 100_000) -> Iterator[list[dict[str, Any]]]:
    """Rows of one dataset file (`.csv`, else `.parquet`) in chunks; nothing when it is absent."""
    csv_path, parquet_path = path / f"{dataset}.csv", path / f"{dataset}.parquet"
    if csv_path.exists():
        yield from _read_csv(csv_path, dataset, chunk_rows)
    elif parquet_path.exists():
        import pyarrow.parquet as pq
        for batch in pq.ParquetFile(parquet_path).iter_batches(batch_size=chunk_rows):
            yield batch.to_pylist()


def _read_csv(path: Path, dataset: str, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    types = {c.name: c.type for c in contract()[dataset].columns}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        parsers = [_parse(types.get(h, "string")) for h in header]
        chunk: list[dict[str, Any]] = []
        for record in reader:
            chunk.append({h: p(v) for h, p, v in zip(header, parsers, record)})
            if len(chunk) >= chunk_rows:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def export_columns(path: Path, dataset: str) -> tuple[str, ...]:
    """The column names an export file actually has (rule 1.1 looks at those of `clients`)."""
    if (path / f"{dataset}.csv").exists():
        with (path / f"{dataset}.csv").open(encoding="utf-8-sig", newline="") as f:
            return tuple(next(csv.reader(f), []))
    if (path / f"{dataset}.parquet").exists():
        import pyarrow.parquet as pq
        return tuple(pq.read_schema(path / f"{dataset}.parquet").names)
    return ()
