"""Python API: audit pandas DataFrames against a rule pack, without files.

    result = check("rules/westendorp", {"clients": clients_df, ...}, "2026-11-28")
    result.findings["4.2-invalid-bsn"]   # a DataFrame: key columns + message
    result.report                        # the same dict `reglement check --format json` prints

Frames are held to the data contract just as export files are: missing columns,
values of the wrong type, empty required values and repeated keys raise the loader's
DataContractError before any rule runs. Dates may come as datetime64, `datetime.date`
or ISO text; they are coerced to the contract types.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .checker.audit import Audit, needed_datasets, run_rule
from .checker.config import Config, load_config
from .checker.engine import DuckDBEngine
from .checker.loader import KEEPS_EXTRA_COLUMNS, DataContractError, DataError, Export, LoadedDataset
from .checker.pandas_engine import PandasEngine
from .checker.pandas_render import LIST_DTYPE, MOMENT_DTYPE, STRING_DTYPE
from .checker.readers import MAX_ERRORS_PER_FILE
from .checker.report import build_report
from .compiler.diagnostics import did_you_mean
from .compiler.pack import Pack, load_pack
from .datasets import Column, Dataset, arrow_type, contract as data_contract

FRAME_PATH = Path("<dataframe>")
# The loader's wording for a cell that is not of its column's type (its names are private).
_DATE, _TIMESTAMP = r"\d{4}-\d{2}-\d{2}", r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
_EXPECTED = {"date": "expected a date YYYY-MM-DD", "timestamp": "expected a timestamp YYYY-MM-DDTHH:MM:SS",
             "bool": "expected true or false", "list<string>": "expected a JSON array of strings",
             "string": "expected a single value (not a JSON array or object)"}
_SHOWN_CHARS = 40


@dataclass(frozen=True)
class CheckResult:
    findings: dict[str, pd.DataFrame]  # rule id → key columns + message, one row per finding
    report: dict
    audit: Audit


def check(pack: Pack | str | Path, frames: Mapping[str, pd.DataFrame], as_of: dt.date | str,
          config: Config | str | Path | None = None, engine: str = "pandas", lang: str = "nl") -> CheckResult:
    """Run every rule of the pack over the frames, as `reglement check` does over files."""
    pack = pack if isinstance(pack, Pack) else load_pack(Path(pack))
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    config = config if isinstance(config, Config) else load_config(Path(config), pack) if config else Config()
    started_at, clock = dt.datetime.now(dt.timezone.utc), time.perf_counter()
    typed = validate_frames(frames)
    export = frames_export(typed, needed_datasets(pack))
    con = duckdb_connection(typed) if engine == "duckdb" else None
    try:
        runner = make_frame_engine(engine, typed, con)
        results = tuple(run_rule(runner, rule, export, rule.values(config.overrides(rule.id), as_of))
                        for rule in pack.rules)
    finally:
        if con is not None:
            con.close()
    audit = Audit(pack, as_of, engine, export, config, results, started_at, time.perf_counter() - clock)
    report = build_report(audit, lang)
    return CheckResult(_finding_frames(pack, report), report, audit)


def make_frame_engine(name: str, typed: Mapping[str, pd.DataFrame], con: duckdb.DuckDBPyConnection | None):
    """An engine over validated frames: pandas directly, DuckDB over `duckdb_connection`."""
    if name == "pandas":
        return PandasEngine(typed, data_contract())
    if name == "duckdb":
        return DuckDBEngine(con if con is not None else duckdb_connection(typed), data_contract())
    raise ValueError(f"unknown engine '{name}' (duckdb or pandas)")


def _finding_frames(pack: Pack, report: dict) -> dict[str, pd.DataFrame]:
    entries = {r["id"]: r for r in report["rules"] if r["kind"] == "automated"}
    return {rule.id: pd.DataFrame([{**f["key"], "message": f["message"]} for f in entries[rule.id]["findings"]],
                                  columns=[*rule.keys, "message"])
            for rule in pack.rules}


# -- the data contract, for frames ------------------------------------------------------
def validate_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Frames coerced to the contract types, or DataContractError listing every problem."""
    contract = data_contract()
    typed, errors = {}, []
    for name, df in frames.items():
        if name not in contract:
            errors.append(DataError(_label(name), None, None, f"unknown dataset '{name}'"
                                    + (f" ({did_you_mean(name, sorted(contract))})" if did_you_mean(name, sorted(contract)) else "")))
            continue
        frame, found = _validate(contract[name], df)
        typed[name] = frame
        errors += found
    if errors:
        raise DataContractError(errors)
    return typed


def _label(name: str) -> str:
    return f"frames['{name}']"


