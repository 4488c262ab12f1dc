"""The JSON Schemas reglement publishes (`reglement/schemas.py`): found in the installed package, each with
its stable `$id`, and named at the top of the YAML files `reglement init` writes, so that an editor's YAML
language server completes and checks them. That the wheel carries them is checked by `.ci/run`, which
installs the wheel apart and asks `reglement schema NAME --path` from outside the checkout."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT

from reglement import schemas
from reglement.cli import main
from reglement.compiler.yaml_source import load_yaml
from reglement.init import init_pack

PACKAGE = Path(schemas.__file__).parent  # reglement/, whose sub-packages are compiler/ and checker/ when installed


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_in_the_package_with_its_stable_id(name):
    path = schemas.path(name)
    assert path.is_file() and path.name == f"{name}.schema.json"
    schema = schemas.load(name)
    assert schema["$id"] == schemas.schema_id(name) == f"https://reglement.dev/schemas/{name}.schema.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema.get("title"), "an editor shows the title"


def test_the_files_are_those_the_compiler_and_the_report_use():
    from reglement.checker.report import REPORT_SCHEMA
    from reglement.compiler.stages import _schema

    assert schemas.load("report") == REPORT_SCHEMA
    assert schemas.load("rulefile") == _schema("rulefile.schema.json")
    assert schemas.load("pack") == _schema("pack.schema.json")
    assert {schemas.path(n).parent.name for n in schemas.NAMES} <= {"compiler", "checker"}


def test_init_names_each_files_schema_on_its_first_line_and_the_file_is_valid(tmp_path):
    init_pack(tmp_path / "pack", "office")
    for file, name in (("pack.yaml", "pack"), ("art-01.yaml", "rulefile")):
        text = (tmp_path / "pack" / file).read_text("utf-8")
        first = text.splitlines()[0]
        assert first == f"# yaml-language-server: $schema=https://reglement.dev/schemas/{name}.schema.json"
        assert first == schemas.modeline(name)
        document = load_yaml(tmp_path / "pack" / file, file)  # as the compiler reads it: YAML 1.2, dates as text
        jsonschema.validate(document.data, schemas.load(name))  # what the editor checks, the file passes
    contract = json.loads((tmp_path / "pack" / "contract" / "files.schema.json").read_text("utf-8"))
    jsonschema.validate(contract, schemas.load("dataset"))


def test_schema_lists_prints_and_locates(capsys):
    assert main(["schema"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [[n, schemas.schema_id(n)] for n in schemas.NAMES]
    assert main(["schema", "config", "--path"]) == 0
    assert capsys.readouterr().out == f"{schemas.path('config')}\n"
    assert main(["schema", "config"]) == 0
    assert json.loads(capsys.readouterr().out) == schemas.load("config")
    assert main(["schema", "reviews"]) == 2
    assert "invalid choice: 'reviews'" in capsys.readouterr().err


def test_the_checkout_is_the_package_here():
    """In a checkout (editable install) the files are the repository's own; in a wheel, the package's."""
    assert schemas.path("rulefile").resolve() == (ROOT / "compiler" / "rulefile.schema.json").resolve()
    assert PACKAGE.name == "reglement"
