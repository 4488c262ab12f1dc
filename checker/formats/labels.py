"""The report's words in Dutch and English, and the phrases built from them.

Every renderer takes its status, severity and UI words from here, so an auditor reading the
HTML and a CI job reading JUnit see the same word for the same thing, in the same language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...compiler import model

LANGS = ("nl", "en")
STATUSES = ("passed", "failed", "error", "manual", "attested", "expired", "waived", "informational")
SEVERITIES = tuple(reversed(model.SEVERITIES))  # most severe first, as a report counts and charts them

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

# A privacy officer's verdict on a finding (`compiler.model.VERDICTS`), as the reader's language says it.
VERDICT_WORDS: dict[str, dict[str, str]] = {
    "nl": {"justified": "gerechtvaardigd", "violation": "overtreding", "false_positive": "onterecht gemeld"},
    "en": {"justified": "justified", "violation": "violation", "false_positive": "false positive"},
}

SEVERITY_WORDS: dict[str, dict[str, str]] = {
    "nl": {"critical": "kritiek", "high": "hoog", "medium": "middel", "low": "laag"},
    "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
}

# The nouns a count goes with, singular and plural (`count_of`): never "1 regels".
NOUNS: dict[str, dict[str, tuple[str, str]]] = {
    "nl": {"rule": ("regel", "regels"), "finding": ("bevinding", "bevindingen"), "row": ("rij", "rijen"),
           "error": ("fout", "fouten")},
    "en": {"rule": ("rule", "rules"), "finding": ("finding", "findings"), "row": ("row", "rows"),
           "error": ("error", "errors")},
}

# A label named `x_one` is `x` for a count of one (`counted_label`).
LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "report_title": "Nalevingsrapport privacyreglement",
        "open_findings": "Open bevindingen",
        "waived_findings": "Vrijgestelde bevindingen",
        "expired_waivers": "Verlopen vrijstellingen",
        "rules_passed": "Regels in orde",
        "rules_failed": "Regels met bevindingen",
        "rules_errors": "Regels met een fout",
        "rules_waived": "Regels geheel vrijgesteld",
        "controls_manual": "Controles open",
        "controls_attested": "Controles bevestigd",
        "controls_expired": "Controles verlopen",
        "clauses_informational": "Informatieve bepalingen",
        "dutch_quotes": "",
        "keys_in_json": "de overige {n} sleutels staan in het JSON-rapport (--format json)",
        "keys_in_json_one": "de overige sleutel staat in het JSON-rapport (--format json)",
        "sarif_summary": "{rule}: {count} bevindingen in totaal, de eerste {shown} als resultaat; "
                         "alle sleutels staan in het JSON-rapport (--format json)",
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
        "see_also": "Uitgewerkt in",
        "findings": "Bevindingen",
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
        "key_column": "Kolom",
        "message": "Melding",
        "worklist": "Werklijst",
        "verdict": "Oordeel",
        "reviewed_by": "Door",
        "review_date": "Datum",
        "note": "Toelichting",
        "verdict_prompt": "justified (gerechtvaardigd), violation (overtreding) of false_positive (vals positief)",
        "show_more": "Toon de overige {n} sleutels",
        "show_more_one": "Toon de overige sleutel",
        "and_more": "… en nog {n}",
        "unjudged": "{n} rijen van {dataset} niet beoordeeld: onbekende waarde in {column} (zie {see})",
        "unjudged_one": "1 rij van {dataset} niet beoordeeld: onbekende waarde in {column} (zie {see})",
        "unread": "niet gelezen (geen dataset van het contract): {files}",
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
        "of_population": "van {n}",
        "judged": "Beoordeeld",
        "explanation": "Verklaring",
        "explanation_id": "Code",
        "share": "Aandeel",
        "explained_of": "Verklaringen van de {n} beoordeelde rijen",
        "explained_of_one": "Verklaringen van de ene beoordeelde rij",
        "unexplained": "Niet verklaard (de bevindingen)",
        "reviewed_findings": "Nagekeken bevindingen",
        "confirmed_findings": "Bevestigde overtredingen",
        "awaiting_findings": "Nog na te kijken",
        "stale_reviews": "Beoordelingen zonder bevinding",
        "stale_waivers": "Vrijstellingen zonder bevinding",
        "reviewed": "Nagekeken",
        "confirmed": "Bevestigd",
        "awaiting": "Na te kijken",
        "not_judged": "Niet beoordeeld",
        "review": "Oordeel",
        "review_counts": "{reviewed} nagekeken ({confirmed} bevestigd), {awaiting} na te kijken",
        "stale_review": "oordeel zonder bevinding: {key}, {verdict}",
        "stale_waiver": "vrijstelling die geen bevinding meer dekt: {waiver}",
        "explained_note": "Een rij kan op meer dan één manier verklaard zijn; elke verklaring telt haar mee.",
        "period": "Periode",
        "no_rows": "geen rijen",
        "no_values": "geen waarden",
        "none": "—",
        "period_title": "Periodeoverzicht: de werking van de controles",
        "period_reports": "Rapporten",
        "period_dates": "Per peildatum",
        "period_times": "Doorlooptijden",
        "period_new": "Nieuw",
        "period_resolved": "Opgelost",
        "period_reviewed": "Nagekeken",
        "period_confirmed": "Overtreding bevestigd",
        "period_awaiting": "Na te kijken",
        "period_not_run": "Niet uitgevoerd",
        "period_handled": "Nagekeken of opgelost",
        "period_open": "Open aan het eind",
        "period_measure": "Van eerst gezien tot",
        "period_median": "Mediaan (dagen)",
        "period_max": "Maximum (dagen)",
        "period_age": "Ouderdom (dagen)",
        "period_first_seen": "Eerst gezien",
        "period_chart": "Bevindingen en wachtend op beoordeling per peildatum",
        "period_totals": "Alle artikelen",
        "period_without_rules": "Artikelen zonder geautomatiseerde regels: {articles}",
        "period_note": "Nieuw en opgelost: vergeleken met het rapport ervoor. Een bevinding die terugkomt nadat "
                       "zij was opgelost telt opnieuw als nieuw en begint een eigen periode; een bevinding uit het "
                       "eerste rapport telt vanaf de eerste peildatum.",
        "period_open_shown": "de {shown} oudste van {n}; alle staan in de JSON-vorm (--format json)",
    },
    "en": {
        "report_title": "Privacy regulation compliance report",
        "open_findings": "Open findings",
        "waived_findings": "Waived findings",
        "expired_waivers": "Expired waivers",
        "rules_passed": "Rules passed",
        "rules_failed": "Rules failed",
        "rules_errors": "Rules with an error",
        "rules_waived": "Rules wholly waived",
        "controls_manual": "Controls open",
        "controls_attested": "Controls attested",
        "controls_expired": "Controls expired",
        "clauses_informational": "Informational clauses",
        "dutch_quotes": "The clause texts are quoted in Dutch, the language of the regulation.",
        "keys_in_json": "the other {n} keys are in the JSON report (--format json)",
        "keys_in_json_one": "the other key is in the JSON report (--format json)",
        "sarif_summary": "{rule}: {count} findings in all, the first {shown} as results; "
                         "every key is in the JSON report (--format json)",
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
        "see_also": "Made concrete by",
        "findings": "Findings",
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
        "key_column": "Column",
        "message": "Message",
        "worklist": "Worklist",
        "verdict": "Verdict",
        "reviewed_by": "By",
        "review_date": "Date",
        "note": "Note",
        "verdict_prompt": "justified, violation or false_positive",
        "show_more": "Show the other {n} keys",
        "show_more_one": "Show the other key",
        "and_more": "… and {n} more",
        "unjudged": "{n} rows of {dataset} not judged: unknown value in {column} (see {see})",
        "unjudged_one": "1 row of {dataset} not judged: unknown value in {column} (see {see})",
        "unread": "not read (no dataset of the contract): {files}",
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
        "of_population": "of {n}",
        "judged": "Judged",
        "explanation": "Explanation",
        "explanation_id": "Id",
        "share": "Share",
        "explained_of": "Explanations of the {n} rows judged",
        "explained_of_one": "Explanations of the one row judged",
        "unexplained": "Unexplained (the findings)",
        "reviewed_findings": "Reviewed findings",
        "confirmed_findings": "Confirmed violations",
        "awaiting_findings": "Awaiting review",
        "stale_reviews": "Reviews without a finding",
        "stale_waivers": "Waivers without a finding",
        "reviewed": "Reviewed",
        "confirmed": "Confirmed",
        "awaiting": "Awaiting review",
        "not_judged": "Not judged",
        "review": "Verdict",
        "review_counts": "{reviewed} reviewed ({confirmed} confirmed), {awaiting} awaiting review",
        "stale_review": "a verdict without a finding: {key}, {verdict}",
        "stale_waiver": "a waiver that covers no finding any more: {waiver}",
        "explained_note": "A row may be explained more than one way; each explanation counts it.",
        "period": "Period",
        "no_rows": "no rows",
        "no_values": "no values",
        "none": "—",
        "period_title": "Period report: the operation of the controls",
        "period_reports": "Reports",
        "period_dates": "Per audit date",
        "period_times": "Times to handle",
        "period_new": "New",
        "period_resolved": "Resolved",
        "period_reviewed": "Reviewed",
        "period_confirmed": "Confirmed violation",
        "period_awaiting": "Awaiting review",
        "period_not_run": "Not run",
        "period_handled": "Reviewed or resolved",
        "period_open": "Open at the end",
        "period_measure": "From first seen to",
        "period_median": "Median (days)",
        "period_max": "Maximum (days)",
        "period_age": "Age (days)",
        "period_first_seen": "First seen",
        "period_chart": "Findings and awaiting review per audit date",
        "period_totals": "All articles",
        "period_without_rules": "Articles without automated rules: {articles}",
        "period_note": "New and resolved: compared with the report before. A finding that comes back after it "
                       "was resolved counts as new again and starts a period of its own; a finding of the first "
                       "report counts from the first audit date.",
        "period_open_shown": "the {shown} oldest of {n}; all are in the JSON form (--format json)",
    },
}


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
    """The status as the reader's language says it; an unknown status is shown as it came."""
    return STATUS_WORDS[lang].get(status, status)


