"""How an office's files come in as they are: timestamps in the forms offices write them, an export
folder that holds no dataset at all, workbooks with more than one sheet, and files whose names and
columns the configuration's `sources:` maps to the contract's (issue #24)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from test_intake import write

from reglement.checker.audit import Settings, opened
from reglement.checker.intake import folder_sources
from reglement.compiler.stages import load_pack
from reglement.rules import default_pack

ENGINES = ["duckdb", "pandas"]


def typed(folder: Path, engine: str, dataset: str, column: str) -> list:
    """The typed values of one column of a dataset of `folder`, as the engine's intake makes them."""
    pack = load_pack(default_pack())
    with opened(pack, folder_sources(folder, pack.contract), Settings(engine)) as run:
        rows = run.engine.duck.con.sql(f'SELECT "{column}" FROM "{dataset}" ORDER BY message_id').fetchall()
    return [value for (value,) in rows]


# -- timestamps -------------------------------------------------------------------------------
WRITTEN = ["2026-04-10 16:30", "2026-04-10T16:30", "2026-04-10 16:30:00", "2026-04-10T16:30:05"]
MEANT = [dt.datetime(2026, 4, 10, 16, 30)] * 3 + [dt.datetime(2026, 4, 10, 16, 30, 5)]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_iso_timestamps_are_read_with_or_without_seconds_and_with_t_or_space(tmp_path, fmt, engine):
    """ISO text with or without seconds, `T` or space: the same instant from every format and engine
    (a spreadsheet's text cells and a Parquet string column included)."""
    rows = [{"message_id": f"M{i}", "client_id": "C1", "sent_at": text, "purpose": "commercial"}
            for i, text in enumerate(WRITTEN)]
    if fmt == "xlsx":  # text cells, as a sheet typed by hand holds them
        workbook = openpyxl.Workbook()
        workbook.active.append(list(rows[0]))
        for row in rows:
            workbook.active.append(list(row.values()))
        workbook.save(tmp_path / "marketing.xlsx")
    else:
        write(tmp_path / f"marketing.{fmt}", rows, native=False)
    assert typed(tmp_path, engine, "marketing", "sent_at") == MEANT


@pytest.mark.parametrize("engine", ENGINES)
def test_day_first_timestamps_are_read_with_or_without_seconds_like_iso(tmp_path, engine):
    """The day-first forms a Dutch spreadsheet saves (a CSV column written so throughout) mean what the
    ISO forms mean."""
    written = ["10-04-2026 16:30", "10-04-2026T16:30", "10-04-2026 16:30:00", "10-04-2026 16:30:05"]
    lines = ["message_id,client_id,sent_at,purpose", *(f"M{i},C1,{t},commercial" for i, t in enumerate(written))]
    (tmp_path / "marketing.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert typed(tmp_path, engine, "marketing", "sent_at") == MEANT
