"""A password the OAuth2 rewrite takes out of a Python file git has no copy of is kept.

The rewrite replaces ``server.login(user, "the password")`` or ``EMAIL_HOST_PASSWORD =
"..."``; the literal goes. Where the last commit has the line, git gives it back. Where
it does not (an ignored ``local_settings.py``, a folder without git, a line changed
since the commit), the fixed file keeps it in a comment above the code that replaced it,
with the date and why; it is never written to another file. (Config files: see
:func:`~.across._taking_out`.)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from ..text import LineIndex, first_newline, lines_with_ends, source_lines
from .outcome import FileFix
from .recoverable import in_last_commit
from .spans import Changes, unterminated_last


def keep_only_copies(files: Iterable[tuple[Path, FileFix]]) -> None:
    """In each changed Python file (its path and fix), the literal secrets its fixes
    removed, where git has no copy of them, as comments."""
    for path, fixed in files:
        changes, before, after = fixed.changes, fixed.before, fixed.after
        if not fixed.changed or changes is None:
            continue
        lost = sorted(s for s in fixed.secrets if s in before and s not in after)
        if not lost:
            continue
        lines = LineIndex(before)
        where = {literal: lines.line_of(before.index(literal)) for literal in lost}
        if in_last_commit(path, [lines.line(n) for n in where.values()]):
            continue
        kept, written = _with_comments(before, after, changes, where)
        fixed.changes = changes.step(after, kept, unterminated_last(after, "a kept password"))
        fixed.after = kept
        # A literal of several lines is kept as comment lines: masked as that, too.
        fixed.secrets.update(written)
        fixed.notes.append(
            "git has no copy of this file: "
            + (
                "the passwords the fix replaced stay"
                if len(lost) > 1
                else "the password the fix replaced stays"
            )
            + " in a comment above the new code; delete it once it is not needed"
        )


def _with_comments(
    before: str, after: str, changes: Changes, where: dict[str, int]
) -> tuple[str, list[str]]:
    """``after`` with comment lines holding each literal above the code that replaced the
    line it was on (after the last line kept from before it), and each literal as the
    comment lines write it."""
    today = datetime.date.today().isoformat()
    newline = first_newline(after)
    old, new = lines_with_ends(before), lines_with_ends(after)
    inserts: dict[int, list[str]] = {}
    written: list[str] = []
    for literal, line in sorted(where.items(), key=lambda item: item[1]):
        at = 0
        for index, origin in enumerate(changes.origin):
            if origin is not None and origin < line:
                at = index + 1
        original = old[line - 1]
        indent = original[: len(original) - len(original.lstrip(" \t"))]
        note = f"{indent}# authsweep fix, {today}: the password of the login replaced below "
        note += "(git has no copy of this file; delete this once it is not needed):"
        prefix = f"{indent}#   "
        parts = source_lines(literal)
        inserts.setdefault(at, []).extend([note, *(prefix + part for part in parts)])
        written.append((newline + prefix).join(parts))
    pieces: list[str] = []
    for index in range(len(new) + 1):
        for comment in inserts.get(index, ()):
            if pieces and not pieces[-1].endswith(("\n", "\r")):
                pieces[-1] += newline
            pieces.append(comment + newline)
        if index < len(new):
            pieces.append(new[index])
    return "".join(pieces), written
