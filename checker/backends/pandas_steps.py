"""What the pandas evaluator does, written down as it does it: `explain`'s pandas plan.

The evaluator (`pandas_eval.py`) writes here from its own methods, beside the code that
does the work, so the plan cannot drift from the evaluation; recording is off unless a
`Steps` is given.
"""

from __future__ import annotations

import pandas as pd

from ...compiler import ir


def shown(value: object, type_: str) -> str:
    """A literal or bound parameter as a plan shows it."""
    if type_ in (ir.DATE, ir.TIMESTAMP) and value is not None:
        return f"Timestamp('{value.isoformat()}')"
    return repr(list(value) if type_ == ir.LIST and value is not None else value)


def shown_offset(offset: pd.DateOffset | pd.Timedelta) -> str:
    """A `date_offset` as the plan shows it: `DateOffset(years=2)`, `Timedelta(days=14)`, `Timedelta(hours=72)`."""
    if isinstance(offset, pd.DateOffset):
        return "DateOffset(" + ", ".join(f"{k}={v}" for k, v in offset.kwds.items()) + ")"
    days, hours = divmod(offset, pd.Timedelta(days=1))
    return f"Timedelta(days={days})" if not hours else f"Timedelta(hours={offset // pd.Timedelta(hours=1)})"



class Steps:
    """What an evaluator does, written down as it does it: pseudo-pandas, one step a line.

    The evaluator's own methods write here, beside the code that does the work, so the
    account cannot drift from the evaluation (it was once a second interpreter of the IR).
    A value's text is built from its operands' texts; an operand longer than `WIDE` first
    gets a line of its own (`v1 = …`) and is named by it. Frames, group codes and sub-query
    results are named too (`t1`, `m1`, `g1`, `S1`), so that lines can refer to each other.
    A sub-query's steps are indented under a `# S1: …` line, its result after them.
    """

    WIDE = 60

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._texts: dict[tuple[int, int], str] = {}  # (id(node), id(frame)) → the value's text
        # id → (the object, kept so that no other takes its id; its name)
        self._names: dict[int, tuple[object, str]] = {}
        self._counts: dict[str, int] = {}
        self._open: list[int] = []  # the numbers of the sub-queries under way, innermost last

    def line(self, text: str) -> None:
        self.lines.append("    " * len(self._open) + text)

    def number(self, prefix: str) -> int:
        self._counts[prefix] = self._counts.get(prefix, 0) + 1
        return self._counts[prefix]

    def named(self, thing: object, name: str) -> str:
        self._names[id(thing)] = (thing, name)
        return name

    def name(self, thing: object) -> str:
        return self._names[id(thing)][1]

    def frame(self, df: pd.DataFrame, name: str, how: str) -> None:
        """A frame made: `name = how`."""
        self.line(f"{self.named(df, name)} = {how}")

    def value(self, e: ir.Expr, frame: pd.DataFrame, text: str) -> None:
        """How the value of `e` over `frame` was computed."""
        self._texts[(id(e), id(frame))] = text

    def text(self, e: ir.Expr, frame: pd.DataFrame) -> str:
        return self._texts[(id(e), id(frame))]

    def operand(self, e: ir.Expr, frame: pd.DataFrame) -> str:
        """The text of a value another is computed from: a long one is named on a line of its own first."""
        text = self.text(e, frame)
        if len(text) > self.WIDE:
            name = f"v{self.number('v')}"
            self.line(f"{name} = {text}")
            self._texts[(id(e), id(frame))] = text = name
        return text

    @property
    def current(self) -> int:
        """The number of the innermost sub-query under way: its frames are named with it."""
        return self._open[-1]

    def open(self, what: str) -> None:
        """A sub-query begins; its steps follow, indented."""
        number = self.number("S")
        self.line(f"# S{number}: {what}")
        self._open.append(number)

    def close(self, e: ir.Exists | ir.Aggregate, frame: pd.DataFrame, text: str) -> None:
        """A sub-query's result per row of `frame`, named `S<n>`."""
        name = f"S{self._open.pop()}"
        self.line(f"{name} = {text}")
        self.value(e, frame, name)
