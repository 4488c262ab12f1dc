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

import io
import json
import locale
import os
import shutil
import signal
import subprocess
import sys
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


# -- 3  a signature written through a link, or into a FIFO ----------------------------------------
def _ed25519_key(folder: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = folder / "key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return key


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
    key = _ed25519_key(tmp_path)
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
    key = _ed25519_key(tmp_path)
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
    key = _ed25519_key(tmp_path)
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
    key = _ed25519_key(tmp_path)
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

    key = _ed25519_key(tmp_path)
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


# -- 6  several outputs: all written, or none -----------------------------------------------------
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
    key = _ed25519_key(tmp_path)
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


# -- 9  a terminal that cannot print every character, a full disk ---------------------------------
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
    assert err.strip() == "reglement: cannot write to standard output: No space left on device"


# -- 5b  what killed runs leave behind: report temporaries ----------------------------------------
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
