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

# -- 7  verify: what a folder of reports may hold ---------------------------------------------------------------
# `reglement verify` reads a folder anyone may have put things into: it opens regular files only (a FIFO would
# hang it, /dev/zero never end), says what it passed over, words every file that is not a report as a finding
# about that file, refuses a bad --public-key at once, names a broken start and a fork, and anchors the chain's
# end in a head hash kept outside the folder (--head). `check --previous` checks the previous report's signature
# before its findings are carried (--previous-key). The hang cases run in a subprocess with a timeout.
_V7_DATES = ("2026-09-30", "2026-10-31", "2026-11-28")  # three monthly reports of the sample export

import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from conftest import SAMPLE  # noqa: E402

from reglement.cli import main  # noqa: E402


def _v7_keys(folder: Path) -> tuple[Path, Path]:
    """An ed25519 key pair in PEM: the private key signs, the public one verifies."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    secret, public = folder / "key.pem", folder / "key.pub"
    secret.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return secret, public


@pytest.fixture(scope="module")
def v7_signed_chain(tmp_path_factory) -> tuple[Path, Path, Path, list[Path]]:
    """The sample export, a key pair, and three monthly reports chained and signed over the export (kept as
    written: each test copies the reports it changes)."""
    work = tmp_path_factory.mktemp("v7-chain")
    export = work / "export"
    shutil.copytree(SAMPLE, export)
    secret, public = _v7_keys(work / "keys")
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
    assert lines[-1] == (f"3 report(s) and 7 file(s) that are none: 7 broken, first {folder / 'array.json'}; "
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
    assert lines[-1].startswith("3 report(s): the chain holds;") and lines[-1].endswith("; 2 passed over (SKIP)")
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
        assert lines[-1].startswith("3 report(s)") or " file(s) that are none" in lines[-1], (what, lines)


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
    assert any("\\x1b[2J\\x1b]0;owned\\x07.json" in line for line in lines)


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
    assert lines[-1] == f"2 report(s): 1 broken, first {reports[1]}"


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
    assert lines[-1] == (f"3 report(s): the chain holds; its head {reports[2]} has sha256 {_v7_sha(reports[2])}: "
                         "keep it outside the folder and give it as --head next time")


def test_reports_taken_from_the_end_pass_without_a_kept_head_and_break_with_it(v7_signed_chain, v7_folder, capsys):
    _, _, public, _ = v7_signed_chain
    folder, reports = v7_folder
    head = _v7_sha(reports[2])
    code, lines, _ = _v7_verify(capsys, folder, "--public-key", public, "--head", head.upper())
    assert code == 0 and lines[-1] == f"3 report(s): the chain holds and ends at the head given ({reports[2]})"
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
    assert err.startswith(f"{reports[2]}: error E806: the signature does not match the report: a report whose "
                          "signature does not hold is not taken as the chain's last link, and nothing was audited")
    assert not out.exists()
    Path(f"{reports[2]}.sig").unlink()
    assert main(_v7_check(export, out, "--previous", reports[2], "--previous-key", public)) == 2
    assert capsys.readouterr().err.startswith(f"{reports[2]}: error E806: no signature ({reports[2].name}.sig)")
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
