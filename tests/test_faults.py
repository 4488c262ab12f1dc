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

import hashlib
import io
import json
import locale
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import AS_OF, SAMPLE, SAMPLE_FINDINGS
from signing import ed25519_keys

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


# -- 1  a file replaced or appended while it is audited ------------------------------------------------------
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


# -- 2  a pack cache another user can write to ---------------------------------------------------------------
# The pack cache (compiler/pack_cache.py) keeps the compiled Westendorp pack between runs. Each test
# warms it with the shipped pack and with a weakened copy (rule 11.2 keeps data 20 years instead of 2,
# so it passes on the sample), spoils the cache as the bad day did, and audits the sample: the findings
# must be those of the pack on disk, rule 11.2's two included.

SHIPPED_FINDINGS = SAMPLE_FINDINGS  # the sample's findings under the shipped pack, rule 11.2's two among them


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


# -- 3  a signature written through a link, or into a FIFO ---------------------------------------------------
def _export(tmp_path: Path) -> Path:
    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    return data


def _signed_check(data: Path, report: Path, key: Path) -> list[str]:
    return ["check", "--data", str(data), "--as-of", AS_OF, "-o", f"json={report}", "--sign", str(key)]


def _snapshot(folder: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every entry of `folder` (hidden ones too): its bytes (a link: where it points) and its inode."""
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            found[entry.name] = (os.readlink(entry), entry.lstat().st_ino)
        elif entry.is_file():
            found[entry.name] = (entry.read_bytes(), entry.stat().st_ino)
        else:
            found[entry.name] = ("<" + ("folder" if entry.is_dir() else "other") + ">", entry.lstat().st_ino)
    return found


def test_a_signature_linked_to_an_export_file_is_refused_and_the_file_is_left_alone(tmp_path, capsys):
    """The operator's bad day: `report.json.sig` a link to `users.csv` overwrote the export file, exit 1."""
    data, out = _export(tmp_path), tmp_path / "out"
    out.mkdir()
    key = ed25519_keys(tmp_path)[0]
    users = (data / "users.csv").read_bytes()
    (out / "report.json.sig").symlink_to(data / "users.csv")
    assert main(_signed_check(data, out / "report.json", key)) == 2
    err = capsys.readouterr().err
    assert "report.json.sig" in err and "error E802" in err
    assert (data / "users.csv").read_bytes() == users
    assert sorted(p.name for p in out.iterdir()) == ["report.json.sig"]  # no report without its signature
    assert os.readlink(out / "report.json.sig") == str(data / "users.csv")


def test_a_signature_linked_anywhere_is_refused_and_nothing_is_written(tmp_path, capsys):
    data, out = _export(tmp_path), tmp_path / "out"
    out.mkdir()
    key = ed25519_keys(tmp_path)[0]
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_text("not a signature\n")
    (out / "report.json").write_text("the previous report\n")
    (out / "report.json.sig").symlink_to(elsewhere)
    before = _snapshot(out)
    assert main(_signed_check(data, out / "report.json", key)) == 2
    err = capsys.readouterr().err
    assert f"{out / 'report.json.sig'} is a symbolic link" in err and "error E806" in err
    assert _snapshot(out) == before and elsewhere.read_text() == "not a signature\n"


def test_a_fifo_where_the_signature_goes_is_refused_and_the_run_does_not_hang(tmp_path):
    """The run hung on the FIFO, after the report was already in place: a subprocess, with a timeout."""
    data, out = _export(tmp_path), tmp_path / "out"
    out.mkdir()
    key = ed25519_keys(tmp_path)[0]
    os.mkfifo(out / "report.json.sig")
    try:
        done = subprocess.run([sys.executable, "-m", "reglement", *_signed_check(data, out / "report.json", key)],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the run hung on a FIFO where the signature goes")
    assert done.returncode == 2, done.stderr
    assert "report.json.sig is a FIFO (named pipe)" in done.stderr and "error E806" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.json.sig"]


def test_a_report_and_its_signature_land_together_or_not_at_all(tmp_path, capsys):
    """The signature is made before anything is put in place: a signature that cannot be written (here a folder
    in its place) or a key that cannot sign leaves the previous report and signature exactly as they were."""
    data, out = _export(tmp_path), tmp_path / "out"
    out.mkdir()
    key = ed25519_keys(tmp_path)[0]
    assert main(_signed_check(data, out / "report.json", key)) == 1
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.json.sig"]
    before = _snapshot(out)
    not_ed25519 = tmp_path / "rsa.pem"
    not_ed25519.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    assert main(_signed_check(data, out / "report.json", not_ed25519)) == 2
    assert "error E805" in capsys.readouterr().err
    assert _snapshot(out) == before
    (out / "report.json.sig").unlink()
    (out / "report.json.sig").mkdir()
    before = _snapshot(out)
    assert main(_signed_check(data, out / "report.json", key)) == 2
    assert "report.json.sig is a folder" in capsys.readouterr().err
    assert _snapshot(out) == before


def test_a_signature_written_on_its_own_goes_through_the_writer(tmp_path):
    from reglement.checker.chain import sign
    from reglement.files import Refused

    key = ed25519_keys(tmp_path)[0]
    report = tmp_path / "report.json"
    report.write_text("{}\n")
    victim = tmp_path / "victim.csv"
    victim.write_text("a,b\n")
    (tmp_path / "report.json.sig").symlink_to(victim)
    with pytest.raises(Refused, match="E806"):
        sign(report, key)
    assert victim.read_text() == "a,b\n"
    (tmp_path / "report.json.sig").unlink()
    assert sign(report, key).read_text("ascii").endswith("\n")


# -- 4  the fused scan's fallback ----------------------------------------------------------------------------
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


# -- 5  signals: Ctrl-C, SIGTERM, and what killed runs leave behind ------------------------------------------
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
    """A scratch folder is named as a temporary is (`reglement/files.py`): a later run removes those of this
    host's runs that are gone, and nothing else."""
    from reglement.files import SCRATCH, host, scratch_folder, temporary_name

    dead = subprocess_pid_gone()
    gone = tmp_path / temporary_name("reglement-key-order", pid=dead, kind=SCRATCH)
    alive = tmp_path / temporary_name("reglement-key-order", kind=SCRATCH)
    other_host = tmp_path / temporary_name("reglement-key-order", pid=dead, kind=SCRATCH).replace(
        host(), "elsewhere", 1)
    a_report_temporary = tmp_path / temporary_name("reglement-key-order", pid=dead)  # a folder: not a temporary
    not_ours = tmp_path / f"reglement-key-order-{host()}-{dead}-notes"
    for folder in (gone, alive, other_host, a_report_temporary, not_ours):
        folder.mkdir()
    made = scratch_folder("reglement-spill", tmp_path)
    assert made.name.startswith(f"{SCRATCH}{host()}-{os.getpid()}-") and made.name.endswith("-reglement-spill")
    assert not gone.exists()
    assert all(p.exists() for p in (alive, other_host, a_report_temporary, not_ours))


def subprocess_pid_gone() -> int:
    """The number of a process that has ended."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# -- 5b  what killed runs leave behind: report temporaries ---------------------------------------------------
_KILLED_WRITER = """
import sys, time
from pathlib import Path
from reglement.outputs import write_all

def wait():
    print("written", flush=True)
    time.sleep(600)

write_all([(Path(sys.argv[1]), lambda out: out.write("x" * 2_000_000))], wait)
"""


def _killed_while_writing(report: Path) -> int:
    """A writer killed outright (SIGKILL) once its temporary is complete; its pid."""
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(report)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "written"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    return child.pid


def _gone_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def test_the_temporary_of_a_killed_run_is_removed_by_the_next_run_that_writes_there(tmp_path, capsys):
    out = tmp_path / "reports"
    out.mkdir()
    _killed_while_writing(out / "report.json")
    left = [p.name for p in out.iterdir()]
    assert len(left) == 1 and left[0].startswith(".") and (out / left[0]).stat().st_size == 2_000_000
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "-f", "json", "-o", str(out / "report.json")]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]


def test_no_file_that_is_not_a_temporary_of_a_gone_run_of_this_host_is_removed(tmp_path, capsys):
    from reglement.files import TEMPORARY, host, sweep, temporary_name

    out, other = tmp_path / "reports", tmp_path / "other"
    out.mkdir()
    other.mkdir()
    precious = tmp_path / "precious.csv"
    precious.write_text("a,b\n")
    gone = _gone_pid()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        kept = {
            ".report.json.bak": "a user's copy",
            ".report.json.k3j4h5g6": "a temporary of reglement before this writer, or a user's file",
            "report.json.reglement-tmp-x": "not the prefix",
            temporary_name("report.json", alive.pid): "a run still alive",
            temporary_name("report.json", os.getpid()): "this very process",
            temporary_name("report.json", gone).replace(f"{TEMPORARY}{host()}-", f"{TEMPORARY}otherhost-", 1):
                "another machine's, on a shared folder",
            f"{TEMPORARY}{host()}-{gone}-zzzz-report.json": "not the shape",
        }
        for name, text in kept.items():
            (out / name).write_text(text)
        (out / temporary_name("report.json", gone)).symlink_to(precious)  # a link is never ours
        (out / temporary_name("report.json", gone)).mkdir()  # nor a folder
        ours = out / temporary_name("report.json", gone)
        ours.write_text("left by a run that was killed")
        elsewhere = other / temporary_name("report.json", gone)
        elsewhere.write_text("in a folder this run does not write to")
        before = {name: v for name, v in _snapshot(out).items() if name != ours.name}
        assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "-f", "json",
                     "-o", str(out / "report.json")]) == 1
        after = _snapshot(out)
        assert not ours.exists()
        assert {name: v for name, v in after.items() if name != "report.json"} == before
        assert elsewhere.exists() and precious.read_text() == "a,b\n"
        assert sweep(out) == []
    finally:
        alive.kill()
        alive.wait(timeout=60)


# -- 6  several outputs: all written, or none ----------------------------------------------------------------
def _two_outputs(tmp_path: Path, second: Path) -> list[str]:
    return ["check", "--data", str(SAMPLE), "--as-of", AS_OF, "-o", f"json={tmp_path / 'a.json'}",
            "-o", f"html={second}"]


@pytest.mark.parametrize("kind", ["folder", "FIFO", "symbolic link"])
def test_an_output_that_is_no_regular_file_refuses_the_run_before_any_file_is_replaced(tmp_path, capsys, kind):
    """The bad day: `b.html` a folder, exit 2, but `a.json` already replaced."""
    (tmp_path / "a.json").write_text("the previous report\n")
    second = tmp_path / "b.html"
    target = tmp_path / "elsewhere.html"
    target.write_text("someone else's page\n")
    {"folder": second.mkdir, "FIFO": lambda: os.mkfifo(second),
     "symbolic link": lambda: second.symlink_to(target)}[kind]()
    before = _snapshot(tmp_path)
    assert main(_two_outputs(tmp_path, second)) == 2
    err = capsys.readouterr().err
    assert f"error E806: {second} is a {kind}" in err.replace("FIFO (named pipe)", "FIFO")
    assert _snapshot(tmp_path) == before  # a.json the same file, the same bytes; nothing left behind


def test_a_device_is_refused_as_a_destination():
    from reglement.files import Refused, check_destination

    with pytest.raises(Refused, match="error E806: /dev/null is a device"):
        check_destination(Path("/dev/null"))


def _make_folder_of(path: Path):
    def confirm() -> None:  # between the check and the renames, someone puts a folder there
        path.unlink(missing_ok=True)
        path.mkdir()
    return confirm


def _writes(text: str):
    return lambda out: out.write(text)


@pytest.mark.parametrize("existed", [True, False], ids=["replacing", "new"])
def test_a_rename_that_fails_part_way_puts_back_the_files_already_renamed(tmp_path, existed):
    from reglement.outputs import write_all

    first, second = tmp_path / "a.json", tmp_path / "b.html"
    if existed:
        first.write_text("the previous report\n")
        os.utime(first, (1_000_000_000, 1_000_000_000))
    before = _snapshot(tmp_path)
    with pytest.raises(Exception, match=r"b\.html is a folder.*nothing was replaced") as raised:
        write_all([(first, _writes("new a\n")), (second, _writes("new b\n"))], _make_folder_of(second))
    assert str(first) in str(raised.value) if existed else True
    assert {n: v for n, v in _snapshot(tmp_path).items() if n != "b.html"} == before
    if existed:
        assert first.stat().st_mtime == 1_000_000_000


def test_a_rename_the_file_system_refuses_part_way_is_undone(tmp_path, monkeypatch):
    """The second rename fails (EIO on a network share, say): the first file is the old one again."""
    from reglement.outputs import write_all

    first, second = tmp_path / "a.json", tmp_path / "b.html"
    first.write_text("the previous report\n")
    second.write_text("the previous page\n")
    before = _snapshot(tmp_path)
    real, renamed = os.replace, []

    def flaky(source, destination, *args, **kwargs):
        if Path(destination) == second and not renamed.count(second):
            renamed.append(second)
            raise OSError(5, "Input/output error")
        return real(source, destination, *args, **kwargs)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(Exception, match=r"cannot write the report to .*b\.html: Input/output error"):
        write_all([(first, _writes("new a\n")), (second, _writes("new b\n"))])
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before


def test_all_outputs_and_their_signature_are_in_place_after_a_good_run(tmp_path, capsys):
    key = ed25519_keys(tmp_path)[0]
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("the previous report\n")
    code = main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "-o", f"json={out / 'a.json'}",
                 "-o", f"html={out / 'b.html'}", "--sign", str(key)])
    assert code == 1, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.json.sig", "b.html"]
    assert main(["verify", str(out / "a.json"), "--public-key", str(_public_of(key))]) == 0


def test_generate_writes_through_the_same_writer_a_link_in_its_folder_is_refused(tmp_path):
    """`reglement generate --out` into a folder where `clients.csv` is a link: refused before anything is drawn,
    the link's target untouched, no file of the export written."""
    from reglement.datasets.generate import MIN_CLIENTS, generate
    from reglement.files import Refused

    precious = tmp_path / "precious.csv"
    precious.write_text("a,b\n")
    out = tmp_path / "export"
    out.mkdir()
    (out / "clients.csv").symlink_to(precious)
    with pytest.raises(Refused, match=r"clients\.csv is a symbolic link"):
        generate(out, clients=MIN_CLIENTS, seed=1, events_per_client=2)
    assert precious.read_text() == "a,b\n" and [p.name for p in out.iterdir()] == ["clients.csv"]


def _public_of(key: Path) -> Path:
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    public = key.with_suffix(".pub")
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return public


# -- 7  verify: what a folder of reports may hold ------------------------------------------------------------
# `reglement verify` reads a folder anyone may have put things into: it opens regular files only (a FIFO would
# hang it, /dev/zero never end), says what it passed over, words every file that is not a report as a finding
# about that file, refuses a bad --public-key at once, names a broken start and a fork, and anchors the chain's
# end in a head hash kept outside the folder (--head). `check --previous` checks the previous report's signature
# before its findings are carried (--previous-key). The hang cases run in a subprocess with a timeout.
_V7_DATES = ("2026-09-30", "2026-10-31", "2026-11-28")  # three monthly reports of the sample export

@pytest.fixture(scope="module")
def v7_signed_chain(tmp_path_factory) -> tuple[Path, Path, Path, list[Path]]:
    """The sample export, a key pair, and three monthly reports chained and signed over the export (kept as
    written: each test copies the reports it changes)."""
    work = tmp_path_factory.mktemp("v7-chain")
    export = work / "export"
    shutil.copytree(SAMPLE, export)
    secret, public = ed25519_keys(work / "keys")
    written: list[Path] = []
    for as_of in _V7_DATES:
        out = work / "kept" / f"{as_of}.json"
        out.parent.mkdir(exist_ok=True)
        previous = ["--previous", str(written[-1])] if written else []
        assert main(["check", "--data", str(export), "--as-of", as_of, "-q", "--format", "json", "--output",
                     str(out), "--sign", str(secret), *previous]) == 1  # the sample holds breaches
        written.append(out)
    return export, secret, public, written


@pytest.fixture
def v7_folder(v7_signed_chain, tmp_path) -> tuple[Path, list[Path]]:
    """A folder of its own holding a copy of the signed chain (reports and their .sig)."""
    _, _, _, written = v7_signed_chain
    folder = tmp_path / "reports"
    folder.mkdir()
    for report in written:
        shutil.copy(report, folder / report.name)
        shutil.copy(f"{report}.sig", folder / f"{report.name}.sig")
    return folder, [folder / r.name for r in written]


def _v7_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _v7_verify(capsys, *args: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    code = main(["verify", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def _v7_run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`reglement …` in a process of its own: a hang is a failed test, not a stuck suite."""
    try:
        return subprocess.run([sys.executable, "-m", "reglement", *map(str, args)], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"reglement {' '.join(map(str, args))} did not end within {timeout} s")


def _v7_line(lines: list[str], path: Path) -> str:
    found = [line for line in lines if f"  {path}  — " in line]
    assert len(found) == 1, (path, lines)
    return found[0]


def test_verify_passes_over_what_is_no_regular_file_and_words_every_file_that_is_no_report(v7_folder, tmp_path):
    folder, reports = v7_folder
    os.mkfifo(folder / "x.json")  # opened, it waits for a writer that never comes
    (folder / "y.json").mkdir()
    (folder / "z.json").symlink_to("/dev/zero")  # read, it never ends
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}", "utf-8")
    (folder / "out.json").symlink_to(outside)
    (folder / "loop1.json").symlink_to(folder / "loop2.json")
    (folder / "loop2.json").symlink_to(folder / "loop1.json")
    (folder / "utf8.json").write_bytes(b'{"as_of": "\xff"}')
    (folder / "array.json").write_text("[1, 2, 3]", "utf-8")
    (folder / "object.json").write_text('{"hello": "world"}', "utf-8")
    (folder / "cut.json").write_bytes(reports[1].read_bytes()[:5000])
    (folder / "empty.json").write_bytes(b"")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    with (folder / "huge.json").open("wb") as huge:  # sparse: 1 GiB that takes no room
        huge.write(b"{")
        huge.truncate((1 << 30) + 1)
    done = _v7_run("verify", folder, timeout=60)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr  # the files that are not reports are findings
    lines = done.stdout.splitlines()
    for report in reports:
        assert _v7_line(lines, report).startswith("OK"), lines  # the chain itself holds
    skipped = {"x.json": "a FIFO: not opened", "y.json": "a folder: not opened",
               "z.json": "a link out of the folder (to /dev/zero): not followed",
               "out.json": f"a link out of the folder (to {outside}): not followed",
               "loop1.json": "a link that leads nowhere (a loop of links): not followed",
               "loop2.json": "a link that leads nowhere (a loop of links): not followed"}
    for name, said in skipped.items():
        assert _v7_line(lines, folder / name).split()[0] == "SKIP" and _v7_line(lines, folder / name).endswith(said)
    broken = {"utf8.json": "not a report: not UTF-8 text (byte 12 of 14)",
              "array.json": "not a report: a JSON array, not an object",
              "object.json": 'not a report: a JSON object that reglement did not write (no "tool": {"name": '
                             '"reglement"})',
              "cut.json": "; it ends early: cut off?)",
              "empty.json": "not a report: an empty file",
              "deep.json": "not a report: JSON nested too deep to read",
              "huge.json": "not checked: 1,073,741,825 bytes, larger than a report may be (1 GiB)"}
    for name, said in broken.items():
        line = _v7_line(lines, folder / name)
        assert line.startswith("BROKEN") and line.endswith(said), line
    assert lines[-1] == (f"3 reports and 7 files that are none: 7 broken, first {folder / 'array.json'}; "
                         "6 passed over (SKIP)")


def test_verify_opens_no_fifo_or_device_named_on_the_command_line(v7_folder, tmp_path):
    _, reports = v7_folder
    fifo, zero = tmp_path / "x.json", tmp_path / "z.json"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")  # named, a link is followed: to a character device, which is not opened
    done = _v7_run("verify", *reports, fifo, zero, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert _v7_line(lines, fifo).startswith("SKIP") and _v7_line(lines, fifo).endswith("a FIFO: not opened")
    assert _v7_line(lines, zero).endswith("a character device: not opened")
    assert lines[-1].startswith("3 reports: the chain holds;") and lines[-1].endswith("; 2 passed over (SKIP)")
    only = _v7_run("verify", fifo, timeout=60)  # nothing but what is passed over: no report found
    assert only.returncode == 2 and only.stdout == ""
    assert only.stderr.strip() == (f"reglement verify: no report found in {fifo} (passed over: {fifo}: a FIFO: "
                                   "not opened)")


def test_verify_does_not_hang_on_a_fifo_for_a_key(v7_folder, tmp_path):
    folder, _ = v7_folder
    key = tmp_path / "key.pub"
    os.mkfifo(key)
    done = _v7_run("verify", folder, "--public-key", key, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"{key}: error E805: not a key file: a FIFO"


def test_verify_does_not_hang_on_a_fifo_for_a_signature(v7_signed_chain, v7_folder):
    _, _, public, _ = v7_signed_chain
    folder, reports = v7_folder
    sig = Path(f"{reports[2]}.sig")
    sig.unlink()
    os.mkfifo(sig)
    done = _v7_run("verify", folder, "--public-key", public, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    line = _v7_line(done.stdout.splitlines(), reports[2])
    assert line.startswith("BROKEN") and f"no signature: {sig.name} is a FIFO, not read" in line


@pytest.mark.parametrize(("text", "said"), [
    ("[]", "not a report: a JSON array, not an object"),
    ('"a report"', "not a report: a JSON string, not an object"),
    ("42", "not a report: a JSON number, not an object"),
    ("null", "not a report: a JSON null, not an object"),
    ("true", "not a report: a JSON true or false, not an object"),
    ('{"tool": "reglement"}', 'not a report: a JSON object that reglement did not write'),
    ('{"tool": {"name": "reglement"}}', "not a valid report ($: 'as_of' is a required property)"),
    ("1" * 5000, "not a report: not JSON that can be read (a number of thousands of digits)"),
    ("{", "not a report: not JSON (Expecting property name enclosed in double quotes at line 1, column 2; "
          "it ends early: cut off?)"),
])
def test_a_json_file_that_is_no_report_is_a_finding_about_that_file(v7_folder, capsys, text, said):
    folder, reports = v7_folder
    odd = folder / "odd.json"
    odd.write_text(text, "utf-8")
    code, lines, err = _v7_verify(capsys, folder)
    assert code == 1 and err == ""
    assert _v7_line(lines, odd).startswith(f"BROKEN ?           {odd}  — {said}")
    assert [_v7_line(lines, r).split()[0] for r in reports] == ["OK"] * 3


def _v7_mutations(report: dict):
    """Every field of the report, and of its chain, data and first rule, removed or given a value of another kind."""
    odd = (None, 0, -1, "", "\x00", "2026-13-45", [], {}, [{}], {"x": {}}, 10 ** 30)
    places = [()] + [(k,) for k in report] + [("chain", k) for k in ("first", "previous")]
    places += [("chain", "previous", k) for k in ("path", "sha256", "as_of")]
    places += [("data", k) for k in list(report["data"])[:2]] + [("rules", 0), ("run", "started_at")]
    for place in places:
        for value in (*odd, "remove"):
            changed = json.loads(json.dumps(report))
            parent = changed
            for step in place[:-1]:
                parent = parent[step] if isinstance(parent, dict) or isinstance(step, int) else parent
            if not place:
                yield "the whole report", value if value != "remove" else {}
                continue
            if value == "remove":
                if isinstance(parent, dict):
                    parent.pop(place[-1], None)
                else:
                    del parent[place[-1]]
            else:
                parent[place[-1]] = value
            yield f"{'.'.join(map(str, place))} = {value!r}", changed


def test_verify_never_ends_in_an_internal_error_on_a_changed_report(v7_folder, capsys):
    folder, reports = v7_folder
    middle = json.loads(reports[1].read_text("utf-8"))
    middle.setdefault("chain", {}).setdefault("first", True)  # both keys present, so both can be changed
    for what, changed in _v7_mutations(middle):
        reports[1].write_text(json.dumps(changed), "utf-8")
        code, lines, err = _v7_verify(capsys, folder)
        assert code in (0, 1) and err == "", (what, err)
        assert lines[-1].startswith("3 reports") or re.search(" that (is|are) none", lines[-1]), (what, lines)


def test_a_schema_problem_is_said_without_the_value_there(v7_folder, capsys):
    folder, reports = v7_folder
    report = json.loads(reports[2].read_text("utf-8"))
    report["as_of"] = "123456782"  # a BSN, where a date belongs
    report["run"]["seconds"] = "999999990"
    reports[2].write_text(json.dumps(report), "utf-8")
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 1
    line = _v7_line(lines, reports[2])
    assert line.startswith("BROKEN") and "not a valid report ($.as_of: does not meet the schema's 'pattern')" in line
    assert "123456782" not in "\n".join(lines) and "999999990" not in "\n".join(lines)


def test_a_file_name_cannot_write_to_the_terminal(v7_folder, capsys):
    folder, _ = v7_folder
    (folder / "\x1b[2J\x1b]0;owned\x07.json").write_text("[]", "utf-8")
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 1
    assert not any("\x1b" in line or "\x07" in line for line in lines)
    assert any("⟨U+001B⟩[2J⟨U+001B⟩]0;owned⟨U+0007⟩.json" in line for line in lines)


def test_a_link_to_a_report_and_a_copy_of_one_are_read_once_and_no_fork(v7_folder, capsys):
    folder, reports = v7_folder
    (folder / "0-latest.json").symlink_to(reports[2].name)  # sorts before its target: the file is read, not the link
    shutil.copy(reports[0], folder / "copy.json")
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 0, lines
    assert _v7_line(lines, folder / "0-latest.json").endswith(f"the same file as {reports[2]}: read once")
    copy = folder / "copy.json"
    assert _v7_line(lines, copy) == f"SKIP   {_V7_DATES[0]}  {copy}  — the same bytes as {reports[0]}: checked there"
    assert [_v7_line(lines, r).split()[0] for r in reports] == ["OK"] * 3
    assert "fork" not in "\n".join(lines)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_said(v7_folder, capsys):
    folder, _ = v7_folder
    locked = folder / "locked.json"
    locked.write_text("{}", "utf-8")
    locked.chmod(0)
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 1 and _v7_line(lines, locked).endswith("cannot be read (Permission denied)")


def test_a_file_that_cannot_be_opened_is_said_even_as_root(v7_folder, capsys, monkeypatch):
    import reglement.checker.chain as chain

    folder, _ = v7_folder
    locked = folder / "locked.json"
    locked.write_text("{}", "utf-8")
    opened = os.open

    def refuse(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return opened(path, *args, **kwargs)

    monkeypatch.setattr(chain.os, "open", refuse)
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 1 and _v7_line(lines, locked) == f"BROKEN ?           {locked}  — cannot be read (Permission denied)"


# A --public-key that is no ed25519 public key is one clear usage error, before any report is read.
def _v7_pem(kind: str, folder: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private = (rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1()))
    path = folder / f"{kind}.pub"
    path.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


@pytest.mark.parametrize("kind", ["rsa", "ec", "no key", "private", "missing", "huge"])
def test_a_bad_public_key_is_one_usage_error(v7_signed_chain, v7_folder, tmp_path, capsys, kind):
    _, secret, _, _ = v7_signed_chain
    folder, _ = v7_folder
    if kind in ("rsa", "ec"):
        key = _v7_pem(kind, tmp_path)
        said = f"{key}: error E805: an {kind.upper()} public key, not ed25519"
    elif kind == "no key":
        key = tmp_path / "key.pub"
        key.write_text("hello\n", "utf-8")
        said = f"{key}: error E805: not a PEM public key"
    elif kind == "private":
        key = secret
        said = f"{key}: error E805: a private key; give its public key"
    elif kind == "missing":
        key = tmp_path / "nowhere.pub"
        said = f"{key}: error E805: cannot read the key (No such file or directory)"
    else:
        key = tmp_path / "huge.pub"
        with key.open("wb") as out:
            out.truncate(1 << 30)
        said = f"{key}: error E805: not a key file: larger than 64 KiB"
    code, lines, err = _v7_verify(capsys, folder, "--public-key", key)
    assert code == 2 and lines == [], lines  # not one line per report saying its signature does not match
    assert err.startswith(said) and "internal error" not in err, err


# The chain's start, a fork, and its end anchored outside the folder.
def test_a_missing_start_is_said(v7_folder, capsys):
    folder, reports = v7_folder
    first = _v7_sha(reports[0])
    reports[0].unlink()
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 1
    assert _v7_line(lines, reports[1]).startswith(
        f"BROKEN {_V7_DATES[1]}  {reports[1]}  — the chain's start is broken: it names as its predecessor sha256 "
        f"{first} (")
    assert f", audit date {_V7_DATES[0]}), which no report here has" in lines[0]
    assert lines[-1] == f"2 reports: 1 broken, first {reports[1]}"


def test_a_fork_is_called_a_fork(v7_signed_chain, v7_folder, capsys):
    export, _, _, _ = v7_signed_chain
    folder, reports = v7_folder
    other = folder / "2026-11-30.json"
    assert main(["check", "--data", str(export), "--as-of", "2026-11-30", "-q", "--format", "json", "--output",
                 str(other), "--previous", str(reports[1])]) == 1
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 1
    assert f"a fork: {other} also names {reports[1]} as predecessor" in _v7_line(lines, reports[2])
    assert f"a fork: {reports[2]} also names {reports[1]} as predecessor" in _v7_line(lines, other)


def test_the_summary_gives_the_head_to_keep(v7_folder, capsys):
    folder, reports = v7_folder
    code, lines, _ = _v7_verify(capsys, folder)
    assert code == 0
    assert lines[-1] == (f"3 reports: the chain holds; its head {reports[2]} has sha256 {_v7_sha(reports[2])}: "
                         "keep it outside the folder and give it as --head next time")


def test_reports_taken_from_the_end_pass_without_a_kept_head_and_break_with_it(v7_signed_chain, v7_folder, capsys):
    _, _, public, _ = v7_signed_chain
    folder, reports = v7_folder
    head = _v7_sha(reports[2])
    code, lines, _ = _v7_verify(capsys, folder, "--public-key", public, "--head", head.upper())
    assert code == 0 and lines[-1] == f"3 reports: the chain holds and ends at the head given ({reports[2]})"
    assert _v7_line(lines, reports[2]).endswith("signature holds; the head given (--head)")
    reports[2].unlink()
    Path(f"{reports[2]}.sig").unlink()
    code, lines, _ = _v7_verify(capsys, folder, "--public-key", public)
    assert code == 0  # every signature and link holds: only an anchor outside the folder tells
    code, lines, _ = _v7_verify(capsys, folder, "--public-key", public, "--head", head)
    assert code == 1
    assert _v7_line(lines, reports[1]).startswith(
        f"BROKEN {_V7_DATES[1]}  {reports[1]}  — the chain does not end at the head given (--head {head[:12]}…): "
        "no report here has that sha256: reports were removed from the chain's end, or this folder holds another "
        "chain")


def test_a_report_after_the_head_given_breaks(v7_folder, capsys):
    folder, reports = v7_folder
    code, lines, _ = _v7_verify(capsys, folder, "--head", _v7_sha(reports[1]))
    assert code == 1
    head = _v7_line(lines, reports[1])
    assert head.startswith("OK") and head.endswith("the head given (--head)")
    after = _v7_line(lines, reports[2])
    assert f"comes after the head given (--head {_v7_sha(reports[1])[:12]}…, {reports[1]})" in after


def test_a_head_given_that_is_no_report_here_is_said(v7_folder, capsys):
    folder, reports = v7_folder
    cut = folder / "cut.json"
    cut.write_bytes(b'{"as_of": ')
    code, lines, _ = _v7_verify(capsys, folder, "--head", _v7_sha(cut))
    assert code == 1
    assert (f"the chain does not end at the head given (--head {_v7_sha(cut)[:12]}…): {cut} has that sha256 but "
            "not a report: not JSON") in _v7_line(lines, reports[2])


@pytest.mark.parametrize("head", ["abc", "g" * 64, "0" * 63])
def test_a_head_that_is_no_sha256_is_a_usage_error(v7_folder, capsys, head):
    folder, _ = v7_folder
    code, lines, err = _v7_verify(capsys, folder, "--head", head)
    assert code == 2 and lines == []
    assert err.strip() == f"reglement verify: argument --head: '{head}' is not a sha256: 64 hexadecimal digits"


# `check --previous`: the previous report's signature is checked before its findings are carried.
def _v7_check(export: Path, out: Path, *extra: object) -> list[str]:
    return ["check", "--data", str(export), "--as-of", "2026-12-31", "--format", "json", "--output", str(out),
            *map(str, extra)]


def test_previous_key_checks_the_signature_before_findings_are_carried(v7_signed_chain, v7_folder, tmp_path, capsys):
    export, _, public, _ = v7_signed_chain
    _, reports = v7_folder
    out = tmp_path / "next.json"
    capsys.readouterr()
    assert main(_v7_check(export, out, "--previous", reports[2], "--previous-key", public)) == 1
    assert json.loads(out.read_text("utf-8"))["chain"]["previous"]["sha256"] == _v7_sha(reports[2])
    assert capsys.readouterr().err == ""
    out.unlink()
    reports[2].write_text(reports[2].read_text("utf-8").replace('"lang": "nl"', '"lang": "en"'), "utf-8")
    assert main(_v7_check(export, out, "--previous", reports[2], "--previous-key", public)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{reports[2]}: error E807: the signature does not match the report: a report whose "
                          "signature does not hold is not taken as the chain's last link, and nothing was audited")
    assert not out.exists()
    Path(f"{reports[2]}.sig").unlink()
    assert main(_v7_check(export, out, "--previous", reports[2], "--previous-key", public)) == 2
    assert capsys.readouterr().err.startswith(f"{reports[2]}: error E807: no signature ({reports[2].name}.sig)")
    assert not out.exists()


def test_a_signature_left_unchecked_is_said(v7_signed_chain, v7_folder, tmp_path, capsys):
    export, _, _, _ = v7_signed_chain
    _, reports = v7_folder
    capsys.readouterr()
    assert main(_v7_check(export, tmp_path / "a.json", "--previous", reports[2])) == 1
    assert capsys.readouterr().err == (f"reglement: {reports[2]}.sig was not checked: the previous report is trusted "
                                       "as it is and its findings are carried; give --previous-key KEY.pub to check "
                                       "it first\n")
    assert main(_v7_check(export, tmp_path / "b.json", "--previous", reports[2], "-q")) == 1
    assert capsys.readouterr().err == ""  # --quiet: errors only
    Path(f"{reports[2]}.sig").unlink()
    assert main(_v7_check(export, tmp_path / "c.json", "--previous", reports[2])) == 1
    assert capsys.readouterr().err == ""  # nothing signed, nothing left unchecked


def test_previous_key_needs_previous_and_an_ed25519_public_key(v7_signed_chain, v7_folder, tmp_path, capsys):
    export, secret, public, _ = v7_signed_chain
    _, reports = v7_folder
    capsys.readouterr()
    assert main(_v7_check(export, tmp_path / "a.json", "--previous-key", public)) == 2
    assert capsys.readouterr().err.strip() == ("reglement check: --previous-key checks the signature of the report "
                                               "given with --previous")
    assert main(_v7_check(export, tmp_path / "a.json", "--previous", reports[2], "--previous-key", secret)) == 2
    assert capsys.readouterr().err.startswith(f"{secret}: error E805: a private key; give its public key")
    assert not (tmp_path / "a.json").exists()


def test_previous_that_is_a_fifo_is_refused_not_waited_for(v7_signed_chain, tmp_path):
    export, _, _, _ = v7_signed_chain
    fifo = tmp_path / "previous.json"
    os.mkfifo(fifo)
    done = _v7_run(*_v7_check(export, tmp_path / "a.json", "--previous", fifo), timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{fifo}: error E804: not a reglement JSON report (a FIFO: not opened)"


# -- 8  keys that differ only by what a reader cannot see ----------------------------------------------------
# Each of these looks like a known id on a screen, or exactly like another spelling of it.
LOOK_ALIKES = {
    "zero-width space": ("U01\u200b", "U01⟨U+200B⟩"),
    "zero-width joiner": ("U01\u200d", "U01⟨U+200D⟩"),
    "word joiner": ("U01\u2060", "U01⟨U+2060⟩"),
    "left-to-right mark": ("\u200eU01", "⟨U+200E⟩U01"),
    "byte order mark": ("\ufeffU01", "⟨U+FEFF⟩U01"),
    "no-break space": ("U01\u00a0", "U01⟨U+00A0⟩"),
    "line separator": ("U01\u2028", "U01⟨U+2028⟩"),
    "decomposed accent (NFD)": ("UE\u03011", "UE⟨U+0301⟩1"),
}


# What no format a person reads may carry raw: the look-alikes' characters.
_UNSEEN_RAW = re.compile("[\u200b\u200d\u2060\u200e\ufeff\u00a0\u2028\u0301]")


def _unseen_export(folder: Path) -> Path:
    """The sample, with access events by each look-alike of U01 (and one look-alike event id), and a user
    `UÉ1` (NFC) whom the NFD actor only looks like."""
    shutil.copytree(SAMPLE, folder)
    path = folder / "access_log.jsonl"
    events = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    for event, (actor, _) in zip(events[1:], LOOK_ALIKES.values()):
        event["actor_id"] = actor
    events[1]["event_id"] = "E0002\u200b"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), "utf-8")
    with (folder / "users.csv").open("a", encoding="utf-8") as users:
        users.write("U\u00c91,Test Persoon,jobcoach,2019-03-01,,2019-03-01,true,\n")
    return folder


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_visible_writes_out_what_a_reader_cannot_see(name):
    from reglement.checker.formats.controls import visible

    raw, shown = LOOK_ALIKES[name]
    assert visible(f"event E1: {raw} opened") == f"event E1: {shown} opened"


def test_visible_leaves_what_a_reader_sees_and_cannot_be_forged():
    import pyarrow as pa

    from reglement.checker.formats.controls import visible, visible_texts

    ordinary = ["cliënt C020 — André, Ångström", "U01 en U02\tmet tab", "각 (NFC Hangul)", "q\u0301 (no composed q́)"]
    assert [visible(text, keep="\t") for text in ordinary] == ordinary
    assert visible("U01⟨U+200B⟩") == "U01⟨U+27E8⟩U+200B⟩"  # the data's own bracket is written out too
    assert visible("\u212b") == "⟨U+212B⟩"  # the Ångström sign, whose NFC is Å
    assert visible("\ue000\U000e0041\u0378\u3164\ufe0f") == "⟨U+E000⟩⟨U+E0041⟩⟨U+0378⟩⟨U+3164⟩⟨U+FE0F⟩"
    column = [raw for raw, _ in LOOK_ALIKES.values()] + ordinary + ["U01⟨x", "\x1b[2J", None]
    assert visible_texts(pa.array(column)).to_pylist() == [None if v is None else visible(v) for v in column]


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_a_look_alike_key_is_shown_so_in_every_format_a_person_reads(tmp_path, capsys, engine):
    """`U01 … is not a known user` while U01 is one: every format a person reads shows the difference; the
    JSON report keeps the exact key (the evidence, which a baseline or waiver matches)."""
    from reglement.cli import main

    data = _unseen_export(tmp_path / "export")
    out = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "text", "markdown", "html", "junit", "sarif")}
    argv = ["check", "--data", str(data), "--as-of", AS_OF, "--lang", "en", "--engine", engine,
            "--select", "5.1-unknown-actor"]
    assert main([*argv, *(f for fmt, path in out.items() for f in ("-o", f"{fmt}={path}"))]) == 1
    capsys.readouterr()
    report = json.loads(out["json"].read_text("utf-8"))
    (rule,) = [r for r in report["rules"] if r["id"] == "5.1-unknown-actor"]
    assert {"event_id": "E0002\u200b"} in [f["key"] for f in rule["findings"]]
    assert any(f["message"].startswith("event E0002\u200b: U01\u200b opened") for f in rule["findings"])
    sarif = json.loads(out["sarif"].read_text("utf-8"))
    results = sarif["runs"][0]["results"]
    assert {"event_id": "E0002\u200b"} in [r["properties"]["key"] for r in results]  # the key, exact
    readable = {fmt: out[fmt].read_text("utf-8") for fmt in ("text", "markdown", "html", "junit")}
    readable["sarif messages"] = "\n".join(r["message"]["text"] for r in results)
    for fmt, text in readable.items():
        assert not _UNSEEN_RAW.search(text), fmt
        page = re.sub(r"<span class=\"unseen\">(.*?)</span>", r"\1", text) if fmt == "html" else text
        for _, shown in LOOK_ALIKES.values():
            assert f"{shown} opened the file" in page, (fmt, shown)
        assert "E0002⟨U+200B⟩" in page, fmt
    assert '<span class="unseen">⟨U+200B⟩</span>' in readable["html"]


def test_a_look_alike_key_in_an_error_on_stderr_is_shown_so(tmp_path, capsys):
    from reglement.cli import main

    shutil.copytree(SAMPLE, tmp_path / "export")
    (tmp_path / "export" / "objections.csv").write_text(
        "objection_id,client_id,objected_at\nO1\u200b,C001,2026-01-05\nO1\u200b,C002,2026-01-06\n", "utf-8")
    assert main(["check", "--data", str(tmp_path / "export"), "--as-of", AS_OF]) == 2
    err = capsys.readouterr().err
    assert "column objection_id: error E708: duplicate key 'O1⟨U+200B⟩' (first seen on row 1)" in err
    assert "\u200b" not in err


# -- 9  a terminal that cannot print every character, a full disk --------------------------------------------
def _cli(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([sys.executable, "-m", "reglement", *args], timeout=300, env={**os.environ, **(env or {})},
                          **streams)


def _without_run(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "run"}


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    report = tmp_path_factory.mktemp("latin1") / "report.json"
    assert main(["check", "--data", str(SAMPLE), "--as-of", AS_OF, "-f", "json", "-o", str(report)]) == 1
    return report


def test_a_latin1_terminal_shows_what_it_cannot_encode_escaped_not_a_crash():
    done = _cli("check", "--data", str(SAMPLE), "--as-of", AS_OF, env={"PYTHONIOENCODING": "latin-1"})
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "internal error" not in err
    text = done.stdout.decode("latin-1")
    assert "Artikel 1 \\u2014 Algemene Begripsbepalingen" in text  # an em dash Latin-1 has not
    assert "categorieën" in text  # what Latin-1 has, it shows
    assert "handmatige controles" in text.splitlines()[-1]  # the whole report, to its last line


def test_a_json_report_on_a_latin1_terminal_is_the_same_document_in_ascii(sample_report):
    done = _cli("check", "--data", str(SAMPLE), "--as-of", AS_OF, "-f", "json", env={"PYTHONIOENCODING": "latin-1"})
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout.isascii()  # valid JSON whatever the reader decodes it as
    assert _without_run(json.loads(done.stdout)) == _without_run(json.loads(sample_report.read_text("utf-8")))


def test_a_latin1_locale_is_such_a_terminal_too(sample_report):
    try:
        locale.setlocale(locale.LC_ALL, "nl_NL.ISO-8859-1")
    except locale.Error:
        pytest.skip("the nl_NL.ISO-8859-1 locale is not installed here")
    finally:
        locale.setlocale(locale.LC_ALL, "")
    env = {"LC_ALL": "nl_NL.ISO-8859-1", "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}
    done = _cli("render", str(sample_report), "-f", "json", env=env)
    assert done.returncode == 0 and done.stdout.isascii(), done.stderr.decode()
    assert json.loads(done.stdout) == json.loads(sample_report.read_text("utf-8"))


@pytest.mark.parametrize("fmt, escaped", [("text", "\\u2014"), ("markdown", "\\u2014"), ("sarif", "\\u00eb"),
                                          ("html", "&#8212;"), ("junit", "&#235;")])
def test_every_format_on_a_terminal_that_cannot_take_it(sample_report, monkeypatch, capsys, fmt, escaped):
    """In-process, on a Latin-1 (and on an ASCII) standard output: never a crash, every character there."""
    for encoding in ("latin-1", "ascii"):
        stdout = io.TextIOWrapper(io.BytesIO(), encoding=encoding, newline="")
        monkeypatch.setattr(sys, "stdout", stdout)
        assert main(["render", str(sample_report), "-f", fmt]) == 0, capsys.readouterr().err
        stdout.flush()
        written = stdout.buffer.getvalue()
        assert escaped in written.decode(encoding)
        if fmt == "sarif":
            assert written.isascii() and json.loads(written)["version"] == "2.1.0"
        if fmt in ("html", "junit"):
            assert written.isascii()
        if fmt == "junit":
            import xml.etree.ElementTree as ET

            parsed = ET.fromstring(written)
            assert any("ë" in v for e in parsed.iter() for v in [*e.attrib.values(), e.text or ""])


def test_rules_as_json_on_an_ascii_terminal_is_valid_json():
    done = _cli("rules", "--format", "json", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0 and done.stdout.isascii(), done.stderr.decode()
    assert json.loads(done.stdout)["rules"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("select", [[], ["--select", "5.2"]], ids=["a long report", "a short one, left in a buffer"])
def test_a_full_disk_on_standard_output_is_said_as_such(select):
    with open("/dev/full", "w") as full:
        done = _cli("check", "--data", str(SAMPLE), "--as-of", AS_OF, *select, stdout=full, stderr=subprocess.PIPE)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    # (a --select that leaves contract rules out says so first)
    assert err.strip().splitlines()[-1] == "reglement: cannot write to standard output: No space left on device"


# -- +  values in error messages, a UTF-8 file with one bad byte, an empty spreadsheet cell ------------------
ENGINES_READING_FILES = ["duckdb", "pandas", "spark"]  # pandas takes data in as DuckDB does; Spark reads it itself



def _engine(request, engine: str) -> list[str]:
    """`--engine ENGINE`, with the Spark context of the run (conftest) started for Spark."""
    if engine == "spark":
        request.getfixturevalue("spark")
    return ["--engine", engine]


def _check_with(data: Path, *extra: str) -> int:
    return main(["check", "--data", str(data), "--as-of", AS_OF, "--lang", "en", *extra])


def _export_of(folder: Path, *names: str) -> Path:
    """An export of the sample's files `names` alone: the intake reads only those (Spark takes a while a file)."""
    folder.mkdir()
    for name in names:
        shutil.copy(SAMPLE / name, folder / name)
    return folder


@pytest.mark.parametrize("value, shown", [
    ("Jansen", "'Aaaaaa'"), ("2024-02-30", "'9999-99-99'"), ("5-1-2024", "'9-9-9999'"),
    ("Noël van Dijk-Bakker", "'Aaaa aaa Aaaa-Aaaaaa'"), ("06-12345678", "'99-99999999'"), ("", "''"),
    ("x" * 41, "'" + "a" * 40 + "…'"),
])
def test_a_quoted_value_is_its_shape(value, shown):
    from reglement.checker.intake.validate import value_shape

    assert value_shape(value) == shown


@pytest.mark.parametrize("engine", ENGINES_READING_FILES)
def test_a_name_in_a_date_cell_and_a_number_in_a_text_cell_are_quoted_by_their_shape(tmp_path, capsys, request,
                                                                                      engine):
    """`registered_at = 'Jansen'`, a BSN given as a number in `actor_id`: neither value reaches stderr."""
    data = _export_of(tmp_path / "export", "clients.csv", "access_log.jsonl")
    clients = (data / "clients.csv").read_text("utf-8").splitlines()
    clients[1] = clients[1].replace(",2025-08-25,", ",Jansen,")
    (data / "clients.csv").write_text("\n".join(clients) + "\n", "utf-8")
    log = (data / "access_log.jsonl").read_text("utf-8").splitlines()
    log[2] = log[2].replace('"actor_id": "U01"', '"actor_id": 612345678')
    (data / "access_log.jsonl").write_text("\n".join(log) + "\n", "utf-8")
    assert _check_with(data, *_engine(request, engine)) == 2
    err = capsys.readouterr().err
    assert "row 1, column registered_at: error E706: expected a date YYYY-MM-DD, got 'Aaaaaa'" in err
    assert (f"{data / 'access_log.jsonl'}:3: column actor_id: error E707: a number where the contract says text: "
            "export the column as text, got '999999999'") in err
    assert "Jansen" not in err and "612345678" not in err


def _with_bad_byte(data: Path) -> tuple[int, int]:
    """clients.csv of the sample (UTF-8, with `ë`, `ï`, `ö`), one `ë` of it saved as Excel on Windows would
    save it (the one byte 0xEB): the line and byte column of that byte."""
    raw = (data / "clients.csv").read_bytes()
    at = raw.index("Noël".encode()) + 2
    (data / "clients.csv").write_bytes(raw[:at] + b"\xeb" + raw[at + 2:])
    return raw.count(b"\n", 0, at) + 1, at - raw.rindex(b"\n", 0, at)


CLIENTS_ONLY = ("--select", "4.2-invalid-bsn")  # a rule that reads clients alone, which the sample breaks


@pytest.mark.parametrize("engine", ENGINES_READING_FILES)
def test_a_utf8_file_with_one_bad_byte_is_refused_at_that_byte_not_read_as_windows_1252(tmp_path, capsys, request,
                                                                                          engine):
    data = _export_of(tmp_path / "export", "clients.csv")
    line, column = _with_bad_byte(data)
    assert _check_with(data, *_engine(request, engine)) == 2
    err = capsys.readouterr().err
    assert (f"{data / 'clients.csv'}:{line}: error E710: byte {column} of the line is not UTF-8, while the file's "
            "other text is (") in err
    assert "repair it, or pass --encoding windows-1252 if the whole file is Windows-1252" in err
    # what the message offers: read as Windows-1252, it is audited (an `ë` becomes `Ã«`, as the user chose)
    assert _check_with(data, *_engine(request, engine), *CLIENTS_ONLY, "--encoding", "windows-1252", "-q") == 1


@pytest.mark.parametrize("engine", ENGINES_READING_FILES)
def test_a_windows_1252_file_is_still_read_as_it_is(tmp_path, capsys, request, engine):
    """Excel on Windows: every `ë` one byte, no UTF-8 sequence of more than one byte (Spark read no
    Windows-1252 at all before it was given Java's charsets)."""
    data = _export_of(tmp_path / "export", "clients.csv")
    text = (data / "clients.csv").read_text("utf-8")
    (data / "clients.csv").write_bytes(text.encode("cp1252", errors="replace"))  # as Excel does: ı → ?
    assert _check_with(data, *_engine(request, engine), *CLIENTS_ONLY, "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    if engine != "spark":  # Spark's store does not report the dialect it read
        assert report["data"]["clients"]["dialect"]["encoding"] == "windows-1252"


@pytest.mark.parametrize("engine", ENGINES_READING_FILES)
def test_a_bad_byte_past_the_first_mebibyte_is_placed_on_every_engine(tmp_path, capsys, request, engine):
    """Past what the encoding is detected from: DuckDB refuses the line; Spark would read U+FFFD unsaid."""
    data = tmp_path / "export"
    data.mkdir()
    rows = [f"O{i:06},C{i:05}ë,2024-01-01" for i in range(1, 45_001)]
    raw = ("objection_id,client_id,objected_at\n" + "\n".join(rows) + "\n").encode()
    at = raw.index(b"O044000,") + len("O044000,C44000")
    (data / "objections.csv").write_bytes(raw[:at] + b"\xeb" + raw[at + 2:])
    assert at > 1 << 20
    assert _check_with(data, *_engine(request, engine)) == 2
    err = capsys.readouterr().err
    assert f"{data / 'objections.csv'}:44001: " in err
    assert "error E710: byte 15 of the line is not valid UTF-8 (pass --encoding windows-1252" in err


def _access_log_workbook(data: Path) -> Path:
    """The sample's access log as a workbook (openpyxl, every cell text), in place of its JSON Lines file."""
    import openpyxl

    path = data / "access_log.jsonl"
    events = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    path.unlink()
    book = openpyxl.Workbook()
    book.active.append(list(events[0]))
    for event in events:
        book.active.append(list(event.values()))
    book.save(data / "access_log.xlsx")
    return data / "access_log.xlsx"


def _empty_text_cells(path: Path, how: str) -> None:
    """The workbook with each string cell openpyxl wrote without text (its `""`) holding a string of no
    characters instead: as Excel keeps a formula's `""` pasted as a value (a shared string), or inline."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    empty = re.compile(r'<c r="([A-Z]+\d+)" t="inlineStr"></c>|<c r="([A-Z]+\d+)" t="inlineStr"/>')
    assert empty.search(sheet)
    if how == "inline":
        sheet = empty.sub(lambda m: f'<c r="{m[1] or m[2]}" t="inlineStr"><is><t></t></is></c>', sheet)
    else:
        sheet = empty.sub(lambda m: f'<c r="{m[1] or m[2]}" t="s"><v>0</v></c>', sheet)
        main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main_ns}" count="1" '
                                         'uniqueCount="1"><si><t></t></si></sst>').encode()
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/></Types>'.encode())
        relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            f'<Relationship Id="rIdStrings" Type="{relation}" Target="sharedStrings.xml"/></Relationships>'.encode())
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, content in parts.items():
            book.writestr(name, content)


def _unknown_codes(report: dict) -> list:
    (rule,) = [r for r in report["rules"] if r["id"] == "4.2-unknown-code"]
    return sorted(json.dumps(f["key"], sort_keys=True) for f in rule["findings"])


@pytest.mark.parametrize("how", ["shared", "inline"])
@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_an_empty_text_in_a_workbook_is_a_finding_as_in_json_lines(tmp_path, capsys, engine, how):
    """`"action": ""` in JSON Lines is an unknown code (4.2), not a stop: a cell that holds an empty text is too."""
    jsonl = tmp_path / "jsonl"
    shutil.copytree(SAMPLE, jsonl)
    log = (jsonl / "access_log.jsonl").read_text("utf-8").splitlines()
    log[4] = log[4].replace('"action": "write"', '"action": ""')
    assert '"action": ""' in log[4]
    (jsonl / "access_log.jsonl").write_text("\n".join(log) + "\n", "utf-8")
    assert _check_with(jsonl, "--engine", engine, "--format", "json", "--select", "4.2-unknown-code") == 1
    expected = _unknown_codes(json.loads(capsys.readouterr().out))
    assert '{"column": "action", "event_id": "E0005"}' in expected
    workbook = tmp_path / "xlsx"
    shutil.copytree(jsonl, workbook)
    _empty_text_cells(_access_log_workbook(workbook), how)
    assert _check_with(workbook, "--engine", engine, "--format", "json", "--select", "4.2-unknown-code") == 1
    assert _unknown_codes(json.loads(capsys.readouterr().out)) == expected


@pytest.mark.parametrize("writer", ["openpyxl", "pandas"])
def test_a_cell_that_holds_nothing_is_null_as_an_empty_csv_field(tmp_path, capsys, writer):
    """openpyxl writes `""` as a string cell without text, and pandas writes `""` and every null so: a cell
    that holds nothing, which is null (E705 in a required column), as an empty CSV field is."""
    import pandas as pd

    data = tmp_path / "export"
    shutil.copytree(SAMPLE, data)
    log = (data / "access_log.jsonl").read_text("utf-8").splitlines()
    log[4] = log[4].replace('"action": "write"', '"action": ""')
    (data / "access_log.jsonl").write_text("\n".join(log) + "\n", "utf-8")
    if writer == "openpyxl":
        _access_log_workbook(data)
    else:
        frame = pd.read_json(data / "access_log.jsonl", lines=True, dtype=False)
        (data / "access_log.jsonl").unlink()
        frame.to_excel(data / "access_log.xlsx", index=False)
    with zipfile.ZipFile(data / "access_log.xlsx") as book:
        assert re.search(r'<c r="F6" t="inlineStr"(></c>|/>)', book.read("xl/worksheets/sheet1.xml").decode())
    assert _check_with(data) == 2
    sheet = "Sheet" if writer == "openpyxl" else "Sheet1"  # the first sheet, as each writer names it
    assert (f"{data / 'access_log.xlsx'} (sheet '{sheet}'): row 5, column action: error E705: empty value in a "
            "required column" in capsys.readouterr().err)
