"""PostgreSQL as a source, against a real server: what runs inside it, what it fetches, what it refuses.

A cluster is started for the module (`conftest.server`, `pg_cluster.py`: initdb and pg_ctl on
loopback, as an unprivileged user) and a generated export is loaded into it under other names
(a table `crm.clienten` with `burgerservicenummer`, dates kept as text). Whole reports inside
the database, alone or with files beside it, are compared with DuckDB's in
`test_engines_agree.py`. Without PostgreSQL's server or the ADBC driver these tests skip
locally and fail in CI.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from contextlib import AbstractContextManager
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import AS_OF
from engine_pair import run_rule
from pg_cluster import Cluster, config_file, load_export
from test_one_intake import CASES, expected_of

from reglement.checker.audit import Opened, Settings, opened
from reglement.checker.intake import DataContractError, folder_sources, tables_only
from reglement.cli import main
from reglement.compiler.config_sources import Sources, read_sources
from reglement.compiler.model import Pack
from reglement.compiler.stages import load_pack
from reglement.datasets import contract
from reglement.datasets.generate import generate
from reglement.rules import default_pack


@pytest.fixture(scope="module")
def export(server, tmp_path_factory):
    """A generated export as Parquet files, and the same loaded into the server; the `sources:` mapping back."""
    folder = tmp_path_factory.mktemp("export")
    generate(folder, clients=70, seed=9, fmt="parquet", ground_truth=False)
    return folder, load_export(server.dsn, folder)


def test_every_rule_but_the_export_columns_is_pushed_down(server, export):
    """Only rule 1.1 (it reads the list of export columns, which lives in DuckDB) runs outside the database."""
    pack = load_pack(default_pack())
    with _inside(pack, read_sources(_with_dsn(export[1], server))) as run:
        local = {r.id for r in pack.rules for c in r.checks
                 if run.backend.pushed_down(c, r.bind({}, dt.date(2026, 11, 28))) is None}
    assert local == {"1.1-unlisted-data-category"}


def test_a_mixed_rule_fetches_only_the_columns_it_reads(server, export, tmp_path):
    folder, sources = export
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(folder / "access_log.parquet", mixed)  # a link out of the folder is refused (E713)
    tables = {**_with_dsn(sources, server), "datasets": {d: t for d, t in sources["datasets"].items()
                                                         if d != "access_log"}}
    pack = load_pack(default_pack())
    rule = pack.rule("5.1-special-data-without-clearance")
    with _inside(pack, read_sources(tables), mixed) as run:
        result = run_rule(run, rule, rule.bind({}, dt.date(2026, 11, 28)))
        fetched = dict(run.backend.fetched)
    assert result.status == "failed"
    assert fetched == {"users": ("user_id", "special_data_access")}  # no name, no role, no dates


def test_the_transaction_is_read_only_a_rule_cannot_change_the_database(server, export, monkeypatch):
    pack = load_pack(default_pack())
    rule = pack.rule("4.3-no-processing-basis")
    bindings = rule.bind({}, dt.date(2026, 11, 28))
    with _inside(pack, read_sources(_with_dsn(export[1], server))) as run:
        backend = run.backend
        assert backend.database.rows("SELECT current_setting('transaction_read_only')") == [("on",)]
        # A check whose SQL would write: PostgreSQL refuses it, the rule is an error, the next rule still runs.
        monkeypatch.setattr(type(backend), "sql", lambda self, check, b, pretty=False:
                            'DELETE FROM "crm"."clienten" RETURNING "client_id"')
        written = run_rule(run, rule, bindings, backend)
        monkeypatch.undo()
        after = run_rule(run, rule, bindings, backend)
    assert written.status == "error" and "postgres engine failed" in written.error
    assert after.status == "failed" and after.finding_count > 0
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(server.dsn) as con, con.cursor() as cur:
        cur.execute('SELECT count(*) FROM "crm"."clienten"')
        assert cur.fetchone() == (70,)


def test_the_mapping_is_checked_against_the_catalogue_naming_both_sides(server, export, tmp_path, capsys,
                                                                        monkeypatch):
    sources = export[1]
    broken = {**sources, "datasets": {**sources["datasets"],
                                      "clients": {"table": "crm.clienten", "columns": {"bsn": "bsn_nummer"}},
                                      "users": {"table": "medewerkers"}}}
    monkeypatch.setenv("REGLEMENT_PG_DSN", server.dsn)
    code = main(["check", "--engine", "postgres", "--config", str(config_file(tmp_path, broken)), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[:2] == [
        "postgres table crm.clienten: error E714: column bsn of dataset clients is mapped to 'bsn_nummer', "
        "which table crm.clienten does not have",
        "postgres table public.medewerkers: error E714: dataset users is mapped to table public.medewerkers, "
        "which the database does not have (or the auditor may not read)"]


def test_the_dsn_never_appears_in_a_message(tmp_path, capsys, monkeypatch, server):
    secret = "postgresql://auditor:s3cr3t-pw@127.0.0.1:9/nodb"
    monkeypatch.setenv("CRM_DSN", secret)
    config = config_file(tmp_path, {"postgres": {"dsn_env": "CRM_DSN"}, "datasets": {"clients": {"table": "x"}}})
    code = main(["check", "--engine", "postgres", "--config", str(config), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[0] == ("the PostgreSQL database of the environment variable CRM_DSN: error E715: the "
                                   "server cannot be reached: nothing answers at the DSN's host and port (its "
                                   "message is not shown: it may quote the DSN)")
    assert "s3cr3t" not in err and "127.0.0.1" not in err and ":9" not in err
    monkeypatch.delenv("CRM_DSN")
    assert main(["check", "--engine", "postgres", "--config", str(config), "--as-of", AS_OF]) == 2
    assert "the environment variable CRM_DSN holds no DSN" in capsys.readouterr().err


def test_a_dataset_neither_mapped_nor_given_is_said_on_stderr(server, export, tmp_path, capsys, monkeypatch):
    """Without --data, a dataset the mapping leaves out: its rules cannot run (exit 2), and stderr says why."""
    sources = export[1]
    config = config_file(tmp_path, {**sources, "datasets": {d: t for d, t in sources["datasets"].items()
                                                           if d != "users"}})
    monkeypatch.setenv("REGLEMENT_PG_DSN", server.dsn)
    code = main(["check", "--engine", "postgres", "--config", str(config), "--as-of", AS_OF, "-q",
                 "-o", str(tmp_path / "r.txt")])
    assert code == 2
    assert capsys.readouterr().err == ("reglement: 8 rules cannot run: dataset users is neither mapped to a table "
                                       "(the configuration's sources:) nor given as a file (no --data)\n")


def test_a_refused_connection_says_why_without_the_dsn(tmp_path, capsys, monkeypatch, server):
    """A wrong password, a database that is not there and a port where no server listens are told apart (E715),
    never quoting the DSN, its password or the server's message."""
    import time

    dsn = server.password_role("reader", "right-pw")
    base = dsn.removeprefix("postgresql://reader@")
    config = config_file(tmp_path, {"postgres": {"dsn_env": "CRM_DSN"}, "datasets": {"clients": {"table": "x"}}})
    told = {"wrong password": ("postgresql://reader:s3cr3t-pw@" + base, "refuses the password: a wrong one, or none "
                                                                         "given"),
            "no password": (dsn, "refuses the password: a wrong one, or none given"),
            "wrong database": (server.dsn.rsplit("/", 1)[0] + "/n0such_db", "has no database of the DSN's name"),
            "no server": (f"postgresql://reader:s3cr3t-pw@127.0.0.1:{_closed_port()}/postgres",
                          "cannot be reached: nothing answers at the DSN's host and port")}
    time.sleep(0.2)  # the server reloads pg_hba.conf on a signal
    for case, (secret, why) in told.items():
        monkeypatch.setenv("CRM_DSN", secret)
        code = main(["check", "--engine", "postgres", "--config", str(config), "--as-of", AS_OF])
        err = capsys.readouterr().err
        assert code == 2, case
        assert err.splitlines()[0] == (f"the PostgreSQL database of the environment variable CRM_DSN: error E715: the "
                                       f"server {why} (its message is not shown: it may quote the DSN)"), case
        assert "s3cr3t" not in err and "n0such" not in err and str(server.port) not in err, case


