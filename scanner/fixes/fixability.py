"""Which findings ``fix`` fixes, decided by ``fix`` itself.

A rule offers a fix for what it can rewrite; whether ``fix`` keeps that rewrite is known
only once the file is fixed and analysed again (:mod:`.verify`), and once the project's
dependency declarations are read (:mod:`.dependencies`). ``check`` asks the same planner:
for a file with a fix on offer, :func:`settle_fixability` fixes the file in memory as
``fix --unsafe-fixes`` would (and as ``fix`` would, when the two can differ), and a finding
the planner leaves in place is not marked fixable, with the planner's reason
(``Finding.no_fix_reason``). A safe fix that only ``--unsafe-fixes`` gets through (it needs
an unsafe fix beside it) is marked unsafe. So ``check`` never marks fixable a finding that
``fix`` refuses. Only files with a fix on offer pay for it: on the reference trees of
bench/run.py, none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..engine import RunOptions
from ..findings import Applicability, FileResult, Finding
from ..inputs import recording
from .dependencies import note_declarations
from .outcome import FileFix, allowed
from .rounds import fix_source

# The reason when the planner says nothing more precise.
LEFT_IN_PLACE = "`fix` would leave it in place"


def settle_fixability(
    result: FileResult,
    kind: str,
    data: bytes,
    options: RunOptions,
    rules: Sequence,
    location: Path | None,
) -> None:
    """Withdraw the fixes of ``result``'s findings that ``fix`` would not keep, each with
    the reason; note what the planner read as the result's inputs (for the cache)."""
    offered = [f for f in result.findings if f.fix is not None and not f.suppressed]
    if not offered or result.errors:
        return
    # What decides a refusal beyond the file's own inputs: the project's dependency
    # declarations. What else the planner reads (who else names what a fix leaves unread,
    # the project's import style) shapes what a fix writes, not whether it is kept; left
    # unrecorded, touching another module does not throw away this file's result.
    with recording():
        # The planner starts from the analysis check has just made (``result``).
        unsafe_run = fix_source(
            result.path,
            kind,
            data,
            options,
            unsafe=True,
            rules=rules,
            location=location,
            checked=result,
        )
        safe_run = None
        if _safe_may_differ(offered, unsafe_run):
            safe_run = fix_source(
                result.path,
                kind,
                data,
                options,
                unsafe=False,
                rules=rules,
                location=location,
                checked=result,
            )
    if location is not None:
        with recording() as noted:
            note_declarations(location)
        for key, seen in noted.items():
            if not result.inputs.get(key, "").startswith("h"):  # a digest beats a look
                result.inputs[key] = seen
    shown = [f for f in result.findings if not f.suppressed]
    refused = left_by(unsafe_run, shown)
    refused_safe = left_by(safe_run, shown) if safe_run is not None else {}
    for finding in offered:
        fix = finding.fix
        assert fix is not None
        reason = refused.get(id(finding))
        if reason is not None:
            finding.fix = None
            finding.no_fix_reason = reason
        elif fix.applicability is Applicability.SAFE and id(finding) in refused_safe:
            why = refused_safe[id(finding)]
            finding.fix = replace(
                fix,
                applicability=Applicability.UNSAFE,
                message=f"{fix.message} (only with --unsafe-fixes: without them, {why})",
            )


def mark_refused(left: list[Finding], fixed: FileFix, unsafe: bool) -> None:
    """After ``fix``: a finding it left that this run could have fixed was refused; it is
    no longer marked fixable (for this run's mode), with the reason ``fix`` gave."""
    could = [f for f in left if allowed(f, unsafe)]
    if not could:
        return
    reasons = left_by(fixed, could) if fixed.error is None else {}
    for finding in could:
        reason = reasons.get(id(finding))
        if reason is None and fixed.error is not None:
            reason = fixed.error.message.removeprefix("not fixed: ")
        finding.fix = None
        finding.no_fix_reason = reason or LEFT_IN_PLACE


def withdraw(result: FileResult, reason: str) -> None:
    """No finding of ``result`` is fixable, for ``reason``."""
    for finding in result.findings:
        if finding.fix is not None:
            finding.fix = None
            finding.no_fix_reason = reason


def _safe_may_differ(offered: list[Finding], unsafe_run: FileFix) -> bool:
    """Whether ``fix`` without --unsafe-fixes may keep less than with them: there are safe
    fixes, and the unsafe run kept an unsafe one (which a safe fix may have leant on)."""
    safe = {f.rule for f in offered if f.fix and f.fix.applicability is Applicability.SAFE}
    unsafe = {f.rule for f in offered if f.fix and f.fix.applicability is Applicability.UNSAFE}
    return bool(safe) and bool(unsafe & set(unsafe_run.applied))


def left_by(run: FileFix, findings: list[Finding]) -> dict[int, str]:
    """The findings of ``findings`` (by ``id``) still there after ``run``, with why.

    A fix the planner stopped trying is in ``run.refused``, with its reason: that finding
    is left, matched by its rule and the fingerprint of its code (then its message, its
    rule). Beyond those, what is left is matched by count, as ``fix`` counts: by rule and
    fingerprint, then message, then rule alone; findings without a fix take what is left
    first (the same code may be reported on several lines, fixable on one of them)."""
    if run.error is not None:
        reason = run.error.message.removeprefix("not fixed: ")
        return {id(f): f"`fix` leaves this file alone: {reason}" for f in findings}
    matched: dict[int, str] = {}
    refused = [(finding, reason) for finding, reason in run.refused.values()]
    offered = [f for f in findings if f.fix is not None]
    for finding, (_, reason) in _pairs(offered, refused, lambda pair: pair[0]):
        matched[id(finding)] = reason
    ordered = sorted(findings, key=lambda f: f.fix is not None)
    for finding, _ in _pairs(ordered, list(run.remaining), lambda f: f):
        matched.setdefault(id(finding), LEFT_IN_PLACE)
    return matched


def _pairs(ours: list, theirs: list, finding_of) -> list[tuple]:
    """``ours`` paired with ``theirs`` by rule and fingerprint, then rule and message,
    then rule: each item is paired once at most, in order. ``finding_of`` reads the
    finding of an item of ``theirs``; ``ours`` are findings."""
    pairs: list[tuple] = []
    for key in (_by_code, _by_message, _by_rule):
        waiting: dict = {}
        for item in theirs:
            waiting.setdefault(key(finding_of(item)), []).append(item)
        still: list = []
        for finding in ours:
            candidates = waiting.get(key(finding))
            if candidates:
                pairs.append((finding, candidates.pop(0)))
            else:
                still.append(finding)
        paired = {id(other) for _, other in pairs}
        ours, theirs = still, [item for item in theirs if id(item) not in paired]
    return pairs


def _by_code(finding: Finding) -> tuple[str, str]:
    return finding.rule, finding.fingerprint


def _by_message(finding: Finding) -> tuple[str, str]:
    return finding.rule, finding.message


def _by_rule(finding: Finding) -> str:
    return finding.rule
