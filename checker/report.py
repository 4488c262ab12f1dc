"""The report of an audit as a dict: the JSON contract every format renders.

Built once from the audit's results; the renderers in `formats/` read only this dict,
so every format shows the same findings, statuses and keys. Each automated rule's
`findings` is a `Findings` table (columnar, built in bulk), which behaves as the list of
finding dicts the JSON contract describes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files

import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from ..compiler import ir
from ..compiler.config import Attestation, Config, Waiver
from ..compiler.diagnostics import in_lang
from ..compiler.model import KEY_PARTS, RUN_VALUES, Article, Check, Clause, Pack, Review, Rule, regulation_field
from .arrow_values import flags, ints, number, repeated, text, texts
from .audit import Audit, Part, RuleResult
from .findings import EMPTY, SCHEMA, Findings, as_text, fill, identity, join, key_json, scalar_text
from .incremental import CARRIED, FILE, FULL, MESSAGE, NEW_FILES, digest
from .intake import Received
from .report_version import SCHEMA_VERSION

INFORMATIONAL = "informational"
REPORT_SCHEMA = json.loads(files(__package__).joinpath("report.schema.json").read_text("utf-8"))


def title(rule: Rule, bindings: dict[str, object], lang: str = "nl") -> dict[str, str]:
    """The rule's title in both languages, quoting the parameters in force (`{$retention_years}`)."""
    fields = {f"${k}": scalar_text(v, lang) for k, v in bindings.items()}
    return {language: rule.title[language].format_map(fields) for language in ("nl", "en")}


def _waiver(waiver: Waiver, as_of: dt.date) -> dict:
    return {"justification": waiver.justification, "approved_by": waiver.approved_by,
            "expires": waiver.expires.isoformat(), "status": "active" if as_of <= waiver.expires else "expired",
            **({"keys": list(waiver.keys)} if waiver.keys else {})}


def _covered(waiver: Waiver, check: Check, table: pa.Table) -> pa.Array:
    """Which rows of a check's findings the waiver covers, as a mask (its key filters, any of them)."""
    rows = table.num_rows
    if not waiver.keys:
        return flags(True, rows)
    found = flags(False, rows)
    for want in waiver.keys:
        fixed = {"dataset": check.subject, **check.fixed}
        mask = flags(True, rows)
        for name, value in want.items():
            if name in check.keys:
                equal = pc.equal(pc.cast(table.column(name), pa.string()), text(value))
                mask = pc.and_(mask, pc.fill_null(equal, flags(False, 1)[0]))
            elif fixed.get(name) != value:
                mask = flags(False, rows)
        found = pc.or_(found, mask)
    return found


def _reviewed(reviews: list[Review], check: Check, found: pa.Array) -> pa.Array:
    """Which review gives each of a check's findings its verdict (its index in `reviews`; null: none), matched
    on the finding's identity as a baseline matches it, in one look-up for the whole column."""
    wanted, indices = [], []
    for index, review in enumerate(reviews):
        key = {k: v for k, v in review.key.items() if k != "dataset"}
        if review.key.get("dataset", check.subject) == check.subject and set(key) == set(check.key_names):
            wanted.append(identity(check.subject, key))
            indices.append(index)
    if not wanted:
        return pa.nulls(len(found), pa.int32())
    return pc.take(ints(indices), pc.index_in(found, value_set=texts(wanted)))


