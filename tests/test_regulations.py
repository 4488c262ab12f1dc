"""A pack of several regulations side by side (tests/fixtures/two_regulations: the AVG and the Jeugdwet, both
with an article 12, and articles 7.3.8 and 2a): compiled, audited, and shown per regulation and article in
every format, the coverage matrix, `explain` and `--select`; and the errors of such a pack."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from conftest import AS_OF, SAMPLE
from reports import audit, rule_results

from reglement import schemas
from reglement.checker.formats import period_html, period_markdown, render
from reglement.checker.formats.grouping import articles
from reglement.checker.period import figures
from reglement.checker.report import REPORT_SCHEMA
from reglement.cli import main
from reglement.compiler.diagnostics import CompileError
from reglement.compiler.numbering import natural_key
from reglement.compiler.stages import load_pack

FIXTURES = Path(__file__).parent / "fixtures"
PACK = FIXTURES / "two_regulations"
# every article in the order a reader expects: per regulation as pack.yaml lists them, then natural order
CITED = ["AVG 12", "AVG 33", "Jeugdwet 2a", "Jeugdwet 7.3.8", "Jeugdwet 12"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """The JSON report of the pack over the sample export, audited on DuckDB."""
    written = tmp_path_factory.mktemp("two") / "two.json"
    code = main(["check", "--rules", str(PACK), "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                 "--output", str(written), "--quiet"])
    assert code == 1
    return json.loads(written.read_text(encoding="utf-8"))


def copy_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(PACK, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors_of(folder: Path) -> str:
    with pytest.raises(CompileError) as caught:
        load_pack(folder)
    return caught.value.render()


def broken(tmp_path: Path, name: str, old: str, new: str) -> str:
    """The errors of a copy of the pack with `old` replaced by `new` in its file `name`."""
    folder = copy_pack(tmp_path)
    edit(folder / name, old, new)
    return errors_of(folder)


# -- the compiled pack --------------------------------------------------------------------------------------
def test_each_rule_and_article_belongs_to_its_regulation_in_the_regulations_order():
    pack = load_pack(PACK)
    assert [(r.code, r.name, r.prefix) for r in pack.regulations] == [("avg", "AVG", ""), ("jw", "Jeugdwet", "jw-")]
    assert [(a.regulation, a.number) for a in pack.articles] == [
        ("avg", "12"), ("avg", "33"), ("jw", "2a"), ("jw", "7.3.8"), ("jw", "12")]
    assert {r.id: r.regulation for r in pack.rules} == {
        "12.3-answer-late": "avg", "jw-7.3.8-late-decision": "jw", "jw-12.2-refusal-without-reasons": "jw"}
    assert {c.id: c.regulation for c in pack.controls} == {"33.1-breach-notified": "avg",
                                                           "jw-2a-reference-index": "jw"}


def test_a_pack_of_one_regulation_given_as_text_has_no_regulations():
    pack = load_pack(Path(__file__).parent.parent / "rules" / "avg")
    assert pack.regulations == () and {r.regulation for r in pack.rules} == {""}


@pytest.mark.parametrize("smaller, larger", [("2", "2a"), ("2a", "10"), ("7.3.8", "7.3.10"), ("7:400", "7:401"),
                                             ("5.1", "5.1a"), ("5.1", "5a"), ("9.2", "9.10")])
def test_law_numbers_sort_as_a_reader_expects(smaller, larger):
    assert natural_key(smaller) < natural_key(larger)
    assert not natural_key(larger) < natural_key(smaller)


def test_the_regulations_that_reglement_init_suggests_compile_and_keep_the_ids(tmp_path):
    assert main(["init", str(tmp_path / "mine")]) == 0
    meta = tmp_path / "mine" / "pack.yaml"
    text = meta.read_text(encoding="utf-8")
    suggested = re.search(r"^# regulations:\n((?:#   .*\n)+)", text, re.M)
    declared = "regulations:\n" + "".join(line[2:] + "\n" for line in suggested[1].splitlines())
    meta.write_text(re.sub(r"^regulation: .*$", declared, text, flags=re.M), encoding="utf-8")
    for name in ("art-01.yaml", "art-02.yaml"):  # each article file names its regulation, as the comment says
        edit(tmp_path / "mine" / name, "\narticle:", "\nregulation: own\narticle:")
    pack = load_pack(tmp_path / "mine")
    assert [r.code for r in pack.regulations] == ["own", "avg"]
    assert {r.id: r.regulation for r in pack.rules}["1.1-kept-too-long"] == "own"


# -- the errors ---------------------------------------------------------------------------------------------
def test_a_rule_file_naming_an_unknown_regulation_is_e141_with_a_did_you_mean(tmp_path):
    found = broken(tmp_path, "jw-12.yaml", "regulation: jw", "regulation: jww")
    assert re.search(r"jw-12\.yaml:1:13: error E141: unknown regulation 'jww': pack.yaml does not declare it", found)
    assert "did you mean 'jw'?" in found


def test_naming_a_regulation_in_a_pack_that_gives_its_regulation_as_text_is_e141(tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(Path(__file__).parent.parent / "rules" / "avg", folder)
    edit(folder / "art-19.yaml", 'article: "19"', 'regulation: avg\narticle: "19"')
    found = errors_of(folder)
    assert "art-19.yaml:1:13: error E141: unknown regulation 'avg'" in found
    assert "pack.yaml declares no regulations" in found


def test_a_rule_file_that_names_no_regulation_in_a_pack_of_several_is_e142(tmp_path):
    found = broken(tmp_path, "jw-12.yaml", "regulation: jw\n", "")
    assert re.search(r"jw-12\.yaml:1:10: error E142: the pack has 2 regulations \(avg, jw\); this file does not "
                     r"say which one article 12 belongs to", found)
    assert found.count("error E") == 1


def test_a_pack_of_one_declared_regulation_needs_no_regulation_in_its_files(tmp_path):
    folder = copy_pack(tmp_path)
    for name in ("jw-12.yaml", "jw-07.3.8.yaml", "jw-2a.yaml"):
        (folder / name).unlink()
    meta = (folder / "pack.yaml").read_text(encoding="utf-8")
    (folder / "pack.yaml").write_text(re.sub(r"  - code: jw\n(    .*\n)*", "", meta), encoding="utf-8")
    edit(folder / "avg-12.yaml", "regulation: avg\n", "")
    pack = load_pack(folder)
    assert {r.regulation for r in pack.rules} == {"avg"}


def test_two_regulations_with_one_code_is_e143(tmp_path):
    found = broken(tmp_path, "pack.yaml", "  - code: jw\n", "  - code: avg\n")
    assert re.search(r"pack\.yaml:12:11: error E143: the code 'avg' is given to two regulations \(first to AVG\)",
                     found)


def test_an_article_twice_in_one_regulation_is_e144_and_across_regulations_allowed(tmp_path):
    folder = copy_pack(tmp_path)
    load_pack(folder)  # AVG 12 and Jeugdwet 12: one number in two regulations
    text = (folder / "avg-33.yaml").read_text(encoding="utf-8").replace('"33"', '"12"').replace("33.1", "12.1")
    (folder / "avg-zz.yaml").write_text(text, encoding="utf-8")
    found = errors_of(folder)
    assert re.search(r"avg-zz\.yaml:2:10: error E144: article 12 of AVG is quoted twice \(first at \S*avg-12\.yaml:2\)",
                     found)


@pytest.mark.parametrize("number", ["7.3.8", "2a", "5.1a", "7:400", "12"])
def test_article_numbers_as_laws_write_them_compile(tmp_path, number):
    folder = copy_pack(tmp_path)
    edit(folder / "jw-2a.yaml", 'article: "2a"', f'article: "{number}"')
    edit(folder / "jw-2a.yaml", 'clause: "2a"', f'clause: "{number}"')
    edit(folder / "jw-2a.yaml", 'id: jw-2a-reference-index\n    article: "2a"',
         f'id: jw-{number}-reference-index\n    article: "{number}"')
    if number in ("7.3.8", "12"):  # the number of another article of the same regulation
        assert "error E144" in errors_of(folder)
    else:
        assert load_pack(folder).regulation("jw") is not None


@pytest.mark.parametrize("number", ["art5", "7.3.", "2A", "7::1", "5 1", "a2"])
def test_an_article_number_no_law_writes_is_e140_saying_what_is_expected(tmp_path, number):
    found = broken(tmp_path, "jw-2a.yaml", 'article: "2a"', f'article: "{number}"')
    assert f"jw-2a.yaml:2:10: error E140: article: '{number}' is not an article or clause number as a law writes " \
           "it, such as '5', '5.1', '7.3.8', '2a', '5.1a' or '7:400'" in found


def test_a_rule_of_a_second_regulation_starts_its_id_with_the_code(tmp_path):
    found = broken(tmp_path, "jw-07.3.8.yaml", "id: jw-7.3.8-late-decision", "id: 7.3.8-late-decision")
    assert "error E109: the id '7.3.8-late-decision' names clause 7.3.8, but the rule enforces clause jw-7.3.8" in found
    assert "start the id with 'jw-7.3.8-'" in found


def test_a_rule_of_the_first_regulation_has_no_code_in_its_id(tmp_path):
    found = broken(tmp_path, "avg-12.yaml", "id: 12.3-answer-late", "id: avg-12.3-answer-late")
    assert "error E109: the id 'avg-12.3-answer-late' names clause avg-12.3, but the rule enforces clause 12.3" in found


def test_a_pack_may_not_give_both_regulation_and_regulations(tmp_path):
    found = broken(tmp_path, "pack.yaml", "regulations:", "regulation: de AVG\nregulations:")
    assert "error E102: the file: give either `regulation` (one regulation, as text) or `regulations` (a list), " \
           "not both" in found


# -- the JSON report ----------------------------------------------------------------------------------------
def test_the_report_records_the_regulation_of_every_rule_and_article(report):
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert report["schema_version"] == "1.4"
    assert [(r["code"], r["name"]) for r in report["regulations"]] == [("avg", "AVG"), ("jw", "Jeugdwet")]
    assert [(a.get("regulation"), a["article"]) for a in report["articles"]] == [
        ("avg", "12"), ("avg", "33"), ("jw", "2a"), ("jw", "7.3.8"), ("jw", "12")]
    assert {r["id"]: (r["regulation"], r["article"]) for r in report["rules"]} == {
        "12.3-answer-late": ("avg", "12.3"), "jw-7.3.8-late-decision": ("jw", "7.3.8"),
        "jw-12.2-refusal-without-reasons": ("jw", "12.2"), "33.1-breach-notified": ("avg", "33.1"),
        "jw-2a-reference-index": ("jw", "2a"), "jw-12.1-informational": ("jw", "12.1")}
    assert report["articles"][-1]["clauses"][0]["rules"] == ["jw-12.1-informational"]


def test_a_report_of_one_regulation_given_as_text_records_none(capsys):
    found = audit(capsys, "--rules", "rules/avg", "--data", str(SAMPLE))
    assert "regulations" not in found
    assert not any("regulation" in r for r in found["rules"]) and not any("regulation" in a for a in found["articles"])


def test_the_engines_agree_on_a_pack_of_two_regulations(capsys):
    duckdb = audit(capsys, "--rules", str(PACK), "--data", str(SAMPLE), "--engine", "duckdb")
    pandas = audit(capsys, "--rules", str(PACK), "--data", str(SAMPLE), "--engine", "pandas")
    assert rule_results(duckdb) == rule_results(pandas)
    assert sum(r["finding_count"] for r in rule_results(duckdb)) > 0


def test_rules_are_grouped_per_regulation_then_article(report):
    grouped = articles(report)
    assert [a.cite("nl") for a in grouped] == CITED
    assert [[r["id"] for r in a.rules] for a in grouped] == [
        ["12.3-answer-late"], ["33.1-breach-notified"], ["jw-2a-reference-index"], ["jw-7.3.8-late-decision"],
        ["jw-12.1-informational", "jw-12.2-refusal-without-reasons"]]


def test_without_an_article_list_a_rule_still_goes_to_its_regulation(report):
    bare = {k: v for k, v in report.items() if k != "articles"}
    assert [(a.regulation, a.number) for a in articles(bare)] == [
        ("avg", "12"), ("avg", "33"), ("jw", "2a"), ("jw", "7"), ("jw", "12")]


# -- the formats --------------------------------------------------------------------------------------------
def test_text_shows_each_regulation_then_its_articles_as_the_regulation_names_them(report):
    text = render("text", report, "en")
    headings = [line for line in text.splitlines() if re.match(r"^(AVG|Jeugdwet)\b", line)]
    assert headings == ["AVG — General Data Protection Regulation",
                        "AVG 12 — Transparent information and communication",
                        "AVG 33 — Notification of a personal data breach", "Jeugdwet — Youth Act",
                        "Jeugdwet 2a — Reference index", "Jeugdwet 7.3.8 — Retention period",
                        "Jeugdwet 12 — Information about the young person"]


def test_markdown_has_a_heading_per_regulation_with_its_articles_below(report):
    text = render("markdown", report, "nl")
    headings = re.findall(r"^(#+) (.*)$", text, re.M)
    ours = [(level, title.split(" — ")[0]) for level, title in headings if title.startswith(("AVG", "Jeugdwet"))]
    assert ours == [("##", "AVG"), ("###", "AVG 12"), ("###", "AVG 33"), ("##", "Jeugdwet"), ("###", "Jeugdwet 2a"),
                    ("###", "Jeugdwet 7.3.8"), ("###", "Jeugdwet 12")]
    assert "| jw-7.3.8-late-decision | Jeugdwet 7.3.8 |" in text
    assert "| 33.1-breach-notified | AVG 33.1 |" in text


class Sections(HTMLParser):
    """The regulation sections of the HTML page with the article sections inside each, and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.found: list[tuple[str, list[str]]] = []
        self.ids: list[str] = []
        self.bars: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "g" and "bar" in (a.get("class") or ""):
            self.bars.append(a["data-article"])
        if tag != "section":
            return
        self.stack.append(a.get("class") or "")
        if a.get("class") == "regulation":
            self.found.append((a["data-regulation"], []))
        elif a.get("class") == "article" and "regulation" in self.stack[:-1]:
            self.found[-1][1].append(f'{a["data-regulation"]} {a["data-article"]}')

    def handle_endtag(self, tag):
        if tag == "section":
            self.stack.pop()


