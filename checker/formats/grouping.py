"""The report seen regulation by regulation and article by article, each clause with the rules that cover it.

Every format shows the same article order and the same rule under the same article; the
renderers only decide how that looks. A pack may check several regulations side by side
(the report's `regulations`, 1.4): their articles may share a number (AVG 12 and Jeugdwet
12), so an article is known by its regulation and its number, and cited as the regulation
names it ("Jeugdwet 7.3.8"). A report of a pack of one regulation given as text has no
`regulations`, and its articles are "Artikel 5" as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...compiler.numbering import natural_key
from .findings import open_count
from .labels import SEVERITIES, label, localized


def article_number(article: str) -> str:
    """`11.2` → `11`: without the report's article list, a clause belongs to the article before its first dot."""
    return str(article).strip().split(".", 1)[0].strip()


@dataclass(frozen=True)
class Clause:
    """One numbered clause with its Dutch text and the ids of the rules that cover it."""

    clause: str
    text: str
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """One article of a regulation with its clauses and every report rule filed under it.

    `regulation` is its regulation's code and `name` the name it is cited by ("" for a pack of one
    regulation given as text); `ref` names it uniquely in the report, as rule ids do (`jw-12`)."""

    number: str
    title: Mapping[str, str] | None
    clauses: tuple[Clause, ...]
    rules: tuple[Mapping[str, Any], ...]
    regulation: str = ""
    name: str = ""
    prefix: str = ""

    @property
    def ref(self) -> str:
        return self.prefix + self.number

    def clause_ref(self, clause: str) -> str:
        """One of its clauses as ids name it: unique in the report, as an HTML anchor needs."""
        return self.prefix + clause

    def cite(self, lang: str) -> str:
        """`Jeugdwet 7.3.8`, or `Artikel 5` where the regulation has no name."""
        return cite(self.name, self.number, lang)

    def clause(self, number: Any) -> str:
        """A clause of this article as a table or a rule's card shows it: `5.1` where the pack has one regulation
        given as text (as reports always did), `Jeugdwet 7.3.8` where it names its regulations."""
        return f"{self.name} {number}" if self.name else str(number)

    def heading(self, lang: str) -> str:
        """`Artikel 5 — Toegang tot de persoonsgegevens`, the way the regulation names it."""
        title = localized(self.title, lang)
        return f"{self.cite(lang)} — {title}" if title else self.cite(lang)

    def findings_by_severity(self) -> dict[str, int]:
        """Open findings of failed rules per severity, most severe first: what still needs fixing."""
        totals = dict.fromkeys(SEVERITIES, 0)
        for rule in self.rules:
            if rule.get("status") == "failed" and rule.get("severity") in totals:
                totals[rule["severity"]] += open_count(rule)
        return totals

    def rules_of(self, clause: str) -> list[Mapping[str, Any]]:
        """The rules filed under exactly this clause, in the article's order."""
        return [rule for rule in self.rules if str(rule.get("article")) == clause]

    def unclaused_rules(self) -> list[Mapping[str, Any]]:
        """Rules whose clause the report's article list does not name."""
        known = {clause.clause for clause in self.clauses}
        return [rule for rule in self.rules if str(rule.get("article")) not in known]


@dataclass(frozen=True)
class Regulation:
    """A regulation of the report's pack with its articles, in the pack's order."""

    code: str
    name: str
    title: Mapping[str, str] | None
    articles: tuple[Article, ...]

    def heading(self, lang: str) -> str:
        title = localized(self.title, lang)
        return f"{self.name} — {title}" if title else self.name


def cite(name: str, number: str, lang: str) -> str:
    """An article or clause as a reader cites it: `AVG 33`, or `Artikel 33` of a regulation without a name."""
    return f"{name or label(lang, 'article')} {number}"


def _prefixes(report: Mapping[str, Any]) -> dict[str, str]:
    """The code each regulation's ids start with: none for the first, `jw-` for another."""
    return {r.get("code"): "" if i == 0 else f"{r.get('code')}-" for i, r in enumerate(report.get("regulations") or ())}