def verdict_word(lang: str, verdict: str) -> str:
    """A review's verdict as the reader's language says it; an unknown one is shown as it came."""
    return VERDICT_WORDS[lang].get(verdict, verdict)


def severity_word(lang: str, severity: str | None) -> str:
    """The severity in the reader's language; a dash where the rule has none (controls, clauses)."""
    return SEVERITY_WORDS[lang].get(severity or "", severity or LABELS[lang]["none"])


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


def format_seconds(seconds: float, lang: str) -> str:
    """`0,4 s` in Dutch, `0.4 s` in English; `2 min 5 s` from a minute on."""
    if seconds >= 60:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s"
    shown = f"{seconds:.1f} s"
    return shown.replace(".", ",") if lang == "nl" else shown


def format_time(moment: str) -> str:
    """An ISO date-time as the reader's clock shows it, to the minute: `2026-12-01 10:19 CET`."""
    try:
        parsed = dt.datetime.fromisoformat(moment)
    except ValueError:
        return moment
    local = parsed.astimezone() if parsed.tzinfo else parsed
    return local.strftime("%Y-%m-%d %H:%M %Z").strip()


def count_of(n: int, noun: str, lang: str) -> str:
    """`1 regel`, `3 regels`, `1 error`: a count (grouped as `format_count` does) with a noun of NOUNS in the
    right number."""
    one, many = NOUNS[lang][noun]
    return f"{format_count(n, lang)} {one if n == 1 else many}"


