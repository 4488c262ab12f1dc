"""What every SQL engine shares: render a check in its dialect, run it, take the rows back as Arrow."""

from __future__ import annotations

import pyarrow as pa
from sqlglot.dialects.dialect import Dialect

from ...compiler.model import Bindings, Check
from ...compiler.plan import Scan
from . import Census
from .sql import census_query, check_query, flag, output, scan_query, to_sql


class SqlBackend:
    """A backend that runs each check as one query in `dialect`; subclasses say how a query runs."""

    name: str
    dialect: type[Dialect]

    def sql(self, check: Check, bindings: Bindings, pretty: bool = False) -> str:
        return to_sql(check_query(check, bindings), self.dialect, pretty)

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        """The key columns and message values of every offending row, in key order, as Arrow."""
        return self.arrow(self.sql(check, bindings))

    def census(self, check: Check, bindings: Bindings) -> Census:
        """One query of counts (`census_query`)."""
        return census_of(check, self.arrow(to_sql(census_query(check, bindings), self.dialect)))

    def scan(self, scan: Scan, bindings: list[Bindings]) -> list[pa.Table]:
        """Every member's findings from one query: the rows its flag marks, its key and message values."""
        return split(scan, self.arrow(self.scan_sql(scan, bindings)))

    def scan_sql(self, scan: Scan, bindings: list[Bindings], pretty: bool = False) -> str:
        return to_sql(scan_query(scan, bindings), self.dialect, pretty)

    def plan(self, check: Check, bindings: Bindings) -> str:
        return self.sql(check, bindings, pretty=True)

    def arrow(self, query: str) -> pa.Table:
        raise NotImplementedError


def split(scan: Scan, found: pa.Table) -> list[pa.Table]:
    """The rows of a fused scan's answer, per member: those its flag marks, with its key and message values."""
    keys = scan.members[0].check.keys
    out = []
    for i, member in enumerate(scan.members):
        rows = found.filter(found.column(flag(i)))  # a null flag, like false, drops the row
        names = [*keys, *member.check.outputs]
        columns = [rows.column(k) for k in keys] + [rows.column(output(i, name)) for name in member.check.outputs]
        out.append(pa.Table.from_arrays(columns, names=names))
    return out


def census_of(check: Check, counted: pa.Table) -> Census:
    """The one row of a census query as a Census."""
    [row] = counted.to_pylist()
    return Census(int(row["population"]), tuple(int(row[f"explained_{i}"]) for i in range(1, len(check.explanations)
                                                                                            + 1)))
