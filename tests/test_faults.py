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

# -- 8  keys that differ only by what a reader cannot see ---
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

import json  # noqa: E402  (each section imports what it uses, after its constants)
import re  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from conftest import AS_OF, SAMPLE  # noqa: E402

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
        users.write("U\u00c91,Test Persoon,jobcoach,2019-03-01,,2019-03-01,true\n")
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


# -- +  values in error messages, a UTF-8 file with one bad byte, an empty spreadsheet cell ---
ENGINES_READING_FILES = ["duckdb", "pandas", "spark"]  # pandas takes data in as DuckDB does; Spark reads it itself

import zipfile  # noqa: E402  (each section imports what it uses, after its constants)

from reglement.cli import main  # noqa: E402


def _engine(request, engine: str) -> list[str]:
    """`--engine ENGINE`, with the Spark context of the run (conftest) started for Spark."""
    if engine == "spark":
        request.getfixturevalue("spark")
    return ["--engine", engine]


def _check(data: Path, *extra: str) -> int:
    return main(["check", "--data", str(data), "--as-of", AS_OF, "--lang", "en", *extra])


def _export(folder: Path, *names: str) -> Path:
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
    data = _export(tmp_path / "export", "clients.csv", "access_log.jsonl")
    clients = (data / "clients.csv").read_text("utf-8").splitlines()
    clients[1] = clients[1].replace(",2025-08-25,", ",Jansen,")
    (data / "clients.csv").write_text("\n".join(clients) + "\n", "utf-8")
    log = (data / "access_log.jsonl").read_text("utf-8").splitlines()
    log[2] = log[2].replace('"actor_id": "U01"', '"actor_id": 612345678')
    (data / "access_log.jsonl").write_text("\n".join(log) + "\n", "utf-8")
    assert _check(data, *_engine(request, engine)) == 2
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
    data = _export(tmp_path / "export", "clients.csv")
    line, column = _with_bad_byte(data)
    assert _check(data, *_engine(request, engine)) == 2
    err = capsys.readouterr().err
    assert (f"{data / 'clients.csv'}:{line}: error E710: byte {column} of the line is not UTF-8, while the file's "
            "other text is (") in err
    assert "repair it, or pass --encoding windows-1252 if the whole file is Windows-1252" in err
    # what the message offers: read as Windows-1252, it is audited (an `ë` becomes `Ã«`, as the user chose)
    assert _check(data, *_engine(request, engine), *CLIENTS_ONLY, "--encoding", "windows-1252", "-q") == 1


@pytest.mark.parametrize("engine", ENGINES_READING_FILES)
def test_a_windows_1252_file_is_still_read_as_it_is(tmp_path, capsys, request, engine):
    """Excel on Windows: every `ë` one byte, no UTF-8 sequence of more than one byte (Spark read no
    Windows-1252 at all before it was given Java's charsets)."""
    data = _export(tmp_path / "export", "clients.csv")
    text = (data / "clients.csv").read_text("utf-8")
    (data / "clients.csv").write_bytes(text.encode("cp1252", errors="replace"))  # as Excel does: ı → ?
    assert _check(data, *_engine(request, engine), *CLIENTS_ONLY, "--format", "json") == 1
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
    assert _check(data, *_engine(request, engine)) == 2
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
    assert _check(jsonl, "--engine", engine, "--format", "json", "--select", "4.2-unknown-code") == 1
    expected = _unknown_codes(json.loads(capsys.readouterr().out))
    assert '{"column": "action", "event_id": "E0005"}' in expected
    workbook = tmp_path / "xlsx"
    shutil.copytree(jsonl, workbook)
    _empty_text_cells(_access_log_workbook(workbook), how)
    assert _check(workbook, "--engine", engine, "--format", "json", "--select", "4.2-unknown-code") == 1
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
    assert _check(data) == 2
    assert (f"{data / 'access_log.xlsx'}: row 5, column action: error E705: empty value in a required column"
            in capsys.readouterr().err)
