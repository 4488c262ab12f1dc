"""The period report (`reglement period`): a chain of reports read as the auditor who gives an opinion on the
operation of a control over a period.

First the figures (`checker/period.py`) on a small chain made by hand, each value derived here from the inputs:
new, resolved, reviewed, confirmed and awaiting review per audit date, the times to review and resolve, a finding
that comes back after it was resolved, a rule that did not run. Then a year of monthly audits with reviews given
as it goes (`monthly.py`): every audit date and article in each form, the JSON's rows equal to the reports' own
counts; a broken chain refused; the page drawn and printed by Chromium.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import jsonschema
import pytest
from browser import find_chromium, pdf_of, pdf_pages, png_size_and_colours, run_chromium
from monthly import MONTHS, Reviewing, audit_month_by_month, year_export
from period_screenshot import screenshot

from reglement import schemas
from reglement.checker.formats.grouping import article_number
from reglement.checker.period import figures
from reglement.cli import main

# -- the figures, on a chain made by hand ----------------------------------------------------------------------
D1, D2, D3, D4 = "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"
ACCESS, LEGAL = "5.1-access", "7.1-legal"  # articles 5 and 7


def finding(key: str, review: tuple[str, str] | None = None, waived: bool = False) -> dict:
    found = {"dataset": "access_log", "key": {"event_id": key}, "message": f"event {key}"}
    if review:
        found["review"] = {"verdict": review[0], "by": "FG", "on": review[1], "note": "looked into"}
    if waived:
        found |= {"waived": True, "waiver": {"justification": "known", "approved_by": "FG", "expires": "2027-01-01",
                                             "status": "active"}}
    return found


def rule(rule_id: str, found: list[dict] | None) -> dict:
    """An automated rule as a report has it; `None`: it ended in an error."""
    entry = {"id": rule_id, "kind": "automated", "article": rule_id.split("-")[0], "title": {"nl": rule_id},
             "severity": "high", "status": "failed" if found else "passed", "findings": found or []}
    if found is None:
        entry |= {"status": "error", "error": "it could not run"}
    return entry


def report(as_of: str, *rules: dict) -> dict:
    articles = [{"article": "5", "title": {"nl": "Toegang", "en": "Access"}},
                {"article": "7", "title": {"nl": "Verstrekking", "en": "Disclosure"}},
                {"article": "2", "title": {"nl": "Reikwijdte", "en": "Scope"}}]
    return {"as_of": as_of, "lang": "nl", "rulepack": {"name": "test", "version": "1"}, "rules": list(rules),
            "articles": articles}


CHAIN = [
    report(D1, rule(ACCESS, [finding("A"), finding("B"), finding("C")]), rule(LEGAL, [finding("X")])),
    # C resolved, D new, A reviewed (justified) on 10 February; X confirmed a violation on 20 February
    report(D2, rule(ACCESS, [finding("A", ("justified", "2026-02-10")), finding("B"), finding("D")]),
           rule(LEGAL, [finding("X", ("violation", "2026-02-20"))])),
    # B resolved, C comes back; 7.1 could not run: X is neither resolved nor still there
    report(D3, rule(ACCESS, [finding("A", ("justified", "2026-02-10")), finding("C"), finding("D")]),
           rule(LEGAL, None)),
    # E new; D waived; C reviewed with a review dated before it came back; X gone since 7.1 last ran (D2)
    report(D4, rule(ACCESS, [finding("A", ("justified", "2026-02-10")), finding("C", ("false_positive", "2026-01-15")),
                             finding("D", waived=True), finding("E")]),
           rule(LEGAL, [])),
]


def days(start: str, end: str) -> int:
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days


def stat(values: list[int]) -> dict:
    return {"count": len(values), "median_days": statistics.median(values) if values else None,
            "max_days": max(values) if values else None}


def counts(row: dict) -> tuple:
    return tuple(row[name] for name in ("findings", "new", "resolved", "reviewed", "confirmed", "awaiting_review"))


@pytest.fixture(scope="module")
def hand() -> dict:
    found = figures(CHAIN)
    jsonschema.validate(found, schemas.load("period"))
    return found


def test_the_period_and_its_articles(hand):
    assert hand["period"] == {"from": D1, "to": D4, "reports": 4}
    assert hand["dates"] == [D1, D2, D3, D4]
    assert [(a["article"], a["rules"]) for a in hand["articles"]] == [("5", [ACCESS]), ("7", [LEGAL])]
    assert hand["articles"][0]["title"] == {"nl": "Toegang", "en": "Access"}
    assert hand["without_rules"] == ["2"]


def test_new_resolved_reviewed_confirmed_and_awaiting_per_audit_date(hand):
    access, legal = hand["articles"]
    # findings, new, resolved, reviewed, confirmed, awaiting review
    assert [counts(r) for r in access["rows"]] == [
        (3, None, None, 0, 0, 3),  # the first report: nothing before it to be new or resolved against
        (3, 1, 1, 1, 0, 2),  # D new, C resolved, A reviewed
        (3, 1, 1, 1, 0, 2),  # C back (new again), B resolved
        (4, 1, 0, 2, 0, 1),  # E new; C reviewed; D waived: only E awaits review
    ]
    assert [counts(r) for r in legal["rows"]] == [
        (1, None, None, 0, 0, 1),
        (1, 0, 0, 1, 1, 0),  # X confirmed
        (0, 0, 0, 0, 0, 0),  # the rule did not run: nothing new, nothing resolved
        (0, 0, 1, 0, 0, 0),  # X gone since the rule last ran
    ]
    assert [r["not_run"] for r in legal["rows"]] == [[], [], [LEGAL], []]
    totals = hand["totals"]["rows"]
    assert [counts(t) for t in totals] == [
        tuple(None if a is None else a + b for a, b in zip(counts(x), counts(y)))
        for x, y in zip(access["rows"], legal["rows"])]
    assert totals[2]["not_run"] == [LEGAL]


def test_times_to_review_and_resolve_per_episode(hand):
    access, legal = hand["articles"]
    reviewed = [days(D1, "2026-02-10"),  # A
                0]  # C's second episode: its review is dated before it came back, so it counts from D3
    resolved = [days(D1, D2),  # C's first episode: the earlier one stays resolved with its own time
                days(D1, D3)]  # B
    handled = [days(D1, "2026-02-10"), days(D1, D2), days(D1, D3), 0]
    assert access["times"]["reviewed"] == stat(reviewed)
    assert access["times"]["resolved"] == stat(resolved)
    assert access["times"]["handled"] == stat(handled)
    # open at the end: E only (D is waived: the waiver answers for it; C is reviewed)
    assert access["times"]["open"] == {"count": 1, "median_age_days": days(D4, D4), "max_age_days": days(D4, D4)}
    assert access["open"] == [{"rule": ACCESS, "dataset": "access_log", "key": {"event_id": "E"}, "first_seen": D4,
                               "age_days": 0}]
    x_reviewed, x_resolved = days(D1, "2026-02-20"), days(D1, D4)
    assert legal["times"]["reviewed"] == stat([x_reviewed])
    assert legal["times"]["resolved"] == stat([x_resolved])
    assert legal["times"]["handled"] == stat([min(x_reviewed, x_resolved)])
    assert legal["times"]["open"]["count"] == 0
    every = hand["totals"]["times"]
    assert every["reviewed"] == stat([*reviewed, x_reviewed])
    assert every["handled"] == stat([*handled, min(x_reviewed, x_resolved)])


def test_an_open_finding_ages_from_the_first_report_it_is_in():
    chain = [report(D1, rule(ACCESS, [finding("A")])), report(D2, rule(ACCESS, [finding("A"), finding("B")])),
             report(D3, rule(ACCESS, [finding("A"), finding("B")]))]
    access = figures(chain)["articles"][0]
    assert [(f["key"]["event_id"], f["first_seen"], f["age_days"]) for f in access["open"]] == [
        ("A", D1, days(D1, D3)), ("B", D2, days(D2, D3))]
    ages = [days(D1, D3), days(D2, D3)]
    assert access["times"]["open"] == {"count": 2, "median_age_days": statistics.median(ages),
                                       "max_age_days": max(ages)}


def test_a_rule_that_comes_in_during_the_period_finds_new_findings_from_then_on():
    chain = [report(D1, rule(ACCESS, [])), report(D2, rule(ACCESS, [])),
             report(D3, rule(ACCESS, []), rule(LEGAL, [finding("X")]))]
    legal = figures(chain)["articles"][1]
    assert [(r["not_run"], counts(r)) for r in legal["rows"]] == [
        ([LEGAL], (0, None, None, 0, 0, 0)), ([LEGAL], (0, 0, 0, 0, 0, 0)), ([], (1, 1, 0, 0, 0, 1))]
    assert legal["open"][0]["first_seen"] == D3


def test_a_single_report_is_a_period_of_one_date():
    only = figures([CHAIN[0]])
    assert only["dates"] == [D1] and [counts(r) for r in only["totals"]["rows"]] == [(4, None, None, 0, 0, 4)]


# -- a year of monthly audits -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def year(tmp_path_factory) -> tuple[Path, list[dict]]:
    """The year audited month by month, reviews given as it goes: the folder of its reports, and the reports."""
    work = tmp_path_factory.mktemp("period")
    export = year_export(work / "year")
    (work / "chain").mkdir()
    _, _, reports = audit_month_by_month(export, work / "chain", extra=Reviewing(work))
    assert len(reports) == MONTHS + 1
    return work / "chain", reports


def period(folder: Path, out: Path, *extra: str) -> int:
    return main(["period", str(folder), "-o", str(out), *extra])


@pytest.fixture(scope="module")
def outputs(year, tmp_path_factory) -> dict[str, str]:
    folder, _ = year
    out = tmp_path_factory.mktemp("outputs")
    written = {}
    for name in ("period.html", "period.md", "period.json"):
        assert period(folder, out / name) == 0
        written[name] = (out / name).read_text("utf-8")
    return written


def articles_of(reports: list[dict]) -> list[str]:
    return sorted({article_number(r["article"]) for rep in reports for r in rep["rules"] if r["kind"] == "automated"},
                  key=int)


def title_of(report: dict, number: str) -> str:
    return next(a["title"]["nl"] for a in report["articles"] if a["article"] == number)


class Page(HTMLParser):
    """Per section of the page (`data-article`, or `totals`): its heading and the audit dates of its rows."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, dict] = {}
        self.charts = 0
        self._section: str | None = None
        self._heading: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "section" and "period-article" in a.get("class", ""):
            self._section = a.get("data-article") or a["id"]
            self.sections[self._section] = {"heading": "", "dates": [], "bars": []}
        elif tag == "h2" and self._section:
            self._heading = []
        elif tag == "tr" and "data-as-of" in a and self._section:
            self.sections[self._section]["dates"].append(a["data-as-of"])
        elif tag == "g" and "date" in a.get("class", "").split() and self._section:
            self.sections[self._section]["bars"].append((a["data-as-of"], int(a["data-findings"])))
        elif tag == "svg" and "period-chart" in a.get("class", ""):
            self.charts += 1

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None and self._section:
            self.sections[self._section]["heading"] = "".join(self._heading)
            self._heading = None
        elif tag == "section":
            self._section = None


