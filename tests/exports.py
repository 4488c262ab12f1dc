"""One generated office written in every format the intake reads, a whole export per format.

`reglement generate` writes CSV, JSON Lines and Parquet (the access log as a folder of
monthly Parquet files with `--partition month`); JSON and XLSX, which it does not write,
are written here from the same generated data: the JSON export from the JSON Lines files
(the same objects, in an array), the workbooks from the CSV files, since openpyxl writes
an empty string as a cell without text, which the intake reads as null as it reads an
empty CSV field (a cell holding an empty text is text: README, *Spreadsheets*), and only
the generator's CSV export has no empty string. A workbook is what `staging.py`'s reader expects: the
first sheet, a header row, dates and timestamps as date cells, true/false as booleans,
a list as its items joined by `;`.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from reglement.cli import main
from reglement.datasets import arrow_type, contract

GENERATED = ("csv", "jsonl", "parquet")  # what `reglement generate --format` writes
FORMATS = (*GENERATED, "json", "xlsx")
WRITTEN_FROM = {"json": "jsonl", "xlsx": "csv"}  # the generated export each of the others is written from


def export(folder: Path, fmt: str, clients: int, seed: int) -> Path:
    """`folder/fmt`: the office of `clients` and `seed`, every dataset in format `fmt`; a JSON or XLSX export
    is written from the generated one WRITTEN_FROM names, which must be in `folder` already."""
    out = folder / fmt
    if fmt in GENERATED:
        partition = ["--partition", "month"] if fmt == "parquet" else []
        with contextlib.redirect_stdout(io.StringIO()) as said:  # not into the report a test reads next
            code = main(["generate", "--out", str(out), "--clients", str(clients), "--seed", str(seed),
                         "--format", fmt, "--no-ground-truth", *partition])
        assert code == 0, f"reglement generate --format {fmt} exited {code}: {said.getvalue()}"
        return out
    if fmt not in WRITTEN_FROM:
        raise ValueError(f"no export format {fmt!r} ({', '.join(FORMATS)})")
    out.mkdir()
    for name in contract():
        source = folder / WRITTEN_FROM[fmt] / f"{name}.{WRITTEN_FROM[fmt]}"
        if fmt == "json":
            objects = source.read_text(encoding="utf-8").splitlines()
            (out / f"{name}.json").write_text("[\n" + ",\n".join(objects) + "\n]\n", encoding="utf-8")
        else:
            write_workbook(csv_as_text(source), name, out / f"{name}.xlsx")
    return out


def csv_as_text(path: Path) -> pa.Table:
    """A CSV file as written: every cell text, an empty cell null (as the intake reads one)."""
    with path.open(encoding="utf-8", newline="") as text:
        header = next(csv.reader(text))
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()), null_values=[""], strings_can_be_null=True))


def write_workbook(table: pa.Table, dataset: str, path: Path) -> None:
    """A workbook of one sheet: a header row, then a row per row of `table` (text), each cell of a date,
    timestamp or true/false column of `dataset` typed as a spreadsheet types it; null is an empty cell."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(table.column_names)
    types = {c.name: c.type for c in contract()[dataset].columns}
    columns = [table.column(name) for name in table.column_names]
    typed = [c.cast(arrow_type(types[name])) if types.get(name) in ("date", "timestamp", "bool") else c
             for name, c in zip(table.column_names, columns)]
    for row in zip(*(c.to_pylist() for c in typed)):
        sheet.append(list(row))
    book.save(path)
