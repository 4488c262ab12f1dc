"""JSON Lines as a person reads it: by the line of the file, blank lines counted.

The readers (DuckDB, Spark) skip blank lines and number the records they keep, and DuckDB's
own messages count lines in a way of their own (and quote the line). So when a reader refuses
a file, or the validator finds a record wrong, one pass over the file finds the file line of
each problem. The pass runs only then: a good file is read once, by the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from .csv_dialect import open_bytes
from .errors import MAX_ERRORS_PER_SOURCE, DataError
from .sources import Source

_BLANK = b" \t\r\n"  # what the readers skip as a blank line
_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
          type(None): "null"}


def _records(path: Path) -> Iterator[tuple[int, bytes]]:
    """Each line that is not blank, with its 1-based line in the file."""
    with open_bytes(path) as stream:
        for number, line in enumerate(stream, start=1):
            if line.strip(_BLANK):
                yield number, line


def record_lines(path: Path, records: Iterable[int]) -> dict[int, int]:
    """The file line of each record (1: the first line that is not blank)."""
    wanted, lines = set(records), {}
    for record, (number, _) in enumerate(_records(path), start=1):
        if len(lines) == len(wanted):
            break
        if record in wanted:
            lines[record] = number
    return lines


def problems(source: Source) -> tuple[list[DataError], int]:
    """The first lines that are not one JSON object each, at their file lines, and how many there are."""
    found, total = [], 0
    for number, line in _records(source.paths[0]):
        why = _problem(line)
        if why is None:
            continue
        total += 1
        if len(found) < MAX_ERRORS_PER_SOURCE:
            found.append(DataError(source.label, "E710", why, line=number))
    return found, total


def _problem(line: bytes) -> str | None:
    """What is wrong with one line, in words that quote nothing of it; None when it is an object."""
    try:
        value = json.loads(line, object_pairs_hook=_unique)
    except UnicodeDecodeError:
        return "not valid UTF-8"
    except _Repeated as repeated:
        return f"the key '{repeated.key}' appears twice in one object"
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":
            return "more than one JSON value on the line"
        if err.pos >= len(err.doc.rstrip()):
            return "the line ends inside a JSON value (cut short?)"
        return f"not valid JSON (at character {err.colno})"
    except RecursionError:  # nested deeper than Python's parser goes; the reader takes it
        return None
    return None if isinstance(value, dict) else f"{_KINDS.get(type(value), 'a value')}, not a JSON object"


class _Repeated(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """An object whose keys differ; the readers refuse one with a key twice."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _Repeated(key)
        seen.add(key)
    return dict(pairs)