def _part(result: RuleResult, part: Part, active: list[tuple[int, Waiver]], reviews: list[Review],
          lang: str) -> pa.Table:
    """One check's findings as rows of the Findings schema, computed a whole column at a time."""
    check, table, rows = part.check, part.table, part.table.num_rows
    keys = [(k, pc.cast(table.column(k), pa.string())) for k in check.keys]
    keys += [(k, v) for k, v in check.fixed.items() if k in KEY_PARTS]
    params = {f"${k}": scalar_text(v, lang) for k, v in result.bindings.items()}

    def field(name: str) -> pa.Array | str:
        if name in table.column_names:
            return as_text(table.column(name), lang)
        if name == "key" and len(check.keys) > 1:  # a contract rule's `{key}`: every part, as reports name a key
            return join([piece for i, (k, v) in enumerate(keys[:len(check.keys)])
                         for piece in (f"{', ' if i else ''}{k}=", v)], rows)
        return check.fixed.get(name) or params.get(name, EMPTY)

    waiver = pa.nulls(rows, pa.int32())
    for index, w in active:
        waiver = pc.if_else(pc.and_(pc.is_null(waiver), _covered(w, check, table)), number(index), waiver)
    message = fill(result.rule.message[lang], field, rows)
    carried = pc.is_valid(table.column(MESSAGE)) if MESSAGE in table.column_names else flags(False, rows)
    if MESSAGE in table.column_names:
        message = pc.coalesce(table.column(MESSAGE), message)
    file = table.column(FILE) if FILE in table.column_names else pa.nulls(rows, pa.string())
    found = join([check.subject + "\0", key_json(keys, rows, ordered=True)], rows)
    columns = [repeated(check.subject, rows), key_json(keys, rows), found, message, waiver,
               pa.nulls(rows, pa.string()), file, carried, _reviewed(reviews, check, found)]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def _run(result: RuleResult) -> dict:
    """How the rule ran: in full, or on new files with the rest carried from the previous report, and why."""
    modes = result.modes
    kinds = {m.kind for m in modes}
    kind = FULL if FULL in kinds or not modes else NEW_FILES if NEW_FILES in kinds else CARRIED
    why = "; ".join(dict.fromkeys(m.why for m in modes if m.kind == kind)) or "no previous report"
    entry: dict = {"mode": kind, "why": why}
    files = sorted({f for m in modes for f in m.new})
    if kind == NEW_FILES:
        entry["files_read"] = files
    return entry


def _rule_entry(result: RuleResult, config: Config, as_of: dt.date, lang: str) -> dict:
    """A rule's result. Waived and reviewed findings stay listed, marked; an expired waiver counts for nothing;
    a rule none of whose findings fails (each waived, or reviewed justified or false_positive) is waived."""
    rule = result.rule
    waivers = [w for w in config.waivers if w.rule == rule.id]
    active = [(i, w) for i, w in enumerate(waivers) if as_of <= w.expires]
    reviews = [r for r in config.reviews if r.rule == rule.id]
    findings = Findings.concat([_part(result, part, active, reviews, lang) for part in result.parts],
                               [_waiver(w, as_of) for w in waivers], [r.as_dict() for r in reviews])
    status = result.status
    if status == "failed" and not findings.open_count:
        status = "waived"
    entry = {
        "id": rule.id, "kind": "automated", "article": rule.article, **regulation_field(rule.regulation),
        "title": title(rule, result.bindings, lang),
        "severity": rule.severity, **({"dataset": rule.dataset} if rule.dataset else {}),
        "datasets": list(rule.datasets), "source": f"{rule.source.file}:{rule.source.line}",
        "params": {k: _json_value(v) for k, v in result.bindings.items() if k not in RUN_VALUES},
        "digest": digest(rule), "run": _run(result), "status": status, "finding_count": len(findings),
        "open_count": findings.open_count, "reviewed": findings.reviewed_count,
        "awaiting_review": findings.awaiting_count, "confirmed": findings.confirmed_count, "findings": findings,
    }
    ran = result.status != "error"  # a rule that could not run leaves its reviews and waivers unjudged, not stale
    stale = [_stale(r) for i, r in enumerate(reviews) if ran and not findings.reviews_of(i)]
    if stale:
        entry["stale_reviews"] = stale
    if result.population is not None:
        entry["population"] = result.population
    explanations = rule.checks[0].explanations if rule.checks else ()
    if explanations and result.population is not None:
        entry["explanations"] = [{"id": e.id, "title": e.title.as_dict(), "rows": rows}
                                 for e, rows in zip(explanations, result.explained)]
    if waivers:
        entry["waivers"] = [_covering(_waiver(w, as_of), findings.covered_by(i), ran) for i, w in enumerate(waivers)]
    if result.error:
        entry["error"] = in_lang(result.error, lang)
    return entry


def _covering(waiver: dict, covers: int, ran: bool) -> dict:
    """A waiver with the findings it covers; an active one that covers none of a rule that ran is stale: the
    exception it grants is no longer needed, and an auditor asks why it is still approved."""
    stale = ran and not covers and waiver["status"] == "active"
    return waiver | {"covers": covers} | ({"stale": True} if stale else {})


