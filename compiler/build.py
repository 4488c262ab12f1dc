"""What the compiler's stages share: the `Build` each adds to, a `Stage`, and a rule's `Draft`.

A module of its own, below the stages, so that the modules of the stages (`stages.py`,
`rules.py`, `contract_rules.py`, `config.py`) import it and never each other in a circle.
A `Draft` carries a rule from its YAML mapping to a `Rule`: a stage that finds a problem
records it and marks the draft failed, so that later stages leave it alone instead of
reporting the same mistake again in other words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..datasets import Contract
from . import ir
from .diagnostics import Diagnostic, Location
from .model import Article, Check, Config, Control, Pack, Param, Regulation
from .yaml_source import YamlDocument, YamlPath

CONDITION = "\0condition"  # the key of a draft's condition among its parsed `let` values (no name can be it)
SCOPE = "\0scope"  # of its scope
EXPLANATION = "\0explanation "  # of its explanations, followed by the explanation's place in the list
CONTRACT = "contract"  # the kind of a rule whose checks the contract's declarations generate (contract_rules.py)


@dataclass
class Draft:
    doc: YamlDocument
    path: YamlPath
    raw: dict
    failed: bool = False
    params: tuple[Param, ...] = ()
    parsed: dict[str, ir.Expr] = field(default_factory=dict)  # `let` name (or CONDITION) → parsed IR
    lets: dict[str, ir.Expr] = field(default_factory=dict)  # resolved
    checks: tuple[Check, ...] = ()
    fields: tuple[str, ...] = ()  # placeholders of its messages
    regulation: str = ""  # the code of the regulation of its file

    @property
    def kind(self) -> str:
        return self.raw.get("kind", "condition")

    def fail(self, build: Build, code: str, message: str, where: YamlPath, hint: str | None = None,
             at: str | None = None) -> None:
        """A diagnostic at the text `where`; with `at`, its caret under the first `at` in that text (a message's
        `{placeholder}`), where the text is written in the file."""
        path = (*self.path, *where)
        source = self.doc.source_text(path) if at is not None else None
        offset = source.text.find(at) if source is not None and at else -1
        if source is None or offset < 0:
            build.diagnostics.append(self.doc.diagnostic(code, message, path, hint))
        else:
            line = source.text.count("\n", 0, offset) + 1
            column = offset - (source.text.rfind("\n", 0, offset) + 1) + 1
            build.diagnostics.append(source.diagnostic(code, message, ir.Span(line, column, line, column + len(at)),
                                                       hint))
        self.failed = True


@dataclass
class Build:
    """What the stages share: the inputs, what each stage adds, and every diagnostic so far."""

    folder: Path
    config_path: Path | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    meta: YamlDocument | None = None
    files: list[YamlDocument] = field(default_factory=list)
    contract: Contract | None = None
    regulations: tuple[Regulation, ...] = ()
    articles: list[Article] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    declared: dict[str, Location] = field(default_factory=dict)  # every rule and control id, failed or not
    pack: Pack | None = None
    config: Config | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    does: str
    run: Callable[[Build], None]
    per_rule: bool = False  # works rule by rule: runs on after problems, over the rules without any


def drafts(build: Build, kind: str | None = "condition") -> list[Draft]:
    """The drafts of one kind (every kind for None) that no stage has failed yet."""
    return [d for d in build.drafts if not d.failed and (kind is None or d.kind == kind)]
