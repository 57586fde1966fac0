"""Verifying a round of fixes: the file is analysed again, and the round is kept only if
every finding its fixes were meant to remove is gone and no rule reports more than before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..engine import FileResult, matches
from ..findings import Finding


def reported(findings: list[Finding], ignored: Sequence[str]) -> list[Finding]:
    """What check would report: suppressed findings and per-file ignores left out."""
    return [f for f in findings if not f.suppressed and not matches(f.rule, ignored)]


def verdict(
    before: FileResult, after: FileResult, chosen: list[Finding], ignored: Sequence[str]
) -> str | None:
    """None when the fixes removed what they were meant to and added nothing; else why
    they are not kept."""
    if after.errors:
        return "the fixed file would not parse"
    old = Counter(f.rule for f in reported(before.findings, ignored))
    new = Counter(f.rule for f in reported(after.findings, ignored))
    meant = Counter(f.rule for f in chosen)
    for rule in sorted(set(new) | set(meant)):
        if new[rule] > old[rule] - meant[rule]:
            added = [f for f in reported(after.findings, ignored) if f.rule == rule]
            what = added[-1].message if added else rule
            if rule in meant and new[rule] >= old[rule]:
                return f"the fix would leave it in place ({rule}: {what})"
            return f"the fix would add {rule}: {what}"
    return None
