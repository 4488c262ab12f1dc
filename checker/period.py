"""The figures of a period: a chain of reports, read as the auditor who gives an opinion on the operation of a
control over it (`reglement period`). Figures only: the formats that show them are `formats/period_*.py`.

`figures(reports)` takes the reports of a chain that holds (`reglement verify`), as `reglement check --format
json` wrote them, in chain order (oldest first), and gives a dict of plain JSON values, the JSON form of the
period report (`period.schema.json` beside this module):

    {"period": {"from": "2025-11-30", "to": "2026-11-30", "reports": 13},
     "rulepack": {"name": "westendorp", "version": "1.3", "title": {"nl": …, "en": …}},   # of the last report
     "tool": {"name": "reglement", "version": "0.1.0"},         # that wrote the last report
     "lang": "nl",                                               # of the last report
     "dates": ["2025-11-30", …],                                 # every audit date, in order
     "articles": [{"article": "5", "title": {"nl": …, "en": …} | null,
                   "regulation": "jw", "name": "Jeugdwet",         # only in a pack of several regulations
                   "rules": ["5.1-…", …],                          # the automated rules filed under it
                   "rows": [ROW, …],                               # one per audit date, in order
                   "times": TIMES,
                   "open": [{"rule", "dataset", "key", "first_seen", "age_days"}, …]}, …],
     "without_rules": ["1", "2", …],        # articles no automated rule covers ("AVG 33" in a pack of several)
     "totals": {"rows": [ROW, …], "times": TIMES}}               # every article together

    ROW   = {"as_of", "findings", "new", "resolved", "reviewed", "confirmed", "awaiting_review", "not_run"}
    TIMES = {"reviewed": STAT, "resolved": STAT, "handled": STAT,
             "open": {"count", "median_age_days", "max_age_days"}}
    STAT  = {"count", "median_days", "max_days"}                  # days; median and max null when count is 0

What is counted, and how:

- **A finding** is one rule's finding of one dataset and key (`findings.identity`: the key's names sorted), as a
  baseline matches it; its message does not count. `findings`, `reviewed` (a review gives it a verdict),
  `confirmed` (the verdict is `violation`) and `awaiting_review` (neither a review nor an active waiver covers
  it) are counted from each report's findings, as the report's own counts are.
- **New** at an audit date: in this report, not in the report before (where its rule last ran); **resolved**:
  in the report before, not in this one. The first report has nothing before it: both are null there. A rule
  that did not run at an audit date (absent from the report, or an error) is in `not_run`: its findings there
  are neither new nor resolved, and the next report that runs it is compared with the last that did.
- **Times** are counted per *episode*: from the audit date a finding is first seen to the first audit date it
  is gone from (resolved), or to its review's `on` date (reviewed; a review dated before the episode began, or
  after the report it is first seen in, counts from that day), whichever comes first (handled). A finding
  already there in the first report is counted from the period's start: its time is at least that.
- **A finding that comes back** after it was resolved is new again at the audit date it comes back, and starts
  an episode of its own; the earlier one stays resolved, with its own time. Both count in the times.
- **Open at the end**: an episode neither resolved nor reviewed by the last report that ran its rule, and that
  no active waiver covers there (what the report counts as awaiting review); its age runs to the period's end.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..compiler.numbering import natural_key
from .findings import VIOLATION, identity
from .formats.grouping import home, listed_articles

COUNTS = ("findings", "new", "resolved", "reviewed", "confirmed", "awaiting_review")


@dataclass
class _Episode:
    """One finding, from the audit date it was first seen until it is gone."""

    rule: str
    dataset: str
    key: dict
    first_seen: dt.date
    reviewed: dt.date | None = None
    resolved: dt.date | None = None
    awaiting: bool = True  # as the last report that ran its rule has it

    @property
    def handled(self) -> dt.date | None:
        return min((d for d in (self.reviewed, self.resolved) if d is not None), default=None)


@dataclass
class _Article:
    number: str
    regulation: str = ""  # its regulation's code, in a pack of several: AVG 12 and Jeugdwet 12 are two articles
    rules: set[str] = field(default_factory=set)
    rows: list[dict] = field(default_factory=list)
    episodes: list[_Episode] = field(default_factory=list)


def figures(reports: list[Mapping[str, Any]]) -> dict:
    """The period's figures (see the module's docstring) from the reports of a chain, oldest first."""
    if not reports:
        raise ValueError("a period needs at least one report")
    dates = [str(r["as_of"]) for r in reports]
    arts: dict[tuple[str, str], _Article] = {}
    current: dict[str, dict[str, _Episode]] = {}  # rule → identity → its episode, as the rule last ran
    for index, report in enumerate(reports):
        as_of = dt.date.fromisoformat(str(report["as_of"]))
        rows: dict[tuple[str, str], dict] = {}
        ran: set[str] = set()
        listed = listed_articles(report)
        for rule in _automated(report):
            number = home(rule, listed)
            art = arts.setdefault(number, _Article(number[1], number[0]))
            art.rules.add(rule["id"])
            row = rows.setdefault(number, _row(report["as_of"], first=index == 0))
            if rule.get("error") is not None or rule.get("status") == "error":
                row["not_run"].append(rule["id"])
                continue
            ran.add(rule["id"])
            _observe(rule, as_of, index == 0, current, art, row)
        for number, art in arts.items():  # an article none of whose rules is in this report still gets its row
            row = rows.get(number) or _row(report["as_of"], first=index == 0)
            row["not_run"].extend(sorted(r for r in art.rules - ran if r not in row["not_run"]))
            art.rows.append(row)
    for art in arts.values():  # an article first seen late: rows for the audit dates before it
        missing = len(dates) - len(art.rows)
        art.rows[:0] = [_row(d, first=i == 0) | {"not_run": sorted(art.rules)} for i, d in enumerate(dates[:missing])]
    end = dt.date.fromisoformat(dates[-1])
    last = reports[-1]
    regulations = {r.get("code"): r for r in last.get("regulations") or ()}
    order = {code: i for i, code in enumerate(regulations)}

    def place(regulation: str, number: str) -> tuple:  # per regulation in the pack's order, then natural order
        return order.get(regulation, len(order)), regulation, natural_key(number)

    ordered = sorted(arts.values(), key=lambda a: place(a.regulation, a.number))
    titles = _titles(last)
    return {
        "period": {"from": dates[0], "to": dates[-1], "reports": len(reports)},
        "rulepack": {k: v for k, v in (last.get("rulepack") or {}).items() if k in ("name", "version", "title")},
        "tool": {k: v for k, v in (last.get("tool") or {}).items() if k in ("name", "version")},
        "lang": last.get("lang", "nl"),
        "dates": dates,
        "articles": [{"article": a.number, **_regulation(a.regulation, regulations),
                      "title": titles.get((a.regulation, a.number)), "rules": sorted(a.rules),
                      "rows": a.rows, "times": _times(a.episodes, end), "open": _open(a.episodes, end)}
                     for a in ordered],
        "without_rules": [f"{_regulation(code, regulations)['name']} {number}" if code else number
                          for code, number in sorted(titles, key=lambda k: place(*k)) if (code, number) not in arts],
        "totals": {"rows": [_sum([a.rows[i] for a in ordered], d, i == 0) for i, d in enumerate(dates)],
                   "times": _times([e for a in ordered for e in a.episodes], end)},
    }


def _automated(report: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    return (r for r in report.get("rules") or () if r.get("kind") == "automated")


def _row(as_of: str, first: bool) -> dict:
    return {"as_of": as_of, "findings": 0, "new": None if first else 0, "resolved": None if first else 0,
            "reviewed": 0, "confirmed": 0, "awaiting_review": 0, "not_run": []}


def _observe(rule: Mapping[str, Any], as_of: dt.date, first: bool, current: dict[str, dict[str, _Episode]],
             art: _Article, row: dict) -> None:
    """One rule as one report has it: its counts in the row, its findings' episodes begun, reviewed or ended."""
    before = current.get(rule["id"])
    now: dict[str, _Episode] = {}
    for finding in rule.get("findings") or ():
        found = identity(finding["dataset"], finding["key"])
        review = finding.get("review") if isinstance(finding.get("review"), Mapping) else None
        waived = bool(finding.get("waived"))
        row["findings"] += 1
        row["reviewed"] += review is not None
        row["confirmed"] += review is not None and review.get("verdict") == VIOLATION
        row["awaiting_review"] += review is None and not waived
        episode = (before or {}).get(found) or now.get(found)
        if episode is None:
            episode = _Episode(rule["id"], finding["dataset"], finding["key"], as_of)
            art.episodes.append(episode)
            if before is not None or not first:  # a rule that ran before, or one that comes in after the start
                row["new"] += 1
        if review is not None and episode.reviewed is None:
            episode.reviewed = min(max(_date(review.get("on"), as_of), episode.first_seen), as_of)
        episode.awaiting = review is None and not waived
        now[found] = episode
    for found, episode in (before or {}).items():
        if found not in now:
            episode.resolved = as_of
            row["resolved"] += 1
    current[rule["id"]] = now


