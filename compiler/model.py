"""What the compiler produces: a pack of articles, rules and controls, each rule a set of checks,
and an organisation's configuration of it.

A `Check` is the unit every backend runs: the rows of one dataset for which a resolved
condition holds, with the values its message shows. A rule written with a condition is
one check; a contract rule (`kind: contract`) is one check per declaration it covers,
generated from the data contract (`contract_rules.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import ir
from .diagnostics import Location
from .zones import DEFAULT_ZONE, moment_of

if TYPE_CHECKING:  # named in annotations only: the command line reads SEVERITIES without loading pyarrow
    from ..datasets import Contract
    from .config_sources import Sources

AUDIT_DATE = "audit_date"
AUDIT_TIME = "audit_time"  # the audit moment, a timestamp: `--as-of` with a time of day, else the start of its day
TIME_ZONE = "time zone"  # the zone the renderers count real hours in; no `$name` can reach it (it has a space)
RUN_VALUES = (AUDIT_DATE, AUDIT_TIME, TIME_ZONE)  # bound by the run, not by the rule: no parameter of the report
# A rule's severity, least severe first: `--fail-on high` fails a run on a finding of high or above.
# The JSON Schemas of rule files and reports list the same (a test compares them).
SEVERITIES = ("low", "medium", "high", "critical")
HIDDEN = "‹personal›"  # what a message or `explain` shows instead of the value of a personal column
Bindings = dict[str, object]  # parameter name → the value a run uses; the RUN_VALUES included


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Regulation:
    """One regulation of a pack that checks several side by side (pack.yaml's `regulations`).

    `name` is how a citation prints it before a number ("Jeugdwet 7.3.8"). The rules of the pack's
    first regulation keep ids that start with their clause, as in a pack of one regulation; those of any
    other start with its code (`prefix`, "jw-"), so that ids stay unique when two regulations share a
    number and a regulation added to a pack renames none of the rules it had.
    """

    code: str
    name: str
    title: Text
    text: str = ""
    prefix: str = ""

    def cite(self, number: str) -> str:
        return f"{self.name} {number}"


def regulation_field(code: str) -> dict[str, str]:
    """`{"regulation": code}` of a rule, control or article of a pack that declares its regulations, as the JSON
    report and `reglement rules` give it; nothing in a pack of one regulation given as text, whose output stays as
    it was."""
    return {"regulation": code} if code else {}


@dataclass(frozen=True)
class Clause:
    number: str
    text: str
    informational: bool = False
    made_concrete_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    number: str
    title: Text
    clauses: tuple[Clause, ...]
    file: str
    regulation: str = ""  # the code of its regulation; "" in a pack of one regulation given as text


@dataclass(frozen=True)
class Param:
    """A rule parameter: its default and the range an organisation may set it to."""

    name: str
    default: object
    minimum: int | None = None
    maximum: int | None = None
    # the columns of a closed vocabulary it is compared with ("requests.type"), each with its values: a value of
    # the parameter must be one of them (E407), as a text written in a condition must
    vocabularies: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Explanation:
    """A reason the data may give for a row of a rule's population (an access by a user who handles the
    client's request, say): a row for which an explanation holds is no finding. An auditor reads in the
    pack which reasons the office accepts; the report counts the rows each one explains."""

    id: str
    title: Text
    condition: ir.Expr


@dataclass(frozen=True)
class Check:
    """Rows of `dataset` for which `condition` holds, keyed by `keys` plus the constant `fixed` parts.

    `outputs` are the values a message shows, computed per row; `fixed` holds values that
    are the same for every row of the check (the column a contract check is about).
    `scope` admits the rows the check judges, its population (None: every row); `condition`
    is the whole test of a finding, the scope and the rule's explanations (none holds) in it,
    so that an engine needs nothing else to find the rows; `scope` and `explanations` are
    kept apart for the report's counts (`population`, the rows each explanation holds for).
    """

    dataset: str
    keys: tuple[str, ...]
    condition: ir.Expr
    outputs: dict[str, ir.Expr] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the condition as written or generated
    about: str | None = None  # the dataset its findings name, when it is not `dataset` itself
    scope: ir.Expr | None = None
    explanations: tuple[Explanation, ...] = ()
    written: ir.Expr | None = None  # the rule's own `condition`, when it has explanations and one

    def explained_by(self, explanation: Explanation) -> Check:
        """The rows of the population for which `explanation` holds, as a check of their own: what
        `reglement test` (an example's `explained:`) and `explain --key` ask of an engine."""
        held = ir.conjoin([c for c in (self.scope, explanation.condition) if c is not None])
        return replace(self, condition=held, text=f"{self.text}\nholds: {explanation.id}", explanations=())

    @property
    def subject(self) -> str:
        """The dataset a finding of this check names."""
        return self.about or self.dataset

    @property
    def key_names(self) -> tuple[str, ...]:
        """The columns of a finding's key: the row's key, then the fixed parts that are keys."""
        return (*self.keys, *(k for k in self.fixed if k in KEY_PARTS))

    @cached_property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset the check reads: its own, then those of its sub-queries."""
        found = [self.dataset]
        for expr in (self.condition, *self.outputs.values()):
            found += [n.dataset for n in ir.walk(expr) if isinstance(n, ir.Source)]
        return tuple(dict.fromkeys(found))


KEY_PARTS = ("column",)  # fixed parts of a contract check that belong to a finding's key


@dataclass(frozen=True)
class Rule:
    id: str
    article: str
    title: Text
    severity: str
    kind: str  # condition, contract
    checks: tuple[Check, ...]
    params: tuple[Param, ...]
    message: Text
    source: Location
    condition_text: str = ""
    let_texts: dict[str, str] = field(default_factory=dict)
    contract_check: str | None = None  # for kind contract: vocabulary, reference, date-order, unlisted-column
    examples: tuple[dict, ...] = field(default=(), compare=False)
    # per example and dataset, each row's values: the line of the rule file each is written on
    example_lines: tuple[dict[str, tuple[dict[str, int], ...]], ...] = field(default=(), compare=False)
    regulation: str = ""  # the code of its regulation, as its article's

    @cached_property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset the rule reads, own datasets first."""
        return tuple(dict.fromkeys(d for check in self.checks for d in check.datasets))

    @property
    def dataset(self) -> str | None:
        """The one dataset whose rows a condition rule judges; None for a contract rule."""
        return self.checks[0].dataset if self.kind == "condition" else None

    @property
    def defaults(self) -> dict[str, object]:
        return {p.name: p.default for p in self.params}

    def bind(self, overrides: dict[str, object], as_of: dt.date, zone: str = DEFAULT_ZONE) -> Bindings:
        """The parameter values a run uses: defaults, overridden, plus the audit date and moment (`as_of` a
        datetime: that moment; a date: the start of its day) and the zone."""
        values = {**self.defaults, **{k: v for k, v in overrides.items() if k in self.defaults}}
        moment = moment_of(as_of)
        return {**values, AUDIT_DATE: moment.date(), AUDIT_TIME: moment, TIME_ZONE: zone}


@dataclass(frozen=True)
class Control:
    id: str
    article: str
    title: Text
    evidence: Text
    source: Location
    regulation: str = ""


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    title: Text
    path: Path
    contract: Contract
    articles: tuple[Article, ...]
    rules: tuple[Rule, ...]
    controls: tuple[Control, ...]
    regulations: tuple[Regulation, ...] = ()  # empty: one regulation, given as text (`regulation:`)
    time_zone: str = DEFAULT_ZONE  # pack.yaml's `time_zone:`; a configuration's wins (`Config.zone`)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def regulation(self, code: str) -> Regulation | None:
        return next((r for r in self.regulations if r.code == code), None)

    def ref(self, regulation: str, number: str) -> str:
        """An article or clause as ids and `--select` name it: `7.3.8` of the pack's first regulation,
        `jw-7.3.8` of another (its code in front, as its rules' ids start)."""
        found = self.regulation(regulation)
        return f"{found.prefix if found else ''}{number}"

    def citation(self, regulation: str, number: str) -> str | None:
        """`Jeugdwet 7.3.8`: an article or clause as its regulation is cited; None for a pack of one regulation given
        as text, whose articles a reader cites in the words of the report's language (`Artikel 5`)."""
        found = self.regulation(regulation)
        return found.cite(number) if found else None

    @cached_property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset some rule reads, in the order the rules need them."""
        return tuple(dict.fromkeys(d for rule in self.rules for d in rule.datasets))


# -- an organisation's configuration of the pack (read and checked by config.py) -----------------
@dataclass(frozen=True)
class Attestation:
    control: str
    by: str
    date: dt.date
    evidence: str
    valid_until: dt.date


# A verdict on a finding, as a privacy officer gives it after looking into it. `justified` and
# `false_positive` let a finding stand without failing the run; `violation` confirms it.
JUSTIFIED, VIOLATION, FALSE_POSITIVE = "justified", "violation", "false_positive"
VERDICTS = (JUSTIFIED, VIOLATION, FALSE_POSITIVE)
CLEARED = (JUSTIFIED, FALSE_POSITIVE)  # verdicts under which a finding no longer counts for --fail-on


class Verdict:
    """What waivers and reviews are: a verdict on the findings of one rule that a key filter selects.

    A waiver is an approved `justified` for many keys (or the whole rule) until a date; a review is
    one verdict for one finding (one key), by whom and when, without end.
    """

    rule: str
    keys: tuple[dict[str, str], ...]  # empty: the whole rule
    verdict: str

    def covers(self, dataset: str, key: dict[str, str]) -> bool:
        """A key filter names key columns, and for a rule over several datasets may name the `dataset`."""
        found = {"dataset": dataset, **key}
        return not self.keys or any(all(found.get(k) == v for k, v in want.items()) for want in self.keys)


@dataclass(frozen=True)
class Waiver(Verdict):
    rule: str
    keys: tuple[dict[str, str], ...]  # empty: the whole rule
    justification: str
    approved_by: str
    expires: dt.date
    verdict = JUSTIFIED


@dataclass(frozen=True)
class Review(Verdict):
    """One verdict for one finding: the rule, the finding's key (its key columns, and `dataset` where the
    rule reads several), who reviewed it, on which day, and why; `where` is its line in the review file."""

    rule: str
    key: dict[str, str]
    verdict: str
    by: str
    on: dt.date
    note: str = ""
    where: Location | None = field(default=None, compare=False)
    source_line: str | None = field(default=None, compare=False, repr=False)

    @property
    def keys(self) -> tuple[dict[str, str], ...]:
        return (self.key,)

    def as_dict(self) -> dict:
        """The review as a finding of the report carries it."""
        return {"verdict": self.verdict, "by": self.by, "on": self.on.isoformat(), "note": self.note}


@dataclass(frozen=True)
class Config:
    params: dict[str, object] = field(default_factory=dict)
    rule_params: dict[str, dict[str, object]] = field(default_factory=dict)
    attestations: tuple[Attestation, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    reviews: tuple[Review, ...] = ()  # the configuration's `reviews:`; `--reviews FILE` adds to them
    sources: Sources | None = None  # datasets that live in a database
    time_zone: str | None = None  # the configuration's `time_zone:`, over the pack's

    def zone(self, pack: Pack) -> str:
        """The zone the audit reads timestamps in: the configuration's, else the pack's."""
        return self.time_zone or pack.time_zone

    def overrides(self, rule_id: str) -> dict[str, object]:
        return {**self.params, **self.rule_params.get(rule_id, {})}
