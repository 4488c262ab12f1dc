"""How an export breaks the data contract: positioned, coded, and never quoting personal data."""

from __future__ import annotations

from dataclasses import dataclass

from ...compiler.diagnostics import UserError, plural

MAX_ERRORS_PER_SOURCE = 20


@dataclass(frozen=True)
class DataError:
    """One way a source breaks the contract: where (file, row or file line, column), a code, what was expected."""

    file: str
    code: str | None  # None for a note that is not an error of its own
    message: str
    row: int | None = None
    column: str | None = None
    hint: str | None = None
    line: int | None = None  # a line of the file itself, where rows and lines differ
    key: str | None = None  # the row by its key (`event_id 'E1'`), for a table, whose rows have no order
    more: int = 0  # for the note that closes a capped list: how many errors it does not show

    def __str__(self) -> str:
        file = f"{self.file}:{self.line}" if self.line is not None else self.file
        row = f"row {self.key}" if self.key is not None else f"row {self.row}" if self.row is not None else None
        parts = [row if self.line is None else None,
                 f"column {self.column}" if self.column is not None else None]
        where = ", ".join(p for p in parts if p)
        what = f"error {self.code}: {self.message}" if self.code else self.message
        text = f"{file}: {where}: {what}" if where else f"{file}: {what}"
        return f"{text} ({self.hint})" if self.hint else text


class DataContractError(UserError):
    """The data breaks the contract; `errors` lists every problem found, source by source."""

    def __init__(self, errors: list[DataError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors

    def render(self) -> str:
        problems = sum(1 for e in self.errors if e.code) + sum(e.more for e in self.errors)
        return f"{self}\nthe data breaks the contract: {plural(problems, 'problem')}; no rule was judged"


def capped(label: str, errors: list[DataError], total: int) -> list[DataError]:
    """At most MAX_ERRORS_PER_SOURCE errors of one source, then a line saying how many more."""
    shown = errors[:MAX_ERRORS_PER_SOURCE]
    if total > len(shown):
        shown.append(DataError(label, None, f"{plural(total - len(shown), 'more error')} not shown",
                               more=total - len(shown)))
    return shown
