"""What fixing produces: each file's fix (its text before and after, what was applied,
refused, added and noted) and a run's outcome, counted and summed up as ``check`` counts."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from ..findings import Applicability, FileError, Finding
from ..text import SourceCodec
from .linked import Link
from .new_files import CreatedFile, new_file_diff
from .spans import Changes


@dataclass
class FileFix:
    path: str
    before: str
    after: str
    applied: Counter[str] = field(default_factory=Counter)
    remaining: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    codec: SourceCodec | None = None
    # Literal secrets as written in the file: masked wherever a diff shows them.
    secrets: set[str] = field(default_factory=set)
    # Fixes the re-analysis did not keep, by finding, with the reason.
    refused: dict[tuple, tuple[Finding, str]] = field(default_factory=dict)
    # What a fix left in place on purpose (a module-level password nothing here reads).
    notes: list[str] = field(default_factory=list)
    # Modules the kept fixes add to the project (written before the file itself).
    created: list[CreatedFile] = field(default_factory=list)
    # Edits of other files the kept fixes cannot go without, by the fix they go with.
    links: list[Link] = field(default_factory=list)
    # Distributions the code of the kept fixes needs (``msal>=1.23``).
    requires: set[str] = field(default_factory=set)
    # For a file edited for another file's fix: whose (shown in the summary).
    edited_for: list[str] = field(default_factory=list)
    # Login fixes applied, by what they migrated to ("xoauth2", "graph").
    targets: Counter[str] = field(default_factory=Counter)
    # Which lines of ``before`` the fixes changed, and where each line of ``after`` is
    # from: nothing is written that changes a line outside them.
    changes: Changes | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.after != self.before

    def diff(self) -> str:
        """The file's diff, and one that creates each module its fixes add."""
        return self._diff() + "".join(new_file_diff(c) for c in self.created if self.changed)

    def _diff(self) -> str:
        """A unified diff that ``git apply`` and ``patch`` take, secrets masked (lines that
        hold one are left out of the context): see :mod:`..report.patch`."""
        if not self.changed:
            return ""
        from ..report.patch import masked_diff  # start-up: difflib only for a diff shown

        # git's a/ b/ prefixes for relative paths; absolute ones stand alone (patch -p0).
        relative = not os.path.isabs(self.path)
        names = (f"a/{self.path}", f"b/{self.path}") if relative else (self.path, self.path)
        return masked_diff(self.path, self.before, self.after, set(self.secrets), names)


@dataclass
class FixOutcome:
    """What a ``fix`` run found, changed and left, counted as ``check`` counts: a problem
    ``check`` marked fixable (for this run) is fixed once it is gone from the file, however
    many rounds that took; one without a fix of its own that went too is "resolved"."""

    files: list[FileFix] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    found: list[Finding] = field(default_factory=list)  # what check reports before fixing
    remaining: list[Finding] = field(default_factory=list)  # what it reports afterwards
    baselined: list[Finding] = field(default_factory=list)  # remaining, known from a baseline
    files_scanned: int = 0
    unsafe: bool = False  # whether unsafe fixes were applied

    @property
    def diff(self) -> str:
        """Every file's diff; a module that fixes of several files add is shown once."""
        shown: set[str] = set()
        parts = []
        for file in self.files:
            parts.append(file._diff())
            for created in file.created if file.changed else ():
                if created.display not in shown:
                    shown.add(created.display)
                    parts.append(new_file_diff(created))
        return "".join(parts)

    @property
    def applied(self) -> Counter[str]:
        """Fixes applied, by rule (one fix may also remove other findings)."""
        total: Counter[str] = Counter()
        for file in self.files:
            if file.changed:
                total.update(file.applied)
        return total

    @property
    def fixed(self) -> Counter[str]:
        """Problems gone from the files that had a fix this run may apply, by rule: what
        ``check`` counted as fixable."""
        return self._gone()[0]

    @property
    def resolved(self) -> Counter[str]:
        """Problems without a fix of their own that went with another one's fix."""
        return self._gone()[1]

    def _gone(self) -> tuple[Counter[str], Counter[str]]:
        left = Counter((f.path, f.rule) for f in [*self.remaining, *self.baselined])
        gone = Counter((f.path, f.rule) for f in self.found) - left
        fixable = Counter((f.path, f.rule) for f in self.found if allowed(f, self.unsafe))
        fixed: Counter[str] = Counter()
        resolved: Counter[str] = Counter()
        for (path, rule), count in gone.items():
            own = min(count, fixable[(path, rule)])
            fixed[rule] += own
            resolved[rule] += count - own
        return +fixed, +resolved


def allowed(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)
