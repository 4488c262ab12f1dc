"""A rule's findings, columnar: built in bulk from what the engine returned, written in bulk.

An audit of a year of access logs finds hundreds of thousands of rows. They stay in Arrow
from the engine to the file: messages, keys and waiver marks are computed with Arrow's
string kernels, a whole check at a time, and the JSON report is written from the table in
chunks. Nothing makes a Python object per finding on that way; `Findings` still behaves
as a sequence of finding dicts, made on demand, for the formats that show the first few.
"""

from __future__ import annotations

import io
import json
import string
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from .arrow_values import flags_of, ints, number, repeated, text, texts

EMPTY = "—"  # a null value in a message
MINUTE, SECOND = "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"  # a timestamp in a message: its seconds only when not 0
WORDS = {"nl": ("ja", "nee"), "en": ("yes", "no")}  # true and false in a message
CHUNK = 1 << 16
SCHEMA = pa.schema([("dataset", pa.string()), ("key", pa.string()), ("identity", pa.string()),
                    ("message", pa.string()), ("waiver", pa.int32()), ("baseline", pa.string()),
                    ("file", pa.string()), ("carried", pa.bool_()), ("review", pa.int32())])
VIOLATION = "violation"  # the verdict that confirms a finding (`compiler.model.VERDICTS`)


# -- text kernels ---------------------------------------------------------------------------
_SHORT = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_string(values: pa.Array) -> pa.Array:
    """Each text as a JSON string literal, escaped exactly as `json.dumps(..., ensure_ascii=False)` does."""
    escaped = values
    if not _plain(values):
        escaped = pc.replace_substring(escaped, "\\", "\\\\")
        escaped = pc.replace_substring(escaped, '"', '\\"')
        if len(escaped) and pc.any(pc.match_substring_regex(escaped, "[\\x00-\\x1f]")).as_py():
            for code in range(32):  # rare in keys and messages: one pass per control character
                char = chr(code)
                escaped = pc.replace_substring(escaped, char, _SHORT.get(char, f"\\u{code:04x}"))
    return pc.binary_join_element_wise(text('"'), escaped, text('"'), text(""))


def _plain(values: pa.Array | pa.ChunkedArray) -> bool:
    """No text holds a character JSON escapes (quote, backslash, control character), seen in one look at
    the bytes the values take in their data buffer (a slice's bytes only, not its whole table's)."""
    if isinstance(values, pa.ChunkedArray):
        return all(_plain(chunk) for chunk in values.chunks)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return False
    _, offsets, data = values.buffers()
    if data is None or not len(values):
        return True
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[[values.offset, values.offset + len(values)]]
    raw = np.frombuffer(data, dtype=np.uint8)[bounds[0]:bounds[1]]  # the bytes of these values only
    return not ((raw < 0x20) | (raw == ord('"')) | (raw == ord("\\"))).any()


def as_text(values: pa.Array, lang: str) -> pa.Array:
    """Values as a message shows them: ISO dates, timestamps to the minute (to the second when the seconds are
    not zero), `ja`/`nee`, lists joined with commas, — for null."""
    kind = values.type
    if pa.types.is_boolean(kind):
        yes, no = WORDS[lang]
        shown = pc.if_else(values, text(yes), text(no))
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        shown = pc.binary_join(values, text(", "))
    elif pa.types.is_null(kind):
        shown = pa.nulls(len(values), pa.string())
    elif pa.types.is_timestamp(kind):  # '2026-03-02 09:00', '2026-03-02 09:00:07': not '09:00:00.000000'
        seconds = pc.cast(values, pa.timestamp("s", kind.tz), safe=False)
        shown = pc.if_else(pc.equal(pc.second(seconds), number(0)), pc.strftime(seconds, MINUTE),
                           pc.strftime(seconds, SECOND))
    else:
        shown = pc.cast(values, pa.string())
    return pc.fill_null(shown, text(EMPTY))


