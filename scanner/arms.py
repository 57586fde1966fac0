"""One finding for a problem both arms of a conditional expression share.

``conn = IMAP4_SSL(host, port) if port else IMAP4_SSL(host)`` opens one connection either
way; when both arms get the same finding (no verifying context), that is one problem on
one line, as ``distinct`` already makes a login that runs on either arm one problem. It
is reported once, over the whole expression, and its fix edits both arms.
"""

from __future__ import annotations

import dataclasses
import itertools

from .findings import Finding
from .model import MailFile, Span
from .remedies import Remedy

ARMS_NOTE = " (both arms of the conditional expression)"


def fold_arms(findings: list[Finding], mail: MailFile) -> list[Finding]:
    """``findings`` (of one rule) with those at two or more arms of one conditional
    expression, alike in message and severity, made one finding at the expression."""
    arm_of = {
        (conn.opened_at.start, conn.opened_at.end): conn.arm_of
        for conn in mail.connections
        if conn.arm_of is not None
    }
    if not arm_of:
        return findings
    groups: dict[tuple[int, int, str, str], list[Finding]] = {}
    for finding in findings:
        expression = arm_of.get((finding.span.start, finding.span.end))
        if expression is not None:
            key = (expression.start, expression.end, finding.message, finding.severity.value)
            groups.setdefault(key, []).append(finding)
    folded: dict[int, Finding | None] = {}
    for group in groups.values():
        if len({(f.span.start, f.span.end) for f in group}) < 2:
            continue
        first = group[0]
        expression = arm_of[(first.span.start, first.span.end)]
        assert expression is not None
        folded[id(first)] = _one(group, expression)
        for other in group[1:]:
            folded[id(other)] = None
    kept: list[Finding] = []
    for finding in findings:
        if id(finding) not in folded:
            kept.append(finding)
        elif (made := folded[id(finding)]) is not None:
            kept.append(made)
    return kept


def _one(group: list[Finding], expression: Span) -> Finding:
    """The finding of ``group`` at ``expression``, with a fix that makes every arm's
    edits, or none when an arm has no fix or the edits would overlap."""
    first = group[0]
    fixes = [f.fix for f in group]
    fix = None
    no_fix = next((f.no_fix_reason for f in group if f.fix is None), first.no_fix_reason)
    if all(fixes) and len({f.applicability for f in fixes if f}) == 1:
        remedy = _merged([f.remedy for f in fixes if f])
        if remedy is not None:
            fix = dataclasses.replace(fixes[0], remedy=remedy)  # type: ignore[arg-type]
        else:
            no_fix = "the fixes of the two arms would overlap; fix each arm by hand"
    return dataclasses.replace(
        first,
        span=expression,
        message=first.message + ARMS_NOTE,
        fix=fix,
        no_fix_reason="" if fix is not None else no_fix,
    )


def _merged(remedies: list[Remedy]) -> Remedy | None:
    """One remedy with the edits of all (None when two overlap) and what each needs."""
    unique = {(e.start, e.end, e.replacement): e for r in remedies for e in r.edits}
    edits = sorted(unique.values(), key=lambda e: (e.start, e.end))
    if any(later.start < earlier.end for earlier, later in itertools.pairwise(edits)):
        return None

    def union(parts: list[tuple]) -> tuple:  # type: ignore[type-arg]
        return tuple(dict.fromkeys(item for part in parts for item in part))

    first = remedies[0]
    return dataclasses.replace(
        first,
        edits=tuple(edits),
        imports=union([r.imports for r in remedies]),
        helpers=union([r.helpers for r in remedies]),
        files=union([r.files for r in remedies]),
        elsewhere=union([r.elsewhere for r in remedies]),
        requires=union([r.requires for r in remedies]),
    )
