"""F-strings of Python 3.12 (PEP 701) read on an older Python, every position kept.

Since 3.12 an f-string may reuse its own quotes inside a replacement field
(``f"to {cfg["host"]}"``), hold backslashes and comments there, and break a
single-quoted f-string's field over lines. Python 3.11's parser refuses all of these,
so the statement around one would go unchecked. :func:`older_fstrings` rewrites each
such field into text of the same length and lines that 3.11 parses: its inner strings
switched to the other quote when that is all it takes (the value is kept), else its
expression made a placeholder name (the f-string keeps its literal parts, the field's
value is unknown). A single-quoted f-string whose field spans lines becomes a
parenthesised placeholder as a whole. Everything else stays as it is, character for
character.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

_QUOTES = ("'''", '"""', "'", '"')
_PREFIX_LETTERS = frozenset("rbufRBUF")
_OPEN = "([{"
_CLOSE = ")]}"


def older_fstrings(source: str) -> str:
    """``source`` with every f-string only Python 3.12 can read rewritten for this
    Python; unchanged on 3.12 and later, or when it holds none."""
    if sys.version_info >= (3, 12) or "{" not in source:
        return source
    edits: list[tuple[int, int, str]] = []
    for found in _fstrings(source):
        edits.extend(found.edits(source))
    if not edits:
        return source
    pieces: list[str] = []
    at = 0
    for start, end, text in sorted(edits):
        pieces += [source[at:start], text]
        at = end
    pieces.append(source[at:])
    return "".join(pieces)


@dataclass(eq=False, repr=False)
class _Field:
    """A replacement field's expression and what in it needs 3.12."""

    start: int
    end: int = 0
    newer: bool = False
    # Inner strings that reuse the f-string's quote, as (opening quote, after closing
    # quote); they may switch to the other quote unless ``switchable`` is off.
    reused: list[tuple[int, int]] = field(default_factory=list)
    switchable: bool = True


@dataclass(eq=False, repr=False)
class _FString:
    """An f-string of the source, with the replacement fields that need rewriting for 3.11."""

    start: int
    quote: str
    end: int = 0
    fields: list[_Field] = field(default_factory=list)
    broken_line: bool = False  # a single-quoted f-string whose field spans lines

    def edits(self, source: str) -> Iterator[tuple[int, int, str]]:
        if self.broken_line:
            yield self.start, self.end, _parenthesised(source[self.start : self.end])
            return
        other = "'" if self.quote[0] == '"' else '"'
        for part in self.fields:
            if not part.newer:
                continue
            if part.switchable:
                for start, end in part.reused:
                    yield start, start + 1, other
                    yield end - 1, end, other
            else:
                yield part.start, part.end, _placeholder(source[part.start : part.end])


def _placeholder(expression: str) -> str:
    """A name where the expression's first visible character was, blanks elsewhere, line
    breaks kept (the f-string is triple-quoted when the expression spans lines)."""
    first = next((i for i, c in enumerate(expression) if c not in "\r\n"), 0)
    blanks = "".join(c if c in "\r\n" else " " for c in expression)
    end = expression.find("\n", first)
    end = len(expression) if end < 0 else end
    return blanks[:first] + "_" * (end - first) + blanks[end:]


def _parenthesised(text: str) -> str:
    """``(____`` then the same line breaks, inside the parentheses, then ``)``."""
    first = text.split("\n", 1)[0]
    body = (
        "("
        + "_" * (len(first) - 1)
        + "".join(c if c in "\r\n" else " " for c in text[len(first) :])
    )
    return body[:-1] + ")"


def _fstrings(source: str) -> Iterator[_FString]:
    """The top-level f-strings of ``source`` with what 3.12 syntax they use; stops at
    anything it cannot follow (the rest is left to the parser)."""
    at = 0
    length = len(source)
    while at < length:
        char = source[at]
        if char == "#":
            end = source.find("\n", at)
            at = length if end < 0 else end
        elif char in "'\"" or (char in _PREFIX_LETTERS and _starts_string(source, at)):
            prefix_end = at
            while source[prefix_end] in _PREFIX_LETTERS:
                prefix_end += 1
            prefix = source[at:prefix_end].lower()
            quote = _quote_at(source, prefix_end)
            if "f" in prefix:
                found = _FString(at, quote)
                end = _fstring_end(source, prefix_end + len(quote), "r" in prefix, found)
                if end is None:
                    return
                found.end = end
                yield found
            else:
                end = _string_end(source, prefix_end + len(quote), quote)
                if end is None:
                    return
            at = end
        elif char.isalnum() or char == "_":
            while at < length and (source[at].isalnum() or source[at] == "_"):
                at += 1
        else:
            at += 1


