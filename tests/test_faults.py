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


# -- 2  a pack cache another user can write to ---------------------------------------------
# The pack cache (compiler/pack_cache.py) keeps the compiled Westendorp pack between runs. Each test
# warms it with the shipped pack and with a weakened copy (rule 11.2 keeps data 20 years instead of 2,
# so it passes on the sample), spoils the cache as the bad day did, and audits the sample: the findings
# must be those of the pack on disk, 112, rule 11.2's two included.

SHIPPED_FINDINGS = 112  # the sample's findings under the shipped pack, rule 11.2's two among them


def _audit_sample(capsys) -> tuple[dict, str]:
    """The sample audited with the shipped pack: the JSON report and what was said on stderr."""
    import json

    from conftest import AS_OF, SAMPLE

    from reglement.cli import main

    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, err
    return json.loads(out), err


def _assert_shipped_findings(report: dict) -> None:
    [rule] = [r for r in report["rules"] if r["id"] == "11.2-retention-after-last-contact"]
    assert (report["summary"]["findings"], rule["status"], rule["finding_count"], rule["params"]) == (
        SHIPPED_FINDINGS, "failed", 2, {"retention_years": 2})


def _warm(capsys, cache, work):
    """The cache at `cache` (REGLEMENT_CACHE_DIR) warmed with the shipped pack and a weakened copy in `work`:
    the entries of both (shipped, weak)."""
    import shutil

    from conftest import ROOT

    from reglement.compiler.stages import compile_pack

    report, _ = _audit_sample(capsys)
    _assert_shipped_findings(report)
    [shipped] = list((cache / "packs").iterdir())
    weak = work / "weak"
    shutil.copytree(ROOT / "rules" / "westendorp", weak)
    article = weak / "art-11.yaml"
    text = article.read_text(encoding="utf-8")
    assert "    params:\n      retention_years: 2\n" in text
    article.write_text(text.replace("    params:\n      retention_years: 2\n",
                                    "    params:\n      retention_years: 20\n", 1), encoding="utf-8")
    compile_pack(weak)
    [weak_entry] = set((cache / "packs").iterdir()) - {shipped}
    return shipped, weak_entry


def _as_nobody(*argv: str) -> None:
    """A command run as `nobody` (the test runs as root)."""
    import subprocess

    subprocess.run(argv, user="nobody", check=True, capture_output=True)


def _rename_as_nobody(source, target) -> None:
    _as_nobody("python3", "-c", "import os, sys; os.rename(sys.argv[1], sys.argv[2])", str(source), str(target))


def _shared_cache(monkeypatch, request):
    """A cache folder that `nobody` can reach (pytest's tmp_path is root's own, 0700); skips unless root."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    import pytest

    if os.geteuid() != 0:
        pytest.skip("needs root, to act as another user (nobody)")
    base = Path(tempfile.mkdtemp(prefix="reglement-faults-cache-"))
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    base.chmod(0o755)
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", str(base / "cache"))
    return base / "cache"


def _own_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_world_writable_cache_folder_is_not_used(capsys, monkeypatch, request, tmp_path) -> None:
    """The bad day: `packs/` writable by all; another uid renames the weakened pack's entry (root's own,
    0600) onto the shipped pack's name. The folder is not used, nor chmod-ed, and the run says why."""
    cache = _shared_cache(monkeypatch, request)
    shipped, weak = _warm(capsys, cache, tmp_path)
    cache.chmod(0o755)
    (cache / "packs").chmod(0o777)
    _rename_as_nobody(weak, shipped)
    left = sorted((cache / "packs").iterdir())
    report, err = _audit_sample(capsys)
    _assert_shipped_findings(report)
    assert "is not used" in err and "writable by others" in err and str(cache / "packs") in err
    assert (cache / "packs").stat().st_mode & 0o777 == 0o777  # not "fixed"
    assert sorted((cache / "packs").iterdir()) == left  # nor written to
    _, err = _audit_sample(capsys)
    assert "is not used" not in err  # said once a process


def test_a_cache_folder_of_another_user_is_not_used(capsys, monkeypatch, request, tmp_path) -> None:
    """`packs/` belongs to another uid (0755): its owner renames the weakened entry onto the shipped name."""
    import os
    import pwd

    cache = _shared_cache(monkeypatch, request)
    shipped, weak = _warm(capsys, cache, tmp_path)
    cache.chmod(0o755)
    nobody = pwd.getpwnam("nobody")
    os.chown(cache / "packs", nobody.pw_uid, nobody.pw_gid)
    (cache / "packs").chmod(0o755)
    _rename_as_nobody(weak, shipped)
    report, err = _audit_sample(capsys)
    _assert_shipped_findings(report)
    assert "is not used" in err and f"belongs to uid {nobody.pw_uid}" in err
    assert (cache / "packs").stat().st_uid == nobody.pw_uid


