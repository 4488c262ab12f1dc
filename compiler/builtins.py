"""The built-in functions of the condition language, in one table.

As OPA declares its builtins (`ast/builtins.go`: each one's name and type signature)
and its evaluator registers an implementation per name, the resolver checks a call
against this table, and each backend keeps a table of implementations keyed by the same
names (`CALLS` in `checker/backends/sql.py` and `pandas_eval.py`). A test fails when a
backend lacks a builtin of the table or implements a name the table does not declare,
and when the language's documentation (`rules/README.md`) lists other functions.

A builtin with a fixed number of arguments says which types each may have and the type
it gives. The variadic ones (`coalesce`, `latest`, `earliest`) follow one small rule:
one or more values of one type, nulls passed over, and the result is that type.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ir

MANY = None  # arity: one or more values of one type, nulls passed over
ANY = None  # takes: a value of any type
COMMON = None  # gives: the type the values share (null when every one is null)


class ArgumentMismatch(ValueError):
    """A call's arguments do not fit its builtin; the message says how (error E406)."""


@dataclass(frozen=True)
class Builtin:
    """A function: how many arguments it takes, of which types, the type it gives, and what it does.

    A variadic one takes values of ANY type, or of one that has an order (ir.ORDERED); its
    messages name no other set of types.
    """

    name: str
    arity: int | None
    takes: tuple[str, ...] | None
    gives: str | None
    doc: str

    def __post_init__(self) -> None:
        """A builtin of any other shape would need a rule of its own (and messages) in `result`."""
        if self.arity is MANY:
            fits = self.gives is COMMON and self.takes in (ANY, ir.ORDERED)
        else:
            fits = self.takes is not ANY and self.gives is not COMMON
        if not fits:
            raise ValueError(f"builtin {self.name}(): a fixed arity names its argument and result types; a "
                             "variadic one takes values of ANY or ir.ORDERED type and gives their COMMON type")

    def result(self, types: list[str]) -> str:
        """The type of a call with arguments of these types; ArgumentMismatch when they do not fit."""
        if self.arity is MANY:
            return self._common(types)
        if len(types) != self.arity:
            plural = "s" if self.arity != 1 else ""
            raise ArgumentMismatch(f"{self.name}() takes {self.arity} argument{plural}, got {len(types)}")
        bad = [t for t in types if t not in self.takes]
        if bad:
            raise ArgumentMismatch(f"{self.name}() takes a {' or '.join(self.takes)}, not a {bad[0]}")
        return self.gives

    def _common(self, types: list[str]) -> str:
        kinds = {t for t in types if t != ir.NULL}
        if not types:
            raise ArgumentMismatch(f"{self.name}() takes at least one argument")
        if len(kinds) > 1:
            raise ArgumentMismatch(f"{self.name}() takes values of one type, got {', '.join(sorted(kinds))}")
        if kinds and self.takes is not ANY and not kinds <= set(self.takes):
            raise ArgumentMismatch(f"{self.name}() needs values that have an order, not a {kinds.pop()}")
        return kinds.pop() if kinds else ir.NULL


BUILTINS: dict[str, Builtin] = {b.name: b for b in (  # in this order in the hint of an unknown function (E405)
    Builtin("date", 1, (ir.STRING, ir.DATE, ir.TIMESTAMP), ir.DATE,
            "the date of a timestamp, or a text written YYYY-MM-DD as a date"),
    Builtin("elfproef", 1, (ir.STRING,), ir.BOOL, "nine digits that pass the eleven-test of a BSN"),
    Builtin("lower", 1, (ir.STRING,), ir.STRING, "the text in small letters"),
    Builtin("upper", 1, (ir.STRING,), ir.STRING, "the text in capitals"),
    Builtin("trim", 1, (ir.STRING,), ir.STRING, "the text without the spaces at either end"),
    Builtin("coalesce", MANY, ANY, COMMON, "the first of the values that is not null"),
    Builtin("length", 1, (ir.STRING, ir.LIST), ir.NUMBER, "the number of characters of a text, or of items of a list"),
    Builtin("latest", MANY, ir.ORDERED, COMMON, "the latest (largest) of the values that are not null"),
    Builtin("earliest", MANY, ir.ORDERED, COMMON, "the earliest (smallest) of the values that are not null"),
    Builtin("hours_between", 2, (ir.TIMESTAMP,), ir.NUMBER,
            "the whole hours from the first timestamp to the second (negative when the second is earlier)"),
)}
