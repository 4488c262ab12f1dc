"""`--select` and `--skip`: rules named by id, or by article or clause (`5` is all of article 5).

A selection keeps the rules, controls and informational clauses it names and drops the
ones `--skip` names; a name that matches nothing is a usage error with a did-you-mean,
never a silently empty report. In a pack of several regulations a name may also be a
regulation (its code `jw` or its name `Jeugdwet`: all of it), an article or clause as the
regulation cites it (`AVG 33`, `Jeugdwet 7.3.8`), or as ids name it (`jw-7.3.8`; a bare
number is of the pack's first regulation, as its rules' ids are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .compiler.diagnostics import UserError, did_you_mean

if TYPE_CHECKING:  # the pack's model imports pyarrow, which `reglement --version` does without
    from .compiler.model import Pack


class SelectionError(UserError):
    """A `--select`/`--skip` name that is no rule id, article or clause of the pack."""


def names(text: str) -> tuple[str, ...]:
    """`5,7.1, 11.2-retention-after-last-contact` → its names."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()  # empty: everything
    skip: tuple[str, ...] = ()
    pack: Pack | None = field(default=None, compare=False)  # for its regulations' codes, names and ids

    def keeps(self, item_id: str, regulation: str, clause: str) -> bool:
        """Whether the rule, control or informational clause `item_id` of `clause` of `regulation` is chosen."""
        chosen = not self.select or any(self._matches(n, item_id, regulation, clause) for n in self.select)
        return chosen and not any(self._matches(n, item_id, regulation, clause) for n in self.skip)

    def _matches(self, name: str, item_id: str, regulation: str, clause: str) -> bool:
        ref = self.pack.ref(regulation, clause) if self.pack else clause
        name = self._as_ref(name)
        return name in (item_id, ref, f"@{regulation}") or ref.startswith(name + ".")

    def _as_ref(self, name: str) -> str:
        """A citation (`AVG 33`) as ids name it (`33`, `jw-7.3.8`); a regulation's code or name as `@code`."""
        for regulation in self.pack.regulations if self.pack else ():
            if name.casefold() in (regulation.code, regulation.name.casefold()):
                return f"@{regulation.code}"
            cited, _, number = name.rpartition(" ")
            if cited.casefold() == regulation.name.casefold() and number.strip():
                return f"{regulation.prefix}{number.strip()}"
        return name

    def check(self, pack: Pack) -> None:
        """Every name must name something of the pack."""
        items = [(r.id, r.regulation, r.article) for r in (*pack.rules, *pack.controls)]
        items += [(pack.ref(a.regulation, c.number), a.regulation, c.number) for a in pack.articles
                  for c in a.clauses]
        known = sorted({i for i, _, _ in items} | {pack.ref(a.regulation, a.number) for a in pack.articles}
                       | {r.code for r in pack.regulations} | {r.name for r in pack.regulations}
                       | {f"{r.name} {c.number}" for r in pack.regulations for a in pack.articles
                          if a.regulation == r.code for c in (a, *a.clauses)})
        for option, given in (("--select", self.select), ("--skip", self.skip)):
            for name in given:
                if not any(self._matches(name, *item) for item in items):
                    hint = did_you_mean(name, known)
                    raise SelectionError(f"reglement check: {option}: no rule, article or clause '{name}' in pack "
                                         f"{pack.name}" + (f" ({hint})" if hint else ""))

    def __bool__(self) -> bool:
        return bool(self.select or self.skip)
