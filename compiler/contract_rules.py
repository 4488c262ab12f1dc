"""Contract rules: checks generated from what the data contract declares, not written per column.

A rule of `kind: contract` names one kind of declaration (`check:`); this stage writes
one condition per declaration of the pack's contract, in the condition language, and
compiles it like any other. Another office's contract gets the same checks for free,
and a new declaration needs no new rule (as dbt generates its `accepted_values` and
`relationships` tests from `schema.yml`).

    vocabulary       a value of a closed-vocabulary column is not one of its values
                     (for a list: some element is not); an empty value counts in a
                     required column only
    reference        a non-null reference names no row of the dataset it refers to
    date-order       both dates of a declared pair are there and the later is before the earlier
    unlisted-column  an export file has a column its dataset does not list
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..datasets import EXPORT_COLUMNS, Column, Contract, Dataset
from . import ir
from .build import CONTRACT, Build, Draft, drafts
from .diagnostics import Diagnostic, SourceText
from .model import HIDDEN, Check, Pack, Rule
from .resolve import Resolver


def quote(text: str) -> str:
    """A text as a literal of the condition language."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _listed(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(map(quote, values)) + "]"


def vocabulary(dataset: Dataset) -> Iterator[tuple[Column, str]]:
    for column in dataset.columns:
        if column.vocabulary is None:
            continue
        c, values = column.name, _listed(column.vocabulary)
        if column.type == "list<string>":
            # required: a list with no items is empty, and so a finding too (`is empty` holds for it)
            yield column, (f"{c} is empty or {c} not in {values}" if not column.nullable
                           else f"{c} is not null and {c} not in {values}")
        elif column.nullable:  # the cheap test first: few values are outside the list
            yield column, f"{c} not in {values} and not ({c} is empty)"
        else:  # a blank value is outside the list too (no value of a vocabulary is blank)
            yield column, f"{c} is null or {c} not in {values}"


def reference(dataset: Dataset) -> Iterator[tuple[Column, str]]:
    for column in dataset.columns:
        if column.references:
            target, name = column.references
            yield column, (f"{column.name} is not null\n"
                           f"and (no {target} as referenced where referenced.{name} = {dataset.name}.{column.name})")


def date_order(dataset: Dataset) -> Iterator[tuple[Column, str]]:
    for column in dataset.columns:
        if column.not_before:
            e, c = column.not_before, column.name
            yield column, f"{e} is not null and {c} is not null and {c} < {e}"


GENERATORS = {"vocabulary": vocabulary, "reference": reference, "date-order": date_order}
DECLARATIONS = {"vocabulary": "vocabulary", "reference": "reference", "date-order": "date order"}  # as a reader says


def unjudged(contract: Contract, rules: Iterable[Rule]) -> dict[str, list[str]]:
    """The declarations of the contract, by check, that no contract rule among `rules` judges: on the datasets
    their other rules read, where a code outside its list or a reference to no row makes a verdict silently wrong.
    A declaration of a dataset no rule reads changes no verdict, and is left out."""
    rules = tuple(rules)
    checked = {r.contract_check for r in rules if r.kind == CONTRACT}
    read = {d for r in rules if r.kind != CONTRACT for d in r.datasets}
    found = {check: [f"{name}.{column.name}" for name in sorted(read & set(contract))
                     for column, _ in generate(contract[name])]
             for check, generate in GENERATORS.items() if check not in checked}
    return {check: columns for check, columns in found.items() if columns}


def _described(declarations: dict[str, list[str]]) -> str:
    """`vocabulary (requests.type); date order (requests.decided_at)`."""
    return "; ".join(f"{DECLARATIONS[check]} ({', '.join(columns)})" for check, columns in declarations.items())


def unjudged_warning(pack: Pack) -> str | None:
    """What the compiler warns of when the pack judges not every declaration of its contract that matters to it.

    A warning, not an error: a pack on a contract that others share (`avg` on the Westendorp contract), or one
    being written, still compiles, tests and runs, and says what its report cannot show.
    """
    left = unjudged(pack.contract, pack.rules)
    if not left:
        return None
    return (f"warning: no rule of pack {pack.name} judges these declarations of its contract: {_described(left)}; a "
            f"row that breaks one passes every rule unseen: add a rule of kind: contract with check: "
            f"{', '.join(left)} (rules/README.md, Rules generated from the contract)")


