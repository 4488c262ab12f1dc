"""Where each dataset's data comes from, before anything is read: files, frames, tables or rows.

Every way in ends as a `Source`; the stagers (`staging.py`) turn each into a relation in
the engine, and the one validator (`validate.py`) holds each relation to the contract.
Nothing here reads a file's content or types a value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from ...compiler.config_sources import FILE_FORMATS as _SUFFIXES
from ...compiler.config_sources import File, Sources, format_of
from ...compiler.diagnostics import Bilingual
from ...datasets import Contract
from .csv_dialect import NO_CSV_OPTIONS, CsvOptions
from .errors import DataContractError, DataError

FILE_FORMATS = ("csv", "jsonl", "json", "parquet", "xlsx")
TABLE = "postgres"  # the format of a source that is a table of the configuration's database
_NAME = re.compile(r"^(?P<stem>[^.]+)\.(?P<suffix>.+)$")
# Arrow field metadata marking a column whose values were written as JSON text because
# they were of mixed kinds (text and numbers from one spreadsheet column, say).
JSON_TEXT = {b"reglement": b"json"}


@dataclass(frozen=True)
class Source:
    """One dataset's data as it came in.

    `label` names it in every message (a path, or `frames['clients']`). `paths` holds one
    file, or the Parquet files of a dataset given as a folder. `table` holds what came
    in memory. Rows of a rule example may leave columns out (`partial`): those are null,
    even a required one, so that an example shows only what matters to its rule.
    """

    dataset: str
    label: str
    format: str  # csv jsonl json parquet xlsx arrow
    paths: tuple[Path, ...] = ()
    table: pa.Table | None = field(default=None, compare=False, repr=False)
    partial: bool = False
    folder: bool = False  # a dataset given as a folder of files (a partitioned access log)
    value_lines: tuple[Mapping[str, int], ...] = ()  # for example rows: the file line of each row's values
    context: str | None = None  # said after each message, e.g. which example of which rule
    csv: CsvOptions = NO_CSV_OPTIONS  # for a CSV file: the separator and encoding given, if any
    columns: Mapping[str, str] = field(default_factory=dict)  # contract column → the source's, where the
    # configuration's sources: maps them (a file or table of the office's own names)
    sheet: str | None = None  # for a workbook: the sheet read (the one mapped, or chosen when it is staged)
    sheets: tuple[str, ...] = ()  # for a workbook, once staged: every sheet it has, in order

    def column(self, contract_column: str) -> str:
        """The source's own name of a contract column."""
        return self.columns.get(contract_column, contract_column)

    @property
    def named(self) -> str:
        """How a message names the source: its label and, for a workbook, the sheet read."""
        return f"{self.label} (sheet '{self.sheet}')" if self.sheet is not None else self.label

    def column_named(self, contract_column: str) -> str:
        """How a message names a column: the source's own name, and the contract's where they differ."""
        own = self.column(contract_column)
        return contract_column if own == contract_column else f"{own} (mapped to {contract_column})"


@dataclass(frozen=True)
class Data:
    """Every source one audit reads, in one shape, made where the data enters: an export folder
    (`folder_sources`), frames in memory (`frame_sources`), the rows of a rule example
    (`rows_sources`), the tables a configuration maps to a database (`with_tables`), or only
    those (`tables_only`). The audit driver receives nothing else."""

    sources: Mapping[str, Source]
    unread: tuple[str, ...] = ()  # files of an export folder that no dataset of the contract claims
    absent: Callable[[str], str] = field(default=lambda name: Bilingual(f"no data for dataset '{name}'",
                                                                        f"geen gegevens voor dataset '{name}'"),
                                         compare=False)

    def why_missing(self, dataset: str) -> str:
        """Why the dataset has no source, in words a user can act on."""
        return self.absent(dataset)

    @property
    def folders(self) -> set[Path]:
        """The folders of every file read: after the intake an engine may read these only."""
        return {path.parent for source in self.sources.values() for path in source.paths}

    def with_tables(self, database: Sources | None) -> Data:
        """These sources and the tables the configuration maps (none without a mapping); a dataset
        given both ways is error E702."""
        if database is None:
            return self
        both = [DataError(self.sources[name].label, "E702", f"dataset '{name}' is also mapped to {table.label} in "
                                                             "the configuration's sources; keep one")
                for name, table in database.tables.items() if name in self.sources]
        if both:
            raise DataContractError(both)
        tables = {name: Source(name, table.label, TABLE, columns=table.columns)
                  for name, table in database.tables.items()}
        return replace(self, sources={**self.sources, **tables})


