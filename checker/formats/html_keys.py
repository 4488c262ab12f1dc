"""The HTML page's table of a rule's offending keys, with the reviewed and waived ones marked, rendered in bulk.

The rows are made from the rule's findings table with Arrow's string kernels (escaped,
put together and joined a chunk at a time), never a Python object per finding. The
page carries at most KEYS_CARRIED keys of a rule: the first KEYS_SHOWN in the open, the
rest folded; a rule with more says how many more there are and that the JSON report
holds every key. A page with a million rows would be hundreds of megabytes that no
browser opens and no auditor prints; the JSON report is the place for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ...compiler.model import KEY_PARTS
from ..arrow_values import ints, number, text, texts
from ..findings import Findings
from .findings import findings_of
from .html_markup import badge, esc, html_text, html_visible
from .labels import counted_label, format_count, label
from .reviews import review_text
from .waivers import waiver_reason

KEYS_SHOWN = 100  # keys in the open table; the rest wait inside <details>
KEYS_CARRIED = 10_000  # keys of one rule in the page at most; every key is in the JSON report
CHUNK = 4096


def key_tables(rule: Mapping[str, Any], lang: str) -> Iterator[str]:
    """The offending keys: the first hundred in the open, the rest folded so thousands don't swamp the page."""
    findings = findings_of(rule)
    carried = findings.part(0, KEYS_CARRIED)
    keys = carried.keys()
    with_waivers = carried.waived_count + carried.reviewed_count > 0
    yield from _key_table(carried, keys, 0, KEYS_SHOWN, with_waivers, lang)
    if len(carried) <= KEYS_SHOWN:
        return
    more = esc(counted_label(lang, "show_more", len(findings) - KEYS_SHOWN))
    yield f'<details class="more-keys"><summary>{more}</summary>'
    yield from _key_table(carried, keys, KEYS_SHOWN, len(carried) - KEYS_SHOWN, with_waivers, lang)
    if len(findings) > len(carried):
        rest = len(findings) - len(carried)
        yield (f'<p class="keys-elsewhere">{esc(label(lang, "and_more", n=format_count(rest, lang)))}; '
               f'{esc(counted_label(lang, "keys_in_json", rest))}</p>')
    yield "</details>"


def _key_table(findings: Findings, keys: pa.Table, offset: int, length: int, marked: bool,
               lang: str) -> Iterator[str]:
    """One table of `length` rows from `offset` on; the row numbers run on from the open table into the folded one."""
    head = "".join(f"<th>{esc(label(lang, 'key_column') if column in KEY_PARTS else column)}</th>"
                   for column in keys.column_names)  # a key column's name is the export's; `column` is ours
    column = label(lang, "review" if findings.reviewed_count else "waiver")
    verdict_head = f"<th>{esc(column)}</th>" if marked else ""
    yield (f'<table class="keys"><thead><tr><th class="num">#</th><th>{esc(label(lang, "dataset"))}</th>{head}'
           f'<th>{esc(label(lang, "message"))}</th>{verdict_head}</tr></thead><tbody>')
    cells = (_cells([f'{badge("waived", lang)} {esc(waiver_reason({"waiver": w}, lang))}' for w in findings.waivers]),
             _cells([f'<b class="verdict verdict-{esc(r.get("verdict"))}">{esc(review_text(r, lang))}</b>'
                     for r in findings.reviews])) if marked else None
    for start in range(offset, offset + length, CHUNK):
        size = min(CHUNK, offset + length - start)
        yield _rows(findings.part(start, size).table, keys.slice(start, size), start, cells)
    yield "</tbody></table>"


def _cells(markup: list[str]) -> pa.Array:
    """A cell for each of a rule's waivers or reviews, by index."""
    return texts([f"<td>{cell}</td>" for cell in markup] or [""])


def _rows(table: pa.Table, keys: pa.Table, start: int, cells: tuple[pa.Array, pa.Array] | None) -> str:
    """The markup of these findings' rows, one string: a waived or reviewed one stays listed, marked, with its
    reason or verdict (a review of the finding goes before a waiver)."""
    rows = table.num_rows
    waiver = table.column("waiver").combine_chunks()
    review = table.column("review").combine_chunks()
    numbers = pc.cast(pc.add(pc.cumulative_sum(pc.fill_null(pa.nulls(rows, pa.int32()), number(1))), number(start)),
                      pa.string())
    opening = pc.if_else(pc.is_null(waiver), text("<tr>"), text('<tr class="waived-row">'))
    pieces: list[pa.Array | pa.Scalar] = [
        pc.if_else(pc.is_null(review), opening, text('<tr class="reviewed-row">')),
        text('<td class="num idx">'), numbers, text("</td><td>"), html_text(table.column("dataset").combine_chunks()),
        text("</td>"),
    ]
    for column in keys.columns:
        pieces += [text('<td class="key">'), html_visible(pc.fill_null(column.combine_chunks(), text(""))),
                   text("</td>")]
    pieces += [text('<td class="msg">'), html_visible(table.column("message").combine_chunks()), text("</td>")]
    if cells is not None:
        waived, reviewed = (pc.take(given, pc.fill_null(index, number(0)))
                            for given, index in zip(cells, (waiver, review)))
        pieces.append(pc.if_else(pc.is_null(review), pc.if_else(pc.is_null(waiver), text("<td></td>"), waived),
                                 reviewed))
    pieces.append(text("</tr>"))
    markup = pc.binary_join_element_wise(*pieces, text(""))
    return pc.binary_join(pa.ListArray.from_arrays(ints([0, rows]), markup), text(""))[0].as_py()
