"""Dataset files exactly as the data contract spells them, written chunk by chunk: CSV or Parquet."""

from __future__ import annotations

import csv
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Protocol

from . import contract
from .world import EXTRA_COLUMNS, Row


Columns = list[tuple[str, str]]  # name, contract type
CSV_TEXT: dict[str, Callable[[Any], str]] = {
    "bool": lambda v: "true" if v else "false",
    "date": date.isoformat,
    "timestamp": lambda v: v.isoformat(timespec="seconds"),
    "list<string>": ";".join,
}


class Sink(Protocol):
    def write(self, rows: list[Row]) -> None: ...
    def close(self) -> None: ...


class CsvSink:
    """The contract's CSV: UTF-8, a header, empty cell = null, true/false, ISO dates, lists joined by ';'."""

    def __init__(self, path: Path, columns: Columns) -> None:
        self.file = path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.writer.writerow([name for name, _ in columns])
        self.get = itemgetter(*(name for name, _ in columns))
        self.convert = [(i, CSV_TEXT[kind]) for i, (_, kind) in enumerate(columns) if kind in CSV_TEXT]

    def cells(self, row: Row) -> list[Any]:
        values = list(self.get(row))
        for i, text in self.convert:
            if values[i] is not None:
                values[i] = text(values[i])
        return values  # csv writes None as an empty cell

    def write(self, rows: list[Row]) -> None:
        self.writer.writerows(map(self.cells, rows))

    def close(self) -> None:
        self.file.close()


class ParquetSink:
    """Parquet with native types: date32, timestamp[s], bool, list<string>; one row group per chunk."""

    def __init__(self, path: Path, columns: Columns) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from . import arrow_type
        self.pa, self.names = pa, [name for name, _ in columns]
        self.schema = pa.schema([(name, arrow_type(kind)) for name, kind in columns])
        self.writer = pq.ParquetWriter(path, self.schema)

    def write(self, rows: list[Row]) -> None:
        arrays = [self.pa.array([r[name] for r in rows], type=f.type) for name, f in zip(self.names, self.schema)]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def columns_of(dataset: str) -> Columns:
    extra = [(name, "string") for name in EXTRA_COLUMNS.get(dataset, ())]
    return [(c.name, c.type) for c in contract()[dataset].columns] + extra


def open_sink(out: Path, dataset: str, fmt: str) -> Sink:
    cls = CsvSink if fmt == "csv" else ParquetSink
    return cls(out / f"{dataset}.{fmt}", columns_of(dataset))


def write_rows(out: Path, dataset: str, rows: list[Row], fmt: str) -> int:
    sink = open_sink(out, dataset, fmt)
    sink.write(rows)
    sink.close()
    return len(rows)