def _stale(review: Review) -> dict:
    """A review that matches none of the rule's findings: listed, never dropped, with where it was written."""
    where = f"{review.where.file}:{review.where.line}" if review.where else None
    return {"key": dict(review.key), **review.as_dict(), **({"source": where} if where else {})}


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _attestation_status(attestation: Attestation | None, as_of: dt.date) -> str:
    if attestation is None:
        return "manual"
    return "attested" if as_of <= attestation.valid_until else "expired"


def _control_entries(pack: Pack, config: Config, as_of: dt.date) -> list[dict]:
    entries = []
    for control in pack.controls:
        # The latest attestation counts; an older one it replaced does not, and one dated
        # after the audit date does not count yet.
        found = sorted((a for a in config.attestations if a.control == control.id and a.date <= as_of),
                       key=lambda a: a.date)
        attestation = found[-1] if found else None
        entry = {"id": control.id, "kind": "manual", "article": control.article, **regulation_field(control.regulation),
                 "title": control.title.as_dict(),
                 "source": f"{control.source.file}:{control.source.line}",
                 "status": _attestation_status(attestation, as_of), "evidence": control.evidence.nl}
        if attestation:
            entry["attestation"] = {"by": attestation.by, "date": attestation.date.isoformat(),
                                    "evidence": attestation.evidence,
                                    "valid_until": attestation.valid_until.isoformat()}
        entries.append(entry)
    return entries


def _informational_id(pack: Pack, article: Article, clause: Clause) -> str:
    return f"{pack.ref(article.regulation, clause.number)}-{INFORMATIONAL}"


def _informational_entries(pack: Pack) -> list[dict]:
    return [{"id": _informational_id(pack, article, clause), "kind": INFORMATIONAL, "article": clause.number,
             **regulation_field(article.regulation), "title": article.title.as_dict(), "status": INFORMATIONAL,
             "see": list(clause.made_concrete_by)}
            for article in pack.articles for clause in article.clauses if clause.informational]


def coverage(pack: Pack) -> dict[str, list[str]]:
    """Each clause of the pack, as ids name it (`5.1`, `jw-7.3.8`), with the ids of what covers it; empty means
    uncovered."""
    cover: dict[str, list[str]] = {pack.ref(a.regulation, c.number): [] for a in pack.articles for c in a.clauses}
    for item in (*pack.rules, *pack.controls):
        cover[pack.ref(item.regulation, item.article)].append(item.id)
    for article in pack.articles:
        for clause in article.clauses:
            if clause.informational:
                cover[pack.ref(article.regulation, clause.number)].append(_informational_id(pack, article, clause))
    return cover


def _articles(pack: Pack) -> list[dict]:
    cover = coverage(pack)
    return [{"article": a.number, **regulation_field(a.regulation), "title": a.title.as_dict(),
             "clauses": [{"clause": c.number, "text": c.text, "rules": cover[pack.ref(a.regulation, c.number)]}
                         for c in a.clauses]}
            for a in pack.articles]


def _regulations(pack: Pack) -> dict:
    """The regulations a pack checks side by side (1.4), each with the code its rules and articles carry."""
    if not pack.regulations:
        return {}
    listed = [{"code": r.code, "name": r.name, "title": r.title.as_dict()} | ({"text": r.text} if r.text else {})
              for r in pack.regulations]
    return {"regulations": listed}


def _data_entry(received: Received, period_column: str | None) -> dict:
    entry = {"path": received.label, "format": received.format, "rows": received.rows}
    if received.sheet is not None:
        entry["sheet"] = received.sheet
    if received.columns:
        entry["columns"] = dict(received.columns)
    if period_column is not None:  # null ends: a dataset without rows has no period
        first, last = received.period or (None, None)
        entry["period"] = {"column": period_column, "from": first, "to": last}
    if received.sha256:
        entry["sha256"] = received.sha256
    if received.parts:
        entry["files"] = [{"path": path, "sha256": sha} for path, sha in received.parts]
    if received.extra_columns:
        entry["extra_columns"] = list(received.extra_columns)
    if received.restored:
        entry["restored"] = dict(received.restored)
    if received.dialect:
        entry["dialect"] = dict(received.dialect)
    return entry