def test_a_table_name_matches_the_catalogue_in_any_case_when_only_one_table_has_it(server):
    """`objections_mixed` finds the table created as "Objections_Mixed", and `objection_id` its column
    "Objection_ID"; a name two tables share when case is ignored is E714 naming both."""
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(server.dsn, autocommit=True) as con, con.cursor() as cur:
        for name in ("Objections_Mixed", "Twice", "TWICE"):
            cur.execute(f'DROP TABLE IF EXISTS "{name}"')
            cur.execute(f'CREATE TABLE "{name}" ("Objection_ID" text, client_id text, objected_at date)')
        cur.execute("INSERT INTO \"Objections_Mixed\" VALUES ('O1', 'C1', '2026-01-05'), ('O2', 'C2', '2026-02-01')")
    pack = load_pack(default_pack())
    with _inside(pack, _one_table(server, "objections", "objections_mixed")) as run:
        assert run.intake.datasets["objections"].rows == 2
        assert run.backend.database.rows('SELECT "objection_id" FROM "objections" ORDER BY 1') == [("O1",), ("O2",)]
    assert _refused(pack, _one_table(server, "objections", "twice")) == [
        'postgres table public.twice: error E714: dataset objections is mapped to table public.twice, which the '
        'database has in more than one case: "public"."TWICE" and "public"."Twice"; map it to one of them, in its case']


