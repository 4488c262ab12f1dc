"""The JSON Schemas reglement publishes, found in the installed package (a wheel as well as a checkout).

    rulefile  a rule file of a pack: one article, its clauses, rules and controls   compiler/
    pack      a pack's pack.yaml                                                    compiler/
    config    an organisation's configuration (--config)                            compiler/
    dataset   one <dataset>.schema.json of a data contract                          compiler/
    report    the JSON report of `reglement check`                                  checker/
    period    the JSON form of `reglement period`                                   checker/

Each schema's `$id` is `https://reglement.dev/schemas/<name>.schema.json`: the same on every machine
and in every release, so that a file may name it (`reglement init` writes a
`# yaml-language-server: $schema=<$id>` line at the top of the YAML it writes), and what a release
changes in a schema is said in its changelog, not in its name. `path(name)` is the file in the
installed package, for an editor without the network (`reglement schema NAME --path`).
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

BASE = "https://reglement.dev/schemas/"
PACKAGES = {"rulefile": "reglement.compiler", "pack": "reglement.compiler", "config": "reglement.compiler",
            "dataset": "reglement.compiler", "report": "reglement.checker",
            "period": "reglement.checker"}
NAMES = tuple(PACKAGES)


def path(name: str) -> Path:
    """The schema's file in the installed package."""
    if name not in PACKAGES:
        raise KeyError(f"no schema {name!r}: there are {', '.join(NAMES)}")
    return Path(str(files(PACKAGES[name]).joinpath(f"{name}.schema.json")))


def load(name: str) -> dict:
    return json.loads(path(name).read_text("utf-8"))


def schema_id(name: str) -> str:
    """The schema's `$id`, a URL that names it wherever it is installed."""
    return f"{BASE}{name}.schema.json"


def modeline(name: str) -> str:
    """The first line of a YAML file that tells an editor's YAML language server which schema the file has."""
    return f"# yaml-language-server: $schema={schema_id(name)}"
