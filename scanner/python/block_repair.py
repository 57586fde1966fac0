"""A top-level statement the parser refuses, kept but for the lines it refuses.

When a syntax error sits inside a block (a ``with``, ``for``, ``if`` or ``def`` body),
leaving the whole top-level statement out would hide the good lines around it: the
login in a ``with`` block's first lines when a later ``print`` holds a broken f-string.
:func:`statement_without_bad_lines` replaces only the logical line the parser stops at
with ``pass`` at its indentation (a broken block header with its block), and parses
again, a bounded number of times. Each line keeps its length and line end, so every
position stays the file's. Nothing is made up: a refused line is gone, never read.
"""

from __future__ import annotations

import ast
import re
import warnings

from ..lazy_regex import lazy_pattern

# Lines replaced in one top-level statement before it is left out as a whole.
_MAX_LINE_REPAIRS = 8
# Comments, strings (triple-quoted first; a backslash escapes in every kind) and brackets.
STRING_OR_BRACKET = lazy_pattern(
    r"#[^\r\n]*"
    r'|"""(?:\\.|[^\\])*?"""'
    r"|'''(?:\\.|[^\\])*?'''"
    r'|"(?:\\.|[^"\\\r\n])*"'
    r"|'(?:\\.|[^'\\\r\n])*'"
    r"|[()\[\]{}]",
    re.DOTALL,
)
_LINE_END_KEPT = lazy_pattern(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_VISIBLE = lazy_pattern(r"[^\r\n]")
# Errors the parser reports on the line after the statement that is wrong.
INCOMPLETE = lazy_pattern(r"expected an indented block|expected 'except' or 'finally'")


def statement_without_bad_lines(
    statement: str, first_line: int
) -> tuple[str, list[tuple[SyntaxError, int, int]]] | None:
    """``statement`` (a top-level statement starting on the file's ``first_line``) with
    the indented logical lines the parser refuses replaced by ``pass``, and for each the
    parser's error and the file's lines replaced; None when the statement does not parse
    that way (its first line is wrong, or too many are)."""
    lines = [line for line in _LINE_END_KEPT.findall(statement) if line]
    continued = _continuation_lines(statement, lines)
    replaced: list[tuple[SyntaxError, int, int]] = []
    for _ in range(_MAX_LINE_REPAIRS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escape sequences and the like
                ast.parse("\n" * (first_line - 1) + "".join(lines))
            return "".join(lines), replaced
        except SyntaxError as error:
            line = error.lineno or 0
            index = line - first_line
            if index <= 0 or index >= len(lines) or INCOMPLETE.search(error.msg or ""):
                return None
            if any(top <= line <= bottom for _, top, bottom in replaced):
                return None  # replacing it did not help
            span = _logical_line(lines, continued, index)
            if span is None or not _replace_with_pass(lines, *span):
                return None
            replaced.append((error, first_line + span[0], first_line + span[1]))
        except (ValueError, RecursionError, MemoryError):
            return None
    return None


def multiline_spans(text: str) -> tuple[list[tuple[int, int]], int | None]:
    """The spans of top-level brackets and of strings that cross a line end, in order, and
    where a top-level bracket that is never closed opens (None when all are closed)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    for match in STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "([{":
            if depth == 0:
                opened = match.start()
            depth += 1
        elif token in ")]}":
            if depth == 1:
                spans.append((opened, match.end()))
            depth = max(depth - 1, 0)
        elif depth == 0 and token[0] != "#" and ("\n" in token or "\r" in token):
            spans.append((match.start(), match.end()))
    return spans, (opened if depth else None)


def _continuation_lines(statement: str, lines: list[str]) -> list[bool]:
    """For each line, whether it starts inside brackets, a string or after a backslash."""
    inside, unclosed = multiline_spans(statement)
    if unclosed is not None:  # a bracket never closed: the rest of the statement is inside it
        inside.append((unclosed, len(statement)))
    continued: list[bool] = []
    offset = 0
    previous = ""
    for line in lines:
        in_span = any(start < offset < end for start, end in inside)
        continued.append(in_span or previous.rstrip("\r\n").endswith("\\"))
        offset += len(line)
        previous = line
    return continued


def _logical_line(lines: list[str], continued: list[bool], index: int) -> tuple[int, int] | None:
    """The first and last index of the logical line at ``index``, with the block it opens
    (a header ending in ``:`` and the lines indented under it); None when it starts the
    statement."""
    first = index
    while first > 0 and continued[first]:
        first -= 1
    last = index
    while last + 1 < len(lines) and continued[last + 1]:
        last += 1
    if first == 0:
        return None
    while last > index and not lines[last].strip():
        last -= 1  # an unclosed bracket runs to the statement's end, blank lines and all
    indent = _indentation(lines[first])
    if _code(lines[last]).endswith(":"):
        following = last + 1
        while following < len(lines) and (
            continued[following]
            or not _code(lines[following])
            or _indentation(lines[following]) > indent
        ):
            following += 1
        last = following - 1
        while last > index and not _code(lines[last]):
            last -= 1  # blank lines and comments after the block stay
    return first, last


def _replace_with_pass(lines: list[str], first: int, last: int) -> bool:
    """Lines ``first`` to ``last`` blanked, ``pass`` at the first one's indentation;
    False when that line is too short to hold it."""
    head = lines[first]
    indent = _indentation(head)
    body = head.rstrip("\r\n")
    if len(body) < indent + len("pass"):
        return False
    lines[first] = head[:indent] + "pass" + _VISIBLE.sub(" ", head[indent + len("pass") :])
    for index in range(first + 1, last + 1):
        lines[index] = _VISIBLE.sub(" ", lines[index])
    return True


def _indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _code(line: str) -> str:
    """A line without its comment and surrounding space (a ``#`` in a string cuts it
    too early, which only makes a header look like no header)."""
    return line.split("#", 1)[0].strip()