def test_the_html_shows_every_audit_date_and_every_article(year, outputs):
    _, reports = year
    dates = [r["as_of"] for r in reports]
    page = Page(outputs["period.html"])
    numbers = articles_of(reports)
    assert list(page.sections) == ["totals", *numbers]
    for number in numbers:
        section = page.sections[number]
        assert section["heading"] == f"Artikel {number} — {title_of(reports[-1], number)}"
        assert section["dates"] == dates
        assert [d for d, _ in section["bars"]] == dates
    assert page.sections["totals"]["bars"] == [
        (r["as_of"], sum(x.get("finding_count", 0) for x in r["rules"] if x["kind"] == "automated")) for r in reports]
    assert page.charts == len(numbers) + 1
    assert "<script" not in outputs["period.html"] and "http://" not in outputs["period.html"].replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


def test_the_markdown_shows_every_audit_date_and_every_article(year, outputs):
    _, reports = year
    text = outputs["period.md"]
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    numbers = articles_of(reports)
    assert headings == ["Alle artikelen", *(f"Artikel {n} — {title_of(reports[-1], n)}" for n in numbers)]
    tables = text.split("### Per peildatum\n\n")[1:]
    assert len(tables) == len(numbers) + 1
    for table in tables:
        rows = table.split("\n\n", 1)[0].splitlines()[2:]
        assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [r["as_of"] for r in reports]


