"""A source's key as the validator reads it: one column, or the columns of a composite key.

The validator tests a key in three places (its order in a scan, the rows that repeat one,
the key that names a row in a message); this gives each the SQL of the whole key, so that
a composite key is held to the same tests as a single one. A composite key compares as a
row value (DuckDB's unnamed struct, in order of its parts) and is fetched for a message as
one text, its parts joined by a separator no key holds, then split and named here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from ...compiler.model import HIDDEN

if TYPE_CHECKING:
    from .validate import Plan

_SEPARATOR = "\x1f"  # the unit separator: the parts of a composite key in one fetched text


@dataclass(frozen=True)
class Key:
    plans: tuple[Plan, ...]  # in the contract's order

    @property
    def composite(self) -> bool:
        return len(self.plans) > 1

    @property
    def value(self) -> exp.Expression:
        """The typed key, compared as a whole: the column, or a row value of the parts in order."""
        values = self.values
        return values[0] if not self.composite else exp.Tuple(expressions=values)

    @property
    def values(self) -> list[exp.Expression]:
        return [p.value.copy() for p in self.plans]

    @property
    def shown(self) -> exp.Expression:
        """The text a message may quote of the key: its parts joined (a personal part as the empty text)."""
        if not self.composite:
            return self.plans[0].shown.copy()
        parts: list[exp.Expression] = []
        for p in self.plans:
            parts += [exp.Literal.string(_SEPARATOR)] if parts else []
            parts.append(exp.func("coalesce", p.shown.copy(), exp.Literal.string("")))
        return exp.Concat(expressions=parts)

    @property
    def check(self) -> exp.Expression | None:
        """True where a part of the key is itself in error (None: no part is ever)."""
        checks = [p.check.copy().is_(exp.null()).not_() for p in self.plans if p.check is not None]
        return exp.or_(*checks) if checks else None

    def named(self, shown: str, quote, column) -> str:
        """The key of a message: `client_id 'C1'`, or `user_id=U1, client_id=C2` for a composite key;
        `column` gives a contract column's name in the source, `quote` cuts a value to a readable length."""
        if not self.composite:
            return f"{column(self.plans[0].column.name)} {quote(shown)}"
        return ", ".join(f"{column(p.column.name)}={HIDDEN if p.column.personal else quote(part, marks=False)}"
                         for p, part in zip(self.plans, shown.split(_SEPARATOR)))

    def matches(self, table: str, prefix: str) -> exp.Expression:
        """The key equals the parts a grouped sub-query `table` gives as `prefix0`, `prefix1`, …"""
        return exp.and_(*[exp.EQ(this=v, expression=exp.column(f"{prefix}{i}", table=table))
                          for i, v in enumerate(self.values)])