def unknown_codes(audit: Audit) -> dict[tuple[str, str], tuple[str, int]]:
    """(dataset, column) → (the vocabulary rule, rows with a code outside the column's vocabulary)."""
    counts: dict[tuple[str, str], tuple[str, int]] = {}
    for result in audit.results:
        if result.rule.contract_check == "vocabulary":
            for part in result.parts:
                if part.table.num_rows:
                    counts[(part.check.subject, part.check.fixed["column"])] = (result.rule.id, part.table.num_rows)
    return counts


def _unjudged(result: RuleResult, codes: dict[tuple[str, str], tuple[str, int]]) -> list[dict]:
    """Rows this rule could not judge: an unknown code in a column it reads (keys and counts only)."""
    read = {(n.dataset, n.name) for check in result.rule.checks for e in (check.condition, *check.outputs.values())
            for n in ir.walk(e) if isinstance(n, ir.Column)}
    return [{"dataset": d, "column": c, "rows": n, "see": rule}
            for (d, c), (rule, n) in sorted(codes.items()) if (d, c) in read]


def _everything(item_id: str, regulation: str, article: str) -> bool:
    return True


def build_report(audit: Audit, lang: str = "nl", chain: dict | None = None,
                 keep: Callable[[str, str, str], bool] = _everything) -> dict:
    """The report of the audit's rules; `chain` links it to the previous report (`chain.py`), and
    `keep(id, regulation, clause)` chooses the controls and clauses that go with them (`--select`: the audit ran
    only the rules chosen)."""
    # Two threads: the findings of a rule are built by Arrow's kernels, which let go of the GIL.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="reglement-report") as pool:
        rules = list(pool.map(lambda result: _rule_entry(result, audit.config, audit.as_of, lang), audit.results))
    codes = unknown_codes(audit)
    for entry, result in zip(rules, audit.results):
        if result.rule.kind == "condition" and (found := _unjudged(result, codes)):
            entry["unjudged"] = found
    others = _control_entries(audit.pack, audit.config, audit.as_of) + _informational_entries(audit.pack)
    rules += [entry for entry in others if keep(entry["id"], entry.get("regulation", ""), entry["article"])]
    statuses = Counter(r["status"] for r in rules)
    found = sum(r.get("finding_count", 0) for r in rules)
    still_open = sum(r.get("open_count", 0) for r in rules)
    waived = sum(Findings.of(r["findings"]).waived_count for r in rules if "findings" in r)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "reglement", "version": __version__},
        "rulepack": {"name": audit.pack.name, "version": audit.pack.version, "title": audit.pack.title.as_dict()},
        "as_of": audit.as_of.isoformat(),
        "audit_time": (audit.moment or dt.datetime.combine(audit.as_of, dt.time())).isoformat(timespec="seconds"),
        "time_zone": audit.time_zone,
        "lang": lang,
        "engine": audit.engine,
        "run": {"started_at": audit.started_at.isoformat(timespec="seconds"), "seconds": round(audit.seconds, 3),
                "phases": {name: round(seconds, 3) for name, seconds in audit.phases.items()},
                "rules": {r.rule.id: round(r.seconds, 3) for r in audit.results}},
        "data": {d.name: _data_entry(d, audit.pack.contract[d.name].period) for d in audit.intake.datasets.values()},
        "unread": list(audit.intake.unread),
        "chain": chain or {"first": True},
        "summary": {
            "rules": len(audit.results), "passed": statuses["passed"], "failed": statuses["failed"],
            "errors": statuses["error"], "manual": statuses["manual"], "attested": statuses["attested"],
            "expired": statuses["expired"], "waived": statuses["waived"], "informational": statuses[INFORMATIONAL],
            "findings": found, "open_findings": still_open, "waived_findings": waived,
            "expired_waivers": sum(w["status"] == "expired" for r in rules for w in r.get("waivers", [])),
            **{name: sum(r.get(name, 0) for r in rules) for name in ("reviewed", "awaiting_review", "confirmed")},
            "stale_reviews": sum(len(r.get("stale_reviews", ())) for r in rules),
            "stale_waivers": sum(bool(w.get("stale")) for r in rules for w in r.get("waivers", [])),
        },
        "rules": rules,
        "articles": _articles(audit.pack),
        **_regulations(audit.pack),
    }
