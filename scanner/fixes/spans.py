"""Which lines of a file its fixes change, and the proof that they change no other.

A fix is a chain of steps, each turning a text into the next: the rules' edits, the
imports and helpers the fixed code needs, what :mod:`.tidy` takes out, a config key
commented out. Each step says which lines of its input it may change (an edit's lines,
the import statements, ...); :meth:`Changes.step` lines the two texts up and refuses a
step that changed any other line. What is kept is where each line of the result comes
from in the file as it was read (``origin``), and which lines of that file a fix changed
and why (``spans``): every other line of the file is in the result, byte for byte and in
order. :func:`kept_outside` checks exactly that on the two texts, without trusting how
they were made; nothing is written that fails it.

LibCST never re-renders a file: fixes are text edits. A file whose LibCST round trip
(``parse_module(text).code``) differs from its text is not fixed at all
(:func:`round_trip_problem`), so that no step that parses it with LibCST can lose a byte.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import field

from ..records import record
from ..remedies import Edit
from ..text import LineIndex, lines_with_ends


class OutsideEdits(ValueError):
    """A step changed a line it did not say it would."""


@record
class Changes:
    """Where each line of a fixed text comes from in the file, and the file's lines fixes
    changed (1-based, with why)."""

    origin: tuple[int | None, ...]
    spans: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> Changes:
        """Nothing changed yet."""
        return cls(tuple(range(1, len(lines_with_ends(text)) + 1)))

    def step(self, before: str, after: str, allowed: Mapping[int, str]) -> Changes:
        """The changes once ``before`` (the text these changes lead to) became ``after``,
        where the lines of ``before`` in ``allowed`` (1-based) may have changed; raises
        :class:`OutsideEdits` when another line did."""
        old, new = lines_with_ends(before), lines_with_ends(after)
        if len(old) != len(self.origin):
            raise OutsideEdits("the text is not the one these changes lead to")
        origin: list[int | None] = []
        spans = dict(self.spans)
        for tag, i1, i2, j1, j2 in _opcodes(old, new):
            if tag == "equal":
                origin.extend(self.origin[i1:i2])
                continue
            for index in range(i1, i2):
                why = allowed.get(index + 1)
                if why is None:
                    line = self.origin[index]
                    where = f"line {line}" if line is not None else "a line it added"
                    raise OutsideEdits(f"it would change {where}, outside its edits")
                line = self.origin[index]
                if line is not None:
                    spans.setdefault(line, why)
            origin.extend([None] * (j2 - j1))
        return Changes(tuple(origin), spans)

    def then(self, later: Changes) -> Changes:
        """These changes followed by ``later`` (made on the text these lead to)."""
        origin = tuple(self.origin[o - 1] if o is not None else None for o in later.origin)
        spans = dict(self.spans)
        for line, why in later.spans.items():
            first = self.origin[line - 1]
            if first is not None:
                spans.setdefault(first, why)
        return Changes(origin, spans)

    def ranges(self) -> list[tuple[int, int, str]]:
        """The changed lines as (first, last, why) runs."""
        runs: list[tuple[int, int, str]] = []
        for line in sorted(self.spans):
            why = self.spans[line]
            if runs and runs[-1][1] == line - 1 and runs[-1][2] == why:
                runs[-1] = (runs[-1][0], line, why)
            else:
                runs.append((line, line, why))
        return runs


def _opcodes(old: list[str], new: list[str]):
    """difflib's opcodes, with the common start and end taken off first (fixes are local:
    most of a file is one matching run)."""
    start = 0
    while start < len(old) and start < len(new) and old[start] == new[start]:
        start += 1
    end = 0
    while end < len(old) - start and end < len(new) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    if start:
        yield "equal", 0, start, 0, start
    middle = difflib.SequenceMatcher(None, old[start : len(old) - end], new[start : len(new) - end])
    for tag, i1, i2, j1, j2 in middle.get_opcodes():
        yield tag, i1 + start, i2 + start, j1 + start, j2 + start
    if end:
        yield "equal", len(old) - end, len(old), len(new) - end, len(new)


def edit_lines(text: str, edits: Iterable[tuple[Edit, str]]) -> dict[int, str]:
    """The lines of ``text`` (1-based) that edits touch, each with why: from the line an
    edit starts on to the line it ends on (an insertion: the line it is inserted in)."""
    lines = LineIndex(text)
    touched: dict[int, str] = {}
    for edit, why in edits:
        first = _line_at(lines, edit.start)
        last = _line_at(lines, edit.end)
        for line in range(first, last + 1):
            touched.setdefault(line, why)
    return touched


def _line_at(lines: LineIndex, offset: int) -> int:
    return max(1, min(lines.line_of(offset), lines.count))


def unterminated_last(text: str, why: str) -> dict[int, str]:
    """The last line, when it has no line end: text added after it gives it one."""
    lines = lines_with_ends(text)
    if lines and not lines[-1].endswith(("\n", "\r")):
        return {len(lines): why}
    return {}


def kept_outside(before: str, after: str, changes: Changes | None) -> str | None:
    """None when ``after`` holds every line of ``before`` that ``changes`` does not name,
    unchanged and in order, at the places ``changes`` says; else what is wrong."""
    if after == before:
        return None
    if changes is None:
        return "its changes were not recorded"
    old, new = lines_with_ends(before), lines_with_ends(after)
    if len(changes.origin) != len(new):
        return "its changes do not describe the fixed text"
    seen: set[int] = set()
    previous = 0
    for line, origin in zip(new, changes.origin, strict=True):
        if origin is None:
            continue
        if origin <= previous or origin > len(old) or old[origin - 1] != line:
            return f"line {origin} would not be kept as it was"
        seen.add(origin)
        previous = origin
    for number in range(1, len(old) + 1):
        if number not in seen and number not in changes.spans:
            return f"line {number} would be lost, outside its edits"
    return None


def round_trip_problem(text: str) -> str | None:
    """Why LibCST does not give ``text`` back byte for byte, or None when it does."""
    # start-up: module_needs brings configparser (import_style); only a fix's check needs it.
    from .module_needs import NotRewritable, rewritable

    if "\r" in text and "\n" not in text:
        # Old Mac line ends: LibCST drops the last one (never written: fix makes its own
        # line ends); the rest of the file must come back as it is.
        text = text.replace("\r", "\n")
    try:
        rewritable(text)  # before LibCST is even imported: its parser may crash on these
    except NotRewritable as error:
        return str(error)
    except ValueError as error:
        return f"LibCST cannot read it ({error})"
    import libcst  # start-up: LibCST only once a fix is checked

    try:
        code = libcst.parse_module(text).code
    except (libcst.ParserSyntaxError, ValueError, RecursionError) as error:
        return f"LibCST cannot read it ({type(error).__name__})"
    if code == text:
        return None
    old, new = lines_with_ends(text), lines_with_ends(code)
    line = next(
        (n for n, (a, b) in enumerate(zip(old, new, strict=False), start=1) if a != b),
        min(len(old), len(new)) + 1,
    )
    return f"LibCST does not give it back byte for byte (line {line} differs)"
