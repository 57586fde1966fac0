"""TOML: validated by tomllib (tomli before Python 3.11), then read again by a small
scanner that keeps positions (tomllib gives none).

The scanner only ever sees valid TOML, so it can be small: tables and arrays of
tables, dotted keys, the four string forms, arrays and inline tables, and bare
tokens (numbers, booleans, dates).
"""

from __future__ import annotations

import re
import sys

from ..errors import ParseError
from ..mail_settings.keys import Setting
from ..text import LineIndex
from .tree import Mapping, Node, Scalar, Sequence, settings_from_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_BLANK = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")  # spaces, newlines and comments
_SPACE = re.compile(r"[ \t]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?"
)
_TOKEN = re.compile(r"[^\s,\]\}#]+")
_INT = re.compile(r"[+-]?(?:0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|\d[\d_]*)$")


def read_toml(text: str, index: LineIndex) -> list[Setting]:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ParseError(f"invalid TOML: {error}") from None
    return settings_from_tree(_Scanner(text).document(), index)


def toml_tree(text: str) -> Node | None:
    """The document as a tree with positions; None when it is not TOML."""
    try:
        tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    return _Scanner(text).document()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.root = Mapping(0, len(text))
        # Children by name, per mapping: tables are reopened by name.
        self.children: dict[int, dict[str, Node]] = {}

    def document(self) -> Mapping:
        table = self.root
        text = self.text
        while True:
            self.pos = _BLANK.match(text, self.pos).end()  # type: ignore[union-attr]
            if self.pos >= len(text):
                return self.root
            if text.startswith("[[", self.pos):
                self.pos += 2
                keys = self.keys()
                self.pos = text.index("]]", self.pos) + 2
                table = self.array_table(keys)
            elif text[self.pos] == "[":
                self.pos += 1
                keys = self.keys()
                self.pos = text.index("]", self.pos) + 1
                table = self.descend(self.root, keys)
            else:
                self.pair(table)

    def keys(self) -> list[tuple[str, int, int]]:
        """A dotted key: each part with its range (inside quotes)."""
        parts = []
        text = self.text
        while True:
            self.pos = _SPACE.match(text, self.pos).end()  # type: ignore[union-attr]
            if text[self.pos] in "\"'":
                value, start, end, _ = self.string()
                parts.append((value, start, end))
            else:
                found = _BARE_KEY.match(text, self.pos)
                assert found is not None
                parts.append((found.group(0), found.start(), found.end()))
                self.pos = found.end()
            self.pos = _SPACE.match(text, self.pos).end()  # type: ignore[union-attr]
            if text[self.pos] != ".":
                return parts
            self.pos += 1

    def child(self, mapping: Mapping, name: str, start: int, end: int, node: Node) -> Node:
        table = self.children.setdefault(id(mapping), {})
        if name not in table:
            table[name] = node
            mapping.items.append((name, start, end, node))
        return table[name]

    def descend(self, mapping: Mapping, keys: list[tuple[str, int, int]]) -> Mapping:
        for name, start, end in keys:
            node = self.child(mapping, name, start, end, Mapping(start, end))
            if isinstance(node, Sequence):  # ``[a.b]`` below ``[[a]]``: the last element
                node = node.items[-1]
            assert isinstance(node, Mapping)
            mapping = node
        return mapping

    def array_table(self, keys: list[tuple[str, int, int]]) -> Mapping:
        parent = self.descend(self.root, keys[:-1])
        name, start, end = keys[-1]
        array = self.child(parent, name, start, end, Sequence(start, end))
        assert isinstance(array, Sequence)
        element = Mapping(start, end)
        array.items.append(element)
        return element

    def pair(self, table: Mapping) -> None:
        keys = self.keys()
        self.pos = _SPACE.match(self.text, self.pos + 1).end()  # past "="  # type: ignore[union-attr]
        owner = self.descend(table, keys[:-1])
        name, start, end = keys[-1]
        value = self.value()
        self.child(owner, name, start, end, value)

    def value(self) -> Node:
        text = self.text
        char = text[self.pos]
        if char in "\"'":
            value, start, end, exact = self.string()
            return Scalar(value, start, end, exact)
        if char == "[":
            array = Sequence(self.pos, self.pos)
            self.pos += 1
            while True:
                self.pos = _BLANK.match(text, self.pos).end()  # type: ignore[union-attr]
                if text[self.pos] == "]":
                    break
                array.items.append(self.value())
                self.pos = _BLANK.match(text, self.pos).end()  # type: ignore[union-attr]
                if text[self.pos] == ",":
                    self.pos += 1
            self.pos += 1
            array.end = self.pos
            return array
        if char == "{":
            table = Mapping(self.pos, self.pos)
            self.pos += 1
            while True:
                self.pos = _SPACE.match(text, self.pos).end()  # type: ignore[union-attr]
                if text[self.pos] == "}":
                    break
                self.pair(table)
                self.pos = _SPACE.match(text, self.pos).end()  # type: ignore[union-attr]
                if text[self.pos] == ",":
                    self.pos += 1
            self.pos += 1
            table.end = self.pos
            return table
        found = _DATETIME.match(text, self.pos) or _TOKEN.match(text, self.pos)
        assert found is not None
        self.pos = found.end()
        raw = found.group(0)
        typed: object = raw
        if raw in ("true", "false"):
            typed = raw == "true"
        elif _INT.match(raw):
            typed = int(raw.replace("_", ""), 0)
        return Scalar(typed, found.start(), found.end(), True)

    def string(self) -> tuple[str, int, int, bool]:
        """The string at the position: value, range (inside the quotes when exact), exact."""
        text = self.text
        at = self.pos
        for quote in ('"""', "'''", '"', "'"):
            if not text.startswith(quote, at):
                continue
            end = at + len(quote)
            while True:
                end = text.index(quote, end)
                if quote[0] == '"' and _escaped(text, end):
                    end += 1
                    continue
                break
            if len(quote) == 3:  # up to two quotes may end the content
                while text.startswith(quote[0], end + 3):
                    end += 1
            self.pos = end + len(quote)
            body = text[at + len(quote) : end]
            if quote[0] == '"' and "\\" in body or len(quote) == 3:
                value = tomllib.loads(f"v = {text[at : self.pos]}")["v"]
                return value, at, self.pos, False
            return body, at + len(quote), end, True
        raise AssertionError("not a string")  # pragma: no cover


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` is escaped by an odd run of backslashes."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1