def scalar_text(value: object, lang: str) -> str:
    """A parameter or fixed value as a message shows it, the same way `as_text` shows a column."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return WORDS[lang][0 if value else 1]
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if hasattr(value, "hour"):
        return value.strftime(SECOND if value.second else MINUTE)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def join(pieces: list[pa.Array | str], rows: int) -> pa.Array:
    """Texts and text columns put together, row by row."""
    if all(isinstance(p, str) for p in pieces):
        return repeated("".join(pieces), rows)
    return pc.binary_join_element_wise(*[text(p) if isinstance(p, str) else p for p in pieces], text(""))


def fill(template: str, fields: Callable[[str], pa.Array | str], rows: int) -> pa.Array:
    """A message template filled from columns and constants (`fields(name)` gives either)."""
    pieces: list[pa.Array | str] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name is not None:
            pieces.append(fields(name))
    return join(pieces or [""], rows)


def key_json(columns: list[tuple[str, pa.Array | str]], rows: int, ordered: bool = False) -> pa.Array:
    """The JSON object of each row's key: `{"event_id": "E7", "column": "actor_kind"}`.

    `ordered` sorts the names, for an identity that does not depend on the key's order.
    """
    pieces: list[pa.Array | str] = ["{"]
    for i, (name, value) in enumerate(sorted(columns) if ordered else columns):
        literal = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else json_string(value)
        pieces += [("" if i == 0 else ", ") + json.dumps(name) + ": ", literal]
    pieces.append("}")
    return join(pieces, rows)


# -- the table ------------------------------------------------------------------------------
class Findings(Sequence[dict]):
    """One rule's findings as an Arrow table (SCHEMA), and the waivers and reviews its `waiver` and `review`
    columns point at.

    `key` is the JSON object of the key in the rule's order; `identity` the dataset and the
    key with sorted names, which a baseline compares; `waiver` is the index of the
    waiver that covers the finding (null: open); `baseline` is `new`, `open` or null;
    `file` the file of a dataset given as a folder the row is in; `carried` marks a
    finding taken over from the previous report (`incremental.py`); `review` is the index of the
    review that gives the finding its verdict (null: not reviewed).

    A finding is open, and fails the run (`open_count`), when a review confirms it (`violation`), or
    when neither a review nor an active waiver covers it (`awaiting_count`): a review of the finding
    itself goes before a waiver of many. So each finding is awaiting, waived (`waived_count`) or
    reviewed (`reviewed_count`), and open when awaiting or confirmed (`confirmed_count`).
    """

    def __init__(self, table: pa.Table, waivers: Sequence[dict] = (), reviews: Sequence[dict] = ()):
        self.table = table
        self.waivers = list(waivers)
        self.reviews = list(reviews)

    @classmethod
    def empty(cls) -> Findings:
        return cls(SCHEMA.empty_table())

    @classmethod
    def concat(cls, parts: list[pa.Table], waivers: Sequence[dict], reviews: Sequence[dict] = ()) -> Findings:
        return cls(pa.concat_tables(parts) if parts else SCHEMA.empty_table(), waivers, reviews)

    @classmethod
    def from_dicts(cls, found: Sequence[dict]) -> Findings:
        """Findings read back from a JSON report (a baseline, `reglement render`)."""
        waivers: list[dict] = []
        reviews: list[dict] = []
        rows = []
        for f in found:
            index = None
            if f.get("waived"):
                waiver = f.get("waiver") or {}
                if waiver not in waivers:
                    waivers.append(waiver)
                index = waivers.index(waiver)
            review = None
            if isinstance(f.get("review"), dict):
                reviews.append(f["review"])
                review = len(reviews) - 1
            rows.append((f["dataset"], json.dumps(f["key"], ensure_ascii=False), identity(f["dataset"], f["key"]),
                         f["message"], index, f.get("baseline"), f.get("file"), bool(f.get("carried")), review))
        columns = list(zip(*rows)) or [()] * len(SCHEMA)
        arrays = [texts(columns[0]), texts(columns[1]), texts(columns[2]), texts(columns[3]), ints(columns[4]),
                  texts(columns[5]), texts(columns[6]), flags_of(columns[7]), ints(columns[8])]
        return cls(pa.Table.from_arrays(arrays, schema=SCHEMA), waivers, reviews)

    @classmethod
    def of(cls, found: Findings | Sequence[dict] | None) -> Findings:
        """A rule's findings as a table, whether an audit built them or a JSON report held them."""
        return found if isinstance(found, Findings) else cls.from_dicts(found or ())

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._dict(row) for row in self.table[index].to_pylist()]
        if index < 0:
            index += len(self)
        return self._dict(self.table.slice(index, 1).to_pylist()[0])

    def __iter__(self) -> Iterator[dict]:
        for batch in self.table.to_batches(CHUNK):
            yield from map(self._dict, batch.to_pylist())

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Findings) and self.table.equals(other.table) and self.waivers == other.waivers
                and self.reviews == other.reviews)

    def _dict(self, row: dict) -> dict:
        out = {"dataset": row["dataset"], "key": json.loads(row["key"]), "message": row["message"]}
        if row["waiver"] is not None:
            out |= {"waived": True, "waiver": self.waivers[row["waiver"]]}
        if row["baseline"] is not None:
            out["baseline"] = row["baseline"]
        if row["file"] is not None:
            out["file"] = row["file"]
        if row["carried"]:
            out["carried"] = True
        if row["review"] is not None:
            out["review"] = self.reviews[row["review"]]
        return out

    @property
    def open_count(self) -> int:
        """Findings that still count: confirmed by a review, or neither reviewed nor waived (`failing`)."""
        return pc.sum(self.failing()).as_py() or 0

    def first_open(self, n: int) -> list[dict]:
        """The first `n` findings that still count."""
        return self._first(n, self._failing)

    def first_reviewed(self, n: int) -> list[dict]:
        """The first `n` findings a review gives a verdict."""
        return self._first(n, lambda batch: pc.is_valid(batch.column("review")))

    def _first(self, n: int, keep: Callable[[pa.RecordBatch], pa.Array]) -> list[dict]:
        """The first `n` findings `keep` marks, filtering a chunk at a time (never a copy of the table)."""
        found: list[dict] = []
        for batch in self.table.to_batches(CHUNK):
            if len(found) >= n:
                break
            kept = batch.filter(keep(batch))
            found += [self._dict(row) for row in kept.slice(0, n - len(found)).to_pylist()]
        return found

    def part(self, offset: int, length: int) -> Findings:
        """`length` findings from `offset` on, still as a table (a zero-copy slice)."""
        return Findings(self.table.slice(offset, length), self.waivers, self.reviews)

    def keys(self) -> pa.Table:
        """Each finding's key as columns of text, in the order the names first appear; null where a
        finding's key lacks the name. Parsed in bulk by Arrow's JSON reader, every value as text."""
        if not len(self):
            return pa.table({})
        listed = pa.ListArray.from_arrays(ints([0, len(self)]), self.table.column("key").combine_chunks())
        lines = pc.binary_join(listed, text("\n"))[0].as_py().encode("utf-8")
        found = pj.read_json(io.BytesIO(lines), read_options=pj.ReadOptions(block_size=len(lines) + 1))
        strings = pa.schema([(name, pa.string()) for name in found.column_names])
        return pj.read_json(io.BytesIO(lines), read_options=pj.ReadOptions(block_size=len(lines) + 1),
                            parse_options=pj.ParseOptions(explicit_schema=strings))

    def count(self, baseline: str, open_only: bool = False) -> int:
        """Findings the baseline marks so (`new`, `open`); with `open_only`, those that fail the run (`failing`)."""
        marked = pc.equal(self.table.column("baseline"), text(baseline))
        if open_only:
            marked = pc.and_(marked, self.failing())
        return pc.sum(marked).as_py() or 0

    def verdicts(self) -> pa.Array:
        """Each finding's verdict (`justified`, `violation`, `false_positive`), null where no review gives one."""
        return self._verdicts(self.table)

    def _verdicts(self, rows: pa.Table | pa.RecordBatch) -> pa.Array:
        if not self.reviews:
            return pa.nulls(rows.num_rows, pa.string())
        return pc.take(texts([r["verdict"] for r in self.reviews]), rows.column("review"))

    @property
    def reviewed_count(self) -> int:
        """Findings a review gives a verdict."""
        return len(self) - self.table.column("review").null_count

    @property
    def confirmed_count(self) -> int:
        """Findings a review confirms (`violation`)."""
        return pc.sum(pc.equal(self.verdicts(), text(VIOLATION))).as_py() or 0

    @property
    def waived_count(self) -> int:
        """Findings an active waiver covers and no review judges (a review of the finding goes first)."""
        waived = pc.and_(pc.is_valid(self.table.column("waiver")), pc.is_null(self.table.column("review")))
        return pc.sum(waived).as_py() or 0

    @staticmethod
    def _awaiting(rows: pa.Table | pa.RecordBatch) -> pa.Array:
        return pc.and_(pc.is_null(rows.column("review")), pc.is_null(rows.column("waiver")))

    def awaiting(self) -> pa.Array:
        """Which findings neither a review nor an active waiver covers, as a mask."""
        return self._awaiting(self.table)

    @property
    def awaiting_count(self) -> int:
        return pc.sum(self.awaiting()).as_py() or 0

    def failing(self) -> pa.Array:
        """Which findings count for --fail-on, as a mask: confirmed by a review, or awaiting one."""
        return self._failing(self.table)

    def _failing(self, rows: pa.Table | pa.RecordBatch) -> pa.Array:
        if not self.reviews:
            return self._awaiting(rows)
        # a scalar of Arrow's own making: pa.scalar(False) would import pandas into every audit
        confirmed = pc.fill_null(pc.equal(self._verdicts(rows), text(VIOLATION)), flags_of([False])[0])
        return pc.or_(confirmed, self._awaiting(rows))

    def reviews_of(self, review: int) -> int:
        """How many findings the review of that index gives its verdict (0: a stale review)."""
        return pc.sum(pc.equal(self.table.column("review"), number(review))).as_py() or 0

    def covered_by(self, waiver: int) -> int:
        """How many findings the rule's waiver of that index covers."""
        return pc.sum(pc.equal(self.table.column("waiver"), number(waiver))).as_py() or 0

    def marked(self, seen: pa.Array) -> Findings:
        """Each finding marked `open` when `seen` (identities of a previous report) has it, else `new`."""
        known = pc.is_in(self.table.column("identity"), value_set=seen)
        marks = pc.if_else(known, text("open"), text("new"))
        table = self.table.set_column(SCHEMA.get_field_index("baseline"), "baseline", marks)
        return Findings(table, self.waivers, self.reviews)

    def json_chunks(self, indent: str) -> Iterator[str]:
        """The findings as the items of a JSON array, one object a line, a chunk at a time."""
        waivers = [json.dumps(w, ensure_ascii=False) for w in self.waivers]
        for batch in self.table.to_batches(CHUNK):
            if not batch.num_rows:
                continue
            items = self._json(batch, waivers)
            listed = pa.ListArray.from_arrays(ints([0, len(items)]), items)
            yield pc.binary_join(listed, text(",\n" + indent))[0].as_py()

    def _json(self, batch: pa.RecordBatch, waivers: list[str]) -> pa.Array:
        rows = batch.num_rows
        head = join(['{"dataset": ', json_string(batch.column("dataset")), ', "key": ', batch.column("key"),
                     ', "message": ', json_string(batch.column("message"))], rows)
        waiver = batch.column("waiver")
        if waivers and waiver.null_count < rows:
            marked = pc.take(texts([f', "waived": true, "waiver": {w}' for w in waivers]),
                             pc.fill_null(waiver, number(0)))
            head = join([head, pc.if_else(pc.is_null(waiver), text(""), marked)], rows)
        for name in ("baseline", "file"):
            value = batch.column(name)
            if value.null_count < rows:
                marked = join([f', "{name}": ', json_string(pc.fill_null(value, text("")))], rows)
                head = join([head, pc.if_else(pc.is_null(value), text(""), marked)], rows)
        carried = batch.column("carried")
        if pc.any(carried).as_py():
            head = join([head, pc.if_else(carried, text(', "carried": true'), text(""))], rows)
        review = batch.column("review")
        if self.reviews and review.null_count < rows:
            given = [f', "review": {json.dumps(r, ensure_ascii=False)}' for r in self.reviews]
            marked = pc.take(texts(given), pc.fill_null(review, number(0)))
            head = join([head, pc.if_else(pc.is_null(review), text(""), marked)], rows)
        return join([head, "}"], rows)


def identity(dataset: str, key: dict) -> str:
    """What a baseline matches a finding on: its dataset and its key, names sorted."""
    return dataset + "\0" + json.dumps(key, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))
