"""The data contract: one JSON Schema per dataset of an export folder.

A contract is a folder of `<name>.schema.json` files, each describing one row as it
appears in a JSONL export. A rule pack names its contract in `pack.yaml`; this folder
holds the fourteen datasets of the Westendorp office. Besides standard JSON Schema a
column carries annotations the checker needs:

- `x-type`: the contract type (string, date, timestamp, bool, list<string>) — promised;
- `x-key` (on the schema): the key column, or a list of them (a composite key: `["user_id",
  "client_id", "assigned_from"]`), the first properties in that order; unique within the file —
  promised. A finding names every key column, in this order (`Dataset.keys`);
- `x-period` (on the schema): the dataset's time column, whose earliest and latest value the
  report's data section states as the dataset's period (`Dataset.period`); the column that
  says when the office recorded the row's fact (`access_log.ts`, `requests.received_at`, …);
- `x-personal`: the column holds personal data or free text, so no report or message may
  ever show its value;
- `enum` (`items.enum` for a list): a closed vocabulary — declared, not promised;
- `x-references: "<dataset>.<column>"`: a non-null value names a row there — declared;
- `x-not-before: "<column>"`: when both are non-null, this date is not before that one — declared;
- `x-zero-pad: N`: an identifier of N digits, restored with its leading zeros when an
  export gives it as a whole number (what spreadsheets make of a BSN);
- `x-since: "<major>.<minor>"`: the version of the rule pack that added the column
  (`Column.since`; absent, so None, on the columns the contract had from the first pack).
  An export made for an older pack lacks the column, and the intake's missing-column
  error (E704) names that version.

Promised properties stop a run when broken; declared ones are reported by the pack's
contract rules (`4.2-unknown-code`, `4.2-dangling-reference`, `4.2-date-order`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

import pyarrow as pa

CONTRACT_TYPES = ("string", "date", "timestamp", "bool", "list<string>")
SCHEMA_SUFFIX = ".schema.json"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    personal: bool
    description: str = ""
    vocabulary: tuple[str, ...] | None = None  # closed vocabulary (of the elements, for a list)
    references: tuple[str, str] | None = None  # (dataset, column) a value must name
    not_before: str | None = None  # the earlier column of a date pair
    zero_pad: int | None = None  # digits of an identifier restored from a number
    since: str | None = None  # the pack version that added the column ("1.2"); None: there from the start


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    columns: tuple[Column, ...]
    schema: dict = field(compare=False, repr=False)
    period: str | None = None  # the time column whose earliest and latest value is the dataset's period
    key_width: int = 1  # how many of the first columns make the key (`x-key` a list: a composite key)

    @property
    def period_column(self) -> Column | None:
        """The column named by `period`, if any."""
        return None if self.period is None else self.column(self.period)

    @property
    def keys(self) -> tuple[str, ...]:
        """The key columns, in the contract's order: one, or the parts of a composite key."""
        return self.column_names[:self.key_width]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Contract(Mapping[str, Dataset]):
    """The datasets of one contract by name, in file-name order, and the folder they came from."""

    datasets: Mapping[str, Dataset]
    folder: Path

    def __getitem__(self, name: str) -> Dataset:
        return self.datasets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.datasets)

    def __len__(self) -> int:
        return len(self.datasets)

    def __hash__(self) -> int:
        return hash(self.folder)

    def personal_columns(self) -> frozenset[tuple[str, str]]:
        """(dataset, column) of every column whose value no report or message may show."""
        return frozenset((d.name, c.name) for d in self.values() for c in d.columns if c.personal)


def column_from_schema(name: str, prop: dict) -> Column:
    """One column of a dataset schema; the annotations are described in this module's docstring."""
    kinds = prop.get("type")
    enum = prop.get("items", {}).get("enum") if prop.get("x-type") == "list<string>" else prop.get("enum")
    reference = prop.get("x-references")
    return Column(
        name=name,
        type=prop["x-type"],
        nullable=isinstance(kinds, list) and "null" in kinds,
        personal=bool(prop.get("x-personal", False)),
        description=prop.get("description", ""),
        vocabulary=tuple(v for v in enum if v is not None) if enum is not None else None,
        references=tuple(reference.split(".", 1)) if reference else None,
        not_before=prop.get("x-not-before"),
        zero_pad=prop.get("x-zero-pad"),
        since=prop.get("x-since"),
    )


def key_names(schema: dict) -> tuple[str, ...]:
    """The columns `x-key` names: one name, or a list of them (a composite key)."""
    key = schema["x-key"]
    return (key,) if isinstance(key, str) else tuple(key)


def dataset_from_schema(schema: dict) -> Dataset:
    columns = tuple(column_from_schema(name, prop) for name, prop in schema["properties"].items())
    return Dataset(schema["title"], schema.get("description", ""), columns, schema, period=schema.get("x-period"),
                   key_width=len(key_names(schema)))


def schema_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.name.endswith(SCHEMA_SUFFIX))


def load_contract(folder: Path) -> Contract:
    """A contract folder as it is; the compiler checks the files first (`compiler/contract_files.py`)."""
    datasets = [dataset_from_schema(json.loads(p.read_text("utf-8"))) for p in schema_files(folder)]
    return Contract({d.name: d for d in datasets}, Path(folder))


def builtin_contract_folder() -> Path:
    """The folder of this package's schemas: the contract of the Westendorp pack."""
    return Path(str(files(__name__)))


SHIPPED = {"westendorp": builtin_contract_folder}  # contracts a pack may name instead of a folder


@cache
def contract() -> Contract:
    """The Westendorp contract shipped with the package (the generator and its oracle use it)."""
    return load_contract(builtin_contract_folder())


def arrow_type(contract_type: str, time_unit: str = "s") -> pa.DataType:
    """A contract type as an Arrow type. Timestamps are whole seconds in an export."""
    return {"string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp(time_unit), "bool": pa.bool_(),
            "list<string>": pa.list_(pa.string())}[contract_type]


EXPORT_COLUMNS = Dataset(
    "_export_columns",
    "the columns each export file has, one row per dataset and column (rule 1.1 reads them)",
    (Column("dataset", "string", False, False), Column("column", "string", False, False)),
    {},
)
