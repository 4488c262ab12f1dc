"""What every SQL engine shares: render a check in its dialect, run it, take the rows back as Arrow."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot.dialects.dialect import Dialect

from ...compiler.model import Bindings, Check
from ...compiler.plan import Scan
from . import Census
from .sql import census_query, explained_query, flag, output, runs_as, scan_query, to_sql


class SqlBackend:
    """A backend that runs each check as one query in `dialect`; subclasses say how a query runs."""

    name: str
    dialect: type[Dialect]

    def sql(self, check: Check, bindings: Bindings, pretty: bool = False) -> str:
        """The check's query as this backend runs it alone (`runs_as`)."""
        return to_sql(runs_as(check, bindings, self.lists), self.dialect, pretty)

    lists = False  # the dialect has DuckDB's lists, lambdas and max_by (`census_query`, `explained_query`, `gap_query`)
    _censuses: dict[tuple, Census] | None = None

    def findings(self, check: Check, bindings: Bindings) -> pa.Table:
        """The key columns and message values of every offending row, in key order, as Arrow. A check with
        explanations runs in one pass where it can (`explained_query`), its census kept for `census`."""
        one_pass = explained_query(check, bindings) if self.lists else None
        if one_pass is None:
            return self.arrow(self.sql(check, bindings))
        found = self.arrow(to_sql(one_pass, self.dialect))  # the query `runs_as` gives, built once
        [counts] = found.slice(0, 1).to_pylist()  # the one pass's counts stand on every row, and on one at least
        self._counted()[_census_key(check, bindings)] = census_in(check, counts)
        rows = found.filter(pc.is_valid(found.column(check.keys[0])))
        return rows.select([*check.keys, *check.outputs])

    def census(self, check: Check, bindings: Bindings) -> Census:
        """One query of counts (`census_query`), unless `findings` counted them on its way."""
        counted = self._counted().pop(_census_key(check, bindings), None)
        if counted is not None:
            return counted
        return census_of(check, self.arrow(to_sql(census_query(check, bindings, self.lists), self.dialect)))

    def _counted(self) -> dict[tuple, Census]:
        """The censuses `findings` took on its way, until `census` asks for them (this backend's own)."""
        if self._censuses is None:
            self._censuses = {}
        return self._censuses

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


def _census_key(check: Check, bindings: Bindings) -> tuple:
    """A check as run: its relation (the view of new files, in an incremental audit), its conditions, and the
    values of its parameters."""
    return check.dataset, check.text, repr(sorted(bindings.items(), key=lambda item: item[0]))


def census_of(check: Check, counted: pa.Table) -> Census:
    """The one row of a census query as a Census."""
    [row] = counted.to_pylist()
    return census_in(check, row)


def census_in(check: Check, row: dict) -> Census:
    """A row's columns `population`, `explained_1`, … as a Census."""
    return Census(int(row["population"]), tuple(int(row[f"explained_{i}"])
                                                for i in range(1, len(check.explanations) + 1)))
