"""Errors as data: a stable code, a location in a rule file, a message, and a hint.

Every stage of the compiler reports `Diagnostic`s instead of raising at the first
problem, so that one run shows all errors of a pack, sorted by file and line.
Rendering follows cel-python and rustc: `file:line:col`, the source line, a caret.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .ir import Span


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int
    column: int
    end_column: int | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location | None = None
    source_line: str | None = None
    hint: str | None = None

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        lines = [f"{where}error {self.code}: {self.message}"]
        if self.location and self.source_line is not None:
            gutter = f"{self.location.line:>5} | "
            lines.append(gutter + self.source_line.rstrip())
            start = self.location.column
            end = self.location.end_column or start + 1
            width = max(1, end - start)
            lines.append(" " * (len(gutter) - 2) + "| " + " " * (start - 1) + "^" + "~" * (width - 1))
        if self.hint:
            lines.append(f"      = {self.hint}")
        return "\n".join(lines)

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column) if loc else ("", 0, 0)


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 rule`, `12 rules`, `1 rule has`, `2 rules have`: a count with an English noun in the right number,
    for the command line and its errors; `many` where the plural is not `one` with an s (or a verb follows)."""
    return f"{n} {one if n == 1 else many or one + 's'}"


class Bilingual(str):
    """A message in English (the string itself, as the command line, the examples and the API read it) that a
    report in Dutch shows in Dutch (`in_lang`): why a rule could not run."""

    nl: str

    def __new__(cls, en: str, nl: str) -> Bilingual:
        made = super().__new__(cls, en)
        made.nl = nl
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return str(self), self.nl


def in_lang(text: str, lang: str) -> str:
    """A message in the report's language: a `Bilingual` one in Dutch when asked; any other as it is."""
    return getattr(text, "nl", text) if lang == "nl" else str(text)


class UserError(Exception):
    """A run that cannot be done for a reason the user can fix: exit status 2 and `render()`, no traceback.

    Rule packs, configurations, data, baselines and arguments each raise a kind of their own.
    """

    def render(self) -> str:
        return str(self)


class DiagnosedError(UserError):
    """Input that cannot be used, with every diagnostic found, sorted by file and line, and a closing count."""

    subject = "the input"  # what the closing line says the errors are in

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.diagnostics)
        body = "\n\n".join(d.render() for d in self.diagnostics)
        return f"{body}\n\n{n} error{'s' if n != 1 else ''} in {self.subject}"


class CompileError(DiagnosedError):
    """A rule pack that cannot be compiled."""

    subject = "the rule pack"


@dataclass(frozen=True)
class SourceText:
    """Where a piece of condition text sits in its rule file, to map spans to lines.

    `line`/`column` are the file position of the text's first character; for a YAML
    block scalar (`|`) every later line starts at `column` too, so positions are
    exact. For folded or multi-line plain scalars they are close, not exact: the
    README asks rule authors to write conditions as `|` blocks.
    """

    file: str
    text: str
    line: int
    column: int
    file_lines: tuple[str, ...] = field(repr=False, default=())

    def locate(self, span: Span | None) -> tuple[Location, str | None]:
        if span is None:
            return Location(self.file, self.line, self.column), self._file_line(self.line)
        line = self.line + span.line - 1
        column = self.column + span.column - 1
        end = column + (span.end_column - span.column) if span.end_line == span.line else None
        return Location(self.file, line, column, end), self._file_line(line)

    def _file_line(self, line: int) -> str | None:
        return self.file_lines[line - 1] if 0 < line <= len(self.file_lines) else None

    def diagnostic(self, code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
        location, source_line = self.locate(span)
        return Diagnostic(code, message, location, source_line, hint)


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
