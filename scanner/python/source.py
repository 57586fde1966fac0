"""Positions in a parsed module: ``ast`` positions to model spans, and statement anchors.

``ast`` counts lines the way Python's tokenizer does (``\\n``, ``\\r\\n`` and a lone
``\\r`` end a line; form feeds and Unicode line separators do not) and columns in UTF-8
bytes. The model counts columns and offsets in characters of the decoded text, so
each line's byte columns are converted once, and only for lines that are not ASCII.
"""

from __future__ import annotations

import ast

from ..model import Span
from ..records import plain
from ..text import LineIndex


@plain
class Anchor:
    """A place where whole statements can be inserted: the start of a line, and its indent."""

    offset: int
    indent: str


class SourceText:
    """The module's text with a line table, to turn ``ast`` positions into offsets."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.index = LineIndex(code)
        self.line_starts = self.index.starts
        # A node's span is asked for again and again (sort keys, reaching bindings,
        # sites): computed once per node.
        self._spans: dict[ast.AST, Span] = {}

    def offset(self, line: int, byte_column: int) -> int:
        """The character offset of a 1-based line and a UTF-8 byte column."""
        return self.index.offset(line, byte_column)

    def span_of(self, start: int, end: int) -> Span:
        return self.index.span(start, end)

    def line_of(self, offset: int) -> int:
        return self.index.line_of(offset)

    def span(self, node: ast.AST) -> Span:
        known = self._spans.get(node)
        if known is not None:
            return known
        line: int = node.lineno  # type: ignore[attr-defined]
        end_line: int = node.end_lineno or line  # type: ignore[attr-defined]
        start = self.offset(line, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(end_line, node.end_col_offset)  # type: ignore[attr-defined]
        span = self._spans[node] = Span(
            line=line,
            column=start - self.line_starts[line - 1] + 1,
            end_line=end_line,
            end_column=end - self.line_starts[end_line - 1] + 1,
            start=start,
            end=end,
        )
        return span

    def text(self, span: Span) -> str:
        return self.code[span.start : span.end]

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


def main_guard(statement: ast.AST) -> bool:
    """``if __name__ == "__main__":``: the block a module runs only as a script."""
    return (
        isinstance(statement, ast.If)
        and isinstance(statement.test, ast.Compare)
        and dotted_name(statement.test.left) == "__name__"
    )
