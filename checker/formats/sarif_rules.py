"""The SARIF driver's rules: what each rule checks, in the report's language, and how severe.

GitHub code scanning shows Critical/High/Medium/Low from `properties.security-severity`
(a score from 0.1 to 10) of a rule tagged `security`; the level (error, warning, note)
is what other viewers show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .grouping import Article, cite
from .labels import localized

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub's bands: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
HELP = {
    "nl": ("{cited}: {title}. Elk resultaat noemt één record van {dataset} met zijn sleutel; corrigeer "
           "dat record in het bronsysteem, of leg een vrijstelling vast met reden, goedkeurder en einddatum."),
    "en": ("{cited}: {title}. Each result names one record of {dataset} by its key; correct that record "
           "in the source system, or record a waiver with its reason, approver and end date."),
}
QUOTED = {"nl": "{title}. {cited}: “{text}”", "en": "{title}. {cited}, quoted in Dutch: “{text}”"}


def level(severity: str | None) -> str:
    """critical/high → error, medium → warning, low → note."""
    return LEVELS.get(severity or "", "warning")


def descriptor(rule: Mapping[str, Any], article: Article, clauses: Mapping[str, str], lang: str) -> dict[str, Any]:
    """A reportingDescriptor: what the rule checks, where in the regulation (`article`, the one the rule is
    filed under; `clauses`, each clause's text by `Article.clause_ref`), how severe by default."""
    rule_id = str(rule.get("id", ""))
    clause = str(rule.get("article", ""))
    title = localized(rule.get("title"), lang) or rule_id
    text = clauses.get(article.clause_ref(clause), "")
    cited = cite(article.name, clause, lang)
    full = QUOTED[lang].format(title=title, cited=cited, text=text) if text else f"{title}. {cited}."
    dataset = rule.get("dataset") or ", ".join(rule.get("datasets") or ()) or "export"
    severity = rule.get("severity", "")
    properties: dict[str, Any] = {
        "article": clause,
        "severity": severity,
        "title": {"nl": localized(rule.get("title"), "nl"), "en": localized(rule.get("title"), "en")},
        "tags": ["security", "privacy", f"article-{article.ref}",
                 *([f"regulation-{article.regulation}"] if article.regulation else [])],
    }
    if article.regulation:
        properties["regulation"] = article.regulation
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return {
        "id": rule_id,
        "name": _pascal_name(rule_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": HELP[lang].format(cited=cited, title=title, dataset=dataset)},
        "defaultConfiguration": {"level": level(severity)},
        "properties": properties,
    }


def _pascal_name(rule_id: str) -> str:
    """`5.1-unknown-actor` → `UnknownActor`: SARIF wants a readable, identifier-like name."""
    words = re.split(r"[^0-9A-Za-z]+", rule_id.split("-", 1)[1] if "-" in rule_id else rule_id)
    return "".join(word[:1].upper() + word[1:] for word in words if word) or "Rule"