def test_the_json_rows_are_the_reports_own_counts(year, outputs):
    _, reports = year
    found = json.loads(outputs["period.json"])
    jsonschema.validate(found, schemas.load("period"))
    assert found["dates"] == [r["as_of"] for r in reports]
    names = {"findings": "finding_count", "reviewed": "reviewed", "confirmed": "confirmed",
             "awaiting_review": "awaiting_review"}

    def own(report: dict, number: str | None = None) -> dict:
        rules = [r for r in report["rules"] if r["kind"] == "automated"
                 and (number is None or article_number(r["article"]) == number)]
        return {ours: sum(r[theirs] for r in rules) for ours, theirs in names.items()}

    for i, report in enumerate(reports):
        assert {k: found["totals"]["rows"][i][k] for k in names} == own(report)
        for article in found["articles"]:
            assert {k: article["rows"][i][k] for k in names} == own(report, article["article"])
    rows = found["totals"]["rows"]
    assert sum(r["confirmed"] for r in rows) > 0 and rows[-1]["reviewed"] > rows[1]["reviewed"] > 0
    for before, now in pairwise(rows):  # every rule ran every month: what came and went adds up
        assert now["findings"] == before["findings"] + now["new"] - now["resolved"]
    # every finding of the first report is reviewed by the end, three days before the audit date of its month
    assert found["totals"]["times"]["reviewed"]["count"] == rows[0]["findings"]
    assert found["totals"]["times"]["reviewed"]["max_days"] == days(reports[0]["as_of"], reports[-1]["as_of"]) - 3


