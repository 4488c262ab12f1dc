"""YAML that remembers where every value came from.

A rule author must be told `art-05.yaml:42:17`, not "rules[3].condition". PyYAML's
node tree has the marks; this module builds plain Python values from it and keeps a
`Position` for every path, as soda-core v4 keeps a Location on each value it reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .diagnostics import Diagnostic, Location, SourceText, did_you_mean

if TYPE_CHECKING:
    import jsonschema

YamlPath = tuple[str | int, ...]
KEY = "\0key"  # last element of a path that names a mapping key itself, not its value

# libyaml where PyYAML was built with it (its wheels are): the same events and marks, several times
# faster. Its error messages are vaguer, so a file it rejects is read again by PyYAML for the words.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Position:
    line: int  # 1-based, of the value's first character
    column: int
    style: str | None  # '|' and '>' for block scalars, quote character, or None


@dataclass(frozen=True)
class YamlDocument:
    file: str
    data: object
    positions: dict[YamlPath, Position]
    lines: tuple[str, ...]

    def location(self, path: YamlPath) -> Location:
        """The position of the value at `path`, or of its nearest parent that has one."""
        while path and path not in self.positions:
            path = path[:-1]
        pos = self.positions.get(path, Position(1, 1, None))
        return Location(self.file, pos.line, pos.column)

    def diagnostic(self, code: str, message: str, path: YamlPath, hint: str | None = None) -> Diagnostic:
        loc = self.location(path)
        line = self.lines[loc.line - 1] if loc.line <= len(self.lines) else None
        return Diagnostic(code, message, loc, line, hint)

    def source_text(self, path: YamlPath) -> SourceText:
        """The string at `path` with the file position of its first character."""
        text = self.data_at(path)
        pos = self.positions[path]
        if pos.style in ("|", ">"):
            # The content starts on the next line; its indentation is that of the first line.
            first = pos.line + 1
            while first <= len(self.lines) and not self.lines[first - 1].strip():
                first += 1
            raw = self.lines[first - 1] if first <= len(self.lines) else ""
            return SourceText(self.file, text, first, len(raw) - len(raw.lstrip()) + 1, self.lines)
        quote = 1 if pos.style in ("'", '"') else 0
        return SourceText(self.file, text, pos.line, pos.column + quote, self.lines)

    def data_at(self, path: YamlPath) -> object:
        value = self.data
        for part in path:
            value = value[part]
        return value


class YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.render())


# What PyYAML says, in words a rule author knows, with what to do.
_PLAIN = {
    "mapping values are not allowed here": ("a ': ' inside a value", "quote text that contains ': ', e.g. "
                                            "message: \"client {client_id}: …\""),
    "could not find expected ':'": ("a line that is neither 'name: value' nor a list item",
                                    "check the indentation and quote text that starts with a special character"),
    "found character '\\t' that cannot start any token": ("a tab", "indent with spaces, not tabs"),
    "found undefined alias": ("an alias (*name)", "write the value out: aliases are not allowed"),
    "expected <block end>, but found '<block sequence start>'": ("a list item at the wrong indentation",
                                                                  "indent list items under their key"),
}


def _refused(text: str, file: str, lines: tuple[str, ...], loader: type = LOADER) -> None:
    """Tags (`!!python/…`, `!Ref`) and anchors or aliases (`&x`, `*x`) are refused before anything is built:
    a tag could construct an object, and a chain of aliases can grow to any size ("billion laughs")."""
    for event in yaml.parse(text, Loader=loader):
        tag = getattr(event, "tag", None)
        anchor = getattr(event, "anchor", None)
        if tag is None and anchor is None:
            continue
        mark = event.start_mark
        loc = Location(file, mark.line + 1, mark.column + 1)
        line = lines[loc.line - 1] if loc.line <= len(lines) else None
        if tag is not None:
            raise YamlError(Diagnostic("E101", f"YAML tags are not allowed ({tag.replace('tag:yaml.org,2002:', '!!')})",
                                       loc, line, "write the value plainly, quoted if it is text"))
        raise YamlError(Diagnostic("E101", f"YAML anchors and aliases are not allowed (&{anchor} or *{anchor})",
                                   loc, line, "write each value out where it is used"))


def _composed(text: str, file: str, lines: tuple[str, ...]) -> yaml.Node | None:
    """The document's node tree, once refused tags and aliases were looked for."""
    try:
        _refused(text, file, lines)
        return yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError:
        if LOADER is yaml.SafeLoader:
            raise
        _refused(text, file, lines, yaml.SafeLoader)  # raises again, in PyYAML's words
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _json(text: str, file: str, lines: tuple[str, ...]) -> None:
    """A `.json` file (a data contract's schema) that is not JSON is said to be so, at the line and column
    where JSON reading stopped; one that is, is read on as YAML, which gives each value its place."""
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        line = lines[err.lineno - 1] if err.lineno <= len(lines) else None
        raise YamlError(Diagnostic("E101", f"not valid JSON: {err.msg[:1].lower()}{err.msg[1:]}",
                                   Location(file, err.lineno, err.colno), line,
                                   "a missing or extra comma, an unclosed brace or bracket, or text not in double "
                                   "quotes")) from None


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read one YAML file; a syntax error, a tag or an alias becomes a Diagnostic with its line."""
    file = display or str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise YamlError(Diagnostic("E101", "not UTF-8 text", Location(file, line, 1), None,
                                   "save the file as UTF-8")) from None
    lines = tuple(text.splitlines())
    if path.suffix.lower() == ".json":
        _json(text, file, lines)
    try:
        node = _composed(text, file, lines)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        line = lines[loc.line - 1] if loc.line <= len(lines) else None
        problem = str(err.problem or err.context)
        what, hint = _PLAIN.get(problem, (problem, None))
        raise YamlError(Diagnostic("E101", f"not valid YAML: {what}", loc, line, hint)) from None
    positions: dict[YamlPath, Position] = {}
    data = _build(node, (), positions, yaml.SafeLoader(""), file, lines) if node is not None else None
    return YamlDocument(file, data, positions, lines)


def _build(node: yaml.Node, path: YamlPath, positions: dict[YamlPath, Position], loader: yaml.SafeLoader,
           file: str, lines: tuple[str, ...]):
    positions[path] = Position(node.start_mark.line + 1, node.start_mark.column + 1,
                               getattr(node, "style", None) if isinstance(node, yaml.ScalarNode) else None)
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key = key if isinstance(key, str) else str(key)
            if key in result:  # PyYAML would keep the last one silently: a second `condition:` would win
                line = key_node.start_mark.line + 1
                raise YamlError(Diagnostic("E101", f"the key '{key}' appears twice in one mapping",
                                           Location(file, line, key_node.start_mark.column + 1),
                                           lines[line - 1] if line <= len(lines) else None, "keep one of them"))
            positions[(*path, key, KEY)] = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1, None)
            result[key] = _build(value_node, (*path, key), positions, loader, file, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), positions, loader, file, lines) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value  # dates stay text: schemas and the checker parse them themselves
    return loader.construct_object(node)


def schema_diagnostics(doc: YamlDocument, schema: dict, code: str = "E102",
                       hint: str | None = None) -> list[Diagnostic]:
    """JSON Schema errors of a YAML document, each pointing at its YAML line, with `hint` where no better one is
    known; a text that a part of the schema with an `x-code` of its own does not match (an article number: E140)
    is reported under that code."""
    import jsonschema  # imported only when a file is validated: not when pack_cache.py has the pack

    validator = jsonschema.Draft202012Validator(schema)
    out = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        err = _closest(err)
        path = tuple(err.absolute_path)
        where = ".".join(map(str, path)) or "the file"
        if err.validator == "additionalProperties":  # point at the unknown key itself
            path = (*path, sorted(set(err.instance) - set(err.schema.get("properties", {})))[0], KEY)
        number = err.validator == "type" and isinstance(err.instance, (int, float))
        own = err.schema.get("x-code", code) if err.validator == "pattern" else code  # a text, written wrong
        out.append(doc.diagnostic(own, f"{where}: {_schema_message(err)}", path,
                                  "quote it, e.g. '5.1'" if number else hint))
    return out


def _closest(err: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For a value that fits none of several shapes, the error of the shape it comes closest to (a parameter
    written as a mapping with `minimum:` is told of `minimum`, not "not valid under any of the given schemas")."""
    from jsonschema.exceptions import best_match, by_relevance

    shape_first = by_relevance(weak=frozenset({"anyOf", "oneOf", "type"}))  # a branch of the value's own type
    while err.validator in ("anyOf", "oneOf") and "x-message" not in err.schema and err.context:
        err = best_match(err.context, key=shape_first)
    return err


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        close = did_you_mean(extra[0], allowed) if extra else None
        return f"unknown field '{extra[0]}'" + (f"; {close}" if close else f" (allowed: {', '.join(allowed)})")
    if err.validator == "required":
        return err.message.replace("is a required property", "is required")
    if err.validator in ("oneOf", "not") and "x-message" in err.schema:  # words, not the schemas it tried
        return err.schema["x-message"]
    if err.validator == "pattern" and "x-expected" in err.schema:  # words, not a regular expression
        return f"{err.instance!r} is not {err.schema['x-expected']}"
    return err.message
