"""``fix --output-format json``: what a fix run changed, file by file, and what is left.

The schema is in docs/usage.md ("`fix --output-format json`"); findings and errors are
the objects of ``check --format json``, with lines and columns as they were before the fix.
"""

from __future__ import annotations

import json
from collections import Counter

from .. import __version__
from ..findings import Applicability, Finding

# The fixer's own test of what a run may fix: the counts here must be its summary's.
from ..fixes.outcome import FixOutcome
from ..fixes.outcome import allowed as fix_allowed
from .json_report import error_dict, finding_dict


def render_fix_json(outcome: FixOutcome, *, written: bool) -> str:
    fixed, resolved = _gone_by_file(outcome)
    changed = {f.path: f for f in outcome.files if f.changed}
    files = []
    for path in sorted({*changed, *fixed, *resolved}):
        file = changed.get(path)
        files.append(
            {
                "path": path,
                "changed": file is not None,
                "fixed": [finding_dict(f) for f in fixed.get(path, [])],
                "resolved": [finding_dict(f) for f in resolved.get(path, [])],
                "created": [c.display for c in file.created] if file else [],
                "notes": [*file.edited_for, *file.notes] if file else [],
            }
        )
    unsafe_left = sum(
        1
        for f in outcome.remaining
        if f.fix is not None and f.fix.applicability is Applicability.UNSAFE
    )
    document = {
        "tool": "authsweep",
        "version": __version__,
        "command": "fix",
        "written": written,
        "unsafe_fixes": outcome.unsafe,
        "files": files,
        "remaining": [finding_dict(f) for f in outcome.remaining],
        "errors": [error_dict(e) for e in outcome.errors],
        "summary": {
            "files_scanned": outcome.files_scanned,
            "files_changed": len(changed),
            "found": len(outcome.found),
            "fixed": sum(len(found) for found in fixed.values()),
            "resolved": sum(len(found) for found in resolved.values()),
            "remaining": len(outcome.remaining),
            "remaining_unsafe_fixable": unsafe_left,
            "baselined": len(outcome.baselined),
            "errors": len(outcome.errors),
            "fixed_by_rule": dict(sorted(outcome.fixed.items())),
        },
    }
    return json.dumps(document, indent=2) + "\n"


def _gone_by_file(
    outcome: FixOutcome,
) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    """The findings that are gone, by file: fixed by their own fix, or resolved with
    another one's. Counts per file and rule are the summary's (:attr:`FixOutcome.fixed`);
    which of several findings of one rule went is told by their fingerprints, which are
    of the code and survive a fix elsewhere in the file."""
    left = [*outcome.remaining, *outcome.baselined]
    left_prints = Counter((f.path, f.rule, f.fingerprint) for f in left)
    left_counts = Counter((f.path, f.rule) for f in left)
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in outcome.found:
        groups.setdefault((finding.path, finding.rule), []).append(finding)
    fixed: dict[str, list[Finding]] = {}
    resolved: dict[str, list[Finding]] = {}
    for (path, rule), found in groups.items():
        count = len(found) - left_counts[(path, rule)]
        if count <= 0:
            continue
        gone, stayed = [], []
        for finding in found:
            key = (path, rule, finding.fingerprint)
            if left_prints[key]:
                left_prints[key] -= 1
                stayed.append(finding)
            else:
                gone.append(finding)
        gone = (gone + stayed)[:count]
        allowed = [f for f in found if fix_allowed(f, outcome.unsafe)]
        own = min(count, len(allowed))
        gone.sort(key=lambda f: not fix_allowed(f, outcome.unsafe))
        fixed.setdefault(path, []).extend(sorted(gone[:own], key=Finding.sort_key))
        if gone[own:]:
            resolved.setdefault(path, []).extend(sorted(gone[own:], key=Finding.sort_key))
    return fixed, resolved
