"""``--format json``: the contract in DESIGN.md, stable for other tools."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import fields

from .. import __version__
from ..findings import (
    Applicability,
    Confidence,
    FileError,
    Finding,
    Fix,
    Mailbox,
    RunResult,
    Severity,
)
from ..model import Span
from ..remedies import Remedy
from .counts import statistics
from .options import ReportOptions


def finding_dict(finding: Finding) -> dict:
    span = finding.span
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "message": finding.message,
        "fixable": finding.fixable,
        "fix": (
            {"applicability": finding.fix.applicability.value, "message": finding.fix.message}
            if finding.fix
            else None
        ),
        "no_fix_reason": None if finding.fix else finding.no_fix_reason or None,
        "fingerprint": finding.fingerprint,
        **(
            {"mailboxes": [mailbox_dict(m) for m in finding.mailboxes]} if finding.mailboxes else {}
        ),
    }


def finding_from_dict(data: dict) -> Finding:
    """A finding as :func:`finding_dict` wrote it (as far as it tells: a fix without its
    edits, a span without offsets)."""
    fix = data.get("fix")
    return Finding(
        rule=data["rule"],
        name=data["name"],
        severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]),
        path=data["path"],
        span=Span(data["line"], data["column"], data["end_line"], data["end_column"], 0, 0),
        message=data["message"],
        fix=(
            Fix(Applicability(fix["applicability"]), fix["message"], Remedy(()))
            if isinstance(fix, dict)
            else None
        ),
        fingerprint=data.get("fingerprint", ""),
        no_fix_reason=data.get("no_fix_reason") or "",
        frame=[(number, text) for number, text in data.get("frame", [])],
    )


def mailbox_dict(mailbox: Mailbox) -> dict:
    """A finding's mailbox, without the parts that are not known. Its fields are text (or
    None), which ``asdict`` would only copy, importing ``copy`` to do it."""
    return {
        field.name: value
        for field in fields(mailbox)
        if (value := getattr(mailbox, field.name)) is not None
    }


def error_dict(error: FileError) -> dict:
    document: dict = {"path": error.path, "message": error.message, "kind": error.kind}
    if error.line is not None:
        document["line"] = error.line
        if error.column is not None:
            document["column"] = error.column
    return document


def summary(run: RunResult) -> dict:
    return {
        "files_scanned": run.files_scanned,
        "files_parsed": run.files_parsed,
        "files_with_findings": len({f.path for f in run.findings}),
        "findings": len(run.findings),
        "errors": len(run.errors),
        "by_rule": dict(sorted(Counter(f.rule for f in run.findings).items())),
        "by_severity": dict(sorted(Counter(f.severity.value for f in run.findings).items())),
        "fixable": sum(1 for f in run.findings if f.fixable),
        "suppressed": len(run.suppressed),
        "baselined": len(run.baselined),
    }


def render_json(run: RunResult, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    if options.statistics:
        rows = [
            {"rule": r.rule, "name": r.name, "count": r.count, "fixable": r.fixable}
            for r in statistics(run.findings)
        ]
        return json.dumps(rows, indent=2) + "\n"
    document = {
        "tool": "authsweep",
        "version": __version__,
        "findings": [finding_dict(f) for f in run.findings],
        "errors": [error_dict(e) for e in run.errors],
        "summary": summary(run),
    }
    if options.show_suppressed:
        document["suppressed"] = [{**finding_dict(f), "suppressed": True} for f in run.suppressed]
    return json.dumps(document, indent=2) + "\n"