def left_out(pack: Pack, chosen: Iterable[Rule]) -> str | None:
    """What a selection of the pack's rules (`--select`, `--skip`) leaves unjudged that the whole pack judges:
    the contract rules it leaves out and the declarations they would have judged; None when it leaves nothing."""
    whole = unjudged(pack.contract, pack.rules)
    newly = {check: [c for c in columns if c not in whole.get(check, ())]
             for check, columns in unjudged(pack.contract, chosen).items()}
    newly = {check: columns for check, columns in newly.items() if columns}
    if not newly:
        return None
    rules = [r.id for r in pack.rules if r.kind == CONTRACT and r.contract_check in newly]
    return f"the selection leaves out {', '.join(rules)}: unjudged in this run are the {_described(newly)}"


def expand(build: Build) -> None:
    contract = build.contract
    extended = Contract({**contract.datasets, EXPORT_COLUMNS.name: EXPORT_COLUMNS}, contract.folder)
    for draft in drafts(build, CONTRACT):
        kind = draft.raw["check"]
        checks = list(_unlisted(contract, extended, build, draft) if kind == "unlisted-column"
                      else _per_column(contract, extended, build, draft, GENERATORS[kind]))
        if not draft.failed:
            draft.checks = tuple(c for c in checks if c is not None)


def _per_column(contract: Contract, extended: Contract, build: Build, draft: Draft, generate) -> Iterator[Check | None]:
    for dataset in contract.values():
        for column, text in generate(dataset):
            condition = _compile(extended, dataset.name, text, build, draft)
            if condition is None:
                yield None
                continue
            outputs = {} if len(dataset.keys) > 1 else {  # a composite key's `{key}` is written by the report
                "key": ir.Column(condition.span, dataset.keys[0], binding="t0", dataset=dataset.name, type="string")}
            fixed = {"dataset": dataset.name, "column": column.name}
            if column.references:
                fixed["target"] = ".".join(column.references)
            if column.not_before:
                fixed["earlier"] = column.not_before
            if column.personal:
                fixed["value"] = HIDDEN
            else:
                outputs["value"] = ir.Column(condition.span, column.name, binding="t0", dataset=dataset.name,
                                             type=column.type)
            yield Check(dataset.name, dataset.keys, condition, outputs, fixed, text)


def _unlisted(contract: Contract, extended: Contract, build: Build, draft: Draft) -> Iterator[Check | None]:
    """One check a dataset, over the export's columns: those of its file (the check's scope, its population)
    that the dataset does not list."""
    for dataset in contract.values():
        scope, unlisted = f"dataset = {quote(dataset.name)}", f"column not in {_listed(dataset.column_names)}"
        judged, condition = (_compile(extended, EXPORT_COLUMNS.name, text, build, draft) for text in (scope, unlisted))
        if judged is None or condition is None:
            yield None
            continue
        yield Check(EXPORT_COLUMNS.name, ("column",), ir.conjoin([judged, condition]), {}, {"dataset": dataset.name},
                    f"{scope} and {unlisted}", dataset.name, scope=judged)


def _compile(contract: Contract, dataset: str, text: str, build: Build, draft: Draft) -> ir.Expr | None:
    """A generated condition through the same parser and resolver as a written one."""
    location = draft.doc.location((*draft.path, "check"))
    source = SourceText(location.file, text, location.line, location.column)
    from .parse import parse_condition  # Lark, imported only when a pack is compiled (pack_cache.py)

    parsed = parse_condition(source)
    resolver = Resolver(contract, dataset, {}, {}, source)
    resolved = resolver.condition(parsed) if not isinstance(parsed, Diagnostic) else None
    if resolved is None:  # a contract whose names the language cannot spell
        problems = resolver.diagnostics or [parsed]
        draft.fail(build, "E130", f"cannot generate a {draft.raw['check']} check from the contract: "
                                  f"{problems[0].message}", ("check",), f"the generated condition: {text}")
    return resolved
