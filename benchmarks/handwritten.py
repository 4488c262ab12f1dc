"""The hand-written DuckDB baseline of the benchmark: the whole Westendorp pack in `handwritten.sql`.

    python benchmarks/handwritten.py --data EXPORT --as-of 2026-11-28 --output findings.parquet

Reads the export's Parquet files in place (a dataset is `<name>.parquet` or a folder
`<name>/` of Parquet files), runs `handwritten.sql` and writes one row per finding,
(rule, dataset, key, col), to a Parquet file, and the counts of 5.1-access-unexplained
(its population and the events each explanation holds for) beside it (`counts_path`).
Independent of reglement on purpose: it imports only DuckDB, so that the benchmark
compares reglement with what an engineer would write without it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("handwritten.sql")


def quoted(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def datasets(folder: Path) -> dict[str, str]:
    """Dataset name → what `read_parquet` reads for it: a file, or the files of a folder."""
    found = {p.stem: str(p) for p in folder.glob("*.parquet")}
    found |= {p.name: str(p / "*.parquet") for p in folder.iterdir() if p.is_dir() and any(p.glob("*.parquet"))}
    return found


def counts_path(output: Path) -> Path:
    """Where the counts of 5.1-access-unexplained go: beside the findings, as JSON."""
    return output.with_suffix(".explained.json")


def run(folder: Path, as_of: dt.date, output: Path) -> int:
    """Write the findings of the export in `folder` to `output`; returns how many there are."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for name, files in sorted(datasets(folder).items()):
        con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({quoted(files)})')
    con.execute(f"SET VARIABLE as_of = DATE '{as_of.isoformat()}'")
    con.execute(SQL.read_text(encoding="utf-8"))
    con.execute(f"COPY findings TO {quoted(str(output))} (FORMAT parquet)")
    counts = dict(con.execute("SELECT explanation, rows FROM explained").fetchall())
    counts_path(output).write_text(json.dumps(counts), encoding="utf-8")
    count = con.execute(f"SELECT count(*) FROM read_parquet({quoted(str(output))})").fetchone()[0]
    con.close()
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="export folder of Parquet files")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True, help="audit date YYYY-MM-DD")
    parser.add_argument("--output", type=Path, required=True, help="Parquet file of (rule, dataset, key, col)")
    args = parser.parse_args(argv)
    print(f"{run(args.data, args.as_of, args.output)} findings written to {args.output}")


if __name__ == "__main__":
    main()
