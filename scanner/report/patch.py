"""``fix --diff``: a unified diff that shows no secret and that ``git apply`` takes.

Secrets are masked in the diff as everywhere (:mod:`authsweep.scanner.secrets`), but a
masked line no longer matches the file, and ``git apply`` refuses a hunk whose context
does not match. So a line that holds a secret is left out of the context: context stops
before it, and two changes with one between them become two hunks. Where a change sits
right before such a line, its hunk ends with no trailing context, which ``patch`` and
``git apply --unidiff-zero`` take (plain ``git apply`` wants trailing context unless a
hunk ends the file). A change of a line that holds a secret shows it masked: no tool can
apply that hunk from the diff. In both cases a line before the file's diff says so
(``git apply`` and ``patch`` skip text between the files of a patch).

Lines end at ``\\n`` only, as git splits them (a form feed or a lone ``\\r`` stays
inside a line); a last line without one gets the marker git and patch expect.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..secrets import mask_text, mask_url_credentials

CONTEXT = 3
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


def lines(text: str) -> list[str]:
    return _LINE.findall(text)


def masked(text: str, secrets: set[str]) -> str:
    return mask_url_credentials(mask_text(text, secrets))


@dataclass
class _Hunk:
    old_start: int
    new_start: int
    body: list[tuple[str, str]] = field(default_factory=list)  # (" "|"-"|"+", line)
    old_count: int = 0
    new_count: int = 0

    def add(self, mark: str, line: str) -> None:
        self.body.append((mark, line))
        self.old_count += mark != "+"
        self.new_count += mark != "-"

    def header(self) -> str:
        old = _range(self.old_start, self.old_count)
        return f"@@ -{old} +{_range(self.new_start, self.new_count)} @@\n"


def _range(start: int, count: int) -> str:
    """A hunk's range as difflib and git write it: 1-based; an empty range names the line
    before it."""
    if count == 1:
        return str(start + 1)
    return f"{start + 1 if count else start},{count}"


def masked_diff(
    path: str, before: str, after: str, secrets: set[str], names: tuple[str, str]
) -> str:
    """The diff of ``path`` from ``before`` to ``after``, its files named ``names`` (``a/``
    and ``b/`` ones), with ``secrets`` (and URL credentials) masked."""
    old, new = lines(before), lines(after)
    old_shown, new_shown = lines(masked(before, secrets)), lines(masked(after, secrets))
    # Masks keep line breaks, so the lines correspond one to one.
    hidden = [shown != line for shown, line in zip(old_shown, old, strict=True)]
    changes = [
        op for op in difflib.SequenceMatcher(None, old, new).get_opcodes() if op[0] != "equal"
    ]
    if not changes:
        return ""
    hunks: list[_Hunk] = []
    changes_secret = unanchored = False
    for index, (_, i1, i2, j1, j2) in enumerate(changes):
        previous_end = changes[index - 1][2] if index else 0
        next_start = changes[index + 1][1] if index + 1 < len(changes) else len(old)
        joined = bool(hunks) and _joins(hidden, previous_end, i1)
        if joined:
            hunk = hunks[-1]
            for i in range(previous_end, i1):  # the lines between, as context
                hunk.add(" ", old_shown[i])
        else:
            lead = _clear(hidden, range(i1 - 1, max(previous_end, i1 - CONTEXT) - 1, -1))
            hunk = _Hunk(i1 - lead, j1 - lead)
            hunks.append(hunk)
            for i in range(i1 - lead, i1):
                hunk.add(" ", old_shown[i])
        for i in range(i1, i2):
            hunk.add("-", old_shown[i])
            changes_secret = changes_secret or hidden[i]
        for j in range(j1, j2):
            hunk.add("+", new_shown[j])
        if index + 1 < len(changes) and _joins(hidden, i2, next_start):
            continue  # the next change goes in this hunk, with the lines between
        trail = _clear(hidden, range(i2, min(next_start, i2 + CONTEXT)))
        for i in range(i2, i2 + trail):
            hunk.add(" ", old_shown[i])
        unanchored = unanchored or (not trail and i2 < len(old))
    if changes_secret:
        note = "changes a line that holds a secret, masked here: `authsweep fix` applies it"
    elif unanchored:
        note = (
            "has a change right before a line that holds a secret, so its hunk ends without "
            "context: apply it with `git apply --unidiff-zero` or `patch`"
        )
    out = [f"authsweep: the diff of {path} {note}.\n"] if changes_secret or unanchored else []
    out += [f"--- {names[0]}\n", f"+++ {names[1]}\n"]
    for hunk in hunks:
        out.append(hunk.header())
        out += [_ended(mark + line) for mark, line in hunk.body]
    return "".join(out)


def _joins(hidden: list[bool], start: int, end: int) -> bool:
    """Whether two changes with the lines ``start:end`` between them share a hunk (as
    difflib joins them): few enough lines between, and none that holds a secret."""
    return end - start <= 2 * CONTEXT and not any(hidden[start:end])


def _clear(hidden: list[bool], indexes: range) -> int:
    """How many of ``indexes``, in their order, come before the first hidden line."""
    count = 0
    for index in indexes:
        if hidden[index]:
            break
        count += 1
    return count


def _ended(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