def _date(text: Any, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return default


def _median(days: list[int]) -> float | int | None:
    """The median in days: a whole number, or a half where it falls between two; None of nothing."""
    if not days:
        return None
    middle = statistics.median(days)
    return int(middle) if float(middle).is_integer() else middle


def _stat(days: list[int]) -> dict:
    return {"count": len(days), "median_days": _median(days), "max_days": max(days) if days else None}


def _times(episodes: list[_Episode], end: dt.date) -> dict:
    ages = [(end - e.first_seen).days for e in episodes if _is_open(e)]
    return {
        "reviewed": _stat([(e.reviewed - e.first_seen).days for e in episodes if e.reviewed is not None]),
        "resolved": _stat([(e.resolved - e.first_seen).days for e in episodes if e.resolved is not None]),
        "handled": _stat([(e.handled - e.first_seen).days for e in episodes if e.handled is not None]),
        "open": {"count": len(ages), "median_age_days": _median(ages),
                 "max_age_days": max(ages) if ages else None},
    }


def _is_open(episode: _Episode) -> bool:
    return episode.handled is None and episode.awaiting


def _open(episodes: list[_Episode], end: dt.date) -> list[dict]:
    """The episodes open at the end, oldest first."""
    found = sorted((e for e in episodes if _is_open(e)), key=lambda e: (e.first_seen, e.rule, e.dataset))
    return [{"rule": e.rule, "dataset": e.dataset, "key": e.key, "first_seen": e.first_seen.isoformat(),
             "age_days": (end - e.first_seen).days} for e in found]


def _sum(rows: list[dict], as_of: str, first: bool) -> dict:
    total = _row(as_of, first)
    for row in rows:
        for name in COUNTS:
            if total[name] is not None and row[name] is not None:
                total[name] += row[name]
        total["not_run"] += row["not_run"]
    total["not_run"].sort()
    return total


def _titles(report: Mapping[str, Any]) -> dict[tuple[str, str], Any]:
    """Each article of the report's pack, by (regulation, number), with its title ({nl, en}), as the last report
    names them."""
    return {(str(a.get("regulation", "")), str(a.get("article"))): a.get("title")
            for a in report.get("articles") or () if isinstance(a, Mapping)}


def _regulation(code: str, regulations: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The regulation of an article of a pack of several (its code, and the name it is cited by); nothing for a
    pack of one regulation given as text."""
    return {"regulation": code, "name": str(regulations.get(code, {}).get("name", code))} if code else {}