def test_html_has_a_section_per_regulation_holding_its_articles(report):
    page = render("html", report, "nl")
    parsed = Sections()
    parsed.feed(page)
    assert parsed.found == [("avg", ["avg 12", "avg 33"]), ("jw", ["jw 2a", "jw 7.3.8", "jw 12"])]
    assert len(parsed.ids) == len(set(parsed.ids)), "AVG 12 and Jeugdwet 12 must not share an anchor"
    assert parsed.bars == ["12", "jw-12"]
    for cited in CITED:
        assert f"<h2>{cited} — " in page
    assert "Lid Jeugdwet 7.3.8 · " in page and "section.regulation" in page


def test_html_of_one_regulation_has_no_regulation_section(capsys):
    page = render("html", audit(capsys, "--rules", "rules/avg", "--data", str(SAMPLE)), "nl")
    assert 'class="regulation"' not in page and "section.regulation" not in page
    assert "<h2>Artikel 12 — " in page


def test_junit_has_a_suite_per_article_named_as_the_regulation_names_it(report):
    from lxml import etree

    text = render("junit", report, "en")
    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "junit-10.xsd")))
    assert schema.validate(etree.fromstring(text.encode("utf-8"))), schema.error_log
    root = ET.fromstring(text.encode("utf-8"))
    assert [s.get("name").split(" — ")[0] for s in root.iter("testsuite")] == CITED
    classes = {case.get("name"): case.get("classname") for case in root.iter("testcase")}
    assert classes["12.3-answer-late"] == "two-regulations.avg.art12"
    assert classes["jw-12.2-refusal-without-reasons"] == "two-regulations.jw.art12"
    suite = root.find("testsuite[@name='Jeugdwet 7.3.8 — Retention period']")
    assert {p.get("name"): p.get("value") for p in suite.iter("property")}["regulation"] == "jw"


