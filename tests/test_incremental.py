"""Incremental audits equal full ones: a year of monthly access-log partitions, audited month by month.

Each month the export gains one partition; the office audits with `--previous` (the
report of the month before), which reads only the new partition and carries the rest.
At every step the incremental report must equal a full audit of the same folder, rule
for rule and finding for finding (order, key, message and file), whatever mode each
rule ran in. Then the cases that must fall back to a full run, or re-read a file: a
corrected old partition, a removed one, a changed dataset, other parameters, another
language, another rule.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from monthly import audit_month_by_month, year_export
from monthly import check as _check


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    """A generated export with its access log as a folder of monthly Parquet files (about two years)."""
    return year_export(tmp_path_factory.mktemp("year") / "export")


def _as_full(report: dict) -> list[tuple]:
    """What must not depend on how the audit ran: per rule its status, counts and findings in order."""
    return [(r["id"], r["status"], r.get("finding_count"), r.get("open_count"),
             [{k: v for k, v in f.items() if k != "carried"} for f in r.get("findings", [])])
            for r in report["rules"] if r["kind"] == "automated"]


def _modes(report: dict) -> dict[str, str]:
    return {r["id"]: r["run"]["mode"] for r in report["rules"] if r["kind"] == "automated"}


def _carried(report: dict) -> int:
    return sum(bool(f.get("carried")) for r in report["rules"] for f in r.get("findings", []))


@pytest.fixture(scope="module")
def chain(year, tmp_path_factory) -> tuple[Path, Path, list[dict]]:
    """The year audited month by month; every step checked against a full audit of the same data."""
    work = tmp_path_factory.mktemp("chain")
    done: list[dict] = []

    def same_as_full(export: Path, as_of: str, incremental: dict) -> None:
        full = _check(export, as_of, work / "full.json")
        assert _as_full(incremental) == _as_full(full), f"{as_of}: the incremental audit differs from the full one"
        if done:
            assert incremental["chain"]["previous"]["as_of"] == done[-1]["as_of"]
        done.append(incremental)

    export, paths, reports = audit_month_by_month(year, work, same_as_full)
    assert set(_modes(reports[0]).values()) == {"full"}
    assert reports[1]["chain"]["previous"]["as_of"] == reports[0]["as_of"]
    return export, paths[-1], reports


def test_month_by_month_equals_full(chain):
    _, _, reports = chain
    for report in reports[1:]:
        modes = _modes(report)
        assert "incremental" in modes.values() and "carried" in modes.values()
        assert _carried(report) > 0
        assert all(modes[r["id"]] == "full" for r in report["rules"] if r["kind"] == "automated"
                   and "audit date" in r["run"]["why"])
        read = {f for r in report["rules"] if r["kind"] == "automated" for f in r["run"].get("files_read", [])}
        assert len(read) == 1  # the month that came in, and nothing else


def test_time_dependent_rules_always_run_in_full(chain):
    _, _, reports = chain
    report = reports[-1]
    rules = {r["id"]: r for r in report["rules"]}
    assert rules["8.1-access-request-late"]["run"] == {"mode": "full", "why": "it reads the audit date, so it runs "
                                                                                "in full every time"}
    assert not any(f.get("carried") for f in rules["8.1-access-request-late"]["findings"])


def _step(chain, tmp_path, change) -> tuple[dict, dict]:
    """One more audit after `change(export)`: incremental against the last report, and full."""
    export, last, _ = chain
    copy = tmp_path / "export"
    shutil.copytree(export, copy)
    change(copy)
    as_of = json.loads(last.read_text("utf-8"))["as_of"]
    incremental = _check(copy, as_of, tmp_path / "incremental.json", "--previous", str(last))
    full = _check(copy, as_of, tmp_path / "full.json")
    assert _as_full(incremental) == _as_full(full)
    return incremental, full


def _busiest_file(report: dict) -> str:
    """The partition with the most findings: a change there shows whether its old findings are dropped."""
    files = Counter(f["file"] for r in report["rules"] for f in r.get("findings", []) if "file" in f)
    return files.most_common(1)[0][0]


def test_a_corrected_old_partition_is_read_again(chain, tmp_path):
    name = _busiest_file(chain[2][-1])

    def correct(export: Path) -> None:
        path = export / "access_log" / name
        frame = pd.read_parquet(path)
        frame.iloc[::2].to_parquet(path, index=False)  # half its events withdrawn

    incremental, _ = _step(chain, tmp_path, correct)
    runs = [r["run"] for r in incremental["rules"] if r["kind"] == "automated" and r["run"]["mode"] == "incremental"]
    assert runs and all(run["files_read"] == [name] for run in runs)


def test_a_removed_partition_takes_its_findings_along(chain, tmp_path):
    def remove(export: Path) -> None:
        for path in sorted((export / "access_log").iterdir())[:6]:
            path.unlink()

    incremental, _ = _step(chain, tmp_path, remove)
    runs = [r["run"] for r in incremental["rules"] if r["kind"] == "automated" and r["run"]["mode"] == "incremental"]
    assert runs and all(run["files_read"] == [] for run in runs)  # nothing new: kept what remains, read nothing
    last = json.loads(chain[1].read_text("utf-8"))
    assert incremental["summary"]["findings"] < last["summary"]["findings"]


def test_a_changed_dataset_runs_what_reads_it_in_full(chain, tmp_path):
    def change(export: Path) -> None:
        frame = pd.read_parquet(export / "users.parquet")
        frame.iloc[:-1].to_parquet(export / "users.parquet", index=False)

    incremental, _ = _step(chain, tmp_path, change)
    why = {r["id"]: r["run"] for r in incremental["rules"] if r["kind"] == "automated"}
    assert why["5.1-unknown-actor"] == {"mode": "full", "why": "users changed since the previous report"}
    assert why["7.1-consent-missing"]["mode"] == "carried"


@pytest.mark.parametrize("extra,why", [
    (["--lang", "en"], "the previous report is in another language"),
    (["--full"], "a full run was asked for"),
])
def test_what_forces_a_full_run(chain, tmp_path, extra, why):
    export, last, _ = chain
    as_of = json.loads(last.read_text("utf-8"))["as_of"]
    report = _check(export, as_of, tmp_path / "r.json", "--previous", str(last), *extra)
    runs = {r["run"]["why"] for r in report["rules"] if r["kind"] == "automated"} - {
        "it reads the audit date, so it runs in full every time"}
    assert runs == {why} and not _carried(report)


def _configured_after(chain, tmp_path, configuration: str) -> dict:
    """The last month audited again with `--previous` and a configuration of `configuration`."""
    export, last, _ = chain
    config = tmp_path / "reglement.yaml"
    config.write_text(configuration, "utf-8")
    as_of = json.loads(last.read_text("utf-8"))["as_of"]
    return _check(export, as_of, tmp_path / "r.json", "--previous", str(last), "--config", str(config))


def test_another_time_zone_runs_every_rule_in_full(chain, tmp_path):
    """An offset or a real hour reads otherwise in another zone: nothing of the previous report is carried."""
    report = _configured_after(chain, tmp_path, "time_zone: Europe/London\n")
    assert {r["run"]["why"] for r in report["rules"] if r["kind"] == "automated"} == {
        "the previous report read its timestamps in another time zone"} and not _carried(report)


def test_other_parameter_values_run_the_rule_in_full(chain, tmp_path):
    report = _configured_after(chain, tmp_path,
                               "rules:\n  9.4-deleted-within-legal-retention:\n    params:\n      fiscal_years: 8\n")
    runs = {r["id"]: r["run"] for r in report["rules"] if r["kind"] == "automated"}
    assert runs["9.4-deleted-within-legal-retention"] == {"mode": "full",
                                                          "why": "other parameter values than the previous report's"}
    assert runs["5.1-unknown-actor"]["mode"] == "incremental"


def test_pandas_reads_the_new_files_alike(chain, tmp_path):
    def add(export: Path) -> None:
        path = sorted((export / "access_log").iterdir())[-1]
        frame = pd.read_parquet(path)
        frame.assign(event_id=frame["event_id"] + "-late").to_parquet(export / "access_log" / "late.parquet",
                                                                        index=False)

    export, last, _ = chain
    copy = tmp_path / "export"
    shutil.copytree(export, copy)
    add(copy)
    as_of = json.loads(last.read_text("utf-8"))["as_of"]
    pandas = _check(copy, as_of, tmp_path / "p.json", "--previous", str(last), "--engine", "pandas")
    full = _check(copy, as_of, tmp_path / "full.json")
    assert _as_full(pandas) == _as_full(full)
    assert "incremental" in _modes(pandas).values()
