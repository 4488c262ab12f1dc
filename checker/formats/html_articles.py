"""The HTML page's body: a section per article, its clauses quoted, each rule as a card.

The regulation's own order, so the auditor reads the report next to the text it checks.
Each section is yielded in pieces, so that a rule's key table streams to the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .attestations import attestation
from .findings import finding_count, findings_of, rule_kind, waived_count
from .grouping import Article, Clause, regulations
from .html_explanations import explanations_table
from .html_keys import key_tables
from .html_markup import anchor, badge, esc, esc_visible, rule_link
from .labels import findings_phrase, format_count, label, localized, rules_phrase, severity_word
from .populations import of_population, population, unjudged_phrase, unjudged_rows
from .reviews import review_counts, stale_lines
from .waivers import waivers


def regulation_sections(report: Mapping[str, Any], arts: list[Article], lang: str) -> Iterator[str]:
    """The articles; where the pack checks several regulations, inside a section per regulation with its
    name, title and the text it quotes, so that AVG 12 and Jeugdwet 12 are never read as one."""
    regs = regulations(report, arts)
    texts = {r.get("code"): r.get("text", "") for r in report.get("regulations") or ()}
    for regulation in regs:
        if len(regs) > 1:
            text = texts.get(regulation.code)
            yield (f'\n<section class="regulation" id="{esc(anchor("reg", regulation.code))}" '
                   f'data-regulation="{esc(regulation.code)}"><h2 class="regulation-heading">'
                   f'{esc(regulation.heading(lang))}</h2>'
                   + (f'<p class="regulation-text" lang="nl">{esc(text)}</p>' if text else ""))
        for article in regulation.articles:
            yield "\n"
            yield from article_section(article, lang)
        if len(regs) > 1:
            yield "\n</section>"


def article_section(article: Article, lang: str) -> Iterator[str]:
    """The article's heading and counts, then its clauses; rules of clauses it does not list come last."""
    total = sum(article.findings_by_severity().values())
    stats = f"{rules_phrase(len(article.rules), lang)} · {findings_phrase(total, lang)}"
    of = f' data-regulation="{esc(article.regulation)}"' if article.regulation else ""
    yield (f'<section class="article" id="{esc(anchor("art", article.ref))}" data-article="{esc(article.number)}"{of}>'
           f'<h2>{esc(article.heading(lang))}</h2><p class="article-stats">{esc(stats)}</p>')
    for clause in article.clauses:
        yield from _clause(article, clause, article.rules_of(clause.clause), lang)
    leftovers = article.unclaused_rules()
    if leftovers:
        yield from _clause(article, Clause(label(lang, "other_rules"), "", ()), leftovers, lang, covered=True)
    yield "</section>"


def _clause(article: Article, clause: Clause, rules: list[Mapping[str, Any]], lang: str,
            covered: bool = False) -> Iterator[str]:
    """A clause's Dutch text, its own rules, and a pointer to rules filed under another clause."""
    flag = "" if covered or clause.rule_ids else f' <span class="uncovered-flag">{esc(label(lang, "uncovered"))}</span>'
    quote = f'<blockquote class="clause-text" lang="nl">{esc(clause.text)}</blockquote>' if clause.text else ""
    own = {str(rule.get("id")) for rule in rules}
    elsewhere = [rule_id for rule_id in clause.rule_ids if rule_id not in own]
    see_also = _see_also(elsewhere, lang) if elsewhere else ""
    yield (
        f'<div class="clause" id="{esc(anchor("clause", article.clause_ref(clause.clause)))}">'
        f"<h3>{esc(clause.clause)}{flag}</h3>{quote}{see_also}"
    )
    for rule in rules:
        yield from _rule(article, rule, lang)
    yield "</div>"


def _see_also(rule_ids: Iterable[Any], lang: str) -> str:
    """Links to the rules that make a clause or rule concrete, wherever they are filed."""
    links = ", ".join(rule_link(rule_id) for rule_id in rule_ids)
    return f'<p class="see-also">{esc(label(lang, "see_also"))}: {links}</p>'