def test_an_entry_renamed_onto_another_packs_name_is_not_loaded(capsys, monkeypatch, tmp_path) -> None:
    """Each entry says what it was compiled from: the weakened pack's, under the shipped pack's name, is a miss."""
    cache = _own_cache(monkeypatch, tmp_path)
    shipped, weak = _warm(capsys, cache, tmp_path)
    weak.replace(shipped)
    report, err = _audit_sample(capsys)
    _assert_shipped_findings(report)
    assert "was not used" in err
    report, err = _audit_sample(capsys)  # the entry compiled afresh replaced it
    _assert_shipped_findings(report)
    assert err == ""


def test_an_entry_changed_by_one_byte_is_not_loaded(capsys, monkeypatch, tmp_path) -> None:
    """One byte at equal length: rule 11.2's retention of 2 years becomes 1 in the pickled pack (113 findings
    when loaded). The entry's digest no longer matches: a miss, and the entry is compiled afresh."""
    import re

    cache = _own_cache(monkeypatch, tmp_path)
    shipped, _ = _warm(capsys, cache, tmp_path)
    data = shipped.read_bytes()
    found = re.search(rb"\x8c\x0fretention_years\x94j[\s\S]{4}K(\x02)", data)  # Param(retention_years, default=2)
    assert found, "the pickled Param of rule 11.2 (its encoding changed: find the byte again)"
    shipped.write_bytes(data[:found.start(1)] + b"\x01" + data[found.end(1):])
    report, err = _audit_sample(capsys)
    _assert_shipped_findings(report)
    assert "was not used" in err and "digest" in err


def test_a_link_at_an_entrys_name_is_not_followed(capsys, monkeypatch, tmp_path) -> None:
    """A symlink at the shipped entry's name, to the weakened pack's entry: neither loaded nor written through."""
    cache = _own_cache(monkeypatch, tmp_path)
    shipped, weak = _warm(capsys, cache, tmp_path)
    target = tmp_path / "elsewhere.pickle"
    weak.replace(target)
    before = target.read_bytes()
    shipped.unlink()
    shipped.symlink_to(target)
    report, _ = _audit_sample(capsys)
    _assert_shipped_findings(report)
    assert target.read_bytes() == before
    assert not shipped.is_symlink() and shipped.is_file()  # the link removed, a fresh entry in its place


def test_a_half_written_entry_is_neither_loaded_nor_left_behind(capsys, monkeypatch, tmp_path) -> None:
    """A half-written entry at the name (a copy cut short) is a miss (it was before too: pickle refuses a cut
    stream; now its digest does, before unpickling); what a writer killed mid-way left behind (its temporary
    file, an hour old) is removed by the next write, where it used to stay for good."""
    import os
    import time

    cache = _own_cache(monkeypatch, tmp_path)
    shipped, _ = _warm(capsys, cache, tmp_path)
    data = shipped.read_bytes()
    shipped.write_bytes(data[:len(data) // 2])
    stale = cache / "packs" / ".pack-killed.tmp"
    stale.write_bytes(data[:len(data) // 3])
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    report, _ = _audit_sample(capsys)
    _assert_shipped_findings(report)
    assert shipped.read_bytes() != data[:len(data) // 2]
    assert not stale.exists()


def test_the_folders_the_cache_creates_are_the_users_alone(capsys, monkeypatch, tmp_path) -> None:
    """Under umask 0 the folders made on the way to the cache were 0777 (`mkdir(parents=True)` gives its mode to
    the last folder only): another user could then rename entries in them. Each is 0700 now, each entry 0600."""
    import os

    cache = tmp_path / "a" / "b" / "cache"
    monkeypatch.setenv("REGLEMENT_CACHE_DIR", str(cache))
    umask = os.umask(0)
    try:
        report, _ = _audit_sample(capsys)
    finally:
        os.umask(umask)
    _assert_shipped_findings(report)
    made = [tmp_path / "a", tmp_path / "a" / "b", cache, cache / "packs"]
    assert [oct(path.stat().st_mode & 0o777) for path in made] == ["0o700"] * 4
    assert [oct(entry.stat().st_mode & 0o777) for entry in (cache / "packs").iterdir()] == ["0o600"]
