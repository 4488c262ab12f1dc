"""Python API: audit data in memory — pandas or polars DataFrames, pyarrow Tables — or an export folder.

    result = check({"clients": clients_df, ...}, as_of="2026-11-28")
    result.findings          # one DataFrame: rule, article, severity, dataset, key columns, message
    result.report            # the same dict `reglement check --format json` prints

Frames pass the same intake as export files: the same validation, the same error codes
and wording (DataContractError), the same default pack and engine as the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .checker.arrow_values import repeated
from .checker.audit import Audit, Settings, run_audit
from .checker.findings import Findings
from .checker.intake import folder_sources, frame_sources
from .checker.report import build_report
from .compiler.config import Config
from .compiler.diagnostics import did_you_mean
from .compiler.model import Pack
from .compiler.stages import compile_pack
from .compiler.zones import audit_moment, wall_clock
from .rules import default_pack

__all__ = ["CheckResult", "UnknownRule", "check"]


class UnknownRule(LookupError):
    """No rule of the pack has the id; the message carries a did-you-mean."""


@dataclass(frozen=True)
class CheckResult:
    report: dict
    audit: Audit

    @property
    def findings(self) -> pd.DataFrame:
        """Every finding of every rule, one row each: rule, article, severity, dataset, the key columns, message,
        waived; made from each rule's findings table in bulk, not a dict per finding."""
        parts = [_frame(rule) for rule in self.report["rules"] if rule["kind"] == "automated" and len(rule["findings"])]
        if not parts:
            return pd.DataFrame(columns=["rule", "article", "severity", "dataset", "message", "waived"])
        table = pa.concat_tables(parts, promote_options="default")
        last = ["message", "waived"]
        return table.select([c for c in table.column_names if c not in last] + last).to_pandas()

    def rule(self, rule_id: str) -> pd.DataFrame:
        """The findings of one rule, with only the key columns it has."""
        known = [r["id"] for r in self.report["rules"] if r["kind"] == "automated"]
        if rule_id not in known:
            hint = did_you_mean(rule_id, known)
            raise UnknownRule(f"unknown rule '{rule_id}'" + (f" ({hint})" if hint else ""))
        found = self.findings[self.findings["rule"] == rule_id]
        return found.dropna(axis=1, how="all").reset_index(drop=True)


def _frame(rule: dict) -> pa.Table:
    """One rule's findings as a table: the rule's columns repeated, then the keys, message and waived."""
    found = Findings.of(rule["findings"])
    rows = len(found)
    columns = {name: repeated(str(rule[name]), rows) for name in ("id", "article", "severity")}
    columns = {"rule": columns.pop("id"), **columns, "dataset": found.table.column("dataset")}
    keys = found.keys()
    columns |= {name: keys.column(name) for name in keys.column_names if name not in columns}
    columns |= {"message": found.table.column("message"), "waived": pc.is_valid(found.table.column("waiver"))}
    return pa.table(columns)


def check(data: Mapping[str, object] | str | Path, as_of: dt.date | dt.datetime | str,
          pack: Pack | str | Path | None = None,
          config: str | Path | None = None, engine: str = "duckdb", lang: str = "nl",
          memory_limit: str | None = None) -> CheckResult:
    """Run every rule of the pack (default: the Westendorp pack) over frames by dataset, or an export folder.

    `as_of` is what `--as-of` takes: a date (the start of that day), or a moment, as text (`2026-11-30T10:00`,
    with or without an offset) or a `datetime` (an aware one converted to the audit's zone)."""
    if isinstance(pack, Pack):
        compiled, configured = pack, Config()
        if config is not None:
            from .compiler.config import read_config
            from .compiler.diagnostics import CompileError

            configured, problems = read_config(Path(config), pack)
            if problems:
                raise CompileError(problems)
    else:
        compiled, configured = compile_pack(Path(pack) if pack else default_pack(), config)
    zone = configured.zone(compiled)
    as_of = (audit_moment(as_of, zone) if isinstance(as_of, str)
             else wall_clock(as_of, zone) if isinstance(as_of, dt.datetime) else as_of)
    mapping = configured.sources
    given = (folder_sources(Path(data), compiled.contract, mapping=mapping) if isinstance(data, (str, Path))
             else frame_sources(data, compiled.contract).with_tables(mapping))
    audit = run_audit(compiled, configured, given, as_of, Settings(engine, memory_limit, sources=configured.sources))
    return CheckResult(build_report(audit, lang), audit)
