"""The compiler stage that reads a pack's data contract: a folder of `<dataset>.schema.json`.

Each file is checked against `dataset.schema.json` and then for what a schema cannot
say (the key is the first column, a reference names a column that exists, a date pair
pairs two dates), with the file and line of each problem. Only a contract without
problems reaches the rest of the compiler.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path

from ..datasets import Contract, Dataset, dataset_from_schema, key_names, schema_files
from .diagnostics import Diagnostic, did_you_mean
from .errors import CODES
from .yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics

_DATES = ("date", "timestamp")


@cache
def _meta_schema() -> dict:
    return json.loads(files(__package__).joinpath("dataset.schema.json").read_text("utf-8"))


def read_contract(folder: Path, display: str) -> tuple[Contract | None, list[Diagnostic]]:
    """The contract in `folder`, or the diagnostics that stop it; `display` names the folder in messages."""
    if not Path(folder).is_dir():
        return None, [Diagnostic("E120", f"{display}: the data contract folder does not exist",
                                 hint="`contract:` in pack.yaml names a folder of <dataset>.schema.json files, "
                                      "relative to the pack, or a contract that ships with reglement "
                                      "(westendorp)")]
    docs, problems = [], []
    for path in schema_files(folder):
        try:
            docs.append(load_yaml(path, f"{display}/{path.name}"))
        except YamlError as err:
            problems.append(err.diagnostic)
    for doc in docs:
        problems += schema_diagnostics(doc, _meta_schema(), code="E121", hint=CODES["E121"].remedy)
    if not docs and not problems:
        problems.append(Diagnostic("E120", f"{display}: the data contract folder holds no <dataset>.schema.json"))
    if problems:
        return None, problems
    datasets = {}
    for doc in docs:
        name = doc.data["title"]
        if name in datasets:
            problems.append(doc.diagnostic("E122", f"a second schema for the dataset '{name}'", ("title",)))
        datasets[name] = (doc, dataset_from_schema(doc.data))
    for doc, dataset in datasets.values():
        problems += _dataset_problems(doc, dataset, {n: d for n, (_, d) in datasets.items()})
    if problems:
        return None, problems
    return Contract({n: d for n, (_, d) in sorted(datasets.items())}, Path(folder)), []


def _key_problems(doc: YamlDocument, dataset: Dataset) -> list[Diagnostic]:
    """The key is the first column, or a composite key the first columns in its order; no key column may be
    null, since a finding is named by every part of its key."""
    names = key_names(doc.data)
    twice = [n for i, n in enumerate(names) if n in names[:i]]
    if twice:
        return [doc.diagnostic("E122", f"the key names '{twice[0]}' twice", ("x-key",),
                               "a composite key names each of its columns once")]
    if names != dataset.keys:
        if isinstance(doc.data["x-key"], str):
            return [doc.diagnostic("E122", f"the key '{names[0]}' must be the first column", ("x-key",))]
        return [doc.diagnostic("E122", f"the key columns {', '.join(map(repr, names))} must be the first "
                                       f"{len(names)} columns, in that order", ("x-key",),
                               f"the first {len(names)} columns are {', '.join(map(repr, dataset.keys))}")]
    return [doc.diagnostic("E122", f"the key column '{c.name}' may not be null", ("properties", c.name, "type"))
            for c in dataset.columns[:dataset.key_width] if c.nullable and len(names) > 1]


def _dataset_problems(doc: YamlDocument, dataset: Dataset, all_datasets: dict[str, Dataset]) -> list[Diagnostic]:
    out = []
    expected = doc.file.rsplit("/", 1)[-1].removesuffix(".schema.json")
    if dataset.name != expected:
        out.append(doc.diagnostic("E122", f"the schema of '{dataset.name}' must be named {dataset.name}.schema.json",
                                  ("title",)))
    out += _key_problems(doc, dataset)
    if dataset.period is not None and (dataset.period_column is None or dataset.period_column.type not in _DATES):
        out.append(doc.diagnostic("E122", f"x-period names the time column of {dataset.name}, a date or timestamp; "
                                          f"'{dataset.period}' is not one", ("x-period",),
                                  did_you_mean(dataset.period, dataset.column_names)))
    for i, name in enumerate(doc.data.get("required", ())):  # a misspelt name would require nothing
        if dataset.column(name) is None:
            out.append(doc.diagnostic("E122", f"'{name}' is required but is not a column of {dataset.name}",
                                      ("required", i), did_you_mean(name, dataset.column_names)))
    for column in dataset.columns:
        where = ("properties", column.name)
        if column.vocabulary is not None and column.type not in ("string", "list<string>"):
            out.append(doc.diagnostic("E122", f"a vocabulary needs a text column, not a {column.type}", where))
        if column.vocabulary is not None and any(not v.strip() for v in column.vocabulary):
            out.append(doc.diagnostic("E122", "a vocabulary value may not be empty or only white space", where))
        if column.zero_pad is not None and column.type != "string":
            out.append(doc.diagnostic("E122", "x-zero-pad needs a text column", (*where, "x-zero-pad")))
        if column.references:
            target, name = column.references
            known = all_datasets.get(target)
            if known is None or known.column(name) is None:
                candidates = [f"{d}.{c}" for d, ds in all_datasets.items() for c in ds.column_names]
                out.append(doc.diagnostic("E122", f"'{target}.{name}' is not a column of the contract",
                                          (*where, "x-references"), did_you_mean(f"{target}.{name}", candidates)))
        if column.not_before:
            earlier = dataset.column(column.not_before)
            if earlier is None or earlier.type not in _DATES or column.type not in _DATES:
                out.append(doc.diagnostic("E122", f"x-not-before pairs two dates of {dataset.name}; "
                                                  f"'{column.not_before}' and '{column.name}' are not",
                                          (*where, "x-not-before"),
                                          did_you_mean(column.not_before, dataset.column_names)))
    return out
