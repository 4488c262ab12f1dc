"""An organisation's configuration: parameter values, attestations, waivers.

Validated against `config.schema.json` and then against the pack, so that a typo in a
parameter name or a value of the wrong type stops the run instead of silently
leaving a default in force.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from ..compiler.diagnostics import CompileError, Diagnostic, did_you_mean
from ..compiler.pack import Pack
from ..compiler.resolve import value_type
from ..compiler.yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics


@dataclass(frozen=True)
class Attestation:
    control: str
    by: str
    date: dt.date
    evidence: str
    valid_until: dt.date


@dataclass(frozen=True)
class Waiver:
    rule: str
    keys: tuple[dict[str, str], ...]  # empty: the whole rule
    justification: str
    approved_by: str
    expires: dt.date

    def covers(self, key: dict[str, str]) -> bool:
        return not self.keys or any(all(key.get(k) == v for k, v in want.items()) for want in self.keys)


@dataclass(frozen=True)
class Config:
    params: dict[str, object] = field(default_factory=dict)
    rule_params: dict[str, dict[str, object]] = field(default_factory=dict)
    attestations: tuple[Attestation, ...] = ()
    waivers: tuple[Waiver, ...] = ()

    def overrides(self, rule_id: str) -> dict[str, object]:
        return {**self.params, **self.rule_params.get(rule_id, {})}


def load_config(path: Path | None, pack: Pack) -> Config:
    """Read and check a configuration file; no file means the pack's defaults."""
    if path is None:
        return Config()
    try:
        doc = load_yaml(Path(path))
    except YamlError as err:
        raise CompileError([err.diagnostic]) from None
    except OSError as err:
        raise CompileError([Diagnostic("E110", f"{path}: cannot read the configuration ({err.strerror})")]) from None
    schema = json.loads(files(__package__).joinpath("config.schema.json").read_text("utf-8"))
    problems = schema_diagnostics(doc, schema) if doc.data is not None else []
    if problems:
        raise CompileError(problems)
    data = doc.data or {}
    problems = _check_against_pack(doc, data, pack)
    if problems:
        raise CompileError(problems)
    return Config(
        params=dict(data.get("params", {})),
        rule_params={rid: dict(r.get("params", {})) for rid, r in data.get("rules", {}).items()},
        attestations=tuple(Attestation(a["control"], a["by"], dt.date.fromisoformat(a["date"]), a["evidence"],
                                       dt.date.fromisoformat(a["valid_until"])) for a in data.get("attestations", [])),
        waivers=tuple(Waiver(w["rule"], tuple(w.get("keys", ())), w["justification"], w["approved_by"],
                             dt.date.fromisoformat(w["expires"])) for w in data.get("waivers", [])),
    )


def _check_against_pack(doc: YamlDocument, data: dict, pack: Pack) -> list[Diagnostic]:
    """Every name in the configuration must exist in the pack, every value fit its default."""
    declared: dict[str, object] = {}
    for rule in pack.rules:
        declared.update(rule.params)
    rule_ids = [r.id for r in pack.rules]
    control_ids = [c.id for c in pack.controls]
    out: list[Diagnostic] = []

    def check_params(params: dict, known: dict[str, object], path: tuple) -> None:
        for name, value in params.items():
            if name not in known:
                out.append(doc.diagnostic("E111", f"unknown parameter '{name}'", (*path, name),
                                          did_you_mean(name, sorted(known)) or f"known: {', '.join(sorted(known))}"))
            elif value_type(value) != value_type(known[name]):
                out.append(doc.diagnostic("E112", f"'{name}' must be a {value_type(known[name])}, "
                                                  f"like its default {known[name]!r}, not {value!r}", (*path, name)))
            elif isinstance(known[name], int) and not isinstance(value, int):
                out.append(doc.diagnostic("E112", f"'{name}' must be a whole number, not {value!r}", (*path, name)))

    check_params(data.get("params", {}), declared, ("params",))
    for rule_id, entry in data.get("rules", {}).items():
        rule = pack.rule(rule_id)
        if rule is None:
            out.append(doc.diagnostic("E113", f"unknown rule '{rule_id}'", ("rules", rule_id),
                                      did_you_mean(rule_id, rule_ids)))
        else:
            check_params(entry.get("params", {}), rule.params, ("rules", rule_id, "params"))
    for i, att in enumerate(data.get("attestations", [])):
        if att["control"] not in control_ids:
            out.append(doc.diagnostic("E114", f"unknown manual control '{att['control']}'",
                                      ("attestations", i, "control"), did_you_mean(att["control"], control_ids)))
    for i, waiver in enumerate(data.get("waivers", [])):
        rule = pack.rule(waiver["rule"])
        if rule is None:
            out.append(doc.diagnostic("E113", f"unknown rule '{waiver['rule']}'", ("waivers", i, "rule"),
                                      did_you_mean(waiver["rule"], rule_ids)))
            continue
        for j, key in enumerate(waiver.get("keys", [])):  # a misspelt key column would waive nothing, silently
            for column in set(key) - set(rule.keys):
                out.append(doc.diagnostic("E116", f"'{column}' is not the key of {rule.id}'s findings "
                                                  f"({', '.join(rule.keys)})", ("waivers", i, "keys", j),
                                          did_you_mean(column, rule.keys)))
    for path, text in _dates(data):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            out.append(doc.diagnostic("E115", f"'{text}' is not a date (YYYY-MM-DD)", path))
    return out


def _dates(data: dict):
    for section, names in (("attestations", ("date", "valid_until")), ("waivers", ("expires",))):
        for i, entry in enumerate(data.get(section, [])):
            for name in names:
                yield (section, i, name), entry[name]
