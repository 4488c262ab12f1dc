"""Dataset files exactly as the data contract spells them, written table by table: CSV, JSONL or Parquet.

Every sink takes Arrow tables, so the big access log goes from numpy to disk without a
Python object per row: the text formats are spelled with Arrow's string functions, and
only what needs `json.dumps` (a list, a string with an escape) is spelled in Python,
once per distinct value. A sink opens its files with the `opener` it is given (`generate`
gives the one writer's, `reglement/files.py`), else as plain files.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import arrow_type, contract
from .world import EXTRA_COLUMNS, Row

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "parquet")
Columns = list[tuple[str, str]]  # name, contract type
Opener = Callable[[Path], BinaryIO]


def plain_file(path: Path) -> BinaryIO:
    return path.open("wb")


def columns_of(dataset: str) -> Columns:
    """The contract's columns of `dataset`, then the unlisted ones the office's system adds."""
    extra = [(name, "string") for name in EXTRA_COLUMNS.get(dataset, ())]
    return [(c.name, c.type) for c in contract()[dataset].columns] + extra


def schema_of(dataset: str) -> pa.Schema:
    """Native Arrow types: date32, timestamp[s], bool, list<string>."""
    return pa.schema([(name, arrow_type(kind)) for name, kind in columns_of(dataset)])


def to_table(rows: list[Row], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_arrays([pa.array([r[f.name] for r in rows], type=f.type) for f in schema], schema=schema)


def as_text(column: pa.Array) -> pa.Array:
    """A column's values as the text formats spell them: ISO dates, timestamps to the second, true/false,
    lists joined by ';' (CSV's way; JSON spells a list itself)."""
    kind = column.type
    if pa.types.is_timestamp(kind):  # whole seconds: the cast spells "YYYY-MM-DD HH:MM:SS"
        return pc.replace_substring(column.cast(pa.string()), " ", "T", max_replacements=1)
    if pa.types.is_date(kind):
        return column.cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false")
    return pc.binary_join(column, ";") if pa.types.is_list(kind) else column


def csv_cells(column: pa.Array) -> pa.Array:
    """CSV cells: quoted only when a delimiter, quote or line break needs it; a null is an empty cell."""
    text = as_text(column)
    needs_quotes = pc.match_substring_regex(text, '[,"\r\n]')
    if pc.any(needs_quotes).as_py():
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        text = pc.if_else(needs_quotes, quoted, text)
    return pc.fill_null(text, "")


def json_values(column: pa.Array) -> pa.Array:
    """JSON values as `json.dumps` spells them (no ASCII escapes); a list, or text that needs an escape, is
    handed to `json.dumps` itself, once per distinct value."""
    kind = column.type
    if pa.types.is_list(kind) or (pa.types.is_string(kind) and pc.any(
            pc.match_substring_regex(column, '[\x00-\x1f"\\\\]')).as_py()):
        return spelled(column, lambda v: json.dumps(v, ensure_ascii=False), "null")
    text = as_text(column)
    return pc.fill_null(text if pa.types.is_boolean(kind) else pc.binary_join_element_wise('"', text, '"', ""),
                        "null")


def spelled(column: pa.Array, spell: Callable[[Any], str], null: str) -> pa.Array:
    """Each value of `column` spelled by `spell`, computed once per distinct value; nulls spelled `null`."""
    if pa.types.is_list(column.type):  # no dictionary of lists; only `disclosures` has one, and it is small
        return pa.array([null if v is None else spell(v) for v in column.to_pylist()], pa.string())
    encoded = pc.dictionary_encode(column)
    texts = pa.array([spell(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.fill_null(texts.take(encoded.indices), null)


class Sink(Protocol):
    def write(self, table: pa.Table) -> None: ...
    def close(self) -> None: ...


class TextSink:
    """CSV (UTF-8, a header, empty cell = null) or JSONL (one object a line, every column, null as null)."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: Format, opener: Opener = plain_file) -> None:
        self.file, self.names, self.fmt = opener(path), schema.names, fmt
        if fmt == "csv":
            self.file.write((",".join(self.names) + "\n").encode())

    def write(self, table: pa.Table) -> None:
        if not len(table):
            return
        columns = [column.combine_chunks() for column in table.columns]
        if self.fmt == "csv":
            line = pc.binary_join_element_wise(*(csv_cells(column) for column in columns), ",")
            lines = pc.binary_join_element_wise(line, "\n", "")
        else:
            pairs = [pc.binary_join_element_wise(json.dumps(name) + ": ", json_values(column), "")
                     for name, column in zip(self.names, columns)]
            lines = pc.binary_join_element_wise("{", pc.binary_join_element_wise(*pairs, ", "), "}\n", "")
        offsets = np.frombuffer(lines.buffers()[1], np.int32, len(lines) + 1, 4 * lines.offset)
        self.file.write(lines.buffers()[2][int(offsets[0]):int(offsets[-1])])

    def close(self) -> None:
        self.file.close()


class ParquetSink:
    """One Parquet file; one row group per table written."""

    def __init__(self, path: Path, schema: pa.Schema, opener: Opener = plain_file) -> None:
        self.file = opener(path)
        self.writer = pq.ParquetWriter(self.file, schema)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()
        self.file.close()


class MonthlyParquetSink:
    """A folder of Parquet files, one per calendar month of `ts`, named `YYYY-MM.parquet`; tables come in time
    order, so each month's file is opened once and closed when the next month begins."""

    def __init__(self, folder: Path, schema: pa.Schema, opener: Opener = plain_file) -> None:
        folder.mkdir(exist_ok=True)
        self.folder, self.schema, self.opener = folder, schema, opener
        self.month: tuple[int, int] | None = None
        self.writer: ParquetSink | None = None

    def write(self, table: pa.Table) -> None:
        months = pc.add(pc.multiply(pc.year(table["ts"]), 12), pc.month(table["ts"])).to_numpy()
        starts = [0, *(i + 1 for i in range(len(months) - 1) if months[i] != months[i + 1]), len(months)]
        for begin, end in itertools.pairwise(starts):
            if begin < end:
                self._to(divmod(int(months[begin]) - 1, 12)).write(table.slice(begin, end - begin))

    def _to(self, year_month0: tuple[int, int]) -> ParquetSink:
        month = (year_month0[0], year_month0[1] + 1)
        if month != self.month:
            assert self.month is None or month > self.month, "the access log must come in time order"
            self.close()
            self.month, self.writer = month, ParquetSink(self.folder / f"{month[0]:04d}-{month[1]:02d}.parquet",
                                                         self.schema, self.opener)
        return self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def open_sink(out: Path, dataset: str, fmt: Format, monthly: bool = False, opener: Opener = plain_file) -> Sink:
    """`<dataset>.<fmt>` in `out`, or with `monthly` (Parquet only) the folder `<dataset>/` of monthly files."""
    schema = schema_of(dataset)
    if monthly:
        return MonthlyParquetSink(out / dataset, schema, opener)
    path = out / f"{dataset}.{fmt}"
    return ParquetSink(path, schema, opener) if fmt == "parquet" else TextSink(path, schema, fmt, opener)


def write_rows(out: Path, dataset: str, rows: list[Row], fmt: Format, opener: Opener = plain_file) -> int:
    sink = open_sink(out, dataset, fmt, opener=opener)
    sink.write(to_table(rows, schema_of(dataset)))
    sink.close()
    return len(rows)
