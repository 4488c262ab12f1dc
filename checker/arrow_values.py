"""Arrow values made from bytes, never through pyarrow's conversion of Python objects; and
tables in Arrow's plain types (`plain`).

pyarrow's Python conversion (`pa.array`, `pa.scalar`, a Python literal passed to a
compute function) first looks for pandas and imports it when it is installed: half a
second at the start of every audit that never needs pandas. The report is built from
what DuckDB returns plus a few texts and numbers of our own; these helpers make those
from buffers, so a DuckDB audit never imports pandas.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc


def _validity(values: Sequence[object]) -> pa.Buffer | None:
    """The bitmap of the values that are not None, or None when all are."""
    if all(v is not None for v in values):
        return None
    return _bitmap([v is not None for v in values])


def _bitmap(values: Sequence[bool]) -> pa.Buffer:
    bits = bytearray((len(values) + 7) // 8)
    for i, v in enumerate(values):
        if v:
            bits[i // 8] |= 1 << (i % 8)
    return pa.py_buffer(bytes(bits))


def texts(values: Sequence[str | None]) -> pa.Array:
    """A string array of the values (None is null)."""
    data = [v.encode("utf-8") if v is not None else b"" for v in values]
    offsets, total = [0], 0
    for item in data:
        total += len(item)
        offsets.append(total)
    buffers = [_validity(values), pa.py_buffer(struct.pack(f"<{len(offsets)}i", *offsets)),
               pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def text(value: str) -> pa.Scalar:
    return texts([value])[0]


def ints(values: Sequence[int | None]) -> pa.Array:
    """An int32 array of the values (None is null)."""
    data = struct.pack(f"<{len(values)}i", *(0 if v is None else v for v in values))
    return pa.Array.from_buffers(pa.int32(), len(values), [_validity(values), pa.py_buffer(data)])


def number(value: int) -> pa.Scalar:
    return ints([value])[0]


def repeated(value: str, rows: int) -> pa.Array:
    """The text on every one of `rows` rows."""
    return pc.fill_null(pa.nulls(rows, pa.string()), text(value))


def flags(value: bool, rows: int) -> pa.Array:
    """True (or false) on every one of `rows` rows."""
    nothing = pa.nulls(rows, pa.int8())
    return pc.is_null(nothing) if value else pc.is_valid(nothing)


def flags_of(values: Sequence[bool]) -> pa.Array:
    """A boolean array of the values."""
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, _bitmap(values)])


def plain(table: pa.Table) -> pa.Table:
    """The table in Arrow's plain types, as DuckDB gives them: strings and lists of the plain kind (not
    large, not views), every column and list item nullable; field metadata kept. The table itself
    when it already is.

    Spark takes no other kind from a frame (polars sends string views), and gives its own back:
    `toArrow()` makes a list that `split` made of a CSV cell `element: string not null`, and a column
    Spark knows has no null `not null`. Findings must not depend on the engine that found them, and
    the report's kernels need not take every variant (`pc.binary_join` has none for a list of
    non-null strings).
    """
    schema = pa.schema([f.with_type(_plain(f.type)).with_nullable(True) for f in table.schema],
                       metadata=table.schema.metadata)
    return table if schema == table.schema else table.cast(schema)


def _plain(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pa.string()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_list_view(kind):
        return pa.list_(_plain(kind.value_type))
    return kind
