"""``.env`` files as python-dotenv, docker compose and most shells read them.

``KEY=value`` lines, optionally after ``export``; values unquoted (a ``#`` after a
space starts a comment), single-quoted (literal, may span lines) or double-quoted
(backslash escapes, may span lines). Lines that are none of these are ignored, as
the loaders ignore them.
"""

from __future__ import annotations

import re

from ..mail_settings.keys import Setting, is_setting_key
from ..text import LineIndex
from .positions import make_setting

_ASSIGNMENT = re.compile(
    r"[ \t]*(?:export[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*", re.MULTILINE
)
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_SINGLE = re.compile(r"'([^']*)'")
_UNQUOTED = re.compile(r"[^\r\n]*")
_COMMENT = re.compile(r"[ \t]+#")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def read_dotenv(text: str, index: LineIndex, *, every: bool = False) -> list[Setting]:
    """The mail settings of a ``.env`` file (with ``every``: all its variables)."""
    settings: list[Setting] = []
    pos = 0
    while pos < len(text):
        found = _ASSIGNMENT.match(text, pos)
        if found is None:
            pos = _next_line(text, pos)
            continue
        key = found["key"]
        start = found.end()
        quote = text[start : start + 1]
        quoted = _DOUBLE.match(text, start) if quote == '"' else None
        quoted = quoted or (_SINGLE.match(text, start) if quote == "'" else None)
        if quoted is not None:
            body = quoted.group(1)
            value_at = (start + 1, quoted.end() - 1)
            exact = quote == "'" or "\\" not in body
            value = body if exact else re.sub(r"\\(.)", lambda m: _escape(m.group(1)), body)
            end = quoted.end()
        else:
            line = _UNQUOTED.match(text, start)
            assert line is not None
            raw = line.group(0)
            comment = _COMMENT.search(raw)
            if raw.startswith("#"):
                raw = ""
            elif comment is not None:
                raw = raw[: comment.start()]
            value = raw.rstrip()
            value_at = (start, start + len(value))
            exact = True
            end = line.end()
        if every or is_setting_key(key):
            settings.append(
                make_setting(
                    index,
                    key,
                    (found.start("key"), found.end("key")),
                    value,
                    value_at,
                    "",
                    exact=exact,
                )
            )
        pos = _next_line(text, end)
    return settings


def _escape(char: str) -> str:
    return _ESCAPES.get(char, "\\" + char)


def _next_line(text: str, pos: int) -> int:
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1