def _validate(dataset: Dataset, df: pd.DataFrame) -> tuple[pd.DataFrame, list[DataError]]:
    label = _label(dataset.name)
    absent = [DataError(label, None, None, f"missing column '{c.name}'") for c in dataset.columns
              if c.name not in df.columns] + _case_clashes(label, df)
    cells: list[tuple[int, int, DataError]] = []
    columns: dict[str, pd.Series] = {}
    for position, column in enumerate(dataset.columns):
        if column.name not in df.columns:
            continue
        raw = df[column.name].reset_index(drop=True)
        values, bad, message = _coerce(raw, column)
        required = values.isna().to_numpy(dtype=bool) & ~bad & (not column.nullable)
        cells += [(row, position, DataError(label, row + 1, column.name, _shown(message, raw.iloc[row], column)))
                  for row in np.flatnonzero(bad)]
        cells += [(row, position, DataError(label, row + 1, column.name, "empty value in a required column"))
                  for row in np.flatnonzero(required)]
        columns[column.name] = values
    if dataset.key in columns:
        cells += _duplicates(label, columns[dataset.key])
    if dataset.name in KEEPS_EXTRA_COLUMNS:
        columns.update({c: _text(df[c].reset_index(drop=True)) for c in df.columns if c not in columns})
    found = [e for _, _, e in sorted(cells, key=lambda c: (c[0], c[1]))]
    problems = absent + found
    if problems:
        return pd.DataFrame(), _capped(label, problems)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(df))), []


def _case_clashes(label: str, df: pd.DataFrame) -> list[DataError]:
    """Column names that differ only in case: SQL folds them into one (DuckDB renames the second)."""
    first: dict[str, str] = {}
    out = []
    for name in map(str, df.columns):
        seen = first.setdefault(name.lower(), name)
        if seen != name:
            out.append(DataError(label, None, name, f"differs from column '{seen}' only in case"))
    return out


def _shown(message: str, value: object, column: Column) -> str:
    return message if column.personal else f"{message}, got {_quote(str(value))}"


def _quote(value: str) -> str:
    return f"'{value[:_SHOWN_CHARS]}…'" if len(value) > _SHOWN_CHARS else f"'{value}'"


def _capped(label: str, errors: list[DataError]) -> list[DataError]:
    shown = errors[:MAX_ERRORS_PER_FILE]
    if len(errors) > len(shown):
        shown.append(DataError(label, None, None, f"{len(errors) - len(shown)} more errors not shown"))
    return shown


def _duplicates(label: str, keys: pd.Series) -> list[tuple[int, int, DataError]]:
    first = pd.Series(np.arange(len(keys)), index=keys.index).groupby(keys, dropna=True).transform("min")
    repeated = np.flatnonzero(keys.notna().to_numpy(dtype=bool) & (first.to_numpy() != np.arange(len(keys))))
    return [(row, 0, DataError(label, row + 1, keys.name,
                               f"duplicate key {_quote(str(keys.iloc[row]))} (first seen on row {int(first.iloc[row]) + 1})"))
            for row in repeated]


def _coerce(values: pd.Series, column: Column) -> tuple[pd.Series, np.ndarray, str]:
    """The column in its contract dtype, the rows that could not be coerced, and why."""
    null = values.isna().to_numpy(dtype=bool) if column.type != "list<string>" else _null_lists(values)
    if column.type == "string":
        scalar = ~_is_listlike(values)
        return _text(values.where(scalar)), ~scalar & ~null, _EXPECTED["string"]
    if column.type in ("date", "timestamp"):
        moments = _moments(values, column.type)
        return moments, moments.isna().to_numpy(dtype=bool) & ~null, _EXPECTED[column.type]
    if column.type == "bool":
        flags = _flags(values)
        return flags, flags.isna().to_numpy(dtype=bool) & ~null, _EXPECTED["bool"]
    lists, bad = _lists(values)
    return lists, bad & ~null, _EXPECTED["list<string>"]


def _is_listlike(values: pd.Series) -> np.ndarray:
    if values.dtype != object or _kind(values) in ("string", "empty", "integer", "floating", "boolean"):
        return np.zeros(len(values), dtype=bool)
    return values.map(lambda v: isinstance(v, (list, tuple, dict, np.ndarray)), na_action="ignore").fillna(False).to_numpy(dtype=bool)


def _kind(values: pd.Series) -> str:
    """What an object column holds throughout (pandas' inference), to skip per-value checks."""
    return pd.api.types.infer_dtype(values, skipna=True)


def _null_lists(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, pd.ArrowDtype):
        return values.isna().to_numpy(dtype=bool)
    return values.map(lambda v: v is None or v is pd.NA or isinstance(v, float) and np.isnan(v)).to_numpy(dtype=bool)


