"""Rule-embedded examples, in the spirit of `opa test`.

A rule may carry small tables of rows and the keys that must be flagged among them:

    examples:
      - note: answered exactly one month after receipt is in time
        data:
          requests:
            - {request_id: R1, type: access, received_at: 2026-01-31, decided_at: 2026-02-28}
        flagged: []

Every example runs through the one audit driver on every engine asked for, its rows
taken in by the same intake as an export (columns it leaves out are null); it passes
when the engine flags exactly the keys listed. Examples are evaluated as of `as_of`,
by default EXAMPLE_AS_OF.

An example of a rule with explanations may also say why rows are not flagged:
`explained: {E2: [caseload], E3: [manager, request]}` lists, for each row it names,
exactly the explanations that hold for it (in any order); rows it does not name are free.
Each explanation is asked of the engine as a check of its own (`Check.explained_by`),
through the same driver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..compiler.config import Config
from ..compiler.model import Pack, Rule
from ..compiler.zones import audit_moment
from .audit import Settings, run_audit
from .intake import DataContractError, rows_sources

EXAMPLE_AS_OF = dt.date(2026, 11, 28)


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    note: str
    engine: str
    expected: tuple[str, ...]
    got: tuple[str, ...]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.expected == self.got


def key_text(key: dict[str, str] | str, dataset: str | None = None) -> str:
    """A key as the example author writes it: the value alone, or `col=value` pairs (with the dataset, if named)."""
    if isinstance(key, str):
        return key
    key = dict(key)
    named = key.pop("dataset", None) or None
    text = key[next(iter(key))] if len(key) == 1 else ",".join(f"{k}={v}" for k, v in sorted(key.items()))
    return f"{named or dataset}:{text}" if named or dataset else text


def run_example(pack: Pack, rule: Rule, index: int, engines: Iterable[str]) -> list[ExampleResult]:
    example = rule.examples[index]
    as_of = audit_moment(str(example["as_of"]), pack.time_zone) if "as_of" in example else EXAMPLE_AS_OF
    config = Config(rule_params={rule.id: dict(example.get("params", {}))})
    named = any(isinstance(k, dict) and "dataset" in k for k in example["flagged"])
    expected = tuple(sorted(key_text(k) for k in example["flagged"]))
    context = f"in example {index + 1} of {rule.id}"
    lines = rule.example_lines[index] if index < len(rule.example_lines) else {}
    explained = {str(k): sorted(v) for k, v in example.get("explained", {}).items()}
    expected += tuple(f"{k} explained by {i}" for k, ids in sorted(explained.items()) for i in ids)
    results = []
    for engine in engines:
        try:
            data = rows_sources(example["data"], pack.contract, rule.source.file, context, lines)
            audit = run_audit(pack, config, data, as_of, Settings(engine), rules=(rule,))
            reasons = _explained(pack, config, rule, example, as_of, engine, context, lines) if explained else {}
        except DataContractError as err:
            detail = "; ".join(str(e) for e in err.errors)
            return [ExampleResult(rule.id, example["note"], "-", expected, (), f"bad example data: {detail}")]
        except UnknownExplanation as err:
            return [ExampleResult(rule.id, example["note"], "-", expected, (), str(err))]
        outcome = audit.results[0]
        got = tuple(sorted(key_text(_key(part.check, row), part.check.subject if named else None)
                           for part in outcome.parts for row in part.table.select(list(part.check.keys)).to_pylist()))
        got += tuple(f"{k} explained by {i}" for k in sorted(explained) for i in sorted(reasons.get(k, ())))
        results.append(ExampleResult(rule.id, example["note"], engine, expected, got, outcome.error))
    return results


class UnknownExplanation(ValueError):
    """An example's `explained:` names an explanation the rule does not have."""


def _explained(pack: Pack, config: Config, rule: Rule, example: dict, as_of: dt.date, engine: str, context: str,
               lines) -> dict[str, list[str]]:
    """Each row's key → the explanations that hold for it, each asked of the engine as a check of its own."""
    check = rule.checks[0]
    ids = {e.id for e in check.explanations}
    for named in {i for v in example["explained"].values() for i in v} - ids:
        raise UnknownExplanation(f"{context}: 'explained' names '{named}', which is not an explanation of the rule "
                                 f"(it has {', '.join(e.id for e in check.explanations) or 'none'})")
    probe = replace(rule, checks=tuple(check.explained_by(e) for e in check.explanations))
    data = rows_sources(example["data"], pack.contract, rule.source.file, context, lines)
    outcome = run_audit(pack, config, data, as_of, Settings(engine), rules=(probe,)).results[0]
    if outcome.error:
        raise UnknownExplanation(f"{context}: the explanations could not be judged: {outcome.error}")
    held: dict[str, list[str]] = {}
    for part, explanation in zip(outcome.parts, check.explanations):
        for row in part.table.select(list(part.check.keys)).to_pylist():
            held.setdefault(key_text(_key(part.check, row)), []).append(explanation.id)
    return held


def _key(check, row: dict) -> dict[str, str]:
    return {**row, **{k: v for k, v in check.fixed.items() if k in check.key_names}}


def run_examples(pack: Pack, engines: Iterable[str] = ("duckdb",)) -> list[ExampleResult]:
    engines = tuple(engines)
    return [r for rule in pack.rules for i in range(len(rule.examples)) for r in run_example(pack, rule, i, engines)]


def rules_without_examples(pack: Pack) -> list[str]:
    """Rules not proved on both sides: no example flags a row, or none leaves a row unflagged."""
    def flags(e: dict) -> bool:
        return bool(e["flagged"])

    def spares(e: dict, rule: Rule) -> bool:
        rows = sum(len(r) for r in e["data"].values()) if rule.dataset is None else len(e["data"].get(rule.dataset, []))
        return not e["flagged"] or len(e["flagged"]) < rows

    return [r.id for r in pack.rules
            if not (any(flags(e) for e in r.examples) and any(spares(e, r) for e in r.examples))]
