"""The screenshot of the period report in docs/: a year of monthly audits with reviews given as it goes
(`monthly.py`) read by `reglement period`, drawn by headless Chromium.

    .venv/bin/python tests/period_screenshot.py [OUT.png]     # default docs/period-report.png

`test_period.py` draws the same page with `screenshot` and checks the picture is not blank.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script: the helpers beside it
    sys.path.insert(0, str(HERE))

from browser import find_chromium, run_chromium  # noqa: E402

WINDOW = (1280, 2100)  # the header, the contents, every article together and the first article


def screenshot(chromium: str, page: Path, png: Path, window: tuple[int, int] = WINDOW) -> None:
    """`page` as Chromium draws it in a window of `window` pixels, saved as the PNG `png`."""
    with tempfile.TemporaryDirectory(prefix="reglement-chromium-") as profile:
        result = run_chromium(chromium, Path(profile), "--hide-scrollbars", f"--screenshot={png}",
                              f"--window-size={window[0]},{window[1]}", page.as_uri())
    if not png.is_file():
        raise RuntimeError(f"Chromium made no screenshot: {result.stderr[-2000:]}")


def main(out: Path) -> None:
    from monthly import Reviewing, audit_month_by_month, year_export

    from reglement.cli import main as reglement

    with tempfile.TemporaryDirectory(prefix="reglement-period-") as folder:
        work = Path(folder)
        year = year_export(work / "year")
        (work / "chain").mkdir()
        audit_month_by_month(year, work / "chain", extra=Reviewing(work))
        page = work / "period.html"
        assert reglement(["period", str(work / "chain"), "-o", str(page)]) == 0
        screenshot(find_chromium(), page, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "docs" / "period-report.png")
