"""The findings of a JSON report and of the hand-written baseline as the same keys, and where they differ.

A finding is (dataset, key value, column): a row rule has its row's key value and no
column; a contract rule (4.2-unknown-code, -dangling-reference, -date-order) the row's key
value and the column; rule 1.1 no key value and the column. Values only, never messages:
the baseline writes none. Two reports of reglement can be compared on more, with
`with_message` (dataset, the whole key, message).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

Finding = tuple[str, str | None, str | None]  # dataset, key value, column (or key, message: with_message)


def key_of(finding: dict) -> Finding:
    """A finding of a report as the baseline writes it: (dataset, key value, column)."""
    key = dict(finding["key"])
    column = key.pop("column", None)
    if len(key) > 1:
        raise ValueError(f"{finding['dataset']}: a key of more than one column: {sorted(key)}")
    return finding["dataset"], next(iter(key.values()), None), column


def with_message(finding: dict) -> Finding:
    """A finding of a report as (dataset, key as JSON, message): what must not depend on how the audit ran."""
    return finding["dataset"], json.dumps(finding["key"], sort_keys=True), finding["message"]


def report_keys(report: Path, as_found: Callable[[dict], Finding] = key_of) -> dict[str, Counter[Finding]]:
    """Rule id → its findings in a `reglement check --format json` report (every rule, found or not), each
    as `as_found` makes it."""
    rules = json.loads(report.read_text(encoding="utf-8"))["rules"]
    return {rule["id"]: Counter(as_found(f) for f in rule.get("findings", ()))
            for rule in rules if rule.get("kind", "automated") == "automated"}


def baseline_keys(findings: Path) -> dict[str, Counter[Finding]]:
    """Rule id → its findings in the baseline's Parquet file of (rule, dataset, key, col)."""
    table = pq.read_table(findings, columns=["rule", "dataset", "key", "col"]).to_pydict()
    found: dict[str, Counter[Finding]] = {}
    for rule, dataset, key, col in zip(table["rule"], table["dataset"], table["key"], table["col"]):
        found.setdefault(rule, Counter())[(dataset, key, col)] += 1
    return found


@dataclass(frozen=True)
class Difference:
    """How two sets of findings of one rule differ: counts, and a few keys of each side for the reader."""

    rule: str
    left: int
    right: int
    only_left: tuple[Finding, ...]
    only_right: tuple[Finding, ...]
    repeated: tuple[Finding, ...]  # a finding reported more than once on either side


def differences(left: dict[str, Counter[Finding]], right: dict[str, Counter[Finding]],
                shown: int = 5) -> list[Difference]:
    """The rules whose findings differ between `left` and `right`, with up to `shown` keys of each kind."""
    out = []
    for rule in sorted(left.keys() | right.keys()):
        a, b = left.get(rule, Counter()), right.get(rule, Counter())
        repeated = sorted(k for k, n in (a + b).items() if a[k] > 1 or b[k] > 1)
        if a.keys() == b.keys() and not repeated:
            continue
        out.append(Difference(rule, sum(a.values()), sum(b.values()),
                              tuple(sorted(a.keys() - b.keys(), key=str)[:shown]),
                              tuple(sorted(b.keys() - a.keys(), key=str)[:shown]), tuple(repeated[:shown])))
    return out


def report_counts(report: Path, rule_id: str) -> dict[str, int]:
    """A rule's population and the rows each of its explanations holds for, in a JSON report."""
    rule = next(r for r in json.loads(report.read_text(encoding="utf-8"))["rules"] if r["id"] == rule_id)
    return {"population": rule.get("population"), **{e["id"]: e["rows"] for e in rule.get("explanations", ())}}


def count_differences(rule_id: str, left: dict[str, int], right: dict[str, int]) -> list[Difference]:
    """The counts of a rule that differ between `left` and `right`, as one Difference (none when they agree)."""
    differ = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    if not differ:
        return []
    return [Difference(f"{rule_id} (counts)", len(left), len(right),
                       tuple((k, str(left.get(k)), None) for k in differ),
                       tuple((k, str(right.get(k)), None) for k in differ), ())]
