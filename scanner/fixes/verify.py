"""Verifying a round of fixes: the file is analysed again, and the round is kept only if
every finding its fixes were meant to remove is gone and no rule reports more than before."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..engine import RunOptions, check_source, matches, selected_rules
from ..findings import FileResult, Finding

# A file's settings and the rules ignored for it.
Configured = tuple[RunOptions, tuple[str, ...]]


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


def edit_verdict(
    display: str, kind: str, before: bytes, after: bytes, settings: Configured
) -> str | None:
    """For an edit of a file made for another file's fix (a linked edit, a config key
    taken out): None when ``after`` parses and no rule reports more than on ``before``;
    else why not, as the end of a sentence."""
    rules = selected_rules(settings[0])
    old = check_source(display, kind, before, rules)
    new = check_source(display, kind, after, rules)
    if new.errors and not old.errors:
        return "which would not parse"
    was = Counter(f.rule for f in reported(old.findings, settings[1]))
    for finding in reported(new.findings, settings[1]):
        was[finding.rule] -= 1
        if was[finding.rule] < 0:
            return f"where {finding.rule} would then report: {finding.message}"
    return None


def reported_after(display: str, kind: str, data: bytes, settings: Configured) -> list[Finding]:
    """What check reports on ``data`` with the file's settings and ignored rules."""
    rules = selected_rules(settings[0])
    return reported(check_source(display, kind, data, rules).findings, settings[1])