def counted_label(lang: str, name: str, n: int, **values: Any) -> str:
    """The label `name` for a count `n` (filled in as `{n}`): its `name_one` form when `n` is 1."""
    one = f"{name}_one"
    return label(lang, one if n == 1 and one in LABELS[lang] else name, n=format_count(n, lang), **values)


def findings_phrase(n: int, lang: str) -> str:
    """`1 bevinding`, `3 bevindingen`: the count with the word in the right number."""
    return count_of(n, "finding", lang)


def rules_phrase(n: int, lang: str) -> str:
    """`1 regel`, `3 regels`: the count with the word in the right number."""
    return count_of(n, "rule", lang)


def rows_phrase(n: int, lang: str) -> str:
    """`1 rij`, `3 rijen`: a count of rows with the word in the right number."""
    return count_of(n, "row", lang)


def format_share(part: int, whole: int, lang: str) -> str:
    """`86,4%` in Dutch, `86.4%` in English: one decimal, never a 0 or 100 that is not exact; empty of nothing."""
    if whole <= 0:
        return ""
    percent = 100 * part / whole
    if part in (0, whole):
        shown = f"{percent:.0f}%"
    elif percent < 0.1:
        shown = "<0.1%"
    elif percent > 99.9:
        shown = ">99.9%"
    else:
        shown = f"{percent:.1f}%"
    return shown.replace(".", ",") if lang == "nl" else shown