def test_sarif_names_the_regulation_of_each_rule(report):
    log = json.loads(render("sarif", report, "en"))
    validator = jsonschema.Draft7Validator(json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text("utf-8")))
    validator.validate(log)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    late = rules["jw-7.3.8-late-decision"]
    assert late["help"]["text"].startswith("Jeugdwet 7.3.8: Request to destroy not decided within three months.")
    assert "Jeugdwet 7.3.8, quoted in Dutch: “De jeugdhulpaanbieder bewaart" in late["fullDescription"]["text"]
    assert late["properties"]["regulation"] == "jw" and "article-jw-7.3.8" in late["properties"]["tags"]
    assert "AVG 12.3, quoted in Dutch: “De verwerkingsverantwoordelijke" in \
           rules["12.3-answer-late"]["fullDescription"]["text"]
    results = log["runs"][0]["results"]
    assert {r["properties"]["regulation"] for r in results if r["ruleId"].startswith("jw-")} == {"jw"}


def test_the_period_report_keeps_the_articles_of_each_regulation_apart(report):
    later = copy.deepcopy(report)
    later["as_of"] = "2026-12-28"
    refusals = next(r for r in later["rules"] if r["id"] == "jw-12.2-refusal-without-reasons")
    refusals["findings"] = refusals["findings"][:1]
    found = figures([report, later])
    jsonschema.validate(found, schemas.load("period"))
    assert [(a.get("regulation"), a.get("name"), a["article"]) for a in found["articles"]] == [
        ("avg", "AVG", "12"), ("jw", "Jeugdwet", "7.3.8"), ("jw", "Jeugdwet", "12")]
    assert [row["resolved"] for row in found["articles"][2]["rows"]] == [None, 1]
    assert found["without_rules"] == ["AVG 33", "Jeugdwet 2a"]
    html, md = io.StringIO(), io.StringIO()
    period_html.write(found, "en", html)
    period_markdown.write(found, "en", md)
    assert 'id="art-avg-12"' in html.getvalue() and 'id="art-jw-12"' in html.getvalue()
    assert "Jeugdwet 12 — Information about the young person" in md.getvalue()


