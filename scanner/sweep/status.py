"""Where a repository stands in the migration, from its findings and errors as JSON.

- **not scanned**: the repository could not be cloned, updated or read.
- **blocked**: something authsweep cannot migrate: a personal Outlook.com account
  (AS101/AS102 that say so: only a delegated flow works, and nobody's password should be
  in code), EWS (AS104: exchangelib; EWS in Exchange Online is being retired, so the way
  out is Microsoft Graph), or files that could not be checked (unparsable, unreadable).
- **needs the OAuth2 rewrite**: a finding that no safe fix removes: the XOAUTH2 rewrite
  (``--unsafe-fixes``) or work by hand (a hard-coded secret, a ROPC token flow, ...).
- **safe fixes only**: every finding has a safe fix (TLS, port, certificate checks).
- **clean**: no findings and nothing that could not be checked.

The first that applies wins, in this order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from authsweep.rules.base import PERSONAL_ACCOUNT_NOTE

FAILED, BLOCKED, NEEDS_REWRITE, SAFE_FIXES, CLEAN = (
    "failed",
    "blocked",
    "needs-rewrite",
    "safe-fixes",
    "clean",
)
# Worst first: the order of the report's tables and charts.
STATUSES = (FAILED, BLOCKED, NEEDS_REWRITE, SAFE_FIXES, CLEAN)
LABELS = {
    FAILED: "not scanned",
    BLOCKED: "blocked",
    NEEDS_REWRITE: "needs the OAuth2 rewrite",
    SAFE_FIXES: "safe fixes only",
    CLEAN: "clean",
}
_BASIC_AUTH_RULES = ("AS101", "AS102")
EWS_RULE = "AS104"
# A file skipped for its size was left out on purpose; every other file error means part
# of the repository was not checked.
_DELIBERATE = "skipped"


def fix_kind(finding: dict) -> str:
    """``safe``, ``unsafe`` or ``manual`` for a finding of the JSON report."""
    fix = finding.get("fix")
    if not finding.get("fixable") or not isinstance(fix, dict):
        return "manual"
    return "safe" if fix.get("applicability") == "safe" else "unsafe"


def is_personal_account(finding: dict) -> bool:
    return finding["rule"] in _BASIC_AUTH_RULES and PERSONAL_ACCOUNT_NOTE in finding["message"]


def repository_status(
    findings: Iterable[dict], errors: Iterable[dict], failure: dict | None = None
) -> tuple[str, list[str]]:
    """The status and the reasons for it, as people read them."""
    if failure is not None:
        return FAILED, [failure["message"]]
    findings = list(findings)
    blocked: list[str] = []
    personal = sum(1 for f in findings if is_personal_account(f))
    if personal:
        blocked.append(f"personal Outlook.com account ({_count(personal, 'login')})")
    ews = sum(1 for f in findings if f["rule"] == EWS_RULE)
    if ews:
        blocked.append(f"EWS: move to Microsoft Graph ({_count(ews, 'finding')})")
    kinds = Counter(e.get("kind", "error") for e in errors if e.get("kind") != _DELIBERATE)
    for kind, count in sorted(kinds.items()):
        blocked.append(f"{_count(count, 'file')} {kind}")
    if blocked:
        return BLOCKED, blocked
    fixes = Counter(fix_kind(f) for f in findings)
    if fixes["unsafe"] or fixes["manual"]:
        reasons = []
        if fixes["unsafe"]:
            reasons.append(f"{fixes['unsafe']} fixed by --unsafe-fixes")
        if fixes["manual"]:
            reasons.append(f"{fixes['manual']} to fix by hand")
        if fixes["safe"]:
            reasons.append(_count(fixes["safe"], "safe fix", "safe fixes"))
        return NEEDS_REWRITE, reasons
    if fixes["safe"]:
        return SAFE_FIXES, [_count(fixes["safe"], "safe fix", "safe fixes")]
    return CLEAN, []


def _count(number: int, noun: str, nouns: str | None = None) -> str:
    return f"{number} {noun if number == 1 else nouns or noun + 's'}"
