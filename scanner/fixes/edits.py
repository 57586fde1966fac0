"""Edit primitives: applying a round's text edits, where a fix's edits fall (to tell
which overlap), and the key a fix is known by. A leaf: it knows findings and edits,
nothing of how a run is organised."""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding
from ..remedies import Edit, Remedy

Footprint = tuple[int, int, frozenset[int], "int | None"]


def apply_edits(text: str, edits: Sequence[Edit], newline: str) -> str:
    """Apply non-overlapping edits; at one offset, replacements go before insertions so an
    insertion lands in front of the replaced text."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        replacement = edit.replacement.replace("\n", newline)
        text = text[: edit.start] + replacement + text[edit.end :]
    return text


def footprint(remedy: Remedy) -> Footprint:
    """The range a fix touches, the points where it inserts, and what it rewrites."""
    edits = remedy.edits
    inserts = frozenset(e.start for e in edits if e.start == e.end)
    return min(e.start for e in edits), max(e.end for e in edits), inserts, remedy.target


def overlaps(a: Footprint, b: Footprint) -> bool:
    # Two insertions at one point: which goes first is a guess, so one waits a round.
    same_target = a[3] is not None and a[3] == b[3]
    return (a[0] < b[1] and b[0] < a[1]) or bool(a[2] & b[2]) or same_target


def fix_key(finding: Finding) -> tuple:
    """A fix whatever line it moved to: the finding's rule and the fingerprint of its code,
    and what the fix writes (a fix refused once may be another fix once other fixes have
    changed the code around it)."""
    remedy = finding.fix.remedy if finding.fix is not None else None
    writes = tuple(e.replacement for e in remedy.edits) if remedy is not None else ()
    return finding.rule, finding.fingerprint or "", writes
