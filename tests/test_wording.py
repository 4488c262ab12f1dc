"""Issue #24's smaller things: the words of the reports and of the command line.

Timestamps in messages to the minute, counts with the right number in both languages, no
fixed English word in a Dutch report, errors that name what the user can change.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from conftest import SAMPLE
from reports import audit

from reglement.checker.findings import as_text, scalar_text


# -- timestamps in messages ---------------------------------------------------------------------
def test_a_timestamp_shows_its_minutes_and_its_seconds_only_when_they_are_not_zero() -> None:
    moments = pa.array([dt.datetime(2026, 3, 2, 9, 0), dt.datetime(2026, 3, 2, 9, 0, 7, 500), None],
                       pa.timestamp("us"))
    assert as_text(moments, "nl").to_pylist() == ["2026-03-02 09:00", "2026-03-02 09:00:07", "—"]
    assert scalar_text(dt.datetime(2026, 3, 2, 9, 0), "en") == "2026-03-02 09:00"
    assert scalar_text(dt.datetime(2026, 3, 2, 9, 0, 7, 500), "en") == "2026-03-02 09:00:07"
    assert scalar_text(dt.date(2026, 3, 2), "en") == "2026-03-02"


@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
def test_the_messages_of_every_engine_show_timestamps_alike(capsys, engine: str) -> None:
    report = audit(capsys, "--data", str(SAMPLE), "--engine", engine)
    messages = [f["message"] for r in report["rules"] for f in r.get("findings", [])]
    gap = [m for m in messages if "E0137" in m]
    assert gap == ["na gebeurtenis E0137 (2026-07-20 17:00) volgt de eerste gebeurtenis pas op 2026-07-24 17:00:01: "
                   "96 volle uren zonder log"]
    assert not [m for m in messages if ":00.000000" in m or ":00:00)" in m]
