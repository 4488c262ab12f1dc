"""`--select` and `--skip`: rules named by id, or by article or clause (`5` is all of article 5).

A selection keeps the rules, controls and informational clauses it names and drops the
ones `--skip` names; a name that matches nothing is a usage error with a did-you-mean,
never a silently empty report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .compiler.diagnostics import UserError, did_you_mean

if TYPE_CHECKING:  # the pack's model imports pyarrow, which `reglement --version` does without
    from .compiler.model import Pack


class SelectionError(UserError):
    """A `--select`/`--skip` name that is no rule id, article or clause of the pack."""


def names(text: str) -> tuple[str, ...]:
    """`5,7.1, 11.2-retention-after-last-contact` → its names."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _matches(name: str, item_id: str, article: str) -> bool:
    return name in (item_id, article) or article.startswith(name + ".")


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()  # empty: everything
    skip: tuple[str, ...] = ()

    def keeps(self, item_id: str, article: str) -> bool:
        chosen = not self.select or any(_matches(n, item_id, article) for n in self.select)
        return chosen and not any(_matches(n, item_id, article) for n in self.skip)

    def check(self, pack: Pack) -> None:
        """Every name must name something of the pack."""
        items = [(r.id, r.article) for r in (*pack.rules, *pack.controls)]
        items += [(c.number, c.number) for a in pack.articles for c in a.clauses]
        known = sorted({i for i, _ in items} | {a.number for a in pack.articles})
        for option, given in (("--select", self.select), ("--skip", self.skip)):
            for name in given:
                if not any(_matches(name, item_id, article) for item_id, article in items):
                    hint = did_you_mean(name, known)
                    raise SelectionError(f"reglement check: {option}: no rule, article or clause '{name}' in pack "
                                         f"{pack.name}" + (f" ({hint})" if hint else ""))

    def __bool__(self) -> bool:
        return bool(self.select or self.skip)
