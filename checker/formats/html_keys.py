"""The HTML page's table of a rule's offending keys, with the waived ones marked, rendered in bulk.

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

from ..arrow_values import ints, number, text, texts
from ..findings import Findings
from .findings import findings_of
from .html_markup import badge, esc, html_text, html_visible
from .labels import format_count, label
from .waivers import waiver_reason

KEYS_SHOWN = 100  # keys in the open table; the rest wait inside <details>
KEYS_CARRIED = 10_000  # keys of one rule in the page at most; every key is in the JSON report
CHUNK = 4096


def key_tables(rule: Mapping[str, Any], lang: str) -> Iterator[str]:
    """The offending keys: the first hundred in the open, the rest folded so thousands don't swamp the page."""
    findings = findings_of(rule)
    carried = findings.part(0, KEYS_CARRIED)
    keys = carried.keys()
    with_waivers = carried.open_count < len(carried)
    yield from _key_table(carried, keys, 0, KEYS_SHOWN, with_waivers, lang)
    if len(carried) <= KEYS_SHOWN:
        return
    more = esc(label(lang, "show_more", n=format_count(len(findings) - KEYS_SHOWN, lang)))
    yield f'<details class="more-keys"><summary>{more}</summary>'
    yield from _key_table(carried, keys, KEYS_SHOWN, len(carried) - KEYS_SHOWN, with_waivers, lang)
    if len(findings) > len(carried):
        rest = format_count(len(findings) - len(carried), lang)
        yield (f'<p class="keys-elsewhere">{esc(label(lang, "and_more", n=rest))}; '
               f'{esc(label(lang, "keys_in_json", n=rest))}</p>')
    yield "</details>"


def _key_table(findings: Findings, keys: pa.Table, offset: int, length: int, with_waivers: bool,
               lang: str) -> Iterator[str]:
    """One table of `length` rows from `offset` on; the row numbers run on from the open table into the folded one."""
    head = "".join(f"<th>{esc(column)}</th>" for column in keys.column_names)
    waiver_head = f'<th>{esc(label(lang, "waiver"))}</th>' if with_waivers else ""
    yield (f'<table class="keys"><thead><tr><th class="num">#</th><th>{esc(label(lang, "dataset"))}</th>{head}'
           f'<th>{esc(label(lang, "message"))}</th>{waiver_head}</tr></thead><tbody>')
    waiver_cells = _waiver_cells(findings, lang) if with_waivers else None
    for start in range(offset, offset + length, CHUNK):
        size = min(CHUNK, offset + length - start)
        yield _rows(findings.part(start, size).table, keys.slice(start, size), start, waiver_cells)
    yield "</tbody></table>"


def _waiver_cells(findings: Findings, lang: str) -> pa.Array:
    """The waiver cell of a finding covered by each of the rule's waivers, by index."""
    return texts([f'<td>{badge("waived", lang)} {esc(waiver_reason({"waiver": w}, lang))}</td>'
                  for w in findings.waivers] or [""])


def _rows(table: pa.Table, keys: pa.Table, start: int, waiver_cells: pa.Array | None) -> str:
    """The markup of these findings' rows, one string: a waived one stays listed, marked, with its reason."""
    rows = table.num_rows
    waiver = table.column("waiver").combine_chunks()
    numbers = pc.cast(pc.add(pc.cumulative_sum(pc.fill_null(pa.nulls(rows, pa.int32()), number(1))), number(start)),
                      pa.string())
    pieces: list[pa.Array | pa.Scalar] = [
        pc.if_else(pc.is_null(waiver), text("<tr>"), text('<tr class="waived-row">')),
        text('<td class="num idx">'), numbers, text("</td><td>"), html_text(table.column("dataset").combine_chunks()),
        text("</td>"),
    ]
    for column in keys.columns:
        pieces += [text('<td class="key">'), html_visible(pc.fill_null(column.combine_chunks(), text(""))),
                   text("</td>")]
    pieces += [text('<td class="msg">'), html_visible(table.column("message").combine_chunks()), text("</td>")]
    if waiver_cells is not None:
        covered = pc.take(waiver_cells, pc.fill_null(waiver, number(0)))
        pieces.append(pc.if_else(pc.is_null(waiver), text("<td></td>"), covered))
    pieces.append(text("</tr>"))
    markup = pc.binary_join_element_wise(*pieces, text(""))
    return pc.binary_join(pa.ListArray.from_arrays(ints([0, rows]), markup), text(""))[0].as_py()
