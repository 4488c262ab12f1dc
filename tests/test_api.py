"""The Python API as a notebook user meets it: a default pack, one findings frame, any table kind."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pytest
from conftest import AS_OF, SAMPLE

from reglement.api import UnknownRule, check


def tables() -> dict[str, pa.Table]:
    """The sample as pyarrow Tables, every CSV column as text."""
    found = {}
    for path in SAMPLE.glob("*.csv"):
        names = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        found[path.stem] = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=True))
    found["access_log"] = pajson.read_json(SAMPLE / "access_log.jsonl")
    return found


def test_the_default_pack_and_one_findings_frame_with_rule_article_severity_and_keys():
    result = check(SAMPLE, as_of=AS_OF, lang="en")
    frame = result.findings
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns[:4]) == ["rule", "article", "severity", "dataset"]
    assert list(frame.columns[-2:]) == ["message", "waived"]
    assert len(frame) == result.report["summary"]["findings"] == sum(r.get("finding_count", 0)
                                                                      for r in result.report["rules"]) > 0
    row = frame[(frame["rule"] == "11.2-retention-after-last-contact") & (frame["client_id"] == "C017")].iloc[0]
    assert (row["article"], row["severity"], row["dataset"]) == ("11.2", "high", "clients")
    need = frame[frame["rule"] == "5.1-access-unexplained"]
    assert "E0008" in set(need["event_id"]) and need["client_id"].isna().all()  # each rule has its own key columns


@pytest.mark.parametrize("kind", ["pyarrow", "polars"])
def test_pyarrow_tables_and_polars_frames_are_accepted(kind):
    data = tables()
    if kind == "polars":
        data = {name: pl.from_arrow(table) for name, table in data.items()}
    frames = check(data, as_of=AS_OF).findings
    folder = check(SAMPLE, as_of=AS_OF).findings
    key = ["rule", "dataset", "message"]
    assert frames[key].sort_values(key).values.tolist() == folder[key].sort_values(key).values.tolist()


def test_an_unknown_rule_id_is_a_clear_error():
    result = check(SAMPLE, as_of=AS_OF)
    expected = (r"unknown rule '11.2-retention-after-contact' "
                r"\(did you mean '11.2-retention-after-last-contact'\?\)")
    with pytest.raises(UnknownRule, match=expected):
        result.rule("11.2-retention-after-contact")
    assert list(result.rule("11.2-retention-after-last-contact")["client_id"]) == ["C017", "C020"]