def _text(values: pd.Series) -> pd.Series:
    """Text in the string dtype; other scalars (a BSN read as a number) become their text."""
    if values.dtype == object:
        values = values.astype(str).where(values.notna())
    return values.astype(STRING_DTYPE)


def _moments(values: pd.Series, type_: str) -> pd.Series:
    """Dates (midnight) or timestamps as datetime64[us]; NaT where the value is not one."""
    if pd.api.types.is_datetime64_any_dtype(values):
        moments = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        moments = moments.astype(MOMENT_DTYPE)
    elif _kind(values) in ("date", "datetime", "empty"):
        moments = pd.to_datetime(values, errors="coerce").astype(MOMENT_DTYPE)
    else:
        text = values.where(values.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool))
        text = _text(text)
        pattern, fmt = (_DATE, "%Y-%m-%d") if type_ == "date" else (_TIMESTAMP, "%Y-%m-%dT%H:%M:%S")
        valid = text.str.fullmatch(pattern).fillna(False).astype(bool)
        parsed = pd.to_datetime(text.where(valid).str.replace(" ", "T", n=1), format=fmt, errors="coerce")
        objects = values.where(values.map(lambda v: isinstance(v, (dt.date, pd.Timestamp)), na_action="ignore")
                               .fillna(False).astype(bool))
        moments = parsed.astype(MOMENT_DTYPE).fillna(pd.to_datetime(objects, errors="coerce").astype(MOMENT_DTYPE))
    if type_ == "date":
        moments = moments.where(moments.dt.normalize() == moments)
    return moments


def _flags(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values) or _kind(values) in ("boolean", "empty"):
        return values.astype("boolean")
    words = _text(values.where(values.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)))
    lowered = words.str.lower()
    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    flags = flags.mask(lowered == "true", True).mask(lowered == "false", False)
    booleans = values.map(lambda v: isinstance(v, (bool, np.bool_)), na_action="ignore").fillna(False).astype(bool)
    return flags.where(~booleans, values.where(booleans).astype("boolean"))


def _lists(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Lists of text; a text value splits on `;` as in a CSV export."""
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_list(values.dtype.pyarrow_dtype):
        return values.astype(LIST_DTYPE), np.zeros(len(values), dtype=bool)
    def one(v):
        if isinstance(v, str):
            return v.split(";")
        if isinstance(v, (list, tuple, np.ndarray)) and all(isinstance(i, str) or i is None for i in v):
            return [i for i in v]
        return None if v is None or v is pd.NA or isinstance(v, float) and np.isnan(v) else "!"
    items = values.map(one)
    bad = items.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    items = items.to_numpy(dtype=object).copy()
    items[bad] = None
    return pd.Series(pa.array(items, type=pa.list_(pa.string())), dtype=LIST_DTYPE), bad


# -- export and DuckDB --------------------------------------------------------------------
def frames_export(typed: Mapping[str, pd.DataFrame], needed: list[str]) -> Export:
    contract = data_contract()
    loaded = {name: LoadedDataset(name, FRAME_PATH, "dataframe", len(df), frame_sha256(df),
                                  tuple(c for c in df.columns if c not in contract[name].column_names))
              for name, df in typed.items()}
    missing = {name: f"no frame for dataset '{name}'" for name in needed if name not in typed}
    return Export(loaded, missing)


def frame_sha256(df: pd.DataFrame) -> str:
    """Hash of the values (list columns hashed as their `;`-joined text)."""
    hashable = df.assign(**{c: pd.Series(pc.binary_join(pa.array(df[c]), ";"), dtype=STRING_DTYPE)
                            for c in df.columns if df[c].dtype == LIST_DTYPE})
    return hashlib.sha256(pd.util.hash_pandas_object(hashable, index=False).values.tobytes()).hexdigest()


def duckdb_connection(typed: Mapping[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one relation per frame, in the contract's types (as the loader makes).

    Each frame is registered as an Arrow table under the dataset's name: no copy, and
    `information_schema.columns` lists its columns as it does for a loaded table.
    """
    contract = data_contract()
    con = duckdb.connect()
    for name, df in typed.items():
        dataset = contract[name]
        con.register(name, pa.table({c: _arrow(df[c], dataset.column(c)) for c in df.columns}))
    return con


def _arrow(values: pd.Series, column: Column | None) -> pa.Array:
    target = arrow_type(column.type, time_unit="us") if column is not None else pa.string()
    if isinstance(values.dtype, pd.ArrowDtype):
        return pa.array(values).cast(target)
    return pa.array(values, from_pandas=True).cast(target)