def tables_only(database: Sources) -> Data:
    """The tables the configuration maps, and no export folder."""
    return Data({}, absent=lambda name: Bilingual(
        f"dataset {name} is neither mapped to a table (the configuration's sources:) nor given as a file (no --data)",
        f"dataset {name} is niet aan een tabel gekoppeld (sources: in de configuratie) en niet als bestand gegeven "
        "(geen --data)")).with_tables(database)


def folder_sources(folder: Path, contract: Contract, csv: CsvOptions = NO_CSV_OPTIONS,
                   mapping: Sources | None = None) -> Data:
    """The file (or Parquet folder) of each dataset of the contract in an export folder, and the
    tables and files the configuration's `mapping` (its sources:) gives datasets instead.

    A name matches whatever the case of its extension (`clients.CSV`, as Windows tools
    write it). Two files for one dataset, or a folder where a file should be, stop the
    run; a file that no dataset claims is listed as not read. A symbolic link that leads
    out of the export folder is refused: the report's evidence (paths and hashes) must be
    of the export as it was handed over, not of a file somewhere else. `csv` holds the
    separator and encoding the user gave for the CSV files (the rest is detected from each file).
    A folder that gives no dataset at all (and a mapping that gives none elsewhere) is one error,
    E718, rather than a rule error for every rule.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataContractError([DataError(str(folder), "E701", "export folder not found")])
    files = mapping.files if mapping is not None else {}
    sources, errors = _mapped_files(folder, files, csv)
    taken = {folder / f.name.rstrip("/") for f in files.values()}
    claimed: dict[str, list[Path]] = {}
    unread = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or any(entry == path or entry in path.parents for path in taken):
            continue
        if _leads_out(entry, folder):
            errors.append(_link_out(entry))
            continue
        match = _NAME.match(entry.name)
        stem, suffix = (match["stem"], match["suffix"].lower()) if match else (entry.name, "")
        if entry.is_dir():
            if entry.name in contract:
                claimed.setdefault(entry.name, []).append(entry)
            elif stem in contract and suffix in _SUFFIXES:
                errors.append(DataError(str(entry), "E711", f"is a folder, not a {suffix} file"))
            else:
                unread.append(entry.name + "/")
        elif stem in contract and suffix in _SUFFIXES:
            claimed.setdefault(stem, []).append(entry)
        else:
            unread.append(entry.name)
    for name, entries in claimed.items():
        if name in files:
            errors.append(DataError(str(folder), "E702", f"dataset '{name}' is mapped to file '{files[name].name}' in "
                                                         "the configuration's sources, and the folder also has "
                                                         f"{', '.join(e.name for e in entries)}; keep one"))
            continue
        if len(entries) > 1:
            errors.append(DataError(str(folder), "E702", f"two files for dataset '{name}' "
                                                         f"({', '.join(e.name for e in entries)}); keep one"))
            continue
        source, problems = _entry(name, entries[0], folder, csv)
        errors += problems
        if source is not None:
            sources[name] = source
    if errors:
        raise DataContractError(errors)
    data = Data(sources, tuple(unread), lambda name: missing_reason(name, folder)).with_tables(mapping)
    if not data.sources:
        raise DataContractError([_nothing_in(folder, contract, unread)])
    return data


def _entry(dataset: str, entry: Path, folder: Path, csv: CsvOptions,
           mapped: File | None = None) -> tuple[Source | None, list[DataError]]:
    """The source of one file, in the format its name ends in, or of a folder of Parquet files; or why not."""
    columns = {"columns": mapped.columns} if mapped is not None else {}
    if not entry.is_dir():
        fmt = format_of(entry.name)
        sheet = {"sheet": mapped.sheet} if mapped is not None else {}
        return Source(dataset, str(entry), fmt, (entry,), csv=csv, **columns, **sheet), []
    parts = tuple(sorted(p for p in entry.iterdir() if p.is_file() and p.suffix.lower() == ".parquet"))
    errors = [_link_out(p) for p in parts if _leads_out(p, folder)]
    if not parts:
        return None, [*errors, DataError(str(entry), "E711", "a dataset given as a folder needs .parquet files in it")]
    return Source(dataset, str(entry), "parquet", parts, folder=True, **columns), errors


def _mapped_files(folder: Path, files: Mapping[str, File], csv: CsvOptions) -> tuple[dict[str, Source], list]:
    """The sources of the files the configuration maps, each named relative to the export folder (E714 for one
    the folder does not have)."""
    sources: dict[str, Source] = {}
    errors: list[DataError] = []
    for dataset, mapped in files.items():
        path = folder / mapped.name.rstrip("/")
        if _leads_out(path, folder):
            errors.append(_link_out(path))
        elif path.exists():
            source, problems = _entry(dataset, path, folder, csv, mapped)
            errors += problems
            sources |= {dataset: source} if source is not None else {}
        else:
            errors.append(DataError(str(path), "E714", f"dataset {dataset} is mapped to file '{mapped.name}', which "
                                                       f"the export folder {folder} does not have"))
    return sources, errors


def _link_out(path: Path) -> DataError:
    return DataError(str(path), "E713", "is a symbolic link to something outside the export folder",
                     hint="copy the file into the folder")


def _nothing_in(folder: Path, contract: Contract, unread: list[str]) -> DataError:
    """E718: the folder gives no dataset; what it should hold, and what it holds instead."""
    names = sorted(contract)
    found = f"; it holds {', '.join(unread[:5])}{', …' if len(unread) > 5 else ''}, none of them read" if unread else ""
    return DataError(str(folder), "E718", f"holds no file of any dataset of the contract{found}",
                     hint=f"expected files named after the datasets, as .csv, .jsonl, .json, .parquet or .xlsx "
                          f"({', '.join(names[:3])}, … {len(names)} in all: {names[0]}.csv, say); is --data the "
                          "folder the export was written to?")


def _leads_out(path: Path, folder: Path) -> bool:
    return path.is_symlink() and not path.resolve().is_relative_to(folder.resolve())


def missing_reason(name: str, folder: Path) -> str:
    """Why a dataset has no file in the folder, naming what is there under a name like it
    (`Clients.csv`, `clients.csv.bak`, `client.csv`): the spelling a person reads past."""
    en = f"no {name}.csv, .jsonl, .json, .parquet or .xlsx (nor a folder {name}/ of Parquet files) in {folder}"
    nl = f"geen {name}.csv, .jsonl, .json, .parquet of .xlsx (noch een map {name}/ met Parquet-bestanden) in {folder}"
    alike = ", ".join(_alike(name, folder))
    if not alike:
        return Bilingual(en, nl)
    return Bilingual(f"{en}; found {alike}, not read: the file must be named {name}.<format>",
                     f"{nl}; gevonden: {alike}, niet gelezen: het bestand moet {name}.<formaat> heten")


def _alike(name: str, folder: Path) -> list[str]:
    """Entries of the folder whose name, before its first dot, is the dataset's in another case or
    nearly (a letter off); folders with a slash."""
    entries = {e.name + ("/" if e.is_dir() else ""): e.name.split(".")[0].casefold()
               for e in folder.iterdir() if not e.name.startswith(".")}
    close = set(difflib.get_close_matches(name.casefold(), set(entries.values()), n=5, cutoff=0.85))
    return sorted(entry for entry, stem in entries.items() if stem in close)[:5]


# -- what comes in memory -------------------------------------------------------------------
def frame_sources(frames: Mapping[str, object], contract: Contract) -> Data:
    """pandas DataFrames, pyarrow Tables, or anything that speaks the Arrow PyCapsule stream
    interface (a polars DataFrame), by dataset name."""
    unknown = [name for name in frames if name not in contract]
    if unknown:
        from ...compiler.diagnostics import did_you_mean

        raise DataContractError([DataError(f"frames['{name}']", "E712", f"unknown dataset '{name}'",
                                           hint=did_you_mean(name, sorted(contract))) for name in unknown])
    sources = {name: Source(name, f"frames['{name}']", "arrow", table=as_arrow(data)) for name, data in frames.items()}
    return Data(sources, absent=lambda name: Bilingual(f"no frame for dataset '{name}'",
                                                       f"geen frame voor dataset '{name}'"))


def as_arrow(data: object) -> pa.Table:
    """A table in memory as Arrow, each column as the container held it (no typing here)."""
    if isinstance(data, pa.Table):
        return data
    if hasattr(data, "__arrow_c_stream__") and not _is_pandas(data):
        return pa.RecordBatchReader.from_stream(data).read_all()
    if _is_pandas(data):
        return _from_pandas(data)
    raise TypeError(f"expected a pandas DataFrame, a pyarrow Table or an Arrow stream, not {type(data).__name__}")


def _is_pandas(data: object) -> bool:
    return type(data).__module__.startswith("pandas")


def _from_pandas(df) -> pa.Table:
    """Each column as Arrow; a column of mixed kinds (text and numbers) as JSON text, so that
    the validator can still tell a number from a text."""
    arrays, fields = [], []
    for name in df.columns:
        values = df[name]
        try:
            array = pa.array(values, from_pandas=True)
            meta = None
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # mixed kinds, or an int beyond 64 bits
            array = pa.array([_json(v) for v in values.to_numpy(dtype=object)], pa.string())
            meta = JSON_TEXT
        arrays.append(array)
        fields.append(pa.field(str(name), array.type, metadata=meta))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _json(value: object) -> str | None:
    if value is None or value != value:  # None, NaN, NaT
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    if hasattr(value, "tolist"):
        value = value.tolist()
    return json.dumps(value, default=str)


def rows_sources(rows: Mapping[str, Iterable[Mapping[str, object]]], contract: Contract, file: str, context: str,
                 lines: Mapping[str, tuple[Mapping[str, int], ...]] | None = None) -> Data:
    """Rows as a rule example writes them, for every dataset of the contract (empty when not given).

    A column holds what YAML made of it: text, a number, a date, a list. A column that
    mixes kinds is JSON text, as for a DataFrame. Columns left out are null.
    """
    out = {}
    for name, dataset in contract.items():
        given = [dict(r) for r in rows.get(name, ())]
        names = list(dict.fromkeys(k for r in given for k in r)) or list(dataset.column_names)
        arrays, fields = [], []
        for column in names:
            values = [r.get(column) for r in given]
            array, meta = _rows_array(values)
            arrays.append(array)
            fields.append(pa.field(column, array.type, metadata=meta))
        table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
        out[name] = Source(name, file, "arrow", table=table, partial=True, value_lines=(lines or {}).get(name, ()),
                           context=f"{context}, {name}")
    return Data(out)


def _rows_array(values: list[object]) -> tuple[pa.Array, dict | None]:
    """One example column as Arrow; as JSON text when it mixes kinds, or holds a whole number
    beyond 64 bits, so that the validator words what is wrong with it."""
    kinds = {_kind(v) for v in values if v is not None}
    if not kinds:
        return pa.nulls(len(values)), None
    too_big = any(isinstance(v, int) and not -(1 << 63) <= v < (1 << 63) for v in values)
    if len(kinds) == 1 and (kind := next(iter(kinds))) in _ARROW and not too_big:
        return pa.array(values, type=_ARROW[kind]), None
    if kinds == {"list"} and all(isinstance(i, str) for v in values if v is not None for i in v):
        return pa.array(values, type=pa.list_(pa.string())), None
    return pa.array([_json(v) for v in values], pa.string()), JSON_TEXT


_ARROW = {"str": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
          "datetime": pa.timestamp("us")}


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__ if isinstance(value, (int, float, str)) else "other"