def test_a_mapped_table_is_told_in_its_own_names_and_a_wrong_type_once(server, tmp_path, capsys, monkeypatch):
    """A cell's error names the table's column and the contract's (`klant (mapped to client_id)`) and the row's
    key; a column whose type the contract refuses (`datum`, a timestamptz) is one error; the count covers what is
    not shown."""
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(server.dsn, autocommit=True) as con, con.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bezwaren")
        cur.execute("CREATE TABLE bezwaren (objection_id text, klant text, datum timestamptz)")
        cur.execute("INSERT INTO bezwaren SELECT 'O' || lpad(i::text, 2, '0'), CASE WHEN i > 25 THEN 'C1' END, "
                    "'2026-01-05 10:00:00+01' FROM generate_series(1, 30) AS i")
    config = config_file(tmp_path, {"postgres": {"dsn_env": "CRM_DSN"}, "datasets": {
        "objections": {"table": "bezwaren", "columns": {"client_id": "klant", "objected_at": "datum"}}}})
    monkeypatch.setenv("CRM_DSN", server.dsn)
    assert main(["check", "--engine", "postgres", "--config", str(config), "--as-of", AS_OF, "-q"]) == 2
    lines = capsys.readouterr().err.splitlines()
    empty = "column klant (mapped to client_id): error E705: empty value in a required column"
    assert lines == [
        f"postgres table public.bezwaren: row objection_id 'O01', {empty}",
        "postgres table public.bezwaren: column datum (mapped to objected_at): error E706: a timestamp with a time "
        "zone, where the contract's timestamps are local time without one: export it without the zone (the "
        "column's type: all 30 values)",
        *[f"postgres table public.bezwaren: row objection_id 'O{i:02}', {empty}" for i in range(2, 20)],
        "postgres table public.bezwaren: 6 more errors not shown",
        "the data breaks the contract: 26 problems; no rule was judged"]


def _closed_port() -> int:
    """A port of loopback where nothing listens (it was free a moment ago)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_breach_gives_the_same_error_from_a_table(server, case):
    """Each case of test_one_intake as a table: validated by queries in the database, worded alike."""
    import adbc_driver_postgresql.dbapi as adbc

    columns, expected = CASES[case]
    name = f"objections_{case.replace('-', '_')}"
    with adbc.connect(server.dsn, autocommit=True) as con, con.cursor() as cur:
        cur.adbc_ingest(name, pa.table(columns), mode="replace")
    assert _refused(load_pack(default_pack()), _one_table(server, "objections", name)) == [
        f"postgres table public.{name}: {keyed(m, columns)}" for m in expected_of(expected, "postgres")]


def keyed(message: str, columns: dict) -> str:
    """A file's message as a table words it: the row by its key (a table's rows have no order), but a repeated
    key still by the row's number (the key does not tell the rows apart)."""
    if "E708" in message:
        return message
    return re.sub(r"^row (\d+), ", lambda m: f"row objection_id '{columns['objection_id'][int(m[1]) - 1]}', ", message)