# -- the command line ---------------------------------------------------------------------------------------
def test_coverage_lists_every_article_as_its_regulation_names_it(capsys):
    assert main(["coverage", "--rules", str(PACK)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" — ")[0] for line in lines if not line.startswith(" ")][:-1] == CITED
    assert "  12.1   jw-12.1-informational" in lines and "6 of 6 clauses covered" in lines
    assert main(["coverage", "--rules", str(PACK), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["clauses"] == {
        "12.3": ["12.3-answer-late"], "33.1": ["33.1-breach-notified"], "jw-2a": ["jw-2a-reference-index"],
        "jw-7.3.8": ["jw-7.3.8-late-decision"], "jw-12.1": ["jw-12.1-informational"],
        "jw-12.2": ["jw-12.2-refusal-without-reasons"]}


def test_explain_cites_the_article_as_its_regulation_names_it(capsys):
    assert main(["explain", "jw-7.3.8-late-decision", "--rules", str(PACK)]) == 0
    assert "jw-7.3.8-late-decision — Jeugdwet 7.3.8: " in capsys.readouterr().out


def selected(capsys, *options: str) -> list[str]:
    code = main(["check", "--rules", str(PACK), "--data", str(SAMPLE), "--as-of", AS_OF, "--format", "json",
                 "--quiet", *options])
    assert code in (0, 1), capsys.readouterr().err
    return sorted(r["id"] for r in json.loads(capsys.readouterr().out)["rules"])


@pytest.mark.parametrize("name, chosen", [
    ("AVG 12", ["12.3-answer-late"]),
    ("avg 12.3", ["12.3-answer-late"]),
    ("12", ["12.3-answer-late"]),  # a bare number is of the first regulation, as its ids are
    ("Jeugdwet 12", ["jw-12.1-informational", "jw-12.2-refusal-without-reasons"]),
    ("jw-12", ["jw-12.1-informational", "jw-12.2-refusal-without-reasons"]),
    ("jw-7.3.8", ["jw-7.3.8-late-decision"]),
    ("Jeugdwet 2a", ["jw-2a-reference-index"]),
    ("jw", ["jw-12.1-informational", "jw-12.2-refusal-without-reasons", "jw-2a-reference-index",
            "jw-7.3.8-late-decision"]),
    ("AVG", ["12.3-answer-late", "33.1-breach-notified"]),
    ("jw-7.3.8-late-decision", ["jw-7.3.8-late-decision"]),
])
def test_select_takes_a_regulation_an_article_as_cited_or_as_ids_name_it(capsys, name, chosen):
    assert selected(capsys, "--select", name) == chosen


def test_skip_takes_a_whole_regulation(capsys):
    assert selected(capsys, "--skip", "jw") == ["12.3-answer-late", "33.1-breach-notified"]


@pytest.mark.parametrize("name, hint", [("AVG 32", "did you mean 'AVG 33'?"), ("Jeugdwt", "did you mean 'Jeugdwet'?"),
                                        ("jw-7.3.9", "did you mean 'jw-7.3.8'?"),
                                        ("Jeugdwet 7.3.9", "did you mean 'Jeugdwet 7.3.8'?")])
def test_a_selection_with_a_typo_gets_a_did_you_mean(capsys, name, hint):
    assert main(["check", "--rules", str(PACK), "--data", str(SAMPLE), "--as-of", AS_OF, "--select", name]) == 2
    err = capsys.readouterr().err
    assert f"--select: no rule, article or clause '{name}' in pack two-regulations ({hint})" in err


def test_rules_lists_each_rule_with_its_clause_as_cited(capsys):
    assert main(["rules", "--rules", str(PACK)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["jw-7.3.8-late-decision", "Jeugdwet", "7.3.8", "high", "requests"]
    assert main(["rules", "--rules", str(PACK), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert {r["id"]: r["regulation"] for r in listed}["33.1-breach-notified"] == "avg"


def test_the_worklist_cites_the_clause_of_each_finding(report, tmp_path):
    from openpyxl import load_workbook

    (tmp_path / "two.json").write_text(json.dumps(report), encoding="utf-8")
    assert main(["worklist", str(tmp_path / "two.json"), "-o", str(tmp_path / "w.xlsx"), "--rules", str(PACK)]) == 0
    rows = list(load_workbook(tmp_path / "w.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert {(row[0], row[1]) for row in rows} == {("12.3-answer-late", "AVG 12.3"),
                                                  ("jw-12.2-refusal-without-reasons", "Jeugdwet 12.2")}
