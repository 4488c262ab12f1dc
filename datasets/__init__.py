"""The data contract: one JSON Schema per dataset of an export folder.

Each `<name>.schema.json` describes one row as it appears in a JSONL export. Besides
standard JSON Schema it carries three annotations the checker needs:
`x-key` (the key column, unique within the file), `x-type` (the contract type of a
column: string, date, timestamp, bool, list<string>) and `x-personal` (the column
holds personal data or free text, so no report or message may ever show its value).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pyarrow as pa

CONTRACT_TYPES = ("string", "date", "timestamp", "bool", "list<string>")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    personal: bool
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    columns: tuple[Column, ...]
    schema: dict

    @property
    def key(self) -> str:
        return self.columns[0].name

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _dataset(schema: dict) -> Dataset:
    columns = tuple(
        Column(
            name=name,
            type=prop["x-type"],
            nullable="null" in prop["type"] if isinstance(prop["type"], list) else False,
            personal=bool(prop.get("x-personal", False)),
            description=prop.get("description", ""),
        )
        for name, prop in schema["properties"].items()
    )
    assert columns[0].name == schema["x-key"], f"{schema['title']}: the key must be the first column"
    return Dataset(schema["title"], schema.get("description", ""), columns, schema)


@cache
def contract() -> dict[str, Dataset]:
    """All datasets of the contract by name, in file-name order."""
    found = sorted(p for p in files(__name__).iterdir() if p.name.endswith(".schema.json"))
    return {d.name: d for d in (_dataset(json.loads(p.read_text("utf-8"))) for p in found)}


@cache
def personal_columns() -> frozenset[tuple[str, str]]:
    """(dataset, column) of every column whose value no report or message may show."""
    return frozenset((d.name, c.name) for d in contract().values() for c in d.columns if c.personal)


def arrow_type(contract_type: str, time_unit: str = "s") -> pa.DataType:
    """A contract type as an Arrow type. Timestamps are whole seconds in an export; a
    DataFrame may hold finer ones, so its reader asks for another unit."""
    return {"string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp(time_unit), "bool": pa.bool_(),
            "list<string>": pa.list_(pa.string())}[contract_type]