def test_the_language_is_the_reports_or_the_one_asked(year, tmp_path):
    folder, _ = year
    assert period(folder, tmp_path / "en.md", "--lang", "en") == 0
    assert (tmp_path / "en.md").read_text("utf-8").startswith("# Period report")
    assert period(folder, tmp_path / "out.txt", "--format", "markdown") == 0
    assert (tmp_path / "out.txt").read_text("utf-8").startswith("# Periodeoverzicht")


# -- a chain that does not hold ---------------------------------------------------------------------------------
def _copy(folder: Path, into: Path) -> Path:
    into.mkdir()
    for path in folder.glob("*.json"):
        shutil.copy2(path, into / path.name)
    return into


def _refused(capsys, folder: Path, out: Path) -> str:
    capsys.readouterr()
    assert period(folder, out) == 2
    return capsys.readouterr().err


def test_a_report_taken_from_the_middle_is_refused_and_nothing_is_written(year, tmp_path, capsys):
    folder = _copy(year[0], tmp_path / "chain")
    (folder / "report-6.json").unlink()
    err = _refused(capsys, folder, tmp_path / "period.html")
    assert "BROKEN" in err and "report-7.json" in err and "the chain does not hold" in err
    assert not (tmp_path / "period.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reglement-")]


def test_an_edited_report_is_refused_and_the_old_output_is_left(year, tmp_path, capsys):
    folder = _copy(year[0], tmp_path / "chain")
    edited = json.loads((folder / "report-4.json").read_text("utf-8"))
    edited["summary"]["findings"] -= 1
    (folder / "report-4.json").write_text(json.dumps(edited, indent=2), encoding="utf-8")
    out = tmp_path / "period.md"
    out.write_text("the last period report\n", encoding="utf-8")
    err = _refused(capsys, folder, out)
    assert "BROKEN" in err and "report-5.json" in err and "is not the report it recorded" in err
    assert out.read_text("utf-8") == "the last period report\n"


def test_a_period_report_is_never_written_over_a_report(year, tmp_path, capsys):
    folder = _copy(year[0], tmp_path / "chain")
    before = (folder / "report-12.json").read_bytes()
    err = _refused(capsys, folder, folder / "report-12.json")
    assert "E802" in err and (folder / "report-12.json").read_bytes() == before
    assert "cannot tell the format" in _refused(capsys, folder, tmp_path / "period.txt")


# -- in Chromium ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


SIZES = """<script>document.body.setAttribute("data-sizes", JSON.stringify(
  [...document.querySelectorAll("svg.period-chart")].map(s => { const r = s.getBoundingClientRect();
  return [r.width, r.height]; })));</script>"""


def test_the_page_is_drawn_with_its_charts_visible(chromium, year, outputs, tmp_path):
    """Drawn, not blank; every chart laid out at a size one can read (measured by a script added to a copy of the
    page: the page itself has none)."""
    page = tmp_path / "period.html"
    page.write_text(outputs["period.html"], encoding="utf-8")
    shot = tmp_path / "period.png"
    screenshot(chromium, page, shot)
    width, height, colours = png_size_and_colours(shot.read_bytes(), rows=600)
    assert (width, height) == (1280, 2100) and colours > 8
    measured = tmp_path / "measured.html"
    measured.write_text(outputs["period.html"].replace("</body>", SIZES + "</body>"), encoding="utf-8")
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", measured.as_uri())
    sizes = json.loads(result.stdout.split('data-sizes="', 1)[1].split('"', 1)[0].replace("&quot;", '"'))
    assert len(sizes) == len(articles_of(year[1])) + 1
    assert all(w > 600 and h > 100 for w, h in sizes), sizes


def test_it_prints_on_a4(chromium, year, outputs, tmp_path):
    boxes, pages = pdf_pages(pdf_of(chromium, outputs["period.html"], tmp_path))
    assert boxes == {(595, 842)}, boxes  # A4 in points
    sections = len(articles_of(year[1])) + 1  # each article on a page of its own, or two
    assert sections <= pages <= 2 * sections, pages
