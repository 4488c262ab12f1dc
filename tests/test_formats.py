"""The report renderers: every format renders every fixture, and what a reader needs survives.

Each format is parsed back the way its reader would (HTML with html.parser, Markdown tables
split on their pipes, JUnit with ElementTree, SARIF against the official 2.1.0 schema) and
compared with the report dict: articles, statuses, counts and keys must come through, and
hostile values (`<script>`, quotes, `&`, `]]>`, control characters) must not become markup.
"""

from __future__ import annotations

import copy
import html as htmllib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reglement.checker.formats import html_keys, markdown, render, sarif, sarif_places, sarif_rules
from reglement.checker.formats.controls import visible
from reglement.checker.formats.findings import finding_count, key_text, open_count, rule_kind
from reglement.checker.formats.grouping import articles
from reglement.checker.formats.labels import LANGS, SEVERITIES, STATUSES, format_count, label, status_word
from reglement.checker.formats.summary import summary_rows
from reglement.checker.formats.xmltext import clean_text

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = sorted((FIXTURES / "reports").glob("*.json"))
REPORT_SCHEMA = Path(sarif.__file__).parents[1] / "report.schema.json"
RENDERERS: dict[str, Callable[..., str]] = {
    fmt: (lambda report, lang="nl", fmt=fmt: render(fmt, report, lang))
    for fmt in ("html", "markdown", "junit", "sarif", "text")
}
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "reports" / f"{name}.json").read_text(encoding="utf-8"))


def names() -> list[str]:
    return [path.stem for path in REPORTS]


def rules_with(report: dict[str, Any], status: str) -> list[dict[str, Any]]:
    return [rule for rule in report["rules"] if rule["status"] == status]


# ----------------------------------------------------------------------------- the fixtures


@pytest.mark.parametrize("name", names())
def test_fixture_is_a_valid_report(name: str) -> None:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(load(name))


def test_fixtures_cover_every_status_and_the_hard_cases() -> None:
    reports = [load(name) for name in names()]
    statuses = {rule["status"] for report in reports for rule in report["rules"]}
    assert statuses == set(STATUSES)
    assert max(finding_count(rule) for rule in load("large")["rules"]) > 2000
    raw = (FIXTURES / "reports" / "hostile.json").read_text(encoding="utf-8")
    for needle in (SCRIPT, '\\"', "&", "]]>", "|", "`", "\\u0001"):
        assert needle in raw


# ----------------------------------------------------------------------------- every format


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
@pytest.mark.parametrize("fmt", RENDERERS)
def test_every_format_renders_every_fixture(fmt: str, name: str, lang: str) -> None:
    report = load(name)
    before = copy.deepcopy(report)
    out = RENDERERS[fmt](report, lang)
    assert out.strip()
    assert report == before, "a renderer must not change the report"
    assert RENDERERS[fmt](report, lang) == out, "a renderer must be a pure function"


@pytest.mark.parametrize("fmt", RENDERERS)
def test_an_unknown_language_is_refused(fmt: str) -> None:
    with pytest.raises(ValueError, match="language"):
        RENDERERS[fmt](load("minimal"), "de")


def test_rules_are_grouped_by_article_in_natural_order_without_an_article_list() -> None:
    arts = articles(load("minimal"))
    assert [article.number for article in arts] == ["4", "6", "11"]
    assert arts[0].heading("nl") == "Artikel 4"
    assert [rule["id"] for article in arts for rule in article.rules] == [
        "4.2-invalid-bsn",
        "6.1-adequate-protection",
        "11.2-retention-after-last-contact",
    ]


def test_rules_follow_the_report_article_list_and_clause_order() -> None:
    report = load("full")
    arts = articles(report)
    assert [article.number for article in arts] == [meta["article"] for meta in report["articles"]]
    assert sum(len(article.rules) for article in arts) == len(report["rules"])
    art4 = arts[3]
    assert [rule["article"] for rule in art4.rules] == ["4.1", "4.2", "4.2", "4.2", "4.3", "4.4"]
    assert art4.findings_by_severity() == {"critical": 4, "high": 0, "medium": 2, "low": 0}


# ----------------------------------------------------------------------------- HTML


