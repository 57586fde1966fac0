"""Findings and fixes: what rules report, and what every output format reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .model import Span
from .records import plain, record
from .remedies import Remedy


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Confidence(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Applicability(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@record(eq=False, repr=False)
class Fix:
    """A finding's fix: how safe it is to apply, what it says, and the edits (its remedy)."""

    applicability: Applicability
    message: str
    remedy: Remedy


@record
class Mailbox:
    """A mailbox the code behind a finding signs in to, or sends as, over one protocol: what
    the tenant must grant the app registration once the code uses OAuth2.

    ``address`` when the code or config names it; else ``variable``, the environment
    variable it is read from, or ``origin``, where else it comes from (``parameter user``).
    """

    protocol: str  # "smtp", "imap", "pop", "ews"
    address: str | None = None
    variable: str | None = None
    origin: str | None = None
    role: str = "login"  # "login": the mailbox signed in to; "sender": a From address


@dataclass(eq=False, repr=False)
class Finding:
    """One problem a rule reported at a span of a file, with what was found and how to fix
    it."""

    rule: str  # "AS101"
    name: str  # "smtp-basic-auth"
    severity: Severity
    confidence: Confidence
    path: str
    span: Span
    message: str
    fix: Fix | None = None
    # Lines of the statement the finding is in, for suppression comments and fingerprints.
    statement_lines: tuple[int, int] | None = None
    fingerprint: str = ""
    # The source lines of the finding (number, text), secrets masked, for code frames.
    frame: list[tuple[int, str]] = field(default_factory=list)
    suppressed: bool = False
    notes: list[str] = field(default_factory=list)
    # The mailboxes a password login signs in to (and sends as), for `authsweep tenant`.
    mailboxes: tuple[Mailbox, ...] = ()
    # Why a finding has no fix, where that is known: what `fix` would do instead
    # (scanner/fixes/fixability.py), or why no rewrite is written for this code.
    no_fix_reason: str = ""

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.rule)


@record(eq=False, repr=False)
class FileError:
    """A file that could not be read or analysed; the run goes on."""

    path: str
    message: str
    kind: str = "error"  # "unparsable", "unreadable", "too-large", "timeout", "internal", "fix"
    # Where in the file, when the problem has a place (a syntax error): 1-based.
    line: int | None = None
    column: int | None = None

    @property
    def location(self) -> str:
        """``path``, ``path:line`` or ``path:line:col``, as editors and terminals link them."""
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass
class FileResult:
    """What checking one file gave: its findings and errors, and what they were computed
    from."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    parsed: bool = False
    # Where literal secrets are written (for fix to mask its diffs); not cached.
    secrets: list[Span] = field(default_factory=list)
    # What besides the file's own bytes the result was computed from (scanner/inputs.py).
    inputs: dict[str, str] = field(default_factory=dict)


@plain
class RunResult:
    """What a run gave over all its files: findings, errors, counts, and what was silenced."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0
    suppressed: list[Finding] = field(default_factory=list)  # by inline comments
    baselined: list[Finding] = field(default_factory=list)  # in the baseline; set by the CLI

    def add(self, result: FileResult) -> None:
        for finding in result.findings:
            (self.suppressed if finding.suppressed else self.findings).append(finding)
        self.errors.extend(result.errors)
        self.files_scanned += 1
        self.files_parsed += int(result.parsed)
