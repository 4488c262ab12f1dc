"""Time zones (issue #24, point 6): the audit's zone, timestamps with offsets, wall clocks the zone skips,
real hours across the clock changes on every engine, and the audit moment (`--as-of` with a time of day).

The clocks of Europe/Amsterdam, the default zone, change twice in 2026: on 29 March at 02:00 they spring
forward to 03:00 (01:00 UTC), on 25 October at 03:00 they fall back to 02:00 (01:00 UTC).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import write_pack
from engine_pair import both, findings, frames_from_rows, run_rule

from reglement.checker import engines
from reglement.checker.audit import Settings, opened, run_audit
from reglement.checker.formats.summary import audit_moment_label
from reglement.checker.formats.text import _lines as text_lines
from reglement.checker.intake import DataContractError, folder_sources, frame_sources, take_in
from reglement.checker.intake.store import DuckDBStore
from reglement.cli import main
from reglement.compiler.config import Config
from reglement.compiler.diagnostics import CompileError
from reglement.compiler.stages import compile_pack, load_pack
from reglement.compiler.zones import audit_moment, gap_hours
from reglement.datasets import contract

HEADER = "message_id,client_id,sent_at,purpose\n"
LATE = """\
article: "1"
title: {nl: Een, en: One}
clauses:
  - clause: "1.1"
    text: Tekst.
rules:
  - id: 1.1-late
    article: "1.1"
    title: {nl: Te laat, en: Late}
    severity: high
    dataset: marketing
    let:
      hours: hours_between(sent_at, $audit_time)
    condition: sent_at + 72 hours < $audit_time
    message: {nl: "bericht {message_id}: {hours} uur", en: "message {message_id}: {hours} hours"}
