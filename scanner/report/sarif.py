"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule is described (help text and Markdown from the rule's own docs), each
result has a location relative to ``%SRCROOT%`` (the working folder), a partial
fingerprint that survives moved code, and a fix when the rule's remedy is a
self-contained set of text edits. Messages are the masked ones every format
uses; no code is copied into the log.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..discover import kind_of
from ..engine import RunResult
from ..findings import Finding, Severity
from ..text import decode
from . import ReportOptions
from .docs import rule_markdown

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/authsweep/"
FINGERPRINT = "authsweep/v1"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_TAGS = {
    "AS1": ["security", "authentication", "email"],
    "AS2": ["security", "tls", "email"],
    "AS3": ["correctness", "oauth2", "email"],
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _rule_descriptor(rule) -> dict:
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {
            "text": f"{rule.summary}\n\n{rule.why}\n\nFix: {rule.fix_doc}\n\n{rule.fix_safety}",
            "markdown": rule_markdown(rule),
        },
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": _TAGS.get(rule.id[:3], ["email"]), "precision": "high"},
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def _artifact(path: str, cwd: Path) -> dict:
    """A relative path under ``%SRCROOT%``; a path outside the working folder as a file URI."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(cwd)
        except ValueError:
            return {"uri": candidate.as_uri()}
    return {"uri": quote(candidate.as_posix()), "uriBaseId": "%SRCROOT%"}


def _folder_uri(folder: Path) -> str:
    uri = folder.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": max(end_column, 1),
    }


class _Positions:
    """Offsets into a file's decoded text as 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.newline = next(iter(_LINE_BREAK.findall(text)), "\n")

    def at(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self.starts) - 1
        while low < high:  # the last line start at or before the offset
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.starts[low] + 1


def _fix(finding: Finding, cwd: Path, texts: dict[str, _Positions | None]) -> dict | None:
    fix = finding.fix
    # A remedy that also needs imports or a helper is only complete when the fixer adds
    # them; a SARIF fix without them would break the file, so none is offered.
    if fix is None or fix.remedy.imports or fix.remedy.helpers or not fix.remedy.edits:
        return None
    if finding.path not in texts:
        texts[finding.path] = _read_positions(finding.path, cwd)
    positions = texts[finding.path]
    if positions is None:
        return None
    replacements = []
    for edit in sorted(fix.remedy.edits, key=lambda e: (e.start, e.end)):
        start, end = positions.at(edit.start), positions.at(edit.end)
        replacements.append(
            {
                "deletedRegion": _region(*start, *end),
                "insertedContent": {"text": edit.replacement.replace("\n", positions.newline)},
            }
        )
    return {
        "description": {"text": f"{fix.message} ({fix.applicability.value} fix)"},
        "artifactChanges": [
            {"artifactLocation": _artifact(finding.path, cwd), "replacements": replacements}
        ],
    }


def _read_positions(path: str, cwd: Path) -> _Positions | None:
    file = cwd / path
    try:
        return _Positions(decode(kind_of(file) or "python", file.read_bytes())[1])
    except (OSError, ValueError):
        return None  # stdin, or a file gone since: the result just has no fix


def _result(finding: Finding, index: int, cwd: Path, texts: dict) -> dict:
    span = finding.span
    result = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path, cwd),
                    "region": _region(span.line, span.column, span.end_line, span.end_column),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        "properties": {"confidence": finding.confidence.value},
    }
    fix = _fix(finding, cwd, texts)
    if fix is not None:
        result["fixes"] = [fix]
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource"}]
    return result


def render_sarif(run: RunResult, options: ReportOptions | None = None) -> str:
    from authsweep.rules import ALL_RULES

    options = options or ReportOptions()
    cwd = options.cwd
    index = {rule.id: i for i, rule in enumerate(ALL_RULES)}
    texts: dict[str, _Positions | None] = {}
    findings = [*run.findings, *(run.suppressed if options.show_suppressed else ())]
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"{error.kind}: {error.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.path, cwd)}}],
        }
        for error in run.errors
    ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "authsweep",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule) for rule in ALL_RULES],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _folder_uri(cwd)}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [_result(f, index[f.rule], cwd, texts) for f in findings],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
