"""What a rule judged: its population beside its count, the rows it could not judge, and the rows its
explanations account for.

A pack 1.2 report gives each automated rule its `population` (the rows its scope admits) and a
rule with explanations (`5.1-access-unexplained`) the rows of that population each explanation
holds for; its findings are the rows none holds for. Every format shows the count as "12 of
48,210" and the explanations as one line each and a last line for the unexplained, so that an
auditor reads which reasons the office accepts and how much each of them explains. A report of
an older pack, a rule in error, a control or a clause carries neither, and shows nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .findings import finding_count, rule_kind
from .labels import counted_label, format_count, format_share, label, localized


@dataclass(frozen=True)
class Explained:
    """One line of a rule's explanations: its id (empty on the line of the unexplained), its title, its rows."""

    id: str
    title: str
    rows: int
    share: str  # of the population, as the reader's language writes it; empty when the population is 0

    @property
    def unexplained(self) -> bool:
        return not self.id

    @property
    def named(self) -> str:
        """`Client on the worker's caseload (caseload)`: the title and the id a pack author knows it by."""
        return self.title if self.unexplained or self.title == self.id else f"{self.title} ({self.id})"


def population(rule: Mapping[str, Any]) -> int | None:
    """The rows the rule judged, or None where the report gives none (an older pack, an error, a control)."""
    value = rule.get("population")
    if rule_kind(rule) != "automated" or isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def of_population(rule: Mapping[str, Any], lang: str) -> str:
    """`of 48,210` (`van 48.210`) to put after the rule's count; empty without a population."""
    judged = population(rule)
    return "" if judged is None else label(lang, "of_population", n=format_count(judged, lang))


def unjudged_rows(rule: Mapping[str, Any]) -> int | None:
    """The rows the rule could not judge (an unknown code in a column it reads); None for a control or a clause."""
    if rule_kind(rule) != "automated":
        return None
    return sum(int(u.get("rows") or 0) for u in rule.get("unjudged") or () if isinstance(u, Mapping))


def unjudged_phrase(unjudged: Mapping[str, Any], lang: str) -> str:
    """`12 rows of access_log not judged: unknown value in actor_kind (see 4.2-unknown-code)`."""
    return counted_label(lang, "unjudged", unjudged["rows"], dataset=unjudged["dataset"], column=unjudged["column"],
                         see=unjudged["see"])


def explained(rule: Mapping[str, Any], lang: str) -> list[Explained]:
    """Each explanation in the pack's order, then the unexplained (the rule's findings); empty for a rule
    without explanations or without a population."""
    judged = population(rule)
    given = rule.get("explanations")
    if judged is None or not isinstance(given, list) or not given:
        return []
    lines = [Explained(str(e.get("id", "")), localized(e.get("title"), lang) or str(e.get("id", "")),
                       int(e.get("rows") or 0), format_share(int(e.get("rows") or 0), judged, lang))
             for e in given]
    count = finding_count(rule)
    return [*lines, Explained("", label(lang, "unexplained"), count, format_share(count, judged, lang))]


def explained_caption(rule: Mapping[str, Any], lang: str) -> str:
    """`Explanations of the 48,210 rows judged`: what the lines below it count."""
    return counted_label(lang, "explained_of", population(rule) or 0)


def overlapping(rule: Mapping[str, Any], lines: list[Explained]) -> bool:
    """Whether some row is explained more than one way: the lines then add up to more than the population,
    and the reader is told why."""
    return sum(line.rows for line in lines) > (population(rule) or 0)
