"""Python 2 modules at full depth: translated to Python 3 syntax, positions mapped back.

Old mail scripts are often Python 2 (``print "sent"``, ``except SMTPException, e``).
fissix (the maintained fork of lib2to3) rewrites only the syntax that Python 3 refuses,
with a fixed set of fixers that keep every statement on its line: print and exec
statements, ``except X, e``, ``raise E, V``, backticks, ``<>``, old number and string
literals. The translation is parsed and analysed like any module; :class:`LineMap` then
takes every position back to the original text, column by column, so findings, code
frames and the masking of secrets point at what the file says.

The analysis of a translation is marked inferred (low confidence) and carries no
remedies: ``fix`` writes Python 3 code and must not touch a Python 2 file. Without
fissix installed, Python 2 files get the token-level scan (:mod:`.fallback`).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Any

from ..errors import ParseError
from ..lazy_regex import lazy_pattern
from ..model import MailFile, Span, Step
from ..records import is_record, record
from ..text import LineIndex

# Fixers of syntax only, each of which keeps the line structure.
_FIXERS = (
    "except",
    "exec",
    "ne",
    "numliterals",
    "print",
    "raise",
    "repr",
    "unicode",
)
_LINE = lazy_pattern(r"[^\n]*\n|[^\n]+")
_INDENT = lazy_pattern(r"^[ \t]+", re.MULTILINE)


def translate(text: str) -> str | None:
    """``text`` in Python 3 syntax with the same lines, or None if fissix is missing,
    cannot read it, or the lines moved."""
    try:
        # start-up, and optional: fissix only for a file that reads as Python 2.
        from fissix.refactor import RefactoringTool
    except ImportError:
        return None
    # Python 2 counted a tab as up to the next multiple of eight; Python 3 refuses a
    # mix of tabs and spaces.
    source = _INDENT.sub(lambda m: m.group(0).expandtabs(8), text.replace("\r\n", "\n"))
    if not source.endswith("\n"):
        source += "\n"
    tool = RefactoringTool([f"fissix.fixes.fix_{name}" for name in _FIXERS])
    try:
        translated = str(tool.refactor_string(source, "<python2>"))
    except Exception:  # fissix raises its own parse errors and more on odd input
        return None
    if translated.count("\n") != source.count("\n"):
        return None
    return translated


@record(eq=False, repr=False)
class Translation:
    """How a Python 2 module was read: the map of positions, and its Python 3 syntax
    error, still reported."""

    lines: LineMap
    error: ParseError


class LineMap:
    """Positions in a translation, taken back to the original text (same lines)."""

    def __init__(self, original: str, translated: str) -> None:
        self.original = original
        self.index = LineIndex(original)
        self.old_lines = [line.rstrip("\r\n") for line in _LINE.findall(original)]
        self.new_lines = [line.rstrip("\n") for line in _LINE.findall(translated)]
        self._columns: dict[int, list[tuple[int, int]]] = {}

    def column(self, line: int, column: int) -> int:
        """The 1-based column of the original line for a 1-based column of the translation."""
        anchors = self._anchors(line)
        if not anchors:
            return column
        at = column - 1
        index = bisect.bisect_right([new for new, _ in anchors], at) - 1
        if index < 0:
            return column
        new, old = anchors[index]
        old_line = self.old_lines[line - 1] if line - 1 < len(self.old_lines) else ""
        return min(old + (at - new), len(old_line)) + 1

    def _anchors(self, line: int) -> list[tuple[int, int]]:
        """(new column, old column) where runs of equal text start on a line."""
        if line in self._columns:
            return self._columns[line]
        old = self.old_lines[line - 1] if 0 < line <= len(self.old_lines) else ""
        new = self.new_lines[line - 1] if 0 < line <= len(self.new_lines) else ""
        anchors: list[tuple[int, int]] = []
        if old != new:
            import difflib  # start-up: only for a module written in Python 2 (about 0.7 ms)

            matcher = difflib.SequenceMatcher(None, new, old, autojunk=False)
            for tag, new_start, _, old_start, old_end in matcher.get_opcodes():
                # Inserted text (a parenthesis fissix added) maps to where it was added.
                anchors.append((new_start, old_start if tag != "delete" else old_end))
        self._columns[line] = anchors
        return anchors

    def offset(self, line: int, column: int) -> int:
        start = self.index.line_start(line)
        return min(start + column - 1, len(self.original))

    def span(self, span: Span) -> Span:
        column = self.column(span.line, span.column)
        end_column = self.column(span.end_line, span.end_column)
        return Span(
            span.line,
            column,
            span.end_line,
            end_column,
            self.offset(span.line, column),
            self.offset(span.end_line, end_column),
        )


def map_back(mail: MailFile, lines: LineMap) -> None:
    """Every position of ``mail`` in the original text; connections and token requests
    inferred, no remedies."""
    for conn in mail.connections:
        conn.inferred = True
        conn.remedies = {}
        for step in conn.steps:
            _drop_edits(step)
    for request in mail.token_requests:
        request.inferred = True
    for name in ("connections", "secrets", "token_requests", "ews", "hidden"):
        setattr(mail, name, [_remap(item, lines, {}) for item in getattr(mail, name)])


def _drop_edits(step: Step) -> None:
    step.remedies = {}
    step.text = None
    step.removal = None


def _remap(item: Any, lines: LineMap, done: dict[int, Any]) -> Any:
    """``item`` with its spans mapped, shared objects mapped once (a step on two paths)."""
    if isinstance(item, Span):
        return lines.span(item)
    if id(item) in done:
        return done[id(item)]
    if isinstance(item, (list, tuple)):
        mapped: Any = type(item)(_remap(element, lines, done) for element in item)
    elif isinstance(item, dict):
        mapped = {key: _remap(value, lines, done) for key, value in item.items()}
    elif dataclasses.is_dataclass(item) and not isinstance(item, type):
        fields = [field.name for field in dataclasses.fields(item)]
        if not is_record(type(item)):
            done[id(item)] = item  # mapped in place, once
            for name in fields:
                setattr(item, name, _remap(getattr(item, name), lines, done))
            return item
        changes = {name: _remap(getattr(item, name), lines, done) for name in fields}
        mapped = dataclasses.replace(item, **changes)
    else:
        return item
    done[id(item)] = mapped
    return mapped
