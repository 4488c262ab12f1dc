"""Audits that read only what is new: each check of a rule is run in full, on new files only, or carried.

With `--previous`, a check whose every dataset is unchanged (the same sha256 as in the
previous report) is not run at all: its findings are those of the previous report. A
check over a dataset given as a folder of files (a monthly partitioned access log) runs
only over the files the previous report did not list with the same hash, and keeps the
previous findings of the other files. Anything else runs in full, and the report says
why: another pack version, rule or parameter value, another report language or time zone, a changed
dataset, a sub-query over the partitioned dataset, or a rule that reads the audit date
(time-dependent rules always run in full).

That is only sound because a finding of a check is a fact about one row of its dataset
and the rows it looks up in unchanged datasets; a test audits a year of monthly
partitions month by month and compares every step with a full audit, finding for finding.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..compiler import ir
from ..compiler.diagnostics import plural
from ..compiler.model import AUDIT_DATE, AUDIT_TIME, RUN_VALUES, TIME_ZONE, Check, Pack, Rule
from .arrow_values import texts
from .intake import Intake
from .intake.validate import PROVENANCE

FILE = "__file"  # the output of a check over a folder of files: the file a finding's row is in
MESSAGE = "__message"  # a carried finding's message, as the previous report wrote it
FULL, NEW_FILES, CARRIED = "full", "incremental", "carried"


@dataclass(frozen=True)
class Mode:
    kind: str  # full, incremental (new files only), carried (not run)
    why: str
    new: tuple[str, ...] = ()  # incremental: the files read
    kept: frozenset[str] = field(default_factory=frozenset)  # incremental: the files whose findings are kept


def digest(rule: Rule) -> str:
    """What a rule is, as a hash: its condition, values, message, parameters and generated checks."""
    parts = [rule.id, rule.kind, rule.contract_check, rule.condition_text, rule.let_texts, rule.message.as_dict(),
             rule.severity, [(p.name, p.default, p.minimum, p.maximum) for p in rule.params],
             [(c.dataset, c.text, sorted(c.fixed.items())) for c in rule.checks]]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def with_provenance(rule: Rule, folders: set[str]) -> Rule:
    """The rule with each check over a folder of files also giving the file of each finding."""
    checks = []
    for check in rule.checks:
        if check.dataset in folders:
            column = ir.Column(check.condition.span, PROVENANCE, binding="t0", dataset=check.dataset, type=ir.STRING)
            check = replace(check, outputs={**check.outputs, FILE: column})
        checks.append(check)
    return replace(rule, checks=tuple(checks))


def _reads_audit_date(check: Check) -> bool:
    return any(isinstance(n, ir.Param) and n.name in (AUDIT_DATE, AUDIT_TIME)
               for e in (check.condition, *check.outputs.values()) for n in ir.walk(e))


def _sub_query_datasets(check: Check) -> set[str]:
    return {n.dataset for e in (check.condition, *check.outputs.values()) for n in ir.walk(e)
            if isinstance(n, ir.Source)}


def decide(pack: Pack, rule: Rule, intake: Intake, previous: dict | None, lang: str,
           bindings: dict, new_files_only: bool = True, full: bool = False) -> list[Mode]:
    """How each check of the rule runs against the previous report (`new_files_only`: whether the engine can
    read only some files of a folder dataset; Spark and PostgreSQL read it whole; `full`: the user
    asked for a full run, the chain still recorded)."""
    if previous is None or full:
        why = "a full run was asked for" if full and previous else "no previous report"
        return [Mode(FULL, why)] * len(rule.checks)
    entry = next((r for r in previous.get("rules", []) if r.get("id") == rule.id), None)
    why = _whole_rule(pack, rule, previous, entry, lang, bindings)
    if why:
        return [Mode(FULL, why)] * len(rule.checks)
    return [_check_mode(check, intake, previous, new_files_only) for check in rule.checks]


def _whole_rule(pack: Pack, rule: Rule, previous: dict, entry: dict | None, lang: str, bindings: dict) -> str | None:
    previous_pack = previous.get("rulepack", {})
    if previous_pack.get("version") != pack.version or previous_pack.get("name") != pack.name:
        return "another pack or pack version than the previous report's"
    if previous.get("lang") != lang:
        return "the previous report is in another language"
    if previous.get("time_zone", bindings[TIME_ZONE]) != bindings[TIME_ZONE]:  # offsets and real hours read anew
        return "the previous report read its timestamps in another time zone"
    if entry is None or entry.get("status") not in ("passed", "failed", "waived"):
        return "the previous report has no result of this rule"
    if entry.get("digest") != digest(rule):
        return "the rule changed since the previous report"
    params = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in bindings.items() if k not in RUN_VALUES}
    if entry.get("params", {}) != params:
        return "other parameter values than the previous report's"
    return None


def _check_mode(check: Check, intake: Intake, previous: dict, new_files_only: bool) -> Mode:
    if _reads_audit_date(check):
        return Mode(FULL, "it reads the audit date, so it runs in full every time")
    data = previous.get("data", {})
    read = [check.dataset, *sorted(_sub_query_datasets(check) - {check.dataset})]
    if unhashed := [d for d in read if d not in intake.datasets]:
        return Mode(FULL, f"it reads {', '.join(unhashed)}, which has no hash to compare")
    changed = [d for d in read if d in intake.datasets and not intake.datasets[d].parts
               and (data.get(d) or {}).get("sha256") != intake.datasets[d].sha256]
    if changed:
        return Mode(FULL, f"{', '.join(changed)} changed since the previous report")
    folders = [d for d in read if d in intake.datasets and intake.datasets[d].parts]
    if not folders:
        return Mode(CARRIED, "every dataset it reads is unchanged")
    if not new_files_only:
        return Mode(FULL, f"{', '.join(folders)} is a folder of files, which this engine reads whole")
    if any(isinstance(n, ir.Neighbour) for e in (check.condition, *check.outputs.values()) for n in ir.walk(e)):
        return Mode(FULL, f"it reads the neighbouring rows of {check.dataset}, across its files")
    if folders != [check.dataset] or check.dataset in _sub_query_datasets(check):
        return Mode(FULL, f"a sub-query reads {', '.join(folders)}, a dataset given as a folder of files")
    before = {Path(f["path"]).name: f["sha256"] for f in (data.get(check.dataset) or {}).get("files", [])}
    now = {Path(path).name: sha for path, sha in intake.datasets[check.dataset].parts}
    new = tuple(sorted(name for name, sha in now.items() if before.get(name) != sha))
    return Mode(NEW_FILES, f"{len(new)} of {plural(len(now), 'file')} of {check.dataset} new or changed", new,
                frozenset(now) - frozenset(new))


def carried(entry: dict | None, check: Check, mode: Mode, like: pa.Schema | None) -> pa.Table | None:
    """The previous report's findings of one check that still hold, as rows of the check's table.

    Key values come back typed as the check's (`like`, the table of its new rows), so
    that carried and new rows sort together as the engine sorts them; the message is the
    one written then (the same rule, parameters and language made it) in MESSAGE.
    """
    if entry is None or mode.kind == FULL:
        return None
    found = [f for f in entry.get("findings", []) if f.get("dataset") == check.subject
             and ("column" not in check.fixed or f.get("key", {}).get("column") == check.fixed["column"])
             and (mode.kind == CARRIED or f.get("file") in mode.kept)]
    columns = {k: texts([_text(f["key"].get(k)) for f in found]) for k in check.keys}
    if like is not None:
        columns = {k: pc.cast(v, like.field(k).type) for k, v in columns.items()}
    columns[MESSAGE] = texts([f["message"] for f in found])
    if FILE in check.outputs:
        columns[FILE] = texts([f.get("file") for f in found])
    return pa.table(columns)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def merged(new: pa.Table, old: pa.Table | None, check: Check) -> pa.Table:
    """A check's new rows and carried rows in one table, in key order (as a full run gives them)."""
    if old is None:
        return new
    if not new.num_rows:
        return old
    both = pa.concat_tables([new, old], promote_options="permissive")
    return both.take(pc.sort_indices(both, [(k, "ascending") for k in check.keys]))


def only_new_files(check: Check, view: str) -> Check:
    """The check over the view of the new files only (its findings still name the dataset)."""
    return replace(check, dataset=view, about=check.subject)
