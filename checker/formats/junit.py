"""The report as JUnit XML, so any CI system shows rule failures the way it shows test failures.

One `<testsuite>` per article and one `<testcase>` per rule: failed rules fail, broken rules
error, manual controls, informational clauses and waived rules are skipped with the reason; a
rule whose every finding a review cleared (justified, false_positive) passes, its verdicts in
`system-out`, as a test that was looked into and found sound. A failure counts the findings that
still count (confirmed by a review, or awaiting one), each key with its verdict where it has one;
suite properties give each rule's rows not judged and its review counts (`unjudged.<rule>`,
`reviewed.<rule>`, `confirmed.<rule>`, `awaiting_review.<rule>`).
A suite's properties give, besides the pack, the audit date and the article, the period of each
dataset its rules read (`period.<dataset>` = `from/to`, ISO 8601, `..` for an end without a
value, and `period.<dataset>.column`), each rule's population (`population.<rule>`) and the rows
each of its explanations holds for (`explained.<rule>.<explanation>`); junit-10.xsd allows
properties on a suite and not on a test case (as pytest's `xunit2` family does, which has
`record_testsuite_property` for this). A test case's `system-out` says the same in words.
Each test case takes the seconds its rule ran (the report's `run.rules`); each suite names
the rule file of its article (`file`, which GitLab shows). The document is valid against
the Jenkins xunit plugin's `junit-10.xsd`, which allows `skipped` on a suite but not on
`<testsuites>`, and `file` on a suite but not on a test case.
The tree is built with ElementTree, so escaping happens by construction; characters that
XML 1.0 forbids are removed before they reach it; in the keys, messages and errors of the
export, every character a reader cannot see is written out first (`controls.visible`:
`U01⟨U+200B⟩`). It holds at most ten keys per rule, so it is small whatever the number of
findings, and written to the stream at once.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, TextIO

from .attestations import attestation
from .controls import visible
from .findings import finding_count, findings_of, key_text, open_count, rule_file, rule_kind, waived_count
from .grouping import Article, articles
from .labels import findings_phrase, format_count, label, localized, status_word
from .periods import period
from .populations import explained, population, unjudged_phrase, unjudged_rows
from .reviews import review_counts, review_of, review_text, stale_lines
from .summary import pack_label
from .waivers import waiver_reason, waivers
from .xmltext import clean_text

KEYS_IN_FAILURE = 10


def write(report: dict, lang: str, out: TextIO) -> None:
    """The JUnit document."""
    pack = str((report.get("rulepack") or {}).get("name") or "reglement")
    seconds = (report.get("run") or {}).get("rules") or {}
    root = ET.Element("testsuites", {"name": _x(f"{pack} {report.get('as_of', '')}".strip())})
    for article in articles(report):
        root.append(_suite(article, pack, report, seconds, lang))
    _count(root, root.findall("testsuite"), skipped=False)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(root).write(out, encoding="unicode")
    out.write("\n")


def _x(value: Any) -> str:
    """Text safe for XML 1.0: ElementTree escapes markup but would pass illegal characters on."""
    return clean_text(value)


def _suite(article: Article, pack: str, report: Mapping[str, Any], seconds: Mapping[str, float],
           lang: str) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _x(article.heading(lang))})
    files = [rule_file(rule) for rule in article.rules if rule.get("source")]
    if files:
        suite.set("file", _x(files[0]))
    properties = ET.SubElement(suite, "properties")
    facts = (("rulepack", pack_label(report)), ("as_of", report.get("as_of", "")), ("article", article.number),
             *((("regulation", article.regulation),) if article.regulation else ()))
    for name, value in (*facts, *_periods(article, report), *_counts(article)):
        ET.SubElement(properties, "property", {"name": _x(name), "value": _x(value)})
    of = f"{article.regulation}." if article.regulation else ""  # AVG 12 and Jeugdwet 12 are two classes
    classname = f"{pack}.{of}art{article.number}"
    for rule in article.rules:
        suite.append(_testcase(rule, classname, seconds, lang))
    _count(suite, [suite])
    return suite


def _periods(article: Article, report: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`period.<dataset>` (`from/to`) and `period.<dataset>.column` of each dataset the article's rules read."""
    read = {name for rule in article.rules for name in (rule.get("datasets") or [rule.get("dataset")]) if name}
    found = [(name, period(info)) for name, info in (report.get("data") or {}).items()
             if name in read and isinstance(info, Mapping)]
    return [pair for name, p in found if p
            for pair in ((f"period.{name}", visible(p.interval())), (f"period.{name}.column", p.column))]


def _counts(article: Article) -> list[tuple[str, str]]:
    """`population.<rule>` of each rule that gives one, `explained.<rule>.<explanation>` of its explanations, and
    of a report with reviews `unjudged.<rule>`, `reviewed.<rule>`, `confirmed.<rule>`, `awaiting_review.<rule>`."""
    pairs = []
    for rule in article.rules:
        rule_id = rule.get("id", "")
        judged = population(rule)
        if judged is not None:
            pairs.append((f"population.{rule_id}", str(judged)))
        pairs += [(f"explained.{rule_id}.{e.get('id', '')}", str(e.get("rows", 0)))
                  for e in rule.get("explanations") or () if judged is not None]
        counts, unjudged = review_counts(rule), unjudged_rows(rule)
        if counts is not None and unjudged is not None:
            figures = (("unjudged", unjudged), ("reviewed", counts.reviewed), ("confirmed", counts.confirmed),
                       ("awaiting_review", counts.awaiting))
            pairs += [(f"{name}.{rule_id}", str(n)) for name, n in figures]
    return pairs


