"""An operator's bad day, each fault a test that fails without its fix (issue #21).

    1  a file replaced or appended while it is audited
    2  a pack cache another user can write to
    3  a signature written through a link, or into a FIFO
    4  the fused scan's fallback
    5  signals: Ctrl-C, SIGTERM, and what killed runs leave behind
    6  several outputs: all written, or none
    7  verify: what a folder of reports may hold
    8  keys that differ from a known one only by what a reader cannot see
    9  a terminal that cannot print every character, a full disk
    +  values in error messages, a UTF-8 file with one bad byte, an empty spreadsheet cell

Each section is one point; the mid-audit changes use a hook of the driver (the moment the
rules start), not a timer.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE

from reglement.checker import audit as driver
from reglement.cli import main
from reglement.datasets.generate import generate


def _when_the_rules_start(monkeypatch, act) -> None:
    """Do `act` at a known moment of the audit: after the intake read and hashed the files (or began to),
    before the first rule reads them again."""
    run_rules = driver.run_rules

    def hooked(*args, **kwargs):
        act()
        return run_rules(*args, **kwargs)

    monkeypatch.setattr(driver, "run_rules", hooked)


def _check(folder: Path, report: Path) -> int:
    return main(["check", "--data", str(folder), "--as-of", AS_OF, "-f", "json", "-o", str(report)])


# -- 1  a file replaced or appended while it is audited -------------------------------------------
@pytest.fixture(scope="module")
def two_offices(tmp_path_factory) -> tuple[Path, Path]:
    """Two generated offices as Parquet: the second's access log stands in for the first's mid-audit."""
    root = tmp_path_factory.mktemp("offices")
    for seed in (1, 2):
        generate(root / f"seed{seed}", clients=50, seed=seed, fmt="parquet", ground_truth=False)
    return root / "seed1", root / "seed2"


def test_a_parquet_file_replaced_while_it_is_audited_gives_no_verdict(two_offices, tmp_path, monkeypatch, capsys):
    first, second = two_offices
    export = tmp_path / "export"
    shutil.copytree(first, export)
    report = tmp_path / "report.json"
    report.write_text("the last report\n", encoding="utf-8")

    def replace() -> None:  # as an export job puts a new file in place: written beside it, then renamed
        shutil.copy(second / "access_log.parquet", export / "access_log.parquet.new")
        os.replace(export / "access_log.parquet.new", export / "access_log.parquet")

    _when_the_rules_start(monkeypatch, replace)
    assert _check(export, report) == 2
    err = capsys.readouterr().err
    assert f"{export / 'access_log.parquet'}: error E717: was replaced while it was audited" in err
    assert report.read_text(encoding="utf-8") == "the last report\n"  # the last report stands


def test_a_csv_file_appended_to_while_it_is_audited_gives_no_verdict(tmp_path, monkeypatch, capsys):
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    clients = export / "clients.csv"
    header = clients.read_text(encoding="utf-8").splitlines()[0]
    row = ",".join("C9999" if c == "client_id" else "" for c in header.split(","))

    def append() -> None:
        with clients.open("a", encoding="utf-8") as out:
            out.write("".join(row.replace("C9999", f"C9{i:04d}") + "\n" for i in range(1000)))

    _when_the_rules_start(monkeypatch, append)
    assert _check(export, tmp_path / "report.json") == 2
    assert f"{clients}: error E717: changed while it was audited" in capsys.readouterr().err
    assert not (tmp_path / "report.json").exists()


def test_a_file_put_back_with_its_old_times_is_still_seen(tmp_path, monkeypatch, capsys):
    """Same size, same modification time, other bytes: the change time is the kernel's to set."""
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    users = export / "users.csv"
    before = users.stat()

    def rewrite() -> None:
        text = users.read_text(encoding="utf-8")
        users.write_text(text.replace("jobcoach", "jobcoaX", 1), encoding="utf-8")
        os.utime(users, ns=(before.st_atime_ns, before.st_mtime_ns))

    _when_the_rules_start(monkeypatch, rewrite)
    assert _check(export, tmp_path / "report.json") == 2
    assert f"{users}: error E717: changed while it was audited" in capsys.readouterr().err


def test_a_file_left_alone_gives_a_report_whose_hash_is_of_the_audited_bytes(tmp_path, capsys):
    report = tmp_path / "report.json"
    assert _check(SAMPLE, report) == 1
    written = json.loads(report.read_text(encoding="utf-8"))
    from reglement.checker.file_hash import file_sha256

    assert written["data"]["clients"]["sha256"] == file_sha256(SAMPLE / "clients.csv")


