"""Taking a key out of a config file, layout kept: the lines that set it are deleted, and
nothing else changes (comments, quotes, indentation, the other keys' order).

Used when a fix leaves a value of the file unread by any code of the project: the
password of a ``.env`` that only the rewritten login read. A key is taken out only where
it stands on lines of its own (``KEY=value``, ``key: value``, ``key = value``, a compose
``- KEY=value`` item, a JSON member); a value shared with other keys on its line (a YAML
flow mapping, an INI continuation that goes on) is left alone.

Deleting the lines is for a file whose lines git has (:mod:`..fixes.recoverable`); where
the file is the only copy of the value, its lines are commented out instead, under a note
that says why (:func:`commented_out`), in the formats that have comments.
"""

from __future__ import annotations

import re

from ..errors import ParseError
from ..mail_settings.keys import Setting
from ..records import record
from ..remedies import Edit
from . import read_settings

_LINE_END = re.compile(r"\r\n|\r|\n")
# What may stand before a key on its line, and after its value.
_LEAD = re.compile(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?['\"]?")
_TRAIL = {
    "dotenv": re.compile(r"['\"]?[ \t]*(?:#.*)?"),
    "ini": re.compile(r"[ \t]*(?:[#;].*)?"),
    "yaml": re.compile(r"['\"]?[ \t]*(?:#.*)?"),
    "toml": re.compile(r"['\"]{0,3}[ \t]*(?:#.*)?"),
    "json": re.compile(r"\"?[ \t]*,?[ \t]*"),
}


@record
class Removal:
    """The edits that take a key out, and the lines (1-based) it stood on."""

    key: str
    edits: tuple[Edit, ...]
    lines: tuple[int, ...]


def removal(path: str, kind: str, text: str, key: str) -> Removal | None:
    """Edits that delete every setting of ``key`` from the file's ``text``; None when it
    sets no such key, or sets it where deleting lines would change more than the key."""
    try:
        settings = [s for s in read_settings(path, kind, text) if s.key == key]
    except ParseError:
        return None
    if not settings:
        return None
    edits: list[Edit] = []
    lines: list[int] = []
    for setting in settings:
        found = _lines_of(kind, text, setting)
        if found is None:
            return None
        edits.extend(found)
        lines.extend(range(setting.span.line, (setting.value.span or setting.span).end_line + 1))
    return Removal(key, tuple(edits), tuple(lines))


def _lines_of(kind: str, text: str, setting: Setting) -> list[Edit] | None:
    value = setting.value.span or setting.span
    start = text.rfind("\n", 0, setting.span.start) + 1
    end = text.find("\n", value.end)
    end = len(text) if end < 0 else end
    line_end = end - 1 if text[end - 1 : end] == "\r" else end
    if not _LEAD.fullmatch(text, start, setting.span.start):
        return None
    trail = _TRAIL.get(kind)
    if trail is None or not trail.fullmatch(text, value.end, line_end):
        return None
    if kind == "yaml" and _last_of_its_block(text, start, end):
        return None  # the mapping or list would be left empty (null), not what it was
    edits = [Edit(start, min(end + 1, len(text)), "")]
    if kind == "json" and "," not in text[value.end : line_end]:
        # The last member: the comma before it goes too.
        before = text[:start].rstrip()
        if before.endswith(","):
            edits.append(Edit(len(before) - 1, len(before), ""))
    return edits


def _last_of_its_block(text: str, start: int, end: int) -> bool:
    """Whether the YAML lines ``text[start:end]`` are all their block holds: no line of
    the same indentation before them (after their parent) or after them."""
    indent = _indent(text[start:end])
    before = [line for line in text[:start].splitlines() if _content(line)]
    after = [line for line in text[end:].splitlines() if _content(line)]
    sibling_before = bool(before) and _indent(before[-1]) == indent
    sibling_after = bool(after) and _indent(after[0]) == indent
    return not (sibling_before or sibling_after)


def _content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


# The comment marker of each format that has comments (JSON has none).
_COMMENT = {"dotenv": "#", "ini": "#", "yaml": "#", "toml": "#"}


def commented_out(kind: str, text: str, found: Removal, note: str) -> tuple[Edit, ...] | None:
    """Edits that comment out the lines of ``found`` (the value stays in the file, the key
    is no longer set), each setting under a comment line holding ``note``; None for a
    format without comments."""
    marker = _COMMENT.get(kind)
    if marker is None:
        return None
    starts = [0, *(m.end() for m in _LINE_END.finditer(text))]
    edits: list[Edit] = []
    previous = None
    for line in sorted(set(found.lines)):
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(text)
        at = start + _indent(text[start:end])
        inserted = f"{marker} "
        if previous is None or line != previous + 1:  # the first line of a setting
            inserted = f"{marker} {note}\n{text[start:at]}{inserted}"
        edits.append(Edit(at, at, inserted))
        previous = line
    return tuple(edits)