"""


def late_pack(folder: Path, zone: str | None = None) -> Path:
    pack = write_pack(folder, LATE)
    if zone is not None:
        with (pack / "pack.yaml").open("a", encoding="utf-8") as file:
            file.write(f"time_zone: {zone}\n")
    return pack


def taken_in(folder: Path, zone: str = "Europe/Amsterdam") -> list[tuple]:
    con = duckdb.connect()
    take_in([DuckDBStore(con)], contract(), folder_sources(folder, contract()), zone=zone)
    return con.execute("SELECT message_id, sent_at FROM marketing ORDER BY message_id").fetchall()


def refused(folder: Path) -> list[str]:
    with pytest.raises(DataContractError) as caught:
        taken_in(folder)
    return [str(e) for e in caught.value.errors]


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts)


# -- the zone ------------------------------------------------------------------------------------
def test_an_unknown_zone_in_pack_yaml_is_e132_at_its_line_with_a_did_you_mean(tmp_path):
    pack = late_pack(tmp_path / "pack", "Europe/Amsterdan")
    with pytest.raises(CompileError) as caught:
        load_pack(pack)
    [found] = caught.value.diagnostics
    assert (found.code, found.location.line) == ("E133", 4)
    assert "'Europe/Amsterdan' is not a time zone" in found.message
    assert found.hint == "did you mean 'Europe/Amsterdam'?"


def test_the_configurations_zone_wins_and_an_unknown_one_is_e132(tmp_path):
    pack = late_pack(tmp_path / "pack", "UTC")
    assert load_pack(pack).time_zone == "UTC"
    assert load_pack(late_pack(tmp_path / "plain")).time_zone == "Europe/Amsterdam"
    config = tmp_path / "config.yaml"
    config.write_text("time_zone: America/New_York\n", encoding="utf-8")
    compiled, configured = compile_pack(pack, config)
    assert configured.zone(compiled) == "America/New_York"
    config.write_text("organisation: X\ntime_zone: Mars/Olympus\n", encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        compile_pack(pack, config)
    [found] = caught.value.diagnostics
    assert (found.code, found.location.line) == ("E133", 2)


# -- the intake ----------------------------------------------------------------------------------
def test_offsets_and_z_in_csv_and_json_lines_are_read_as_the_zones_wall_clock(tmp_path):
    rows = {"M1": "2026-10-24T12:00:00+02:00", "M2": "2026-10-25T00:30Z", "M3": "2026-03-29 00:30:00Z",
            "M4": "2026-03-29T01:30+01:00", "M5": "2026-11-28 09:19:00", "M6": "2026-07-01T23:00:00-05:30"}
    expected = [("M1", at(2026, 10, 24, 12)), ("M2", at(2026, 10, 25, 2, 30)), ("M3", at(2026, 3, 29, 1, 30)),
                ("M4", at(2026, 3, 29, 1, 30)), ("M5", at(2026, 11, 28, 9, 19)), ("M6", at(2026, 7, 2, 6, 30))]
    (tmp_path / "marketing.csv").write_text(HEADER + "".join(f"{k},C1,{v},x\n" for k, v in rows.items()))
    assert taken_in(tmp_path) == expected
    (tmp_path / "marketing.csv").unlink()
    (tmp_path / "marketing.jsonl").write_text("".join(json.dumps(
        {"message_id": k, "client_id": "C1", "sent_at": v, "purpose": "x"}) + "\n" for k, v in rows.items()))
    assert taken_in(tmp_path) == expected
    assert taken_in(tmp_path, "UTC")[1] == ("M2", at(2026, 10, 25, 0, 30))


def test_a_parquet_column_with_a_zone_is_read_as_the_zones_wall_clock(tmp_path):
    instants = pa.array([at(2026, 10, 25, 0, 30), at(2026, 10, 25, 1, 30)], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"message_id": ["M1", "M2"], "client_id": ["C1", "C1"], "sent_at": instants,
                             "purpose": ["x", "x"]}), tmp_path / "marketing.parquet")
    assert taken_in(tmp_path) == [("M1", at(2026, 10, 25, 2, 30)), ("M2", at(2026, 10, 25, 2, 30))]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_wall_clock_the_zone_skips_is_e719_at_its_row_and_column(tmp_path, fmt):
    """02:00–02:59 on 29 March does not exist in Amsterdam; 01:59:59 and 03:00 do, and so does 02:30 with an
    offset."""
    times = {"M1": at(2026, 3, 29, 1, 59, 59), "M2": at(2026, 3, 29, 2, 0), "M3": at(2026, 3, 29, 2, 59, 59),
             "M4": at(2026, 3, 29, 3, 0)}
    if fmt == "csv":
        lines = [f"{k},C1,{v.isoformat()},x\n" for k, v in times.items()]
        (tmp_path / "marketing.csv").write_text(HEADER + "".join(lines) + "M5,C1,2026-03-29T02:30+02:00,x\n")
    else:
        pq.write_table(pa.table({"message_id": list(times), "client_id": ["C1"] * 4, "sent_at": list(times.values()),
                                 "purpose": ["x"] * 4}), tmp_path / "marketing.parquet")
    found = refused(tmp_path)
    assert [e.split(": error ")[0].split(": ", 1)[1] for e in found] == ["row 2, column sent_at",
                                                                         "row 3, column sent_at"]
    assert all("E719: a time of day the clocks of Europe/Amsterdam skip" in e for e in found)


def test_a_wall_clock_shown_twice_is_kept_as_written(tmp_path):
    """02:30 on 25 October happens twice; without an offset it is taken as written (and counted as the second)."""
    (tmp_path / "marketing.csv").write_text(HEADER + "M1,C1,2026-10-25T02:30,x\n")
    assert taken_in(tmp_path) == [("M1", at(2026, 10, 25, 2, 30))]


def test_the_hours_a_zone_springs_forward_in():
    assert gap_hours("UTC") == ()
    assert 2 in gap_hours("Europe/Amsterdam")
    assert gap_hours("America/New_York") == (2,)


# -- real hours ----------------------------------------------------------------------------------
# Three messages sent 71, 72 and 73 real hours before the audit moment, across each change: only the 73rd
# hour is late, although on the wall clock the autumn one looks 74 hours old and the spring one 71 and 72.
ACROSS = {
    "october": (at(2026, 10, 27, 12), {"M71": at(2026, 10, 24, 14), "M72": at(2026, 10, 24, 13),
                                       "M73": at(2026, 10, 24, 12)}),
    "march": (at(2026, 3, 30, 12), {"M71": at(2026, 3, 27, 12), "M72": at(2026, 3, 27, 11),
                                    "M73": at(2026, 3, 27, 10)}),
}


@pytest.mark.parametrize("change", sorted(ACROSS))
def test_72_hours_are_real_hours_on_duckdb_and_pandas(tmp_path, change):
    moment, sent = ACROSS[change]
    pack = load_pack(late_pack(tmp_path / "pack"))
    frames = frames_from_rows({"marketing": [{"message_id": k, "client_id": "C1", "sent_at": v, "purpose": "x"}
                                             for k, v in sent.items()]}, ["marketing"])
    duck, pandas = both(pack, frames, moment)
    assert duck == pandas
    assert [(f["key"]["message_id"], f["values"]["hours"]) for f in duck["1.1-late"]] == [("M73", 73)]


def test_hours_between_counts_real_hours_across_both_changes(tmp_path):
    pack = load_pack(late_pack(tmp_path / "pack"))
    rows = [{"message_id": "M1", "client_id": "C1", "sent_at": at(2026, 10, 25, 1, 30), "purpose": "x"},
            {"message_id": "M2", "client_id": "C1", "sent_at": at(2026, 3, 28, 1, 30), "purpose": "x"},
            {"message_id": "M3", "client_id": "C1", "sent_at": at(2026, 10, 25, 2, 30), "purpose": "x"}]
    duck, pandas = both(pack, frames_from_rows({"marketing": rows}, ["marketing"]), at(2026, 10, 30, 1, 30))
    assert duck == pandas
    hours = {f["key"]["message_id"]: f["values"]["hours"] for f in duck["1.1-late"]}
    # an hour more in October; March's lost hour won back; 02:30 on the 25th shown twice: its second time
    assert hours == {"M1": 5 * 24 + 1, "M2": 216 * 24, "M3": 5 * 24 - 1}


def test_duckdb_and_pandas_read_a_zones_history_from_one_database(tmp_path):
    """1926 in Amsterdam: +00:19:32 in the system's zone files (Debian keeps the pre-1970 history the IANA
    main data folds into Brussels'), +00:00 in DuckDB's ICU and in the tzdata package. pandas reads the
    package, so both count the same hours (hypothesis found 852,911 against 852,910 when pandas read the
    system's)."""
    pack = load_pack(late_pack(tmp_path / "pack"))
    rows = [{"message_id": "M1", "client_id": "C1", "sent_at": at(1926, 11, 27, 0, 0, 1), "purpose": "x"}]
    duck, pandas = both(pack, frames_from_rows({"marketing": rows}, ["marketing"]), at(2024, 3, 15))
    assert duck == pandas
    assert [f["values"]["hours"] for f in duck["1.1-late"]] == [852_910]


# -- the audit moment ----------------------------------------------------------------------------
@pytest.mark.parametrize(("as_of", "late"), [("2026-11-28T09:00", False), ("2026-11-28 14:00", True),
                                             ("2026-11-28T13:00:00Z", True), ("2026-11-28T09:00+01:00", False),
                                             ("2026-11-28", False)])
def test_a_breach_is_late_at_14_00_and_not_at_09_00_through_audit_time(tmp_path, capsys, as_of, late):
    """Sent 25 November 10:00: its 72 hours end on 28 November at 10:00."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "marketing.csv").write_text(HEADER + "M1,C1,2026-11-25T10:00:00,x\n")
    out = tmp_path / "report.json"
    main(["check", "--rules", str(late_pack(tmp_path / "pack")), "--data", str(tmp_path / "data"), "--as-of",
          as_of, "--format", "json", "-o", str(out), "--quiet"])
    report = json.loads(out.read_text())
    [rule] = [r for r in report["rules"] if r["id"] == "1.1-late"]
    assert (rule["status"] == "failed") is late
    assert report["as_of"] == "2026-11-28"
    assert report["time_zone"] == "Europe/Amsterdam"
    assert report["audit_time"] == audit_moment(as_of, "Europe/Amsterdam").isoformat()


@pytest.mark.parametrize(("text", "moment"), [("2026-11-28", at(2026, 11, 28)),
                                              ("2026-11-28T14:00", at(2026, 11, 28, 14)),
                                              ("2026-11-28 14:00:30", at(2026, 11, 28, 14, 0, 30)),
                                              ("2026-07-01T12:00Z", at(2026, 7, 1, 14))])
def test_the_audit_moment_is_the_zones_wall_clock(text, moment):
    assert audit_moment(text, "Europe/Amsterdam") == moment


@pytest.mark.parametrize("text", ["2026-11-28T14", "20261128", "2026-03-29T02:30", "2026-02-30"])
def test_an_audit_moment_that_is_none_is_a_usage_error(tmp_path, capsys, text):
    code = main(["check", "--data", str(tmp_path), "--as-of", text])
    assert code == 2
    assert "--as-of" in capsys.readouterr().err


def test_a_date_only_command_refuses_a_time_clearly(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path / "x"), "--as-of", "2026-11-28T14:00"]) == 2
    assert "takes an audit date, without a time of day" in capsys.readouterr().err


def test_the_default_audit_moment_is_today_in_the_zone():
    """Kiritimati (UTC+14) and Baker Island (UTC−12) are never on the same date: each is its own zone's."""
    east, west = audit_moment(None, "Pacific/Kiritimati"), audit_moment(None, "Etc/GMT+12")
    assert east.date() == dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert west.date() == dt.datetime.now(ZoneInfo("Etc/GMT+12")).date()
    assert east.date() != west.date() and east.time() == dt.time()


def test_an_audit_reads_in_the_configurations_zone(tmp_path):
    """The same wall clock, 72 real hours later in UTC but 73 in Amsterdam across October's change."""
    pack = load_pack(late_pack(tmp_path / "pack"))
    rows = [{"message_id": "M1", "client_id": "C1", "sent_at": at(2026, 10, 24, 12), "purpose": "x"}]
    data = frame_sources(frames_from_rows({"marketing": rows}, ["marketing"]), pack.contract)
    found = {zone: run_audit(pack, Config(time_zone=zone), data, at(2026, 10, 27, 12)).results[0].parts[0]
             .table.num_rows for zone in ("UTC", "Europe/Amsterdam")}
    assert found == {"UTC": 0, "Europe/Amsterdam": 1}


# -- PostgreSQL and Spark: the same wall clocks and the same real hours -----------------------------------
def _written(sent: dict[str, dt.datetime]) -> dict[str, str]:
    """Wall clocks as text, and each once more (`Z…`) as its instant in UTC, with `Z`."""
    rows = {k: v.isoformat() for k, v in sent.items()}
    return rows | {f"Z{k}": v.replace(tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(dt.UTC).isoformat()
                   for k, v in sent.items()}


# change → (the audit moment, messages as text, the late ones with their hours); 02:30 on 25 October, shown
# twice, is its second (winter) time, 01:30 UTC: 72 hours before 03:00 on the 28th (02:00 UTC), not 73.
SCENARIOS = {change: (moment, _written(sent), [("M73", 73), ("ZM73", 73)]) for change, (moment, sent) in ACROSS.items()}
SCENARIOS["twice"] = (at(2026, 10, 28, 3), {"A": "2026-10-25T02:30:00"}, [("A", 72)])


def _findings(run, pack, moment) -> list[tuple]:
    rule = pack.rules[0]
    result = run_rule(run, rule, rule.bind({}, moment))
    return sorted((f["key"]["message_id"], f["values"]["hours"]) for f in findings(result))


def _on_duckdb(pack, rows: dict[str, str], moment) -> list[tuple]:
    frames = {"marketing": pd.DataFrame([{"message_id": k, "client_id": "C1", "sent_at": v, "purpose": "x"}
                                         for k, v in rows.items()])}
    with opened(pack, frame_sources(frames, pack.contract)) as run:
        return _findings(run, pack, moment)


@pytest.mark.parametrize("change", sorted(SCENARIOS))
def test_spark_reads_offsets_and_counts_real_hours_as_duckdb_does(spark, tmp_path, change):
    pack = load_pack(late_pack(tmp_path / "pack"))
    moment, rows, late = SCENARIOS[change]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "marketing.csv").write_text(HEADER + "".join(f"{k},C1,{v},x\n" for k, v in rows.items()))
    with opened(pack, folder_sources(tmp_path / "data", pack.contract), Settings("spark")) as run:
        found = _findings(run, pack, moment)
    assert found == _on_duckdb(pack, rows, moment) == late


def test_spark_refuses_a_skipped_wall_clock_as_duckdb_does(spark, tmp_path):
    (tmp_path / "marketing.csv").write_text(HEADER + "M1,C1,2026-03-29T02:30:00,x\nM2,C1,2026-03-29T03:00,x\n")
    said = []
    for engine in ("duckdb", "spark"):
        with engines.get(engine)(Settings(engine), contract()) as session, pytest.raises(DataContractError) as caught:
            take_in(session.stores, contract(), folder_sources(tmp_path, contract()))
        said.append([str(e) for e in caught.value.errors])
    assert said[0] == said[1] and "E719" in said[0][0]


@pytest.mark.parametrize("change", sorted(SCENARIOS))
def test_postgres_reads_text_and_timestamptz_and_counts_real_hours_as_duckdb_does(server, tmp_path, change):
    """Text with and without offsets, and a timestamptz column, in a table; the wall clock 02:30 on 25 October,
    shown twice, counts as its second (winter) time there too."""
    import adbc_driver_postgresql.dbapi as adbc
    from test_postgres import _inside, _one_table, _refused

    pack = load_pack(late_pack(tmp_path / "pack"))
    moment, rows, late = SCENARIOS[change]
    table = pa.table({"message_id": list(rows), "client_id": ["C1"] * len(rows), "sent_at": list(rows.values()),
                      "purpose": ["x"] * len(rows)})
    with adbc.connect(server.dsn, autocommit=True) as con, con.cursor() as cur:
        cur.adbc_ingest("marketing_text", table, mode="replace")
        cur.execute("DROP TABLE IF EXISTS marketing_zoned")
        cur.execute("CREATE TABLE marketing_zoned AS SELECT message_id, client_id, "
                    "sent_at::timestamp AT TIME ZONE 'Europe/Amsterdam' AS sent_at, purpose FROM marketing_text "
                    "WHERE message_id NOT LIKE 'Z%'")
        cur.execute("DROP TABLE IF EXISTS marketing_skipped")
        cur.execute("CREATE TABLE marketing_skipped AS SELECT 'M1'::text AS message_id, 'C1'::text AS client_id, "
                    "'2026-03-29 02:30'::text AS sent_at, 'x'::text AS purpose")
    assert _on_duckdb(pack, rows, moment) == late
    with _inside(pack, _one_table(server, "marketing", "marketing_text")) as run:
        assert _findings(run, pack, moment) == late
    with _inside(pack, _one_table(server, "marketing", "marketing_zoned")) as run:
        assert _findings(run, pack, moment) == [f for f in late if not f[0].startswith("Z")]
    assert [e.split(": error ")[1][:4] for e in _refused(pack, _one_table(server, "marketing", "marketing_skipped"))] \
        == ["E719"]


@pytest.mark.parametrize(("fields", "shown"), [
    ({}, "2026-11-28"),  # a report before 1.4
    ({"audit_time": "2026-11-28T00:00:00", "time_zone": "Europe/Amsterdam"}, "2026-11-28 (Europe/Amsterdam)"),
    ({"audit_time": "2026-11-28T14:00:00", "time_zone": "UTC"}, "2026-11-28 14:00 (UTC)"),
    ({"audit_time": "2026-11-28T14:00:30", "time_zone": "UTC"}, "2026-11-28 14:00:30 (UTC)")])
def test_the_report_shows_the_audit_moment_and_its_zone_where_it_shows_the_date(fields, shown):
    report = {"as_of": "2026-11-28", **fields}
    assert audit_moment_label(report) == shown
    assert next(text_lines(report, "en")).endswith(f"· Audit date {shown}")
