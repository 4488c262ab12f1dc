"""The HTML report in a real browser: headless Chromium draws it and hands back the DOM.

html.parser can tell that the markup is right; only a browser can tell that the page is
drawn (not blank) and that the SVG chart and the article headings survive real parsing.
Skipped only on a developer machine without Chromium; with CI set it must run.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import find_chromium, pdf_of, pdf_pages, png_size_and_colours, run_chromium

from reglement.checker.formats import render
from reglement.checker.formats.grouping import articles

REPORTS = Path(__file__).parent / "fixtures" / "reports"
WINDOW = (1280, 4000)


@pytest.fixture(scope="module")
def chromium() -> str:
    return find_chromium()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    report = json.loads((REPORTS / "full.json").read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render("html", report, "nl"), encoding="utf-8")
    return path, report


class RenderedDom(HTMLParser):
    """The chart bars and article headings of the DOM as Chromium serialised it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.bars: list[str] = []
        self.headings: list[str] = []
        self.svg = 0
        self._in_article = 0
        self._heading: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        css = a.get("class", "").split()
        if tag == "svg":
            self.svg += 1
        elif tag == "g" and "bar" in css:
            self.bars.append(a.get("data-article", ""))
        elif tag == "section" and "article" in css:
            self._in_article += 1
        elif tag == "h2" and self._in_article:
            self._heading = []

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None
        elif tag == "section" and self._in_article:
            self._in_article -= 1


def test_screenshot_is_drawn_and_not_blank(chromium: str, page: tuple[Path, dict], tmp_path: Path) -> None:
    path, _ = page
    shot = tmp_path / "report.png"
    result = run_chromium(chromium, tmp_path / "profile", f"--screenshot={shot}",
                          f"--window-size={WINDOW[0]},{WINDOW[1]}", path.as_uri())
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    width, height, colours = png_size_and_colours(shot.read_bytes(), rows=400)
    assert (width, height) == WINDOW
    assert colours > 8, f"the screenshot looks blank: {colours} colour(s) in its first rows"


def test_rendered_dom_has_the_chart_and_every_article(chromium: str, page: tuple[Path, dict], tmp_path: Path) -> None:
    path, report = page
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = RenderedDom(result.stdout)
    arts = articles(report)
    assert dom.svg == 1
    assert dom.bars == [article.number for article in arts if sum(article.findings_by_severity().values())]
    assert dom.headings == [article.heading("nl") for article in arts]


def test_printed_on_a4_with_folded_keys_still_folded(chromium: str, tmp_path: Path) -> None:
    """2,500 keys of one rule: folded they print as a count and the first hundred; opened they print all."""
    report = json.loads((REPORTS / "large.json").read_text(encoding="utf-8"))
    page = render("html", report, "nl")
    folded = pdf_of(chromium, page, tmp_path / "folded")
    opened = pdf_of(chromium, page.replace('<details class="more-keys">', '<details class="more-keys" open>'),
                    tmp_path / "opened")
    boxes, _ = pdf_pages(folded)
    assert boxes == {(595, 842)}, boxes  # A4 in points
    pages = [pdf_pages(pdf)[1] for pdf in (folded, opened)]
    assert pages[0] * 3 < pages[1], pages  # the folded 2,400 keys are not printed


class RuleTables(HTMLParser):
    """The tables of each rule's card in the DOM as Chromium built it, in order: `explanations`, `keys`."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rule = ""
        self.tables: dict[str, list[str]] = {}
        self.unexplained: dict[str, str] = {}
        self._cell: list[str] | None = None
        self._in_unexplained = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "article" and "data-rule-id" in a:
            self.rule = a["data-rule-id"]
        elif tag == "table" and self.rule:
            self.tables.setdefault(self.rule, []).append(a.get("class", ""))
        elif tag == "tr":
            self._in_unexplained = a.get("class") == "unexplained"
            if self._in_unexplained:
                self.unexplained[self.rule] = ""
        elif tag == "td" and self._in_unexplained:
            self.unexplained[self.rule] += "|"

    def handle_data(self, data: str) -> None:
        if self._in_unexplained:
            self.unexplained[self.rule] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._in_unexplained = False
        elif tag == "article":
            self.rule = ""


def test_rendered_dom_shows_a_rules_explanations_above_its_keys(chromium: str, tmp_path: Path) -> None:
    """Pack 1.2: the explanations table survives real parsing (a table in a card, its tfoot the unexplained)."""
    report = json.loads((REPORTS / "explained.json").read_text(encoding="utf-8"))
    path = tmp_path / "explained.html"
    path.write_text(render("html", report, "en"), encoding="utf-8")
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = RuleTables(result.stdout)
    assert dom.tables["5.1-access-unexplained"] == ["explanations", "keys"]
    assert dom.tables["9.4-nothing-judged-explained"] == ["explanations"]
    assert "5.1-unknown-actor" not in dom.tables  # passed, no explanations: no table
    assert dom.unexplained["5.1-access-unexplained"] == "|Unexplained (the findings)|—|7|<0.1%"
