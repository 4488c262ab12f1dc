"""A youth-care provider's own pack, written from the docs alone (issue #24): Jeugdhulp De Linde.

`fixtures/jeugdzorg/` holds its pack (three regulations: its own privacy regulation, the AVG and
the Jeugdwet), its own contract of nine datasets (assignments keyed by employee, client and start
date), its export (clients in `Clientenlijst.csv` with Dutch column names and semicolons, staff in
`HR-export.xlsx` on the sheet `Personeel` behind a notes sheet, timestamps with and without
offsets) and its configuration (the mapping and the time zone).

Every violation below was planted in the export by hand, each with its reason; every other row
sits at a boundary on the allowed side (a term's last day, minute or hour; the assignment's
first day in Amsterdam while it is still the day before in UTC). The audit must find exactly
these, no more, on DuckDB and on pandas.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ROOT

from reglement.cli import main

HOME = ROOT / "tests" / "fixtures" / "jeugdzorg"
PACK, EXPORT, CONFIG = HOME / "pack", HOME / "export", HOME / "config.yaml"
AS_OF = "2026-11-30T10:00"

PLANTED = {
    # Privacyreglement 2.1: codes, references and date order
    "2.1-unknown-code": {
        ("inzage", (("event_id", "E12"), ("column", "handeling"))),  # 'kopiëren'
        ("datalekken", (("lek_id", "L07"), ("column", "soort"))),  # 'kritiek'
        ("camerabeelden", (("opname_id", "C05"), ("column", "camera"))),  # 'fietsenstalling'
        ("medewerkers", (("medewerker_id", "M06"), ("column", "functie"))),  # 'stagiair', read from the workbook
    },
    "2.1-dangling-reference": {
        ("inzage", (("event_id", "E11"), ("column", "jeugdige_id"))),  # J09 is no client
    },
    "2.1-date-order": {
        ("toewijzingen", (("medewerker_id", "M01"), ("jeugdige_id", "J06"), ("van", "2026-05-01"),
                          ("column", "tot"))),  # ends 2026-04-01
        ("dossiers", (("dossier_id", "D05"), ("column", "gesloten_op"))),  # closed before it was made
    },
    # Privacyreglement 4: access only on a day of an assignment; assigned only in a care role
    "4.1-access-outside-assignment": {
        ("inzage", (("event_id", "E03"),)),  # the day after M01's assignment to J02 ended
        ("inzage", (("event_id", "E05"),)),  # between M02's two assignments to J03
        ("inzage", (("event_id", "E09"),)),  # 22:30Z on 31 December: 23:30 in Amsterdam, the day before
        ("inzage", (("event_id", "E10"),)),  # M05 (beheer) is assigned to no one
        ("inzage", (("event_id", "E11"),)),  # J09, assigned to no one
    },
    "4.2-assigned-without-care-role": {
        ("toewijzingen", (("medewerker_id", "M04"), ("jeugdige_id", "J05"), ("van", "2026-02-01"))),  # secretariaat
    },
    # Privacyreglement 6.2: camera images erased within four weeks, to the minute
    "6.2-camera-images-kept": {
        ("camerabeelden", (("opname_id", "C02"),)),  # erased a minute late
        ("camerabeelden", (("opname_id", "C04"),)),  # not erased, four weeks passed a minute before 10:00
    },
    # AVG 12.3: a month, extended by two; the extension told within the month
    "avg-12.3-answer-late": {
        ("verzoeken", (("verzoek_id", "V02"),)),  # answered a day late
        ("verzoeken", (("verzoek_id", "V03"),)),  # unanswered, the month ended the day before the audit
    },
    "avg-12.3-extended-answer-late": {("verzoeken", (("verzoek_id", "V06"),))},  # three months and a day
    "avg-12.3-extension-late": {("verzoeken", (("verzoek_id", "V07"),))},  # extension told after two months
    # AVG 28.3: no processing before the agreement
    "avg-28.3-no-processor-agreement": {
        ("verwerkers", (("verwerker_id", "P03"),)),  # signed the day after it started
        ("verwerkers", (("verwerker_id", "P04"),)),  # never signed
    },
    # AVG 33.1: 72 real hours
    "avg-33.1-breach-notified-late": {
        ("datalekken", (("lek_id", "L01"),)),  # 73 real hours across the October clock change (72 on the clock)
        ("datalekken", (("lek_id", "L04"),)),  # unreported, 73 hours at the audit's 10:00
    },
    # Jeugdwet 7.3.8: twenty years from the file's making, unless there is a reason to keep it
    "jw-7.3.8-file-kept-too-long": {("dossiers", (("dossier_id", "D02"),))},  # a day past twenty years
}


def audit(capsys, *extra: str) -> tuple[int, dict]:
    code = main(["check", "--rules", str(PACK), "--data", str(EXPORT), "--config", str(CONFIG),
                 "--format", "json", "--lang", "en", *extra])
    return code, json.loads(capsys.readouterr().out)


def found(report: dict) -> dict:
    return {rule["id"]: {(f["dataset"], tuple(f["key"].items())) for f in rule["findings"]}
            for rule in report["rules"] if rule["findings"]}


def test_the_pack_compiles_and_its_examples_pass(capsys):
    assert main(["test", str(PACK)]) == 0
    *passed, summary = capsys.readouterr().out.splitlines()
    assert summary == "12 rules, 13 examples: 13 passed, 0 failed (run on duckdb and pandas)"
    # in the order pack.yaml lists the regulations, each in its articles' order (not the files' names)
    assert [line.split()[1] for line in passed] == [
        "2.1-unknown-code", "2.1-dangling-reference", "2.1-date-order", "4.1-access-outside-assignment",
        "4.2-assigned-without-care-role", "6.2-camera-images-kept", "avg-12.3-answer-late",
        "avg-12.3-extension-late", "avg-12.3-extended-answer-late", "avg-28.3-no-processor-agreement",
        "avg-33.1-breach-notified-late", "jw-7.3.8-file-kept-too-long"]


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_the_audit_finds_exactly_what_was_planted(capsys, engine):
    code, report = audit(capsys, "--as-of", AS_OF, "--engine", engine)
    assert code == 1
    assert found(report) == PLANTED
    assert all(rule["status"] != "error" for rule in report["rules"])
    assert report["unread"] == []
    assert not {"Sanne", "111222333", "Lotte"} & set(json.dumps(report).split('"'))


def test_the_three_regulations_are_cited_as_they_name_their_articles(capsys):
    _, report = audit(capsys, "--as-of", AS_OF)
    cited = {(r["regulation"], r["article"]) for r in report["rules"]}
    assert {("pr", "2.1"), ("avg", "33.1"), ("jw", "7.3.8")} <= cited


def test_the_audits_hour_decides_what_is_late_on_the_audit_date(capsys):
    """At 09:00 on the audit date the unreported breach is at 72 hours and the recording at four weeks less an
    hour: neither is late yet. A date alone means the start of that day."""
    _, morning = audit(capsys, "--as-of", "2026-11-30T09:00")
    _, day = audit(capsys, "--as-of", "2026-11-30")
    for report in (morning, day):
        late = found(report)
        assert ("datalekken", (("lek_id", "L04"),)) not in late["avg-33.1-breach-notified-late"]
        assert "6.2-camera-images-kept" not in late or ("camerabeelden", (("opname_id", "C04"),)) not in (
            late["6.2-camera-images-kept"])


def test_the_charts_labels_have_room_for_the_longest_citation(capsys):
    """"Privacyreglement 2", "Privacyreglement 4" and "Privacyreglement 6" stay three labels: the bars begin
    after the longest one (at least 7 units a character of the 13px label), not cut at a fixed width."""
    import re

    main(["check", "--rules", str(PACK), "--data", str(EXPORT), "--config", str(CONFIG), "--as-of", AS_OF,
          "--format", "html", "--lang", "en"])
    html = capsys.readouterr().out
    labels = re.findall(r'<text class="axis-label"[^>]*>([^<]+)</text><rect class="seg"[^>]* x="([\d.]+)"', html)
    assert {name for name, _ in labels} >= {"Privacyreglement 2", "Privacyreglement 4", "AVG 33", "Jeugdwet 7.3.8"}
    assert all(float(x) >= 7 * len(name) for name, x in labels)


@pytest.mark.parametrize("as_of, late", [
    ("2026-11-30T10:00", True), (dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC), True),  # 10:00 in Amsterdam
    (dt.datetime(2026, 11, 30, 9, 0), False), (dt.date(2026, 11, 30), False)])
def test_the_python_api_takes_the_audit_moment_as_the_command_line_does(as_of, late):
    """A date is the start of its day; a naive moment is the zone's wall clock; an aware one is converted."""
    from reglement.api import check

    breaches = check(str(EXPORT), as_of, pack=str(PACK), config=str(CONFIG)).rule("avg-33.1-breach-notified-late")
    assert ("L04" in set(breaches["lek_id"])) is late
