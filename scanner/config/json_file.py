"""JSON: validated by the standard library, then read again by a small scanner that keeps
positions (the standard parser does not give them)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from ..errors import ParseError
from ..mail_settings.keys import Setting
from ..text import LineIndex
from .tree import Mapping, Node, Scalar, Sequence, settings_from_tree

_SPACE = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_ATOM = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")


def read_json(text: str, index: LineIndex) -> list[Setting]:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"invalid JSON at line {error.lineno}: {error.msg}") from None
    except RecursionError:
        raise ParseError("JSON nested too deeply") from None
    # Members are comma-separated: a member added after one needs a comma of its own.
    return [replace(setting, listed=True) for setting in settings_from_tree(_scan(text), index)]


def json_tree(text: str) -> Node | None:
    """The document as a tree with positions; None when it is not JSON."""
    try:
        json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    return _scan(text)


def _string(text: str, at: int) -> tuple[str, int, int, bool, int]:
    """The string starting at ``at``: value, inner range, exactness, and the end."""
    found = _STRING.match(text, at)
    assert found is not None  # the text is valid JSON
    body = found.group(1)
    if "\\" in body:
        return json.loads(found.group(0)), at, found.end(), False, found.end()
    return body, at + 1, found.end() - 1, True, found.end()


def _key(text: str, at: int) -> tuple[str, tuple[int, int], int]:
    """A member name at ``at``: the name, its range, and where its value starts."""
    name, start, end, _, after = _string(text, at)
    colon = _SPACE.match(text, after).end()  # type: ignore[union-attr]
    return name, (start, end), _SPACE.match(text, colon + 1).end()  # type: ignore[union-attr]


def _scan(text: str) -> Node:
    """The tree of valid JSON ``text``, without recursion (depth is not bounded by it)."""
    stack: list[tuple[Mapping | Sequence, str, tuple[int, int]]] = []
    key, key_at = "", (0, 0)
    pos = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    while True:
        char = text[pos]
        node: Node
        if char in "{[":
            container: Mapping | Sequence = Mapping(pos, pos) if char == "{" else Sequence(pos, pos)
            stack.append((container, key, key_at))
            pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text[pos] not in "}]":
                if isinstance(container, Mapping):
                    key, key_at, pos = _key(text, pos)
                continue
            stack.pop()
            container.end = pos + 1
            node, pos = container, pos + 1
        elif char == '"':
            value, start, end, exact, pos = _string(text, pos)
            node = Scalar(value, start, end, exact)
        else:
            atom = _ATOM.match(text, pos)
            assert atom is not None
            node = Scalar(json.loads(atom.group(0)), pos, atom.end(), True)
            pos = atom.end()
        # Attach the finished value to its container; close containers that end here.
        while stack:
            parent, parent_key, parent_key_at = stack[-1]
            if isinstance(parent, Mapping):
                parent.items.append((key, key_at[0], key_at[1], node))
            else:
                parent.items.append(node)
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == ",":
                pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
                if isinstance(parent, Mapping):
                    key, key_at, pos = _key(text, pos)
                break
            stack.pop()
            parent.end = pos + 1
            node, pos = parent, pos + 1
            key, key_at = parent_key, parent_key_at
        else:
            return node
