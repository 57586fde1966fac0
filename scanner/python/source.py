"""Positions in a parsed module: ``ast`` positions to model spans, and statement anchors.

``ast`` counts lines the way Python's tokenizer does (``\\n``, ``\\r\\n`` and a lone
``\\r`` end a line; form feeds and Unicode line separators do not) and columns in UTF-8
bytes. The model counts columns and offsets in characters of the decoded text, so
each line's byte columns are converted once, and only for lines that are not ASCII.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

from ..model import Span

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Anchor:
    """A place where whole statements can be inserted: the start of a line, and its indent."""

    offset: int
    indent: str


class SourceText:
    """The module's text with a line table, to turn ``ast`` positions into offsets."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.line_starts = [0] + [m.end() for m in _LINE_END.finditer(code)]
        self._ascii = code.isascii()
        self._encoded: dict[int, bytes | None] = {}  # None: the line is ASCII

    def offset(self, line: int, byte_column: int) -> int:
        """The character offset of a 1-based line and a UTF-8 byte column."""
        start = self.line_starts[line - 1]
        if self._ascii:
            return start + byte_column
        if line in self._encoded:
            encoded = self._encoded[line]
        else:
            end = self.line_starts[line] if line < len(self.line_starts) else len(self.code)
            text = self.code[start:end]
            encoded = None if text.isascii() else text.encode("utf-8", "surrogatepass")
            self._encoded[line] = encoded
        if encoded is None:
            return start + byte_column
        return start + len(encoded[:byte_column].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> Span:
        line: int = node.lineno  # type: ignore[attr-defined]
        end_line: int = node.end_lineno or line  # type: ignore[attr-defined]
        start = self.offset(line, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(end_line, node.end_col_offset)  # type: ignore[attr-defined]
        return Span(
            line=line,
            column=start - self.line_starts[line - 1] + 1,
            end_line=end_line,
            end_column=end - self.line_starts[end_line - 1] + 1,
            start=start,
            end=end,
        )

    def span_of(self, start: int, end: int) -> Span:
        line = self.line_of(start)
        end_line = self.line_of(end)
        return Span(
            line=line,
            column=start - self.line_starts[line - 1] + 1,
            end_line=end_line,
            end_column=end - self.line_starts[end_line - 1] + 1,
            start=start,
            end=end,
        )

    def text(self, span: Span) -> str:
        return self.code[span.start : span.end]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def line_start(self, line: int) -> int:
        return self.line_starts[line - 1]

    def next_line_start(self, line: int) -> int | None:
        return self.line_starts[line] if line < len(self.line_starts) else None

    def indent_of_line(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = start
        while end < len(self.code) and self.code[end] in " \t":
            end += 1
        return self.code[start:end]


def dotted_name(node: ast.AST | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