def _rule(article: Article, rule: Mapping[str, Any], lang: str) -> Iterator[str]:
    """One rule's card: status, id, title, severity and count up top, the evidence below."""
    status = str(rule.get("status", ""))
    kind = rule_kind(rule)
    head = [badge(status, lang),
            f'<h4><code class="rule-id">{esc(rule.get("id"))}</code>{esc(localized(rule.get("title"), lang))}</h4>']
    if rule.get("severity"):
        severity = rule["severity"]
        head.append(f'<span class="sev sev-{esc(severity)}">{esc(severity_word(lang, severity))}</span>')
    if kind == "automated":
        count = finding_count(rule)
        waived = waived_count(rule)
        note = (
            f' <span class="waived-count">({esc(label(lang, "waived_count", n=format_count(waived, lang)))})</span>'
            if waived else ""
        )
        judged = population(rule)
        of = (f' <span class="population" data-population="{judged}">{esc(of_population(rule, lang))}</span>'
              if judged is not None else "")
        head.append(f'<span class="count" data-count="{count}">{esc(findings_phrase(count, lang))}{of}{note}</span>')
    yield (
        f'<article class="rule status-{esc(status)}" id="{esc(anchor("rule", rule.get("id")))}" '
        f'data-rule-id="{esc(rule.get("id"))}" data-status="{esc(status)}" data-kind="{esc(kind)}">'
        f'<div class="rule-head">{"".join(head)}</div>{_rule_meta(article, rule, lang)}{_judged(rule, lang)}'
        f"{_rule_body(rule, kind, lang)}"
        f"{explanations_table(rule, lang)}"
    )
    if len(findings_of(rule)):
        yield from key_tables(rule, lang)
    yield "</article>"


def _rule_meta(article: Article, rule: Mapping[str, Any], lang: str) -> str:
    """Clause, dataset and source on one line: where the rule comes from and what it reads."""
    bits = [f"{label(lang, 'clause')} {article.clause(rule.get('article', ''))}"]
    if rule.get("dataset"):
        bits.append(f"{label(lang, 'dataset')}: {rule['dataset']}")
    if rule.get("source"):
        bits.append(f"{label(lang, 'source')}: {rule['source']}")
    return f'<p class="meta">{" · ".join(esc(bit) for bit in bits)}</p>'


def _judged(rule: Mapping[str, Any], lang: str) -> str:
    """The rows not judged and the findings reviewed, confirmed and awaiting review, on one line of every
    automated rule of a report with reviews (schema 1.3): the follow-up an auditor looks for."""
    counts, unjudged = review_counts(rule), unjudged_rows(rule)
    if counts is None or unjudged is None:
        return ""
    figures = (("not_judged", unjudged), ("reviewed", counts.reviewed), ("confirmed", counts.confirmed),
               ("awaiting", counts.awaiting))
    items = "".join(f'<span class="fig" data-{name.replace("_", "-")}="{n}">{esc(label(lang, name))}: '
                    f"<b>{esc(format_count(n, lang))}</b></span>" for name, n in figures)
    return f'<p class="review-counts">{items}</p>'


def _rule_body(rule: Mapping[str, Any], kind: str, lang: str) -> str:
    """Only what the rule has: its error, rows not judged, waivers, stale reviews, cross-references and
    attestation (its keys follow)."""
    parts = []
    if rule.get("error"):
        error = esc_visible(rule["error"])
        parts.append(f'<div class="error-box"><strong>{esc(label(lang, "error_text"))}</strong>'
                     f'<pre>{error}</pre></div>')
    parts += [f'<p class="unjudged">{esc(unjudged_phrase(u, lang))}</p>' for u in rule.get("unjudged") or ()]
    parts += [f'<p class="waiver">{esc(label(lang, "waiver"))}: {esc(waiver.text(lang))}</p>'
              for waiver in waivers(rule)]
    parts += [f'<p class="stale">{esc_visible(line)}</p>' for line in stale_lines(rule, lang)]
    if rule.get("see"):
        parts.append(_see_also(rule["see"], lang))
    if kind == "manual":
        parts.append(_attestation_block(rule, lang))
    return "".join(parts)


def _attestation_block(rule: Mapping[str, Any], lang: str) -> str:
    """A manual control's evidence: what was expected, who vouched for it and until when."""
    rows = []
    if rule.get("evidence"):
        rows.append((label(lang, "evidence_expected"), rule["evidence"]))
    found = attestation(rule)
    if found:
        rows += [
            (label(lang, "attested_by"), found.by),
            (label(lang, "attested_on"), found.date),
            (label(lang, "evidence"), found.evidence),
            (label(lang, "valid_until"), found.valid_until),
        ]
    items = "".join(f"<dt>{esc(term)}</dt><dd>{esc(value or label(lang, 'none'))}</dd>" for term, value in rows)
    if rule.get("status") == "expired":
        items += f'<dt></dt><dd><span class="expired-note">{esc(label(lang, "attestation_expired"))}</span></dd>'
    missing = "" if found else f'<p><span class="not-attested">{esc(label(lang, "not_attested"))}</span></p>'
    return f'<div class="attestation"><dl>{items}</dl>{missing}</div>'