def _starts_string(source: str, at: int) -> bool:
    """A string prefix (``f``, ``rb``, ...) starts at ``at``: one or two prefix letters,
    not the end of a longer name, then a quote."""
    if at > 0 and (source[at - 1].isalnum() or source[at - 1] == "_"):
        return False
    end = at
    while end < len(source) and end - at < 3 and source[end] in _PREFIX_LETTERS:
        end += 1
    return 0 < end - at <= 2 and end < len(source) and source[end] in "'\""


def _quote_at(source: str, at: int) -> str:
    return next(q for q in _QUOTES if source.startswith(q, at))


def _string_end(source: str, at: int, quote: str) -> int | None:
    """The offset after a plain string's closing quote (escapes skipped)."""
    while at < len(source):
        char = source[at]
        if char == "\\":
            at += 2
            continue
        if source.startswith(quote, at):
            return at + len(quote)
        if char == "\n" and len(quote) == 1:
            return None
        at += 1
    return None


def _fstring_end(source: str, at: int, raw: bool, found: _FString) -> int | None:
    """The offset after an f-string's closing quote; ``found`` learns its fields."""
    quote = found.quote
    while at < len(source):
        char = source[at]
        if char == "\\" and not raw:
            at += 2
            continue
        if source.startswith(quote, at):
            return at + len(quote)
        if char == "\n" and len(quote) == 1:
            return None
        if source.startswith("{{", at):
            at += 2
            continue
        if char == "{":
            part = _Field(at + 1)
            found.fields.append(part)
            end = _field_end(source, part, found)
            if end is None:
                return None
            at = end
            continue
        at += 1
    return None


def _field_end(source: str, part: _Field, found: _FString) -> int | None:
    """The offset after a replacement field's ``}``: its expression (whose end ``part``
    records), conversion and format spec (whose own fields are fields too)."""
    depth = 0
    at = part.start
    quote = found.quote
    while at < len(source):
        char = source[at]
        if char in "'\"" or (char in _PREFIX_LETTERS and _starts_string(source, at)):
            end = _inner_string(source, at, part, quote)
            if end is None:
                return None
            at = end
            continue
        if char in "\\#" or (char == "\n" and len(quote) == 1):
            # 3.11 takes neither a backslash nor a comment in a field, nor a line break
            # in a single-quoted f-string.
            part.newer = True
            part.switchable = False
            found.broken_line = found.broken_line or (char == "\n" and len(quote) == 1)
            if char == "#":
                newline = source.find("\n", at)
                if newline < 0:
                    return None
                at = newline
                continue
        elif char in _OPEN:
            depth += 1
        elif char in _CLOSE and depth:
            depth -= 1
        elif not depth and (char in "}:" or (char == "!" and source[at + 1 : at + 2] != "=")):
            part.end = at
            return _rest_of_field(source, at, found)
        at += 1
    return None


def _rest_of_field(source: str, at: int, found: _FString) -> int | None:
    """From a field's ``!``, ``:`` or ``}`` to after its closing ``}``."""
    while at < len(source):
        char = source[at]
        if source.startswith(found.quote, at):
            return None  # the f-string ends inside its field: not one we follow
        if char == "{":
            inner = _Field(at + 1)
            found.fields.append(inner)
            end = _field_end(source, inner, found)
            if end is None:
                return None
            at = end
            continue
        if char == "}":
            return at + 1
        at += 1
    return None


def _inner_string(source: str, at: int, part: _Field, quote: str) -> int | None:
    """The offset after a string inside a replacement field. One that reuses the outer
    quote needs 3.12, and can switch to the other quote when it is a plain one-quote
    string that holds neither that quote nor a backslash."""
    start = at
    while source[at] in _PREFIX_LETTERS:
        at += 1
    prefix = source[start:at].lower()
    inner = _quote_at(source, at)
    body_start = at + len(inner)
    if "f" in prefix:
        nested = _FString(start, inner)
        end = _fstring_end(source, body_start, "r" in prefix, nested)
        if end is not None and (nested.broken_line or any(f.newer for f in nested.fields)):
            part.newer = True
            part.switchable = False
    else:
        end = _string_end(source, body_start, inner)
    if end is None:
        return None
    body = source[body_start : end - len(inner)]
    if inner == quote:
        part.newer = True
        other = "'" if quote == '"' else '"'
        if "f" in prefix or len(inner) != 1 or "\\" in body or other in body:
            part.switchable = False
        else:
            part.reused.append((at, end))
    elif "\\" in body:
        part.newer = True
        part.switchable = False
    return end