def _inside(pack: Pack, sources: Sources, folder: Path | None = None) -> AbstractContextManager[Opened]:
    """An intake inside PostgreSQL: the tables `sources` maps, and beside them the files of `folder`."""
    data = folder_sources(folder, pack.contract).with_tables(sources) if folder else tables_only(sources)
    return opened(pack, data, Settings("postgres", sources=sources))


def _one_table(server: Cluster, dataset: str, table: str) -> Sources:
    """A mapping of one dataset to one table of the server."""
    return read_sources({"postgres": {"dsn": server.dsn}, "datasets": {dataset: {"table": table}}})


def _refused(pack: Pack, sources: Sources) -> list[str]:
    """What the intake of the tables `sources` maps says, as it refuses them."""
    with pytest.raises(DataContractError) as caught, _inside(pack, sources):
        pass
    return [str(e) for e in caught.value.errors]


def _with_dsn(sources: dict, server: Cluster) -> dict:
    return {**sources, "postgres": {"dsn": server.dsn}}


def test_a_mapping_of_unknown_names_is_a_configuration_error(tmp_path):
    from reglement.compiler.config import read_config

    config = config_file(tmp_path, {"postgres": {}, "datasets": {"client": {"table": "x"},
                                                             "users": {"table": "u", "columns": {"rol": "functie"}}}})
    parsed, problems = read_config(config, load_pack(default_pack()))
    assert parsed is None
    assert [(p.code, p.message, p.hint) for p in problems] == [
        ("E118", "unknown dataset 'client'", "did you mean 'clients'?"),
        ("E119", "dataset users has no column 'rol'", "did you mean 'role'?")]


def test_the_types_of_the_database_are_held_to_the_contract_as_a_files_are(server):
    """A BSN kept as a number gets its zeros back (and is counted); a timestamp with a zone is refused."""
    import adbc_driver_postgresql.dbapi as adbc

    texts = pa.array([None, None], pa.string())
    clients = {c.name: texts for c in contract()["clients"].columns}
    clients |= {"client_id": pa.array(["C1", "C2"]), "bsn": pa.array([12345672, 123456782], pa.int64()),
                "birth_date": pa.array([None, None], pa.date32()),
                "registered_at": pa.array([dt.date(2024, 1, 1)] * 2, pa.date32())}
    with adbc.connect(server.dsn, autocommit=True) as con, con.cursor() as cur:
        cur.adbc_ingest("clients_numbers", pa.table(clients), mode="replace")
        cur.execute("DROP TABLE IF EXISTS objections_zoned")
        cur.execute("CREATE TABLE objections_zoned AS SELECT 'O1'::text AS objection_id, 'C1'::text AS client_id, "
                    "now() AS objected_at")
    pack = load_pack(default_pack())
    with _inside(pack, _one_table(server, "clients", "clients_numbers")) as run:
        assert run.intake.datasets["clients"].restored == {"bsn": 2}
        assert run.backend.database.rows('SELECT "bsn" FROM "clients" ORDER BY 1') == [("012345672",), ("123456782",)]
    assert _refused(pack, _one_table(server, "objections", "objections_zoned")) == [
        "postgres table public.objections_zoned: column objected_at: error E706: a timestamp with a time zone, "
        "where the contract's timestamps are local time without one: export it without the zone (the column's "
        "type: all 1 value)"]


def test_an_error_in_a_mapped_column_names_the_tables_column_and_the_contracts(server):
    """As for a mapped file: the table's own name of the column first, then the contract's."""
    import adbc_driver_postgresql.dbapi as adbc

    columns, _ = CASES["missing-required-value"]
    table = pa.table({"objection_id": columns["objection_id"], "klant": columns["client_id"],
                      "objected_at": columns["objected_at"]})
    with adbc.connect(server.dsn, autocommit=True) as con, con.cursor() as cur:
        cur.adbc_ingest("bezwaren", table, mode="replace")
    sources = read_sources({"postgres": {"dsn": server.dsn},
                            "datasets": {"objections": {"table": "bezwaren", "columns": {"client_id": "klant"}}}})
    assert _refused(load_pack(default_pack()), sources) == [
        "postgres table public.bezwaren: row objection_id 'O2', column klant (mapped to client_id): error E705: "
        "empty value in a required column"]
