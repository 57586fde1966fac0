"""Writing generated code the way the project writes its own: quotes and indentation.

A module a fix adds is written from a template in the style of Black and Ruff (double
quotes, four spaces). A project whose code prefers single quotes, or indents with
tabs or two spaces, gets the module in that style, so its formatter and its reviewers
see nothing foreign.
"""

from __future__ import annotations

import io
import re
import tokenize

from ..records import record
from ..text import LineIndex

_LEADING_SPACES = re.compile(r"^(?: {4})+", re.MULTILINE)
_STRING_PREFIX = re.compile(r"^[A-Za-z]*")


@record
class Style:
    quote: str = '"'
    indent: str = "    "


def style_of(code: str) -> Style:
    """The quote most of the module's one-line strings use, and its indentation unit."""
    counts = {'"': 0, "'": 0}
    indents: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING:
                body = token.string[len(_STRING_PREFIX.match(token.string)[0]) :]  # type: ignore[index]
                if body[:3] not in ('"""', "'''"):
                    counts[body[0]] += 1
            elif token.type == tokenize.INDENT and len(indents) < 20:
                indents.append(token.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return Style()
    quote = "'" if counts["'"] > counts['"'] else '"'
    unit = min(indents, key=len) if indents else "    "
    if not unit.strip(" ") == "" and not unit.strip("\t") == "":
        unit = "    "  # mixed: keep the default
    return Style(quote, unit)


def restyle(source: str, style: Style) -> str:
    """``source`` (double quotes, four-space indents) in ``style``."""
    if style.quote == "'":
        source = _single_quotes(source)
    if style.indent != "    ":
        source = _LEADING_SPACES.sub(lambda m: style.indent * (len(m.group(0)) // 4), source)
    return source


def _single_quotes(source: str) -> str:
    """One-line double-quoted strings without a quote inside (plain or escaped) become
    single-quoted; docstrings and the rest stay as they are."""
    lines = LineIndex(source)
    spans: list[tuple[int, int]] = []
    opened: tuple[int, int] | None = None
    for token in tokenize.generate_tokens(io.StringIO(source, newline="").readline):
        start = lines.line_start(token.start[0]) + token.start[1]
        end = lines.line_start(token.end[0]) + token.end[1]
        name = tokenize.tok_name[token.type]
        if token.type == tokenize.STRING:
            spans.append((start, end))
        elif name == "FSTRING_START":  # Python 3.12+: f-strings come in pieces
            opened = (start, end)
        elif name == "FSTRING_END" and opened is not None:
            spans.append((opened[0], end))
            opened = None
    for start, end in reversed(spans):
        text = source[start:end]
        prefix = _STRING_PREFIX.match(text)[0]  # type: ignore[index]
        body = text[len(prefix) :]
        inner = body[1:-1]
        if body[:3] == '"""' or not body.startswith('"') or "'" in inner or '\\"' in inner:
            continue
        source = source[:start] + prefix + "'" + inner + "'" + source[end:]
    return source