class HtmlReport(HTMLParser):
    """Reads back what an auditor sees: article headings, badges, counts, key tables, chart bars."""

    VOID = frozenset({"br", "meta", "img", "hr", "input", "link", "wbr"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.captures: list[list[Any]] = []
        self.headings: list[str] = []
        self.badges: dict[str, tuple[str, str]] = {}
        self.counts: dict[str, int] = {}
        self.keys: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
        self.errors: dict[str, str] = {}
        self.bars: list[str] = []
        self.uncovered: list[str] = []
        self.datasets: list[str] = []
        self.tags: Counter[str] = Counter()
        self.row: list[str] = []
        self.feed(text)
        self.close()

    def _inside(self, tag: str, css: str) -> bool:
        return any(t == tag and css in a.get("class", "").split() for t, a in self.stack)

    def _rule(self) -> str | None:
        ids = (a["data-rule-id"] for t, a in reversed(self.stack) if t == "article" and "data-rule-id" in a)
        return next(ids, None)

    def _capture(self, kind: str, extra: Any = None) -> None:
        self.captures.append([kind, len(self.stack), [], extra, self._rule()])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        self.tags[tag] += 1
        if tag in self.VOID:
            return
        self.stack.append((tag, a))
        css = a.get("class", "").split()
        if tag == "h2" and self._inside("section", "article"):
            self._capture("heading")
        elif tag == "span" and "badge" in css and self._inside("div", "rule-head"):
            self._capture("badge", a.get("data-status"))
        elif tag == "span" and "count" in css:
            self.counts[self._rule() or ""] = int(a["data-count"])
        elif tag == "tr" and self._inside("table", "keys"):
            self.row = []
        elif tag == "td" and "key" in css:
            self._capture("key")
        elif tag == "pre" and self._inside("div", "error-box"):
            self._capture("error")
        elif tag == "g" and "bar" in css:
            self.bars.append(a["data-article"])
        elif tag == "tr" and "uncovered" in css:
            self.uncovered.append(a["data-clause"])
        elif tag == "tr" and "data-dataset" in a:
            self.datasets.append(a["data-dataset"])

    def handle_data(self, data: str) -> None:
        for capture in self.captures:
            capture[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        depth = len(self.stack)
        for capture in [c for c in self.captures if c[1] == depth]:
            self._finish(*capture)
            self.captures.remove(capture)
        if tag == "tr" and self.row and self._inside("table", "keys"):
            self.keys.setdefault(self._rule() or "", []).append((tuple(self.row), self._inside("details", "more-keys")))
            self.row = []
        self.stack.pop()

    def _finish(self, kind: str, _depth: int, parts: list[str], extra: Any, rule: str | None) -> None:
        text = "".join(parts)
        if kind == "heading":
            self.headings.append(text)
        elif kind == "badge":
            self.badges[rule or ""] = (extra, text)
        elif kind == "key":
            self.row.append(text)
        elif kind == "error":
            self.errors[rule or ""] = text


@pytest.fixture(scope="module")
def parsed() -> Callable[[str, str], HtmlReport]:
    cache: dict[tuple[str, str], HtmlReport] = {}

    def get(name: str, lang: str = "nl") -> HtmlReport:
        if (name, lang) not in cache:
            cache[name, lang] = HtmlReport(render("html", load(name), lang))
        return cache[name, lang]

    return get


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_html_has_a_heading_per_article(parsed: Callable[..., HtmlReport], name: str, lang: str) -> None:
    expected = [clean_text(article.heading(lang)) for article in articles(load(name))]
    assert parsed(name, lang).headings == expected


def test_html_article_heading_reads_like_the_regulation(parsed: Callable[..., HtmlReport]) -> None:
    assert "Artikel 5 — Toegang tot de persoonsgegevens" in parsed("full").headings
    assert "Article 5 — Access to personal data" in parsed("full", "en").headings


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_html_badge_and_count_for_every_rule(parsed: Callable[..., HtmlReport], name: str, lang: str) -> None:
    report, page = load(name), parsed(name, lang)
    for rule in report["rules"]:
        rule_id = clean_text(rule["id"])
        assert page.badges[rule_id] == (rule["status"], status_word(lang, rule["status"]))
        if rule_kind(rule) == "automated":
            assert page.counts[rule_id] == finding_count(rule)


@pytest.mark.parametrize("name", names())
def test_html_key_tables_list_every_key_with_the_first_hundred_open(parsed: Callable[..., HtmlReport],
                                                                   name: str) -> None:
    report, page = load(name), parsed(name)
    for rule in report["rules"]:
        findings = rule.get("findings") or []
        columns = list(dict.fromkeys(column for f in findings for column in f["key"]))
        expected = [tuple(visible(f["key"].get(column, "")) for column in columns) for f in findings]
        rows = page.keys.get(clean_text(rule["id"]), [])
        assert [cells for cells, _ in rows] == expected
        assert [folded for _, folded in rows] == [index >= html_keys.KEYS_SHOWN for index in range(len(findings))]


def test_html_folds_thousands_of_keys_into_details(parsed: Callable[..., HtmlReport]) -> None:
    rows = parsed("large").keys["11.2-retention-after-last-contact"]
    assert len(rows) == 2500
    assert sum(1 for _, folded in rows if folded) == 2400
    assert "Toon de overige 2.400 sleutels" in render("html", load("large"))
    assert "Show the other 2,400 keys" in render("html", load("large"), "en")


def test_html_shows_the_error_of_a_broken_rule(parsed: Callable[..., HtmlReport]) -> None:
    report = load("full")
    (broken,) = rules_with(report, "error")
    assert parsed("full").errors[broken["id"]] == broken["error"]
    hostile = rules_with(load("hostile"), "error")[0]
    assert parsed("hostile").errors[hostile["id"]] == visible(hostile["error"])


def test_html_manual_controls_show_their_attestation_or_its_absence() -> None:
    page = render("html", load("full"), "en")
    for value in ("M. de Vries (functionaris gegevensbescherming)", "2026-03-02", "Register van verwerkingen v4, §1",
                  "2027-03-01"):
        assert htmllib.escape(value) in page
    manual_rows = re.findall(r'<tr data-rule-id="([^"]+)">(.*?)</tr>', page)
    not_attested = {rule_id for rule_id, row in manual_rows if "Not attested" in row}
    assert not_attested == {"6.1-adequate-protection", "8.3-refusal-weighed"}
    assert "attestation expired" in page


def test_html_marks_waived_findings_and_shows_every_waiver() -> None:
    page = render("html", load("full"), "en")
    (row,) = [row for row in re.findall(r'<tr class="waived-row">(.*?)</tr>', page) if "C00402" in row]
    assert 'data-status="waived"' in row and "Bezwaarprocedure loopt" in row
    assert "Waiver: Proefcampagne nieuwsbrief (A. Jansen, until 2026-06-30) [expired]" in page
    assert "17 findings <span class=\"waived-count\">(1 waived)</span>" in page


def test_html_coverage_matrix_highlights_uncovered_clauses(parsed: Callable[..., HtmlReport]) -> None:
    assert parsed("full").uncovered == ["1.10", "9.5"]
    assert parsed("all-passed").uncovered == []


@pytest.mark.parametrize("name", names())
def test_html_lists_the_data_read(parsed: Callable[..., HtmlReport], name: str) -> None:
    report = load(name)
    assert parsed(name).datasets == list(report["data"])
    page = render("html", report)
    for info in report["data"].values():
        assert info["sha256"] in page


@pytest.mark.parametrize("name", names())
def test_html_chart_has_one_bar_per_article_with_findings(parsed: Callable[..., HtmlReport], name: str) -> None:
    expected = [a.number for a in articles(load(name)) if sum(a.findings_by_severity().values())]
    assert parsed(name).bars == expected


def test_html_chart_without_findings_says_so() -> None:
    page = render("html", load("all-passed"), "en")
    assert "<svg" not in page and "No findings" in page


@pytest.mark.parametrize("name", names())
def test_html_is_self_contained(parsed: Callable[..., HtmlReport], name: str) -> None:
    page = render("html", load(name))
    page_tags = parsed(name).tags
    assert page_tags["script"] == 0 and page_tags["link"] == 0 and page_tags["img"] == 0 and page_tags["iframe"] == 0
    assert all(target.startswith("#") for target in re.findall(r'href="([^"]*)"', page))
    assert not re.search(r"<[^>]*\ssrc=", page) and "url(" not in page and "@import" not in page
    assert "<style>" in page and "@media print" in page and "break-before: page" in page


def test_html_escapes_hostile_values() -> None:
    page = render("html", load("hostile"))
    assert "<script" not in page.lower()
    assert ESCAPED_SCRIPT in page
    assert "<img" not in page and "<i>" not in page
    assert "Info &lt;/table&gt;&lt;/section&gt;" + ESCAPED_SCRIPT in page
    assert 'data-rule-id="5.2-quote&quot;rule&#x27;"' in page
    assert "&amp;amp; stays &amp;amp; literally" in page
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", page)


def test_html_labels_follow_the_language() -> None:
    dutch, english = render("html", load("full"), "nl"), render("html", load("full"), "en")
    assert '<html lang="nl">' in dutch and '<html lang="en">' in english
    for word in ("Samenvatting", "Niet voldaan", "Peildatum", "Dekkingsmatrix", "Gelezen gegevens", "Niet bevestigd"):
        assert word in dutch and word not in english
    for word in ("Summary", "Failed", "Audit date", "Coverage matrix", "Data read", "Not attested"):
        assert word in english


# ----------------------------------------------------------------------------- Markdown


def md_unescape(text: str) -> str:
    return htmllib.unescape(re.sub(r"\\(.)", r"\1", text.replace("<br>", "\n")))


def md_all_tables(text: str) -> dict[str, list[dict[str, list[Any]]]]:
    """Every table under the heading before it, in order, its cells split on the separators and unescaped."""
    tables: dict[str, list[dict[str, list[Any]]]] = {}
    heading, table = "", None
    for line in text.splitlines():
        if line.startswith("| "):
            assert line.endswith(" |"), line
            cells = [md_unescape(cell) for cell in line[2:-2].split(" | ")]
            if table is None:
                table = {"header": cells, "rows": []}
                tables.setdefault(heading, []).append(table)
            elif not set("".join(cells)) <= set("-: "):
                table["rows"].append(cells)
            continue
        table = None
        if line.startswith("#"):
            heading = md_unescape(line.lstrip("#").strip())
    return tables


def md_tables(text: str) -> dict[str, dict[str, list[Any]]]:
    """The last table under each heading: a rule's keys come after its explanations."""
    return {heading: found[-1] for heading, found in md_all_tables(text).items()}


def strip_icon(cell: str) -> str:
    icon = next((icon for icon in markdown.STATUS_ICONS.values() if cell.startswith(icon + " ")), None)
    return cell[len(icon) + 1 :] if icon else cell


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_markdown_summary_round_trips(name: str, lang: str) -> None:
    report = load(name)
    table = md_tables(render("markdown", report, lang))[label(lang, "summary")]
    assert [(word, int(count.replace(".", "").replace(",", ""))) for word, count in table["rows"]] == [
        (word, count) for _, word, count in summary_rows(report, lang)
    ]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_markdown_rule_tables_round_trip(name: str, lang: str) -> None:
    report = load(name)
    tables = md_tables(render("markdown", report, lang))
    for article in articles(report):
        rows = tables[clean_text(article.heading(lang))]["rows"]
        assert [row[0] for row in rows] == [clean_text(rule["id"]) for rule in article.rules]
        assert [strip_icon(row[2]) for row in rows] == [status_word(lang, rule["status"]) for rule in article.rules]
        for row, rule in zip(rows, article.rules):
            if rule_kind(rule) == "automated":
                waived = finding_count(rule) - open_count(rule)
                suffix = f" ({label(lang, 'waived_count', n=waived)})" if waived else ""
                judged = rule.get("population")
                of = f" {label(lang, 'of_population', n=format_count(judged, lang))}" if judged is not None else ""
                assert row[4] == format_count(finding_count(rule), lang) + of + suffix


@pytest.mark.parametrize("name", names())
def test_markdown_lists_the_first_keys_of_failed_rules(name: str) -> None:
    report = load(name)
    text = render("markdown", report, "en")
    tables = md_tables(text)
    for rule in rules_with(report, "failed"):
        heading = f"{clean_text(rule['id'])} — {clean_text(rule['title']['en'])}"
        rows = tables[heading]["rows"]
        findings = rule["findings"]  # waived ones too, marked: the reader sees why they may stand
        expected = [visible(key_text(f["key"])) for f in findings[: markdown.KEYS_SHOWN]]
        assert [row[0] for row in rows] == expected
        if any(f.get("waived") for f in findings[: markdown.KEYS_SHOWN]):
            assert tables[heading]["header"][-1] == "Waiver"
            assert ([row[-1].startswith("➖ Waived: ") for row in rows]
                    == [bool(f.get("waived")) for f in findings[: markdown.KEYS_SHOWN]])
        hidden = len(findings) - markdown.KEYS_SHOWN
        assert (f"… and {hidden:,} more" in text) == (hidden > 0)


def test_markdown_caps_thousands_of_keys() -> None:
    text = render("markdown", load("large"))
    assert "… en nog 2.480" in text
    assert text.count("client\\_id=C0") <= markdown.KEYS_SHOWN  # only the first keys, however many findings


def test_markdown_shows_the_error_of_a_broken_rule() -> None:
    text = render("markdown", load("full"), "en")
    assert "> **Execution error:** parties.csv, line 1: column 'agreement_signed_at' is missing" in text


def test_markdown_escapes_hostile_values() -> None:
    text = render("markdown", load("hostile"))
    assert "<script" not in text.lower() and ESCAPED_SCRIPT in text
    assert "<img" not in text and "<i>" not in text
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.endswith(" |")
    tables = md_tables(text)
    for table in tables.values():
        assert all(len(row) == len(table["header"]) for row in table["rows"]), "an escaped pipe split a row"
    keys = tables[f"5.1-{SCRIPT} — Titel met {SCRIPT} & \"aanhalingstekens\""]["rows"]
    assert keys[0][0] == f"client_id={SCRIPT}"
    assert keys[1] == ['client_id=C|1`x`*y*_z_, note"=a⟨U+000A⟩b⟨U+000D⟩⟨U+000A⟩c', "clients",
                       visible(load("hostile")["rules"][0]["findings"][1]["message"])]


def test_markdown_leaves_identifiers_readable() -> None:
    text = render("markdown", load("full"))
    assert "| 5.1-unknown-actor | 5.1 | ❌ Niet voldaan | kritiek | 2 |" in text
    assert "log_id=L0044120" in text


def test_markdown_labels_follow_the_language() -> None:
    dutch, english = render("markdown", load("full"), "nl"), render("markdown", load("full"), "en")
    assert "## Samenvatting" in dutch and "## Summary" in english
    assert "## Handmatige controles" in dutch and "## Manual controls" in english
    assert "Niet voldaan" in dutch and "Niet voldaan" not in english


# ----------------------------------------------------------------------------- JUnit


def junit_tree(name: str, lang: str = "en") -> ET.Element:
    return ET.fromstring(render("junit", load(name), lang).encode("utf-8"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_junit_counts_round_trip(name: str, lang: str) -> None:
    report, root = load(name), junit_tree(name, lang)
    statuses = Counter(rule["status"] for rule in report["rules"])
    skipped = statuses["manual"] + statuses["informational"] + statuses["waived"] + statuses["expired"]
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == [clean_text(a.heading(lang)) for a in articles(report)]
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report["rules"])
    assert len(root.findall("testsuite/testcase/failure")) == statuses["failed"]
    assert len(root.findall("testsuite/testcase/error")) == statuses["error"]
    assert len(root.findall("testsuite/testcase/skipped")) == skipped
    expected = {"tests": len(cases), "failures": statuses["failed"], "errors": statuses["error"]}
    assert {key: int(root.get(key, -1)) for key in expected} == expected
    assert root.get("skipped") is None, "junit-10.xsd has no `skipped` on <testsuites>"
    assert sum(int(suite.get("skipped", -1)) for suite in root.findall("testsuite")) == skipped
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests", -1)) == len(suite.findall("testcase"))
        assert int(suite.get("failures", -1)) == len(suite.findall("testcase/failure"))


def test_junit_testcases_name_the_rule_and_article() -> None:
    root = junit_tree("full")
    case = root.find("testsuite/testcase[@name='5.1-unknown-actor']")
    assert case is not None and case.get("classname") == "westendorp.art5"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "2 findings" and failure.get("type") == "critical"
    retention = root.find("testsuite/testcase[@name='11.2-retention-after-last-contact']/failure")
    assert retention.get("message") == "16 findings (+1 waived)"
    assert "C00402" not in (retention.text or ""), "waived keys are not failures"
    assert "log_id=L0044120" in (failure.text or "") and "log_id=L0044121" in (failure.text or "")
    assert root.find("testsuite/testcase[@name='6.1-adequate-protection']/skipped").get("message") == "manual control"
    assert root.find("testsuite/testcase[@name='2-informational']/skipped").get("message") == "informational clause"
    waived = root.find("testsuite/testcase[@name='7.2-special-data-to-commissioner']/skipped").get("message")
    assert waived.startswith("waived: UWV-verzoek op wettelijke grondslag")
    error = root.find("testsuite/testcase[@name='5.3-third-party-without-agreement']/error")
    assert error.text == rules_with(load("full"), "error")[0]["error"]
    assert root.find("testsuite/testcase[@name='4.1-controller-named']").find("*[@message]") is None  # attested passes


def test_junit_failure_lists_the_first_ten_keys() -> None:
    failure = junit_tree("large").find("testsuite/testcase[@name='11.2-retention-after-last-contact']/failure")
    lines = (failure.text or "").splitlines()
    assert failure.get("message") == "2,500 findings"
    findings = load("large")["rules"][-1]["findings"]
    assert [line for line in lines if line.startswith("- ")] == [
        f"- clients: client_id=C{10000 + i:06d} — " + findings[i]["message"] for i in range(10)
    ]
    assert lines[-1] == "… and 2,490 more"


def test_junit_escapes_hostile_values_by_construction() -> None:
    text = render("junit", load("hostile"))
    assert "<script" not in text and "&lt;script&gt;" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", text)
    root = ET.fromstring(text.encode("utf-8"))
    names_ = [case.get("name") for case in root.iter("testcase")]
    assert names_[:2] == [f"5.1-{SCRIPT}", "5.2-quote\"rule'"]
    failure = root.find("testsuite/testcase[1]/failure")
    assert f"client_id={SCRIPT} — bericht met ]]> en <![CDATA[ x ]]> en & en \"quotes\"" in (failure.text or "")
    assert root.find("testsuite/testcase[3]/error").text == visible(load("hostile")["rules"][2]["error"])


@pytest.fixture(scope="module")
def junit_schema():
    """The Jenkins xunit plugin's junit-10.xsd, vendored from its repository (MIT licence)."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(FIXTURES / "junit-10.xsd")))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_junit_validates_against_the_jenkins_schema(junit_schema, name: str, lang: str) -> None:
    from lxml import etree

    document = etree.fromstring(render("junit", load(name), lang).encode("utf-8"), etree.XMLParser(recover=False))
    assert junit_schema.validate(document), junit_schema.error_log


def test_the_vendored_junit_schema_rejects_what_jenkins_rejects(junit_schema) -> None:
    from lxml import etree

    document = etree.fromstring(render("junit", load("full")).encode("utf-8"))
    document.set("skipped", "3")  # what reglement wrote before: valid JUnit to some readers, not to Jenkins
    assert not junit_schema.validate(document)


def test_junit_gives_each_case_its_rule_seconds_and_each_suite_its_rule_file() -> None:
    report = load("full")
    report["run"] = {"rules": {"5.1-unknown-actor": 1.25, "5.1-no-need-to-know": 0.5}}
    root = ET.fromstring(render("junit", report, "en").encode("utf-8"))
    assert root.find("testsuite/testcase[@name='5.1-unknown-actor']").get("time") == "1.250"
    assert root.find("testsuite/testcase[@name='6.1-adequate-protection']").get("time") == "0.000"
    article = root.find("testsuite[@name='Article 5 — Access to personal data']")
    assert article.get("time") == "1.750" and article.get("file") == "rules/westendorp/art-05.yaml"
    assert root.get("time") == "1.750"


def test_junit_labels_follow_the_language() -> None:
    assert 'message="2 bevindingen"' in render("junit", load("full"), "nl")
    assert 'name="Artikel 5 — Toegang tot de persoonsgegevens"' in render("junit", load("full"), "nl")
    assert 'message="handmatige controle"' in render("junit", load("full"), "nl")


# ----------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_schema() -> jsonschema.Draft7Validator:
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def sarif_log(name: str, lang: str = "en") -> dict[str, Any]:
    return json.loads(render("sarif", load(name), lang))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", names())
def test_sarif_validates_against_the_official_schema(sarif_schema: jsonschema.Draft7Validator, name: str,
                                                     lang: str) -> None:
    log = sarif_log(name, lang)
    errors = sorted(sarif_schema.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_the_vendored_schema_rejects_a_broken_log(sarif_schema: jsonschema.Draft7Validator) -> None:
    log = sarif_log("full")
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(list(sarif_schema.iter_errors(log))) == 2


@pytest.mark.parametrize("name", names())
def test_sarif_gives_each_rule_its_first_findings_up_to_the_cap_and_a_summary(name: str) -> None:
    report, run = load(name), sarif_log(name)["runs"][0]
    expected = []
    for rule in report["rules"]:
        if rule["status"] in ("failed", "waived"):
            expected += [(rule["id"], f["key"]) for f in rule["findings"][: sarif.MAX_RESULTS]]
            if finding_count(rule) > sarif.MAX_RESULTS:
                expected.append((rule["id"], {"finding_count": finding_count(rule)}))
    got = [(r["ruleId"], r["properties"]["key"] if "key" in r["properties"]
            else {"finding_count": r["properties"]["finding_count"]})
           for r in run["results"]]
    assert got == expected
    rule_ids = [descriptor["id"] for descriptor in run["tool"]["driver"]["rules"]]
    assert rule_ids == [rule["id"] for rule in report["rules"] if rule_kind(rule) == "automated"]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_cap_is_an_option_and_the_summary_points_to_the_json_report() -> None:
    run = json.loads(render("sarif", load("large"), "en", max_results=5))["runs"][0]
    retention = [r for r in run["results"] if r["ruleId"] == "11.2-retention-after-last-contact"]
    assert len(retention) == 6 and run["properties"]["max_results_per_rule"] == 5
    summary = retention[-1]
    assert summary["properties"] == {"summary": True, "finding_count": 2500, "results": 5}
    assert summary["message"]["text"] == ("11.2-retention-after-last-contact: 2,500 findings in all, the first 5 as "
                                          "results; every key is in the JSON report (--format json)")
    assert "Every finding is in the JSON report" in sarif.cap_notice(load("large"), 5)
    assert sarif.cap_notice(load("minimal"), 5) is None


def test_sarif_never_passes_githubs_run_limit() -> None:
    report = load("large")
    many = [dict(report["rules"][-1], id=f"11.2-copy-{i}", finding_count=50_000) for i in range(600)]
    report["rules"] = report["rules"] + many
    cap = sarif.per_rule(report, 100)
    assert 601 * (cap + 1) <= sarif.RUN_LIMIT < 601 * (cap + 2)


def test_sarif_results_sit_on_the_rule_line_with_the_export_and_key_as_logical_location() -> None:
    report, run = load("full"), sarif_log("full")["runs"][0]
    result = next(r for r in run["results"] if r["ruleId"] == "5.1-unknown-actor")
    location = result["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "rules/westendorp/art-05.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4},
    }
    assert location["logicalLocations"] == [
        {"name": "log_id=L0044120", "kind": "object",
         "fullyQualifiedName": f"{report['data']['access_log']['path']}[log_id=L0044120]"}
    ]
    assert result["level"] == "error" and result["message"]["text"] == "log_id=L0044120: gebruiker U0999 bestaat niet"
    fingerprint = sarif.fingerprint("5.1-unknown-actor", {"log_id": "L0044120"})
    assert result["partialFingerprints"] == {sarif.FINGERPRINT: fingerprint}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")


def test_sarif_places_files_outside_the_checkout_under_a_base_of_their_own(tmp_path: Path) -> None:
    places = sarif_places.Places(["/opt/site/reglement/rules/westendorp/art-05.yaml"], ["/srv/export/clients.csv",
                                 "/srv/export/access_log/"], cwd=tmp_path)
    assert (places.location("/opt/site/reglement/rules/westendorp/art-05.yaml")
            == {"uri": "art-05.yaml", "uriBaseId": "PACKROOT"})
    assert places.location("/srv/export/clients.csv") == {"uri": "clients.csv", "uriBaseId": "EXPORTROOT"}
    assert places.location(str(tmp_path / "rules" / "a.yaml")) == {"uri": "rules/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert places.original()["PACKROOT"] == {"uri": "file:///opt/site/reglement/rules/westendorp/"}


def test_sarif_rules_carry_githubs_severity_and_the_reports_language() -> None:
    dutch = {d["id"]: d for d in sarif_log("full", "nl")["runs"][0]["tool"]["driver"]["rules"]}
    english = {d["id"]: d for d in sarif_log("full", "en")["runs"][0]["tool"]["driver"]["rules"]}
    assert dutch["5.1-unknown-actor"]["properties"]["security-severity"] == "9.5"
    assert "security" in dutch["5.1-unknown-actor"]["properties"]["tags"]
    assert {d["properties"]["severity"]: d["properties"]["security-severity"] for d in dutch.values()} == {
        "critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
    titles = {rule["id"]: rule["title"] for rule in load("full")["rules"]}
    assert dutch["5.1-unknown-actor"]["shortDescription"]["text"] == titles["5.1-unknown-actor"]["nl"]
    assert english["5.1-unknown-actor"]["shortDescription"]["text"] == titles["5.1-unknown-actor"]["en"]
    assert dutch["5.1-unknown-actor"]["help"]["text"].startswith("Artikel 5.1: ")
    assert english["5.1-unknown-actor"]["help"]["text"].startswith("Article 5.1: ")
    assert "quoted in Dutch" in english["5.1-unknown-actor"]["fullDescription"]["text"]
    driver = sarif_log("full")["runs"][0]["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    first, second = sarif_log("full")["runs"][0]["results"], sarif_log("full", "nl")["runs"][0]["results"]
    prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in first]
    assert prints == [r["partialFingerprints"][sarif.FINGERPRINT] for r in second]
    assert len(set(prints)) == len(prints)
    assert sarif.fingerprint("a", {"x": "1", "y": "2"}) == sarif.fingerprint("a", {"y": "2", "x": "1"})


def test_sarif_rules_describe_article_and_default_level() -> None:
    driver = sarif_log("full", "en")["runs"][0]["tool"]["driver"]
    assert driver["name"] == "reglement" and driver["version"] == "0.1.0"
    by_id = {descriptor["id"]: descriptor for descriptor in driver["rules"]}
    descriptor = by_id["5.1-unknown-actor"]
    assert descriptor["name"] == "UnknownActor"
    assert descriptor["shortDescription"]["text"] == "Access by an unknown user or third party"
    assert "Uitsluitend Gebruikers" in descriptor["fullDescription"]["text"]
    assert descriptor["help"]["text"] and descriptor["properties"]["article"] == "5.1"
    levels = {severity: sarif_rules.level(severity) for severity in SEVERITIES}
    assert levels == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    for rule in load("full")["rules"]:
        if rule["id"] in by_id:
            assert by_id[rule["id"]]["defaultConfiguration"]["level"] == levels[rule["severity"]]


def test_sarif_reports_broken_rules_as_notifications() -> None:
    invocation = sarif_log("full")["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["associatedRule"]["id"] == "5.3-third-party-without-agreement"
    assert "agreement_signed_at" in note["message"]["text"]
    invocation = sarif_log("all-passed")["runs"][0]["invocations"][0]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_sarif_suppresses_waived_findings_with_the_reason() -> None:
    results = sarif_log("full")["runs"][0]["results"]
    suppressed: dict[tuple[str, str], dict] = {}
    for r in results:
        if "suppressions" in r:
            logical = r["logicalLocations"] if "logicalLocations" in r else r["locations"][0]["logicalLocations"]
            suppressed[r["ruleId"], logical[0]["name"]] = r["suppressions"][0]
    assert set(suppressed) == {("7.2-special-data-to-commissioner", "disclosure_id=D001874"),
                               ("11.2-retention-after-last-contact", "client_id=C00402")}
    assert all(s["kind"] == "external" and s["state"] == "accepted" for s in suppressed.values())
    justification = suppressed["7.2-special-data-to-commissioner", "disclosure_id=D001874"]["justification"]
    assert justification.startswith("UWV-verzoek op wettelijke grondslag")
    marketing = [r for r in results if r["ruleId"] == "10.1-marketing-without-consent"]
    assert not any("suppressions" in r for r in marketing), "an expired waiver suppresses nothing"


def test_sarif_carries_the_baseline_state_of_a_finding(sarif_schema: jsonschema.Draft7Validator) -> None:
    report = load("minimal")
    first, second = report["rules"][0]["findings"]
    first["baseline"], second["baseline"] = "new", "open"
    log = json.loads(render("sarif", report))
    assert not list(sarif_schema.iter_errors(log))
    assert [r["baselineState"] for r in log["runs"][0]["results"]] == ["new", "unchanged"]


def test_sarif_lists_the_exports_with_their_hashes() -> None:
    report, artifacts = load("full"), sarif_log("full")["runs"][0]["artifacts"]
    assert [a["hashes"]["sha-256"] for a in artifacts] == [info["sha256"] for info in report["data"].values()]


def test_sarif_uris_are_uri_references() -> None:
    assert sarif_places.path_uri("export/a b/<x>.csv") == "export/a%20b/%3Cx%3E.csv"
    assert sarif_places.path_uri("/srv/exports/access log]]>.jsonl") == "file:///srv/exports/access%20log%5D%5D%3E.jsonl"
    assert sarif_places.path_uri("C:\\exports\\clients.csv") == "file:///C:/exports/clients.csv"
    run = sarif_log("hostile")["runs"][0]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert all(re.fullmatch(r"[A-Za-z0-9%/._:~-]+", uri) for uri in uris), uris


def test_sarif_keeps_hostile_values_as_plain_json_text() -> None:
    text = render("sarif", load("hostile"))
    log = json.loads(text)
    first = log["runs"][0]["results"][0]
    assert first["properties"]["key"] == {"client_id": SCRIPT}
    assert first["message"]["text"].startswith(f"client_id={SCRIPT}: bericht met ]]>")


# ----------------------------------------------------------------------------- size


def test_thousands_of_findings_render_in_every_format() -> None:
    report = load("large")
    outputs = {fmt: render(report, "nl") for fmt, render in RENDERERS.items()}
    assert outputs["html"].count('<td class="key">') == 2500 + 2 + 2
    assert len(json.loads(outputs["sarif"])["runs"][0]["results"]) == sarif.MAX_RESULTS + 1 + 2 + 2
    assert "… en nog 2.490" in outputs["junit"]


# ----------------------------------------------------------------------------- the page an auditor prints


def test_html_times_and_durations_in_the_readers_words() -> None:
    from reglement.checker.formats.labels import format_seconds, format_time

    assert ((format_seconds(0.42, "nl"), format_seconds(0.42, "en"), format_seconds(125.2, "nl"))
            == ("0,4 s", "0.4 s", "2 min 5 s"))
    assert format_time("2026-12-01T09:19:42+00:00").startswith("2026-12-")
    assert len(format_time("2026-12-01T09:19:42")) == len("2026-12-01 09:19")
    report = load("full")
    report["run"] = {"started_at": "2026-12-01T09:19:42", "seconds": 0.42}
    page = render("html", report, "nl")
    assert "<dd>2026-12-01 09:19</dd>" in page and "<dd>0,4 s</dd>" in page


def test_html_in_english_says_the_clauses_are_quoted_in_dutch() -> None:
    english, dutch = render("html", load("full"), "en"), render("html", load("full"), "nl")
    assert "The clause texts are quoted in Dutch" in english
    assert 'class="lang-note"' not in dutch


def test_html_prints_on_a4_and_leaves_folded_keys_folded() -> None:
    css = (Path(sarif.__file__).parent / "report.css").read_text(encoding="utf-8")
    assert "@page { size: A4;" in css
    assert "details-content" not in css and "summary { display: none" not in css  # nothing forces a fold open


def test_html_carries_at_most_ten_thousand_keys_a_rule_and_points_to_the_json_report() -> None:
    report = load("large")
    rule = report["rules"][-1]
    rule["findings"] = [dict(rule["findings"][0], key={"client_id": f"K{i:07d}"}) for i in range(12_345)]
    rule["finding_count"] = 12_345
    page = render("html", report, "en")
    assert page.count("<td class=\"key\">K") == html_keys.KEYS_CARRIED
    assert "Show the other 12,245 keys" in page
    assert "… and 2,345 more; the other 2,345 keys are in the JSON report (--format json)" in page


# ----------------------------------------------------------------------------- pack 1.2: what a rule judged
#
# `explained.json` is a report of pack 1.2: each automated rule with its population, a rule with
# explanations (`5.1-access-unexplained`, seven findings of 19,998,000 accesses), one with hostile
# explanation titles and ids, a rule in error (no population), a waived finding, a population of
# nothing, and periods: a dataset without rows, one whose rows have no value in its time column, one
# without a time column, and one whose values hold what a reader cannot see. The other fixtures are
# reports of pack 1.1 and must render as before.

EXPLAINED = "explained"
UNEXPLAINED = "5.1-access-unexplained"
HOSTILE_RULE = f"5.4-hostile{SCRIPT}"


def rule_of(report: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(rule for rule in report["rules"] if rule["id"] == rule_id)


def rule_card(page: str, rule_id: str) -> str:
    """The HTML of one rule's card, from its `<article>` to the next one."""
    start = page.index(f'data-rule-id="{htmllib.escape(rule_id, quote=True).replace("&#x27;", "&#x27;")}"')
    end = page.find("<article", start)
    return page[start:end if end >= 0 else len(page)]


class ExplanationRows(HTMLParser):
    """Each rule's explanations table as a reader sees it: the caption, then (cells, unexplained?) per row."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rule = ""
        self.tables: dict[str, dict[str, Any]] = {}
        self.inside: list[str] = []
        self.cells: list[str] | None = None
        self.unexplained = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "article" and "data-rule-id" in a:
            self.rule = a["data-rule-id"]
        elif tag == "table" and a.get("class") == "explanations":
            self.tables[self.rule] = {"caption": "", "rows": []}
            self.inside.append("table")
        elif self.inside and tag == "caption":
            self.inside.append("caption")
        elif self.inside and tag == "tr":
            self.cells, self.unexplained = [], a.get("class") == "unexplained"
        elif self.cells is not None and tag in ("td", "th"):
            self.cells.append("")

    def handle_data(self, data: str) -> None:
        if self.inside and self.inside[-1] == "caption":
            self.tables[self.rule]["caption"] += data
        elif self.cells:
            self.cells[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self.inside and self.inside[-1] == "caption":
            self.inside.pop()
        elif tag == "tr" and self.cells is not None:
            if self.cells and self.cells[0] not in (label(lang, "explanation") for lang in LANGS):
                self.tables[self.rule]["rows"].append((tuple(self.cells), self.unexplained))
            self.cells = None
        elif tag == "table" and self.inside:
            self.inside.pop()


def expected_lines(rule: dict[str, Any], lang: str) -> list[tuple[str, str, int]]:
    """(title, id, rows) per explanation, then the unexplained (id empty, rows = the findings)."""
    lines = [(e["title"][lang] or e["id"], e["id"], e["rows"]) for e in rule["explanations"]]
    return [*lines, (label(lang, "unexplained"), "", finding_count(rule))]


@pytest.mark.parametrize("lang", LANGS)
def test_text_gives_each_rule_its_population_beside_its_count(lang: str) -> None:
    text = render("text", load(EXPLAINED), lang)
    words = {"nl": ("7 bevindingen van 19.998.000", "2 bevindingen (1 vrijgesteld) van 48.210", "1 bevinding van 97",
                    "0 bevindingen van 0"),
             "en": ("7 findings of 19,998,000", "2 findings (1 waived) of 48,210", "1 finding of 97",
                    "0 findings of 0")}
    for phrase in words[lang]:
        assert phrase in text
    broken = rule_of(load(EXPLAINED), "5.3-third-party-without-agreement")
    (line,) = [line for line in text.splitlines() if broken["id"] in line]
    none = "0 bevindingen" if lang == "nl" else "0 findings"
    assert line.endswith(f"{none} — {broken['title'][lang]}"), "a rule in error has no population"


def test_text_lists_the_explanations_numbers_first_then_the_unexplained_then_the_keys() -> None:
    text = render("text", load(EXPLAINED), "en")
    block = text[text.index("Explanations of the 19,998,000 rows judged:"):]
    assert block.splitlines()[1:9] == [
        "             19,990,001  >99.9%  Client on the worker's caseload (caseload)",
        "                402,118    2.0%  Client on the caseload of someone the worker manages (manager)",
        "                 12,004   <0.1%  The client's request in hand (request)",
        "                  1,210   <0.1%  The client's complaint in hand (complaint)",
        "                      0      0%  A disclosure that day (disclosure)",
        "                300,101    1.5%  Administration during the trajectory (administration)",
        "                      7   <0.1%  Unexplained (the findings)",
        "             (A row may be explained more than one way; each explanation counts it.)",
    ]
    assert block.splitlines()[9].strip().startswith("gebeurtenis E00001204:")
    dutch = render("text", load(EXPLAINED), "nl")
    assert "             19.990.001  >99,9%  Cliënt op de caseload van de medewerker (caseload)" in dutch
    assert "                      7   <0,1%  Niet verklaard (de bevindingen)" in dutch


def test_text_lists_each_dataset_with_its_rows_and_period() -> None:
    text = render("text", load(EXPLAINED), "en")
    data = text[text.index("\nData read\n"):].splitlines()[2:9]
    column = len("created_at") + len(SCRIPT) + 1
    assert data == [
        f"  access_log  20,000,000 rows  {'ts:':<{column}} 2026-01-01 00:00:03 – 2026-10-31 23:59:58",
        f"  requests        48,211 rows  {'received_at:':<{column}} 2019-02-01 – 2026-11-27",
        f"  complaints           0 rows  {'received_at:':<{column}} no rows",
        f"  records             12 rows  {'created_at' + SCRIPT + ':':<{column}} no values",
        "  caseload         1,840 rows",
        f"  users              212 rows  {'authorized_from:':<{column}} 2019-01-07⟨U+200B⟩ – 2026-09-01 & <b>",
        "",
    ]
    assert "  complaints           0 rijen" in render("text", load(EXPLAINED), "nl")
    assert "geen rijen" in render("text", load(EXPLAINED), "nl") and "geen waarden" in render("text", load(EXPLAINED))
    assert render("text", load(EXPLAINED)).splitlines()[-1].startswith("handmatige controles")


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_explanations_round_trip_above_the_keys(lang: str) -> None:
    report = load(EXPLAINED)
    text = render("markdown", report, lang)
    for rule_id in (UNEXPLAINED, HOSTILE_RULE, "9.4-nothing-judged-explained"):
        rule = rule_of(report, rule_id)
        tables = md_all_tables(text)[f"{clean_text(rule_id)} — {clean_text(rule['title'][lang])}"]
        table = tables[0]
        assert table["header"] == [label(lang, name) for name in ("explanation", "explanation_id", "rows", "share")]
        got = [(title.strip("*"), ident, int(rows.strip("*").replace(".", "").replace(",", "")))
               for title, ident, rows, _ in table["rows"]]
        assert got == [(t, i or label(lang, "none"), n) for t, i, n in expected_lines(rule, lang)]
        if finding_count(rule):
            assert [row[0] for row in tables[1]["rows"]] == [visible(key_text(f["key"])) for f in rule["findings"]]
    heading = f"{UNEXPLAINED} — {rule_of(report, UNEXPLAINED)['title'][lang]}"
    shares = [row[3] for row in md_all_tables(text)[heading][0]["rows"]]
    assert shares == ([">99,9%", "2,0%", "<0,1%", "<0,1%", "0%", "1,5%", "**<0,1%**"] if lang == "nl"
                      else [">99.9%", "2.0%", "<0.1%", "<0.1%", "0%", "1.5%", "**<0.1%**"])
    assert f"**{label(lang, 'explained_of', n=format_count(19_998_000, lang))}**" in text


def test_markdown_escapes_explanations_and_periods() -> None:
    text = render("markdown", load(EXPLAINED), "en")
    assert "<script" not in text.lower() and "<b>" not in text
    for table in (t for found in md_all_tables(text).values() for t in found):
        assert all(len(row) == len(table["header"]) for row in table["rows"]), "an escaped pipe split a row"
    hostile = md_all_tables(text)[f"{clean_text(HOSTILE_RULE)} — Rule with explanations {SCRIPT}"][0]["rows"]
    assert hostile[0][:2] == [f"{SCRIPT} & \"q\" | `x` *y* _z_", "a|b<c>&`d`"]
    data = md_tables(text)[label("en", "data_read")]
    assert data["header"] == ["Dataset", "Rows", "Period"]
    assert data["rows"] == [
        ["access_log", "20,000,000", "ts: 2026-01-01 00:00:03 – 2026-10-31 23:59:58"],
        ["requests", "48,211", "received_at: 2019-02-01 – 2026-11-27"],
        ["complaints", "0", "received_at: no rows"],
        ["records", "12", f"created_at{SCRIPT}: no values"],
        ["caseload", "1,840", "—"],
        ["users", "212", "authorized_from: 2019-01-07⟨U+200B⟩ – 2026-09-01 & <b>"],
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_html_gives_each_rule_its_population_beside_its_count(lang: str) -> None:
    report = load(EXPLAINED)
    page = render("html", report, lang)
    for rule in report["rules"]:
        card = rule_card(page, rule["id"])
        shown = re.findall(r'<span class="population" data-population="(\d+)">([^<]*)</span>', card)
        if "population" in rule:
            of = label(lang, "of_population", n=format_count(rule["population"], lang))
            assert shown == [(str(rule["population"]), of)]
        else:
            assert shown == [], rule["id"]
    assert ('<span class="count" data-count="2">2 findings <span class="population" data-population="48210">'
            'of 48,210</span> <span class="waived-count">(1 waived)</span></span>') in render("html", report, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_html_shows_the_explanations_in_the_rules_card_above_its_keys(lang: str) -> None:
    report = load(EXPLAINED)
    page = render("html", report, lang)
    tables = ExplanationRows(page).tables
    assert set(tables) == {UNEXPLAINED, HOSTILE_RULE, "9.4-nothing-judged-explained"}
    for rule_id, table in tables.items():
        rule = rule_of(report, rule_id)
        assert table["caption"] == label(lang, "explained_of", n=format_count(rule["population"], lang))
        got = [(cells[0], "" if unexplained else cells[1], int(cells[2].replace(".", "").replace(",", "")))
               for cells, unexplained in table["rows"]]
        assert got == expected_lines(rule, lang)
        assert [unexplained for _, unexplained in table["rows"]] == [False] * len(rule["explanations"]) + [True]
    card = rule_card(page, UNEXPLAINED)
    assert card.index('<table class="explanations">') < card.index('<table class="keys">')
    assert card.index('<div class="rule-head">') < card.index('<table class="explanations">')
    bars = dict(re.findall(r'<tr[^>]* data-rows="(\d+)">.*?style="width:([\d.]+)%"', card))
    assert bars == {"19990001": "100.0", "402118": "2.0", "12004": "0.5", "1210": "0.5", "0": "0.0", "300101": "1.5",
                    "7": "0.5"}, "a share too small to see is a hairline, no share none"
    assert "A row may be explained more than one way" in rule_card(render("html", report, "en"), UNEXPLAINED)
    assert "explained-note" not in rule_card(page, "9.4-nothing-judged-explained")


def test_html_escapes_explanations_and_periods() -> None:
    page = render("html", load(EXPLAINED))
    assert "<script" not in page.lower() and "<b>" not in page
    card = rule_card(page, HOSTILE_RULE)
    assert f"<td>{ESCAPED_SCRIPT} &amp; &quot;q&quot; | `x` *y* _z_</td>" in card
    assert 'data-explanation="a|b&lt;c&gt;&amp;`d`"' in card and "<code>a|b&lt;c&gt;&amp;`d`</code>" in card
    assert f"<code>created_at{ESCAPED_SCRIPT}</code>" in page
    assert '2019-01-07<span class="unseen">⟨U+200B⟩</span>' in page and "2026-09-01 &amp; &lt;b&gt;" in page


@pytest.mark.parametrize("lang", LANGS)
def test_html_data_read_gives_each_dataset_its_period(lang: str) -> None:
    page = render("html", load(EXPLAINED), lang)
    periods = dict(re.findall(r'<tr data-dataset="([^"]+)">.*?<td class="period"[^>]*>(.*?)</td>', page))
    assert periods["access_log"] == ('<code>ts</code> <span class="end">2026-01-01 00:00:03</span> – '
                                     '<span class="end">2026-10-31 23:59:58</span>')
    assert periods["complaints"] == f'<code>received_at</code> <span class="no-rows">{label(lang, "no_rows")}</span>'
    assert periods["records"].endswith(f'<span class="no-rows">{label(lang, "no_values")}</span>')
    assert periods["caseload"] == "—"
    assert ('data-column="ts" data-from="2026-01-01T00:00:03" data-to="2026-10-31T23:59:58"' in page)
    assert f"<th>{label(lang, 'period')}</th>" in page


@pytest.mark.parametrize("name", [name for name in names() if name != EXPLAINED])
def test_a_report_of_pack_1_1_shows_no_population_explanation_or_period(name: str) -> None:
    report = load(name)
    assert not any("population" in rule or "explanations" in rule for rule in report["rules"])
    page, text, md = render("html", report, "en"), render("text", report, "en"), render("markdown", report, "en")
    assert 'class="population"' not in page and 'class="explanations"' not in page and "<th>Period</th>" not in page
    assert "rows judged" not in text and "Explanations" not in md and "| Period |" not in md
    assert not re.search(r"\d findings? of \d", text)
    junit = render("junit", report, "en")
    assert 'name="population.' not in junit and 'name="period.' not in junit and "Judged:" not in junit
    run = json.loads(render("sarif", report, "en"))["runs"][0]
    assert "rules" not in run["properties"] and "periods" not in run["properties"]
    assert not any("population" in r["properties"] for r in run["results"])


def test_junit_puts_populations_explanations_and_periods_in_the_suites_properties() -> None:
    root = ET.fromstring(render("junit", load(EXPLAINED), "en").encode("utf-8"))
    suite = root.find("testsuite[@name='Article 5']")
    properties = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
    assert properties["population.5.1-access-unexplained"] == "19998000"
    assert properties["explained.5.1-access-unexplained.caseload"] == "19990001"
    assert properties["explained.5.1-access-unexplained.disclosure"] == "0"
    assert properties["population.5.1-unknown-actor"] == "20000000"
    assert not any(name.endswith("5.3-third-party-without-agreement") for name in properties), "in error: none"
    assert properties["period.access_log"] == "2026-01-01T00:00:03/2026-10-31T23:59:58"
    assert properties["period.access_log.column"] == "ts"
    assert properties["period.users"] == "2019-01-07⟨U+200B⟩/2026-09-01 & <b>"
    assert "period.complaints" not in properties, "no rule of article 5 reads complaints"
    assert properties[f"explained.{HOSTILE_RULE}.a|b<c>&`d`"] == "2"
    nine = {p.get("name"): p.get("value") for p in root.findall("testsuite[@name='Article 9']/properties/property")}
    assert nine["period.records"] == "../.." and nine["population.9.3-decision-late"] == "0"
    out = root.find("testsuite/testcase[@name='5.1-access-unexplained']/system-out").text
    assert out.splitlines()[1:4] == ["Judged: 19,998,000",
                                     "Client on the worker's caseload (caseload): 19,990,001 (>99.9%)",
                                     "Client on the caseload of someone the worker manages (manager): 402,118 (2.0%)"]
    assert out.splitlines()[-1] == "Unexplained (the findings): 7 (<0.1%)"
    assert root.find("testsuite/testcase[@name='5.1-access-unexplained']/failure").get("message") == "7 findings"
    dutch = ET.fromstring(render("junit", load(EXPLAINED), "nl").encode("utf-8"))
    assert "Beoordeeld: 19.998.000" in dutch.find("testsuite/testcase[@name='5.1-access-unexplained']/system-out").text


def test_sarif_carries_populations_explanations_and_periods_in_property_bags(
        sarif_schema: jsonschema.Draft7Validator) -> None:
    report = load(EXPLAINED)
    log = sarif_log(EXPLAINED)
    assert not list(sarif_schema.iter_errors(log))
    run = log["runs"][0]
    counts = [{"id": e["id"], "rows": e["rows"]} for e in rule_of(report, UNEXPLAINED)["explanations"]]
    results = [r for r in run["results"] if r["ruleId"] == UNEXPLAINED]
    assert len(results) == 7
    assert all(r["properties"]["population"] == 19_998_000 and r["properties"]["explanations"] == counts
               for r in results)
    late = [r for r in run["results"] if r["ruleId"] == "8.1-access-request-late"]
    assert [r["properties"]["population"] for r in late] == [48_210, 48_210]
    assert "explanations" not in late[0]["properties"]
    judged = run["properties"]["rules"]
    assert judged[UNEXPLAINED] == {"population": 19_998_000, "explanations": counts}
    assert judged["5.1-unknown-actor"] == {"population": 20_000_000}, "a rule that passed has no result to carry it"
    assert "5.3-third-party-without-agreement" not in judged
    assert run["properties"]["periods"] == {name: info["period"] for name, info in report["data"].items()
                                            if "period" in info}
    assert [a["properties"].get("period") for a in run["artifacts"]] == [info.get("period")
                                                                        for info in report["data"].values()]


def test_sarif_summary_result_carries_the_population_too() -> None:
    report = load(EXPLAINED)
    rule = rule_of(report, UNEXPLAINED)
    run = json.loads(render("sarif", report, "en", max_results=2))["runs"][0]
    summary = [r for r in run["results"] if r["ruleId"] == UNEXPLAINED and r["properties"].get("summary")]
    assert [s["properties"]["population"] for s in summary] == [rule["population"]]


# ----------------------------------------------------------------------------- pack 1.2, end to end

EXPLAINED_PACK = FIXTURES / "explained_pack"


@pytest.fixture(scope="module")
def pack_12_report() -> dict[str, Any]:
    """The JSON report of an audit with `fixtures/explained_pack`: a rule with a scope and explanations, a rule
    with a scope alone, and a dataset without rows."""
    import contextlib
    import io

    from reglement.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--rules", str(EXPLAINED_PACK), "--data", str(EXPLAINED_PACK / "export"),
                     "--as-of", "2026-04-01", "--format", "json", "--lang", "en"])
    assert code == 1
    return json.loads(out.getvalue())


def test_an_audit_with_explanations_reports_what_the_formats_show(pack_12_report: dict[str, Any]) -> None:
    report = pack_12_report
    unexplained = rule_of(report, "2.1-view-unexplained")
    assert (unexplained["population"], unexplained["finding_count"]) == (5, 2)  # V6 is a test: out of scope
    assert [(e["id"], e["rows"]) for e in unexplained["explanations"]] == [("assigned", 2), ("helpdesk", 2)]
    assert [f["key"] for f in unexplained["findings"]] == [{"view_id": "V2"}, {"view_id": "V4"}]
    assert rule_of(report, "2.2-test-on-real-file")["population"] == 6
    assert report["data"]["complaints"]["period"] == {"column": "received_at", "from": None, "to": None}
    text = render("text", report, "en")
    assert "[high] 2 findings of 5 — A view the data does not explain" in text
    assert "[medium] 1 finding of 6 — A test on a real file" in text
    assert "             2  40.0%  Client on the worker's caseload (assigned)" in text
    assert "             2  40.0%  Unexplained (the findings)" in text
    assert "  complaints   0 rows  received_at: no rows" in text
    assert "| 2.1-view-unexplained | 2.1 | ❌ Failed | high | 2 of 5 |" in render("markdown", report, "en")
    page = render("html", report, "nl")
    assert ExplanationRows(page).tables["2.1-view-unexplained"]["rows"][-1] == (
        ("Niet verklaard (de bevindingen)", "—", "2", "40,0%"), True)
