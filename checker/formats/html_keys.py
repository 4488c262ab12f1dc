"""The HTML page's table of a rule's offending keys, with the waived ones marked."""

from __future__ import annotations

from typing import Any, Mapping

from .findings import is_waived, key_columns
from .html_markup import badge, esc
from .labels import format_count, label
from .waivers import waiver_reason

KEYS_SHOWN = 100  # keys in the open table; the rest wait inside <details>


def key_tables(rule: Mapping[str, Any], lang: str) -> str:
    """The offending keys: the first hundred in the open, the rest folded so thousands don't swamp the page."""
    findings = list(rule.get("findings") or ())
    columns = key_columns(findings)
    with_waivers = any(is_waived(finding) for finding in findings)
    shown = _key_table(findings[:KEYS_SHOWN], columns, 0, with_waivers, lang)
    rest = findings[KEYS_SHOWN:]
    if not rest:
        return shown
    more = esc(label(lang, "show_more", n=format_count(len(rest), lang)))
    return f'{shown}<details class="more-keys"><summary>{more}</summary>{_key_table(rest, columns, KEYS_SHOWN, with_waivers, lang)}</details>'


def _key_table(findings: list[Mapping[str, Any]], columns: list[str], offset: int, with_waivers: bool, lang: str) -> str:
    """One table; `offset` keeps the row numbers running on from the open table into the folded one."""
    head = "".join(f"<th>{esc(column)}</th>" for column in columns)
    waiver_head = f'<th>{esc(label(lang, "waiver"))}</th>' if with_waivers else ""
    rows = "".join(_key_row(offset + i + 1, finding, columns, with_waivers, lang) for i, finding in enumerate(findings))
    return (
        f'<table class="keys"><thead><tr><th class="num">#</th><th>{esc(label(lang, "dataset"))}</th>{head}'
        f'<th>{esc(label(lang, "message"))}</th>{waiver_head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def _key_row(number: int, finding: Mapping[str, Any], columns: list[str], with_waivers: bool, lang: str) -> str:
    """One finding; a waived one stays listed, marked, with the reason it may stand."""
    key = finding.get("key") or {}
    cells = "".join(f'<td class="key">{esc(key.get(column, ""))}</td>' for column in columns)
    waived = is_waived(finding)
    waiver = ""
    if with_waivers:
        waiver = f'<td>{badge("waived", lang)} {esc(waiver_reason(finding, lang))}</td>' if waived else "<td></td>"
    css = ' class="waived-row"' if waived else ""
    return (
        f'<tr{css}><td class="num idx">{number}</td><td>{esc(finding.get("dataset", ""))}</td>{cells}'
        f'<td class="msg">{esc(finding.get("message", ""))}</td>{waiver}</tr>'
    )
