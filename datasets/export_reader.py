"""Reading an export folder back into the contract's Python values, chunk by chunk.

A dataset is `<name>.csv`, `<name>.jsonl` or `<name>.parquet`, or a folder `<name>/` of
Parquet files read in name order (the generator's monthly access-log partitions). Part of
the oracle: it must never import `reglement.compiler` or `reglement.checker`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import contract

FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "date": date.fromisoformat,
    "timestamp": datetime.fromisoformat,
    "bool": lambda s: {"true": True, "false": False}.get(s, s),
    "list<string>": lambda s: s.split(";"),
}


def _types(dataset: str) -> dict[str, str]:
    return {c.name: c.type for c in contract()[dataset].columns}


def _parquet_files(path: Path, dataset: str) -> list[Path]:
    single, folder = path / f"{dataset}.parquet", path / dataset
    return [single] if single.exists() else sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def read_export(path: Path, dataset: str, chunk_rows: int = 100_000) -> Iterator[list[dict[str, Any]]]:
    """Rows of one dataset (CSV, else JSONL, else Parquet) in chunks; nothing when it is absent."""
    if (path / f"{dataset}.csv").exists():
        yield from _read_csv(path / f"{dataset}.csv", dataset, chunk_rows)
    elif (path / f"{dataset}.jsonl").exists():
        yield from _read_jsonl(path / f"{dataset}.jsonl", dataset, chunk_rows)
    else:
        import pyarrow.parquet as pq
        for file in _parquet_files(path, dataset):
            for batch in pq.ParquetFile(file).iter_batches(batch_size=chunk_rows):
                yield batch.to_pylist()


def _chunks(rows: Iterator[dict[str, Any]], chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_csv(path: Path, dataset: str, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    """CSV text to the contract's Python values; an empty cell is null."""
    types = _types(dataset)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        parsers = [FROM_TEXT.get(types.get(h, "string"), str) for h in header]
        rows = ({h: None if v == "" else p(v) for h, p, v in zip(header, parsers, record)} for record in reader)
        yield from _chunks(rows, chunk_rows)


def _read_jsonl(path: Path, dataset: str, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    """JSON lines to the contract's Python values: dates and timestamps are ISO text there, the rest is JSON."""
    parsers = {name: FROM_TEXT[kind] for name, kind in _types(dataset).items() if kind in ("date", "timestamp")}

    def parse(line: str) -> dict[str, Any]:
        row = json.loads(line)
        for name, p in parsers.items():
            if isinstance(row.get(name), str):
                row[name] = p(row[name])
        return row

    with path.open(encoding="utf-8") as f:
        yield from _chunks((parse(line) for line in f if line.strip()), chunk_rows)


def export_columns(path: Path, dataset: str) -> tuple[str, ...]:
    """The column names a dataset's export file actually has (rule 1.1 looks at them)."""
    if (path / f"{dataset}.csv").exists():
        with (path / f"{dataset}.csv").open(encoding="utf-8-sig", newline="") as f:
            return tuple(next(csv.reader(f), []))
    if (path / f"{dataset}.jsonl").exists():
        with (path / f"{dataset}.jsonl").open(encoding="utf-8") as f:
            seen = {name: None for line in f if line.strip() for name in json.loads(line)}
        return tuple(seen)
    import pyarrow.parquet as pq
    seen = {name: None for file in _parquet_files(path, dataset) for name in pq.read_schema(file).names}
    return tuple(seen)
