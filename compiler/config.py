"""An organisation's configuration: parameter values, attestations, waivers, reviews (`reviews.py`).

The compiler's last stage: validated against `config.schema.json` and then against the
compiled pack, so that a typo in a parameter name, a value of the wrong type or out of
its range stops the run instead of silently leaving a default in force. What it yields,
a `Config`, is in `model.py` with the pack it configures.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.resources import files
from pathlib import Path

from .build import Build
from .config_sources import check_sources, read_sources
from .diagnostics import Diagnostic, did_you_mean
from .model import Attestation, Config, Pack, Param, Waiver
from .resolve import value_type
from .reviews import from_yaml
from .rules import describe_range, in_range, unknown_codes
from .yaml_source import YamlDocument, YamlError, load_yaml, schema_diagnostics
from .zones import zone_problem


def check(build: Build) -> None:
    """The compiler stage: read and check the configuration; no file means the pack's defaults."""
    build.config, problems = read_config(build.config_path, build.pack)
    build.diagnostics += problems


def read_config(path: Path | None, pack: Pack) -> tuple[Config | None, list[Diagnostic]]:
    if path is None:
        return Config(), []
    try:
        doc = load_yaml(Path(path))
    except YamlError as err:
        return None, [err.diagnostic]
    except OSError as err:
        return None, [Diagnostic("E110", f"{path}: cannot read the configuration ({err.strerror})")]
    schema = json.loads(files(__package__).joinpath("config.schema.json").read_text("utf-8"))
    problems = schema_diagnostics(doc, schema) if doc.data is not None else []
    if problems:
        return None, problems
    data = doc.data or {}
    problems = _check_against_pack(doc, data, pack)
    reviews, review_problems = from_yaml(doc, pack)
    problems += review_problems
    if problems:
        return None, problems
    return Config(
        params=dict(data.get("params", {})),
        rule_params={rid: dict(r.get("params", {})) for rid, r in data.get("rules", {}).items()},
        attestations=tuple(Attestation(a["control"], a["by"], dt.date.fromisoformat(a["date"]), a["evidence"],
                                       dt.date.fromisoformat(a["valid_until"])) for a in data.get("attestations", [])),
        waivers=tuple(Waiver(w["rule"], tuple(w.get("keys", ())), w["justification"], w["approved_by"],
                             dt.date.fromisoformat(w["expires"])) for w in data.get("waivers", [])),
        reviews=reviews,
        sources=read_sources(data.get("sources")),
        time_zone=data.get("time_zone"),
    ), []


def _check_against_pack(doc: YamlDocument, data: dict, pack: Pack) -> list[Diagnostic]:
    """Every name in the configuration must exist in the pack, every value fit its default."""
    declared: dict[str, list[Param]] = {}  # a name set for every rule: each rule's declaration of it
    for rule in pack.rules:
        for param in rule.params:
            declared.setdefault(param.name, []).append(param)
    rule_ids = [r.id for r in pack.rules]
    control_ids = [c.id for c in pack.controls]
    out: list[Diagnostic] = []
    problem = zone_problem(data["time_zone"]) if "time_zone" in data else None
    if problem:
        out.append(doc.diagnostic("E133", problem[0], ("time_zone",), problem[1]))

    def check_params(params: dict, known: dict[str, list[Param]], path: tuple) -> None:
        for name, value in params.items():
            if name not in known:
                out.append(doc.diagnostic("E111", f"unknown parameter '{name}'", (*path, name),
                                          did_you_mean(name, sorted(known)) or f"known: {', '.join(sorted(known))}"))
                continue
            param = known[name][-1]
            if value_type(value) != value_type(param.default):
                out.append(doc.diagnostic("E112", f"'{name}' must be a {value_type(param.default)}, "
                                                  f"like its default {param.default!r}, not {value!r}", (*path, name)))
            elif isinstance(param.default, int) and not isinstance(value, int):
                out.append(doc.diagnostic("E112", f"'{name}' must be a whole number, not {value!r}", (*path, name)))
            elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
                out.append(doc.diagnostic("E112", f"'{name}' must be a list of texts", (*path, name)))
            elif narrowest := [p for p in known[name] if not in_range(p, value)]:  # every rule's range holds it
                out.append(doc.diagnostic("E117", f"'{name}' must be in the range {describe_range(narrowest[0])}, "
                                                  f"not {value!r}", (*path, name)))
            else:  # a code no row can hold would make a rule silently pass, as a misspelt literal would
                unknown = {(where, message): hint
                           for p in known[name] for where, message, hint in unknown_codes(p, value)}
                out.extend(doc.diagnostic("E407", message, (*path, name, *where), hint)
                           for (where, message), hint in unknown.items())

    check_params(data.get("params", {}), declared, ("params",))
    for rule_id, entry in data.get("rules", {}).items():
        rule = pack.rule(rule_id)
        if rule is None:
            out.append(doc.diagnostic("E113", f"unknown rule '{rule_id}'", ("rules", rule_id),
                                      did_you_mean(rule_id, rule_ids)))
        else:
            check_params(entry.get("params", {}), {p.name: [p] for p in rule.params}, ("rules", rule_id, "params"))
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
        names = sorted({k for check in rule.checks for k in check.key_names})
        for j, key in enumerate(waiver.get("keys", [])):  # a misspelt key column would waive nothing, silently
            for column in sorted(set(key) - set(names) - {"dataset"}):
                out.append(doc.diagnostic("E116", f"'{column}' is not the key of {rule.id}'s findings "
                                                  f"({', '.join(names)})", ("waivers", i, "keys", j),
                                          did_you_mean(column, names)))
    out += check_sources(doc, data.get("sources"), pack.contract)
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