def _count(element: ET.Element, suites: list[ET.Element], skipped: bool = True) -> None:
    """tests / failures / errors (and on a suite skipped) totals and seconds, as JUnit readers expect."""
    cases = [case for suite in suites for case in suite.iter("testcase")]
    element.set("tests", str(len(cases)))
    outcomes = (("failure", "failures"), ("error", "errors")) + ((("skipped", "skipped"),) if skipped else ())
    for outcome, attribute in outcomes:
        element.set(attribute, str(sum(1 for case in cases if case.find(outcome) is not None)))
    element.set("time", _time(sum(float(case.get("time", 0)) for case in cases)))


def _time(seconds: float) -> str:
    return f"{seconds:.3f}"


def _testcase(rule: Mapping[str, Any], classname: str, seconds: Mapping[str, float], lang: str) -> ET.Element:
    case = ET.Element("testcase", {"classname": _x(classname), "name": _x(rule.get("id", "")),
                                   "time": _time(float(seconds.get(rule.get("id"), 0)))})
    outcome = _outcome(rule, lang)
    if outcome is not None:
        case.append(outcome)
    out = _system_out(rule, lang)
    if out:
        ET.SubElement(case, "system-out").text = _x(out)
    return case


def _outcome(rule: Mapping[str, Any], lang: str) -> ET.Element | None:
    """The child that says how the rule ended; None for a pass (passed, or an attested control)."""
    status = rule.get("status")
    if status == "failed":
        return _failure(rule, lang)
    if status == "error":
        message = visible(_first_line(rule.get("error"))) or status_word(lang, "error")
        error = ET.Element("error", {"message": _x(message), "type": "error"})
        error.text = _x(visible(rule.get("error", "")))
        return error
    reason = _skip_reason(rule, lang)
    return ET.Element("skipped", {"message": _x(reason)}) if reason else None


def _skip_reason(rule: Mapping[str, Any], lang: str) -> str:
    """Why a rule is skipped; empty for one that passes, which a rule does whose every finding a review cleared
    (justified or false_positive): its verdicts are in `system-out`."""
    status = rule.get("status")
    if status == "waived" and finding_count(rule) and not waived_count(rule):
        return ""
    if status == "waived":
        reason = waiver_reason(rule, lang)
        return f"{label(lang, 'waived_word')}: {reason}" if reason else label(lang, "waived_word")
    if status == "expired":
        found = attestation(rule)
        expired = label(lang, "attestation_expired")
        return f"{expired} ({found.valid_until})" if found and found.valid_until else expired
    if status == "manual":
        return label(lang, "manual_control")
    if status == "informational" or rule_kind(rule) == "informational":
        return label(lang, "informational_clause")
    return ""


def _failure(rule: Mapping[str, Any], lang: str) -> ET.Element:
    """The open findings (confirmed by a review, or awaiting one): their count, how many more a waiver covers or
    a review cleared, and the first keys."""
    count = open_count(rule)
    cleared = finding_count(rule) - count - waived_count(rule)
    phrase = findings_phrase(count, lang)
    if waived_count(rule):
        phrase += f" (+{label(lang, 'waived_count', n=format_count(waived_count(rule), lang))})"
    if cleared:
        phrase += f" (+{format_count(cleared, lang)} {label(lang, 'reviewed').lower()})"
    failure = ET.Element("failure", {"message": _x(phrase), "type": _x(rule.get("severity", ""))})
    shown = findings_of(rule).first_open(KEYS_IN_FAILURE)
    lines = [f"{localized(rule.get('title'), lang)} — {phrase}"]
    lines += [_finding_line(f, lang) for f in shown]
    if count > len(shown):
        lines.append(label(lang, "and_more", n=format_count(count - len(shown), lang)))
    failure.text = _x("\n".join(lines))
    return failure


def _finding_line(finding: Mapping[str, Any], lang: str) -> str:
    """`- access_log: event_id=E1 — message [violation (J. de Vries, 2026-11-30)]`."""
    review = review_of(finding)
    verdict = f" [{review_text(review, lang)}]" if review else ""
    return (f"- {finding.get('dataset', '')}: {visible(key_text(finding.get('key') or {}))} — "
            f"{visible(finding.get('message', ''))}{verdict}")


def _system_out(rule: Mapping[str, Any], lang: str) -> str:
    """Context a CI log reader needs: where the rule lives, what it judged and could not judge, how its findings
    were reviewed (the first verdicts), its waivers, who vouched for a control."""
    lines = [f"{label(lang, 'source')}: {rule['source']}"] if rule.get("source") else []
    judged = population(rule)
    if judged is not None:
        lines.append(f"{label(lang, 'judged')}: {format_count(judged, lang)}")
    lines += [unjudged_phrase(u, lang) for u in rule.get("unjudged") or ()]
    lines += [f"{line.named}: {format_count(line.rows, lang)}" + (f" ({line.share})" if line.share else "")
              for line in explained(rule, lang)]
    counts = review_counts(rule)
    if counts is not None and finding_count(rule):
        lines.append(counts.text(lang))
        lines += [_finding_line(f, lang) for f in findings_of(rule).first_reviewed(KEYS_IN_FAILURE)]
    lines += stale_lines(rule, lang)
    lines += [f"{label(lang, 'waiver')}: {waiver.text(lang)}" for waiver in waivers(rule)]
    found = attestation(rule)
    if found:
        lines.append(f"{label(lang, 'attested_by')}: {found.by}, {found.date}; "
                     f"{label(lang, 'evidence')}: {found.evidence}; "
                     f"{label(lang, 'valid_until')}: {found.valid_until}")
    return "\n".join(lines)


def _first_line(text: Any) -> str:
    return str(text or "").strip().splitlines()[0] if str(text or "").strip() else ""