def articles(report: Mapping[str, Any]) -> list[Article]:
    """The report grouped by article: the report's own article list first, in its order, then
    any article that only the rules mention, in the regulations' and then natural order, so no rule
    is ever dropped."""
    listed = listed_articles(report)
    by_key: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for rule in report.get("rules") or ():
        by_key.setdefault(home(rule, listed), []).append(rule)
    regs = list(report.get("regulations") or ())
    names = {r.get("code"): r.get("name", "") for r in regs}
    order = {r.get("code"): i for i, r in enumerate(regs)}
    prefixes = _prefixes(report)

    def made(key: tuple[str, str], title: Mapping[str, str] | None, clauses: tuple[Clause, ...],
             own: list[Mapping[str, Any]]) -> Article:
        return Article(key[1], title, clauses, _in_clause_order(own, clauses), key[0], names.get(key[0], ""),
                       prefixes.get(key[0], ""))

    result = []
    for key, meta in zip(listed, report.get("articles") or ()):
        own = by_key.get(key, [])
        result.append(made(key, meta.get("title"), tuple(_clause(raw, own) for raw in meta.get("clauses") or ()), own))
    for key in sorted(set(by_key) - set(listed), key=lambda k: (order.get(k[0], len(order)), k[0], natural_key(k[1]))):
        own = by_key[key]
        numbers = sorted({str(rule.get("article")) for rule in own}, key=natural_key)
        result.append(made(key, None, tuple(_clause({"clause": n}, own) for n in numbers), own))
    return result


def regulations(report: Mapping[str, Any], arts: list[Article]) -> list[Regulation]:
    """The articles per regulation, in the order the report lists the regulations (an article of a code the
    report does not list comes last, under its code)."""
    listed = {r.get("code"): r for r in report.get("regulations") or ()}
    codes = list(dict.fromkeys([*listed, *(a.regulation for a in arts)]))
    return [Regulation(code, str(listed.get(code, {}).get("name", code)), listed.get(code, {}).get("title"),
                       tuple(a for a in arts if a.regulation == code)) for code in codes
            if any(a.regulation == code for a in arts)]


def listed_articles(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (regulation, article) of each article the report lists, in its order."""
    return [(str(meta.get("regulation", "")), str(meta.get("article", ""))) for meta in report.get("articles") or ()]


def home(rule: Mapping[str, Any], listed: list[tuple[str, str]]) -> tuple[str, str]:
    """The (regulation, article) a rule's clause belongs to: the longest article of its regulation that the
    clause is or starts with (`7.3.8` of `7.3.8.1`); without one, the number before the clause's first dot."""
    regulation, clause = str(rule.get("regulation", "")), str(rule.get("article", ""))
    fits = [n for r, n in listed if r == regulation and (clause == n or clause.startswith(n + "."))]
    return regulation, max(fits, key=len) if fits else article_number(clause)


def _clause(raw: Mapping[str, Any], own_rules: Iterable[Mapping[str, Any]]) -> Clause:
    """A clause's rules: those the article list names, plus rules that say they belong to it."""
    name = str(raw.get("clause", ""))
    ids = dict.fromkeys(str(rule_id) for rule_id in raw.get("rules") or ())
    for rule in own_rules:
        if str(rule.get("article")) == name:
            ids.setdefault(str(rule.get("id")), None)
    return Clause(name, str(raw.get("text", "")), tuple(ids))


def _in_clause_order(rules: list[Mapping[str, Any]], clauses: tuple[Clause, ...]) -> tuple[Mapping[str, Any], ...]:
    """Rules in the order of their clauses, unknown clauses last; ties keep the report's order."""
    position = {clause.clause: index for index, clause in enumerate(clauses)}
    ordered = sorted(enumerate(rules),
                     key=lambda item: (position.get(str(item[1].get("article")), len(position)), item[0]))
    return tuple(rule for _, rule in ordered)


def rules_by_id(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Every rule by its id, so a clause's rule ids can be looked up for the coverage matrix."""
    return {str(rule.get("id")): rule for rule in report.get("rules") or ()}
