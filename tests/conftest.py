"""Shared fixtures: small rule packs written into a temporary folder."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "sample"
AS_OF = "2026-11-28"

settings.register_profile("ci", max_examples=1000, deadline=None)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

PACK_YAML = """\
name: test-pack
version: "0.1"
title: {nl: Testpakket, en: Test pack}
"""


def write_pack(folder: Path, article_yaml: str) -> Path:
    """A pack folder with pack.yaml and one article file `art-01.yaml`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    (folder / "art-01.yaml").write_text(textwrap.dedent(article_yaml), encoding="utf-8")
    return folder


def rule_file(condition: str, dataset: str = "requests", let: str = "", params: str = "",
              message: str = "request {request_id}") -> str:
    """An article file with one rule; `condition` is written as a `|` block at indent 6."""
    body = textwrap.indent(textwrap.dedent(condition).strip("\n"), " " * 6)
    return (
        'article: "1"\n'
        "title: {nl: Een, en: One}\n"
        "clauses:\n"
        '  - clause: "1.1"\n'
        "    text: Tekst.\n"
        "rules:\n"
        "  - id: 1.1-test-rule\n"
        '    article: "1.1"\n'
        "    title: {nl: Test, en: Test}\n"
        "    severity: high\n"
        f"    dataset: {dataset}\n"
        + (f"    params: {params}\n" if params else "")
        + (f"    let:\n{textwrap.indent(textwrap.dedent(let).strip(), ' ' * 6)}\n" if let else "")
        + "    condition: |\n"
        f"{body}\n"
        f'    message: {{nl: "{message}", en: "{message}"}}\n'
    )


@pytest.fixture
def pack_dir(tmp_path: Path):
    def make(condition: str, **kw) -> Path:
        return write_pack(tmp_path / "pack", rule_file(condition, **kw))
    return make
