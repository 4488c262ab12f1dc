"""What every report renderer shares: the words, and the report seen article by article.

An auditor reading the HTML and a CI job reading JUnit must see the same status words, the
same article order and the same rule under the same article; keeping that here means the
renderers only decide how things look, never what they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

LANGS = ("nl", "en")
STATUSES = ("passed", "failed", "error", "manual", "attested", "expired", "waived", "informational")
SEVERITIES = ("critical", "high", "medium", "low")  # most severe first
MANUAL_STATUSES = frozenset({"manual", "attested", "expired"})

STATUS_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "passed": "Voldaan",
        "failed": "Niet voldaan",
        "error": "Fout",
        "manual": "Handmatig",
        "attested": "Bevestigd",
        "expired": "Verlopen",
        "waived": "Vrijgesteld",
        "informational": "Informatief",
    },
    "en": {
        "passed": "Passed",
        "failed": "Failed",
        "error": "Error",
        "manual": "Manual",
        "attested": "Attested",
        "expired": "Expired",
        "waived": "Waived",
        "informational": "Informational",
    },
}

SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "nl": {"critical": "kritiek", "high": "hoog", "medium": "middel", "low": "laag"},
    "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
}

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "report_title": "Nalevingsrapport privacyreglement",
        "open_findings": "Open bevindingen",
        "expired_waivers": "Verlopen vrijstellingen",
        "until": "tot",
        "expired_word": "verlopen",
        "waived_count": "{n} vrijgesteld",
        "rulepack": "Regelset",
        "as_of": "Peildatum",
        "tool": "Tool",
        "engine": "Engine",
        "started": "Gestart",
        "duration": "Duur",
        "contents": "Inhoud",
        "summary": "Samenvatting",
        "rules": "Regels",
        "rules_word": "regels",
        "rule_word": "regel",
        "see_also": "Uitgewerkt in",
        "findings": "Bevindingen",
        "findings_word": "bevindingen",
        "finding_word": "bevinding",
        "chart_title": "Bevindingen per artikel, naar ernst",
        "no_findings": "Geen bevindingen",
        "article": "Artikel",
        "clause": "Lid",
        "severity": "Ernst",
        "status": "Status",
        "rule": "Regel",
        "count": "Aantal",
        "dataset": "Dataset",
        "key": "Sleutel",
        "message": "Melding",
        "show_more": "Toon de overige {n} sleutels",
        "and_more": "… en nog {n}",
        "first_keys": "eerste sleutels",
        "error_text": "Fout bij het uitvoeren",
        "manual_controls": "Handmatige controles",
        "control": "Controle",
        "evidence_expected": "Verwacht bewijs",
        "attested_by": "Bevestigd door",
        "attested_on": "Datum",
        "evidence": "Bewijs",
        "valid_until": "Geldig tot",
        "not_attested": "Niet bevestigd",
        "coverage": "Dekkingsmatrix",
        "covered_by": "Regels en controles",
        "coverage_state": "Dekking",
        "covered": "Gedekt",
        "uncovered": "Niet gedekt",
        "data_read": "Gelezen gegevens",
        "path": "Pad",
        "rows": "Rijen",
        "sha256": "SHA-256",
        "other_rules": "Overige regels",
        "source": "Bron",
        "waiver": "Vrijstelling",
        "reason": "Reden",
        "generated_by": "Gemaakt met",
        "manual_control": "handmatige controle",
        "informational_clause": "informatieve bepaling",
        "attestation_expired": "bevestiging verlopen",
        "waived_word": "vrijgesteld",
        "automated": "geautomatiseerd",
        "manual": "handmatig",
        "informational": "informatief",
        "none": "—",
    },
    "en": {
        "report_title": "Privacy regulation compliance report",
        "open_findings": "Open findings",
        "expired_waivers": "Expired waivers",
        "until": "until",
        "expired_word": "expired",
        "waived_count": "{n} waived",
        "rulepack": "Rule pack",
        "as_of": "Audit date",
        "tool": "Tool",
        "engine": "Engine",
        "started": "Started",
        "duration": "Duration",
        "contents": "Contents",
        "summary": "Summary",
        "rules": "Rules",
        "rules_word": "rules",
        "rule_word": "rule",
        "see_also": "Made concrete by",
        "findings": "Findings",
        "findings_word": "findings",
        "finding_word": "finding",
        "chart_title": "Findings per article, by severity",
        "no_findings": "No findings",
        "article": "Article",
        "clause": "Clause",
        "severity": "Severity",
        "status": "Status",
        "rule": "Rule",
        "count": "Count",
        "dataset": "Dataset",
        "key": "Key",
        "message": "Message",
        "show_more": "Show the other {n} keys",
        "and_more": "… and {n} more",
        "first_keys": "first keys",
        "error_text": "Execution error",
        "manual_controls": "Manual controls",
        "control": "Control",
        "evidence_expected": "Evidence expected",
        "attested_by": "Attested by",
        "attested_on": "Date",
        "evidence": "Evidence",
        "valid_until": "Valid until",
        "not_attested": "Not attested",
        "coverage": "Coverage matrix",
        "covered_by": "Rules and controls",
        "coverage_state": "Coverage",
        "covered": "Covered",
        "uncovered": "Not covered",
        "data_read": "Data read",
        "path": "Path",
        "rows": "Rows",
        "sha256": "SHA-256",
        "other_rules": "Other rules",
        "source": "Source",
        "waiver": "Waiver",
        "reason": "Reason",
        "generated_by": "Generated by",
        "manual_control": "manual control",
        "informational_clause": "informational clause",
        "attestation_expired": "attestation expired",
        "waived_word": "waived",
        "automated": "automated",
        "manual": "manual",
        "informational": "informational",
        "none": "—",
    },
}

# The summary counters of the report contract, in the order a reader expects them.
SUMMARY_FIELDS: tuple[tuple[str, str | None], ...] = (
    ("rules", None),
    ("passed", "passed"),
    ("failed", "failed"),
    ("errors", "error"),
    ("manual", "manual"),
    ("attested", "attested"),
    ("expired", "expired"),
    ("waived", "waived"),
    ("informational", "informational"),
    ("findings", None),
    ("open_findings", None),
    ("expired_waivers", None),
)
OPTIONAL_SUMMARY = frozenset({"expired", "informational", "open_findings", "expired_waivers"})

# C0 controls (but tab, LF, CR), lone surrogates and U+FFFE/U+FFFF: illegal in XML 1.0 and
# meaningless in HTML, so no renderer lets them through.
_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_lang(lang: str) -> str:
    """Refuse an unknown language at once rather than render a half-translated report."""
    if lang not in LANGS:
        raise ValueError(f"unknown report language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


def label(lang: str, name: str, **values: Any) -> str:
    """One UI word in the report's language, with `{n}`-style values filled in."""
    text = LABELS[lang][name]
    return text.format(**values) if values else text


