"""Counting words the reports share: ``2 files``, ``10 errors, 5 warnings``, counts per
rule."""

from __future__ import annotations

from collections import Counter

from ..findings import Finding, RunResult
from ..records import plain


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


SEVERITY_NAMES = {"error": ("error", "errors"), "warning": ("warning", "warnings")}


def severity_counts(findings: list[Finding]) -> str:
    """``10 errors, 5 warnings, 1 info``, most severe first."""
    counts = Counter(f.severity.value for f in findings)
    parts = []
    for severity in ("error", "warning", "info"):
        if counts[severity]:
            singular, many = SEVERITY_NAMES.get(severity, (severity, severity))
            parts.append(plural(counts[severity], singular, many))
    return ", ".join(parts)


@plain
class RuleCount:
    """A rule's number of findings and of fixable ones (``--statistics``)."""

    rule: str
    name: str
    count: int
    fixable: int


def statistics(findings: list[Finding]) -> list[RuleCount]:
    """Counts per rule, most frequent first."""
    counts = Counter(f.rule for f in findings)
    names = {f.rule: f.name for f in findings}
    fixable = Counter(f.rule for f in findings if f.fixable)
    return [
        RuleCount(rule, names[rule], count, fixable[rule])
        for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def set_aside(run: RunResult) -> str:
    """What a check summary says after the findings: those suppressed by comments or
    known from a baseline, and the files not checked (each sentence after a space)."""
    text = ""
    if run.suppressed:
        text += f" {len(run.suppressed)} suppressed by comments."
    if run.baselined:
        text += f" {len(run.baselined)} known from the baseline."
    if run.errors:
        files = len({error.path for error in run.errors})
        text += f" {plural(files, 'file')} could not be checked."
    return text


def below_fail_on(passing: int) -> str:
    """The sentence on findings that ``fail-on`` lets pass."""
    verb = "does" if passing == 1 else "do"
    return f"{passing} below fail-on {verb} not fail the run."
