"""Positions in a parsed module: LibCST ranges to model spans, and statement anchors."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange

from ..model import Span


@dataclass(frozen=True)
class Anchor:
    """A place where whole statements can be inserted: the start of a line, and its indent."""

    offset: int
    indent: str


class SourceText:
    """The module's text with a line table, to turn (line, column) into offsets."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.line_starts = [0]
        for index, char in enumerate(code):
            if char == "\n":
                self.line_starts.append(index + 1)

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column

    def span(self, code_range: CodeRange) -> Span:
        start, end = code_range.start, code_range.end
        return Span(
            line=start.line,
            column=start.column + 1,
            end_line=end.line,
            end_column=end.column + 1,
            start=self.offset(start.line, start.column),
            end=self.offset(end.line, end.column),
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


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None