def status_word(lang: str, status: str) -> str:
    return STATUS_WORDS[lang].get(status, status)


def severity_word(lang: str, severity: str | None) -> str:
    return SEVERITY_WORDS[lang].get(severity or "", severity or LABELS[lang]["none"])


def clean_text(value: Any) -> str:
    """The value as text without characters that XML 1.0 forbids and HTML only tolerates."""
    return _ILLEGAL_CHARS.sub("", "" if value is None else str(value))


def localized(text: Mapping[str, str] | str | None, lang: str) -> str:
    """A `{nl, en}` text in the wanted language, falling back to the other one."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    other = "en" if lang == "nl" else "nl"
    return text.get(lang) or text.get(other) or ""


def format_count(n: int, lang: str) -> str:
    """Thousands grouped the way the reader's language does it (1.234 in Dutch, 1,234 in English)."""
    grouped = f"{int(n):,}"
    return grouped.replace(",", ".") if lang == "nl" else grouped


def findings_phrase(n: int, lang: str) -> str:
    word = label(lang, "finding_word" if n == 1 else "findings_word")
    return f"{format_count(n, lang)} {word}"


def rules_phrase(n: int, lang: str) -> str:
    return f"{format_count(n, lang)} {label(lang, 'rule_word' if n == 1 else 'rules_word')}"


def finding_count(rule: Mapping[str, Any]) -> int:
    """The rule's count as the checker reported it; the findings list when no count is given."""
    count = rule.get("finding_count")
    return int(count) if isinstance(count, int) else len(rule.get("findings") or ())


def rule_kind(rule: Mapping[str, Any]) -> str:
    """automated, manual or informational; inferred from the status when the report omits it."""
    kind = rule.get("kind")
    if kind:
        return str(kind)
    status = rule.get("status")
    if status in MANUAL_STATUSES:
        return "manual"
    if status == "informational":
        return "informational"
    return "automated"


def key_text(key: Mapping[str, Any]) -> str:
    """A finding's key as `column=value` pairs: what a privacy officer types into a search box."""
    return ", ".join(f"{column}={value}" for column, value in key.items())


