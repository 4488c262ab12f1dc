"""The report seen article by article, each clause with the rules that cover it.

Every format shows the same article order and the same rule under the same article; the
renderers only decide how that looks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .findings import open_count
from .labels import SEVERITIES, label, localized


def article_number(article: str) -> str:
    """`11.2` → `11`: a rule's clause belongs to the article before the first dot."""
    return str(article).strip().split(".", 1)[0].strip()


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort `2` before `10` and `9.2` before `9.10`, as a reader of a regulation expects."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


@dataclass(frozen=True)
class Clause:
    """One numbered clause with its Dutch text and the ids of the rules that cover it."""

    clause: str
    text: str
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    """One article of the regulation with its clauses and every report rule filed under it."""

    number: str
    title: Mapping[str, str] | None
    clauses: tuple[Clause, ...]
    rules: tuple[Mapping[str, Any], ...]

    def heading(self, lang: str) -> str:
        """`Artikel 5 — Toegang tot de persoonsgegevens`, the way the regulation names it."""
        base = f"{label(lang, 'article')} {self.number}"
        title = localized(self.title, lang)
        return f"{base} — {title}" if title else base

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


def articles(report: Mapping[str, Any]) -> list[Article]:
    """The report grouped by article: the report's own article list first, in its order, then
    any article that only the rules mention, in natural order, so no rule is ever dropped."""
    rules = list(report.get("rules") or ())
    by_number: dict[str, list[Mapping[str, Any]]] = {}
    for rule in rules:
        by_number.setdefault(article_number(rule.get("article", "")), []).append(rule)

    result = [_listed_article(meta, by_number) for meta in report.get("articles") or ()]
    listed = {article.number for article in result}
    for number in sorted(set(by_number) - listed, key=natural_key):
        result.append(_derived_article(number, by_number[number]))
    return result


def _listed_article(meta: Mapping[str, Any], by_number: Mapping[str, list[Mapping[str, Any]]]) -> Article:
    """An article the report lists, with its clauses and titles as the report gives them."""
    number = article_number(meta.get("article", ""))
    own_rules = by_number.get(number, [])
    clauses = tuple(_clause(raw, own_rules) for raw in meta.get("clauses") or ())
    return Article(number, meta.get("title"), clauses, _in_clause_order(own_rules, clauses))


def _clause(raw: Mapping[str, Any], own_rules: Iterable[Mapping[str, Any]]) -> Clause:
    """A clause's rules: those the article list names, plus rules that say they belong to it."""
    name = str(raw.get("clause", ""))
    ids = dict.fromkeys(str(rule_id) for rule_id in raw.get("rules") or ())
    for rule in own_rules:
        if str(rule.get("article")) == name:
            ids.setdefault(str(rule.get("id")), None)
    return Clause(name, str(raw.get("text", "")), tuple(ids))


def _derived_article(number: str, own_rules: list[Mapping[str, Any]]) -> Article:
    """An article only its rules name: no title, clauses made from the rules' own numbers."""
    names = sorted({str(rule.get("article")) for rule in own_rules}, key=natural_key)
    clauses = tuple(_clause({"clause": name}, own_rules) for name in names)
    return Article(number, None, clauses, _in_clause_order(own_rules, clauses))


def _in_clause_order(rules: list[Mapping[str, Any]], clauses: tuple[Clause, ...]) -> tuple[Mapping[str, Any], ...]:
    """Rules in the order of their clauses, unknown clauses last; ties keep the report's order."""
    position = {clause.clause: index for index, clause in enumerate(clauses)}
    ordered = sorted(enumerate(rules),
                     key=lambda item: (position.get(str(item[1].get("article")), len(position)), item[0]))
    return tuple(rule for _, rule in ordered)


def rules_by_id(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Every rule by its id, so a clause's rule ids can be looked up for the coverage matrix."""
    return {str(rule.get("id")): rule for rule in report.get("rules") or ()}