# -- 4  the fused scan's fallback ------------------------------------------------------------------
def test_when_a_fused_scan_fails_each_member_alone_finds_what_the_plain_plan_finds():
    """A fused scan that fails (out of memory, say) is answered by its members one by one, each as its
    rule wrote it: the lookups the scan joined exist only in the scan's query."""
    import duckdb

    from reglement.checker.intake import folder_sources
    from reglement.compiler.plan import Scan, plan
    from reglement.compiler.stages import load_pack
    from reglement.rules import default_pack

    class ScansFail:
        """The audit's backend, but a fused scan runs out of memory."""

        def __init__(self, backend) -> None:
            self.backend, self.name, self.pushdown = backend, backend.name, backend.pushdown
            self.scans = 0

        def scan(self, scan, bindings):
            self.scans += 1
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate")

        def findings(self, check, bindings):
            return self.backend.findings(check, bindings)

    pack = load_pack(default_pack())
    bindings = {rule.id: rule.bind({}, driver.dt.date.fromisoformat(AS_OF)) for rule in pack.rules}
    assert any(isinstance(step, Scan) for step in plan(pack.rules, pack.contract))
    with driver.opened(pack, folder_sources(SAMPLE, pack.contract)) as run:
        failing = ScansFail(run.backend)
        fused = driver.run_rules(failing, pack.rules, pack.contract, run.missing, bindings, "fused")
        plain = driver.run_rules(run.backend, pack.rules, pack.contract, run.missing, bindings, "plain")
    assert failing.scans > 0
    assert [(r.rule.id, r.status, r.error) for r in fused] == [(r.rule.id, r.status, None) for r in plain]
    assert [[p.table for p in r.parts] for r in fused] == [[p.table for p in r.parts] for r in plain]


# -- 5  signals: Ctrl-C, SIGTERM, and what killed runs leave behind ---------------------------------
# `reglement check` in a process of its own, which sends itself a signal at a known moment: while
# DuckDB runs a rule's query (made to last), or while the report is built.
_SIGNALLED = """
import os, signal, sys, threading, time
import reglement.checker.backends.duckdb as backend
import reglement.checker.report as report
from reglement.cli import run

signum, moment = getattr(signal, sys.argv[1]), sys.argv[2]
arrow, build = backend.DuckDBBackend.arrow, report.build_report
if moment == "query":
    def slow(self, query):  # the first rule's query runs until the signal stops it
        threading.Timer(0.5, os.kill, (os.getpid(), signum)).start()
        backend.DuckDBBackend.arrow = arrow
        return arrow(self, "SELECT count(*) FROM range(100000000000) a")
    backend.DuckDBBackend.arrow = slow
else:
    def late(*args, **kwargs):
        os.kill(os.getpid(), signum)
        time.sleep(30)
    report.build_report = late
sys.argv = ["reglement", *sys.argv[3:]]
run()
"""


@pytest.mark.parametrize("name, moment, status", [("SIGINT", "query", 130), ("SIGTERM", "query", 143),
                                                   ("SIGINT", "report", 130), ("SIGTERM", "report", 143)])
def test_a_signal_stops_the_run_cleanly_and_leaves_the_last_report(tmp_path, name, moment, status):
    import subprocess
    import sys

    report, scratch = tmp_path / "out" / "report.json", tmp_path / "tmp"
    report.parent.mkdir()
    scratch.mkdir()
    report.write_text("the last report\n", encoding="utf-8")
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    generate(tmp_path / "parquet", clients=50, seed=3, fmt="parquet", ground_truth=False)
    shutil.copy(tmp_path / "parquet" / "access_log.parquet", folder)  # counted for order beside the audit
    (folder / "access_log.jsonl").unlink()
    done = subprocess.run([sys.executable, "-c", _SIGNALLED, name, moment, "check", "--data", str(folder),
                           "--as-of", AS_OF, "-f", "json", "-o", str(report), "--memory-limit", "1GB"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "TMPDIR": str(scratch)})
    assert (done.returncode, done.stderr.strip().splitlines()[-1]) == (status, f"reglement: stopped by {name}")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert report.read_text(encoding="utf-8") == "the last report\n"
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.json"]  # no temporary left
    assert list(scratch.iterdir()) == []  # nor a spill folder, nor the key count's database


def test_the_scratch_folders_of_runs_that_are_gone_are_swept_and_no_other(tmp_path):
    from reglement.checker.scratch import _HOST, scratch_folder

    dead = subprocess_pid_gone()
    gone = tmp_path / f"reglement-key-order-{_HOST}-{dead}-abc"
    alive = tmp_path / f"reglement-key-order-{_HOST}-{os.getpid()}-def"
    other_host = tmp_path / f"reglement-key-order-elsewhere-{dead}-ghi"
    other_kind = tmp_path / f"reglement-spill-{_HOST}-{dead}-jkl"
    user_file = tmp_path / f"reglement-key-order-{_HOST}-{dead}-notes.txt"
    for folder in (gone, alive, other_host, other_kind):
        folder.mkdir()
    user_file.write_text("mine\n", encoding="utf-8")
    made = scratch_folder("reglement-key-order", tmp_path)
    assert made.name.startswith(f"reglement-key-order-{_HOST}-{os.getpid()}-")
    assert not gone.exists()
    assert all(p.exists() for p in (alive, other_host, other_kind, user_file))


def subprocess_pid_gone() -> int:
    """The number of a process that has ended."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