def key_columns(findings: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key column of the findings, in order of first appearance, for a table header."""
    seen: dict[str, None] = {}
    for finding in findings:
        for column in finding.get("key") or {}:
            seen.setdefault(column, None)
    return list(seen)


@dataclass(frozen=True)
class Attestation:
    """Who vouched for a manual control, when, on what evidence, and until when."""

    by: str
    date: str
    evidence: str
    valid_until: str


_ATTESTATION_FIELDS = {
    "by": ("by", "who", "attested_by"),
    "date": ("date", "at", "when", "attested_at", "attested_on"),
    "evidence": ("evidence", "reference", "evidence_ref"),
    "valid_until": ("valid_until", "until", "expires"),
}


def attestation(rule: Mapping[str, Any]) -> Attestation | None:
    """The rule's attestation, or None when nobody has vouched for the control yet."""
    raw = rule.get("attestation")
    if not isinstance(raw, Mapping) or not raw:
        return None
    values = {
        name: next((clean_text(raw[k]) for k in keys if raw.get(k) not in (None, "")), "")
        for name, keys in _ATTESTATION_FIELDS.items()
    }
    return Attestation(**values)


def is_waived(finding: Mapping[str, Any]) -> bool:
    """A finding an approved waiver covers: it stays listed, but no longer counts."""
    return finding.get("waived") is True


def open_count(rule: Mapping[str, Any]) -> int:
    """Findings that still count: all of them, less those a waiver covers."""
    count = rule.get("open_count")
    if isinstance(count, int):
        return count
    if rule.get("status") == "waived":
        return 0
    return finding_count(rule) - sum(1 for finding in rule.get("findings") or () if is_waived(finding))


def open_findings(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [finding for finding in rule.get("findings") or () if not is_waived(finding)]


@dataclass(frozen=True)
class Waiver:
    """Why findings of a rule may stand: the justification, who approved it and until when."""

    justification: str
    approved_by: str
    expires: str
    expired: bool

    def text(self, lang: str) -> str:
        parts = [self.justification or LABELS[lang]["waiver"]]
        details = ", ".join(part for part in (self.approved_by, f"{label(lang, 'until')} {self.expires}" if self.expires else "") if part)
        if details:
            parts.append(f"({details})")
        if self.expired:
            parts.append(f"[{label(lang, 'expired_word')}]")
        return " ".join(parts)


def _waiver(raw: Mapping[str, Any]) -> Waiver:
    return Waiver(
        justification=clean_text(raw.get("justification") or raw.get("reason") or ""),
        approved_by=clean_text(raw.get("approved_by") or raw.get("by") or ""),
        expires=clean_text(raw.get("expires") or raw.get("until") or ""),
        expired=raw.get("status") == "expired",
    )


def waivers(item: Mapping[str, Any]) -> list[Waiver]:
    """The waivers of a rule (its `waivers` list) or of one finding (its `waiver`)."""
    raw = list(item.get("waivers") or ())
    if isinstance(item.get("waiver"), Mapping):
        raw.append(item["waiver"])
    return [_waiver(entry) for entry in raw if isinstance(entry, Mapping)]


def waiver_reason(item: Mapping[str, Any], lang: str) -> str:
    """Why a rule or finding is waived, in one line: the active waivers first."""
    found = sorted(waivers(item), key=lambda waiver: waiver.expired)
    return "; ".join(waiver.text(lang) for waiver in found)


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
    names = sorted({str(rule.get("article")) for rule in own_rules}, key=natural_key)
    clauses = tuple(_clause({"clause": name}, own_rules) for name in names)
    return Article(number, None, clauses, _in_clause_order(own_rules, clauses))


def _in_clause_order(rules: list[Mapping[str, Any]], clauses: tuple[Clause, ...]) -> tuple[Mapping[str, Any], ...]:
    position = {clause.clause: index for index, clause in enumerate(clauses)}
    ordered = sorted(enumerate(rules), key=lambda item: (position.get(str(item[1].get("article")), len(position)), item[0]))
    return tuple(rule for _, rule in ordered)


def pack_label(report: Mapping[str, Any]) -> str:
    """`westendorp 2021.02`: which rule pack, in which version, the report applied."""
    pack = report.get("rulepack") or {}
    return f"{pack.get('name', '')} {pack.get('version', '')}".strip()


def tool_label(report: Mapping[str, Any]) -> str:
    """`reglement 0.1.0`: which tool made the report."""
    tool = report.get("tool") or {}
    return f"{tool.get('name', '')} {tool.get('version', '')}".strip()


def rules_by_id(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(rule.get("id")): rule for rule in report.get("rules") or ()}


def summary_rows(report: Mapping[str, Any], lang: str) -> list[tuple[str, str, int]]:
    """(field, localized word, count) for each counter of the summary, as the checker gave them."""
    summary = report.get("summary") or {}
    rows = []
    for field, status in SUMMARY_FIELDS:
        if field not in summary and field in OPTIONAL_SUMMARY:
            continue  # optional counters: leave them out rather than show a made-up zero
        word = status_word(lang, status) if status else label(lang, field)
        rows.append((field, word, int(summary.get(field, 0))))
    return rows
