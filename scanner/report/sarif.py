"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule is described (help text and Markdown from the rule's own docs, and for
security rules the ``security-severity`` GitHub ranks alerts by), each result has a
location relative to ``%SRCROOT%`` (the root of the git repository the run is in, as
code scanning expects, else the working folder), a partial fingerprint that survives
moved code, and a fix for every finding that has one: its edits, plus the imports and
the token helper it needs (as ``authsweep fix`` adds them), as replacements of the
original text. Messages are the masked ones every format uses.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from authsweep.rules import ALL_RULES

from .. import __version__
from ..discover import git_top, kind_of, nearest_ancestor
from ..findings import Finding, RunResult, Severity
from ..fixes.edits import apply_edits
from ..fixes.helpers import OAUTH2_ACCESS_TOKEN
from ..text import LineIndex, decode
from .docs import rule_markdown
from .options import ReportOptions

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
    "AS9": ["maintainability"],
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
    if rule.security_severity is not None:
        # Only rules tagged "security" are security alerts on GitHub; the others have none.
        descriptor["properties"]["security-severity"] = rule.security_severity
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def repository_root(cwd: Path) -> Path:
    """The top of the git repository ``cwd`` is in (a ``.git`` folder or file), else
    ``cwd``: code scanning resolves result paths against the repository root."""
    found = nearest_ancestor(
        os.path.abspath(cwd),
        {},
        git_top,
    )
    return Path(found) if found is not None else cwd.absolute()


def _artifact(path: str, cwd: Path, root: Path) -> dict:
    """A relative path under ``%SRCROOT%``; a path outside the root as a file URI."""
    absolute = Path(os.path.abspath(cwd / path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": "%SRCROOT%"}


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


class _Source:
    """A file's decoded text, and offsets in it as 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = LineIndex(text)
        self.starts = self.index.starts
        self.newline = next(iter(_LINE_BREAK.findall(text)), "\n")

    def at(self, offset: int) -> tuple[int, int]:
        return self.index.position(offset)

    def lines(self) -> list[str]:
        return [
            self.text[a:b]
            for a, b in zip(self.starts, [*self.starts[1:], len(self.text)], strict=True)
        ]

    def replacement(self, start: int, end: int, text: str) -> dict:
        return {
            "deletedRegion": _region(*self.at(start), *self.at(end)),
            "insertedContent": {"text": text},
        }


class _Fixes:
    """SARIF fixes for findings, reading each file once."""

    def __init__(self, cwd: Path, root: Path, options: ReportOptions) -> None:
        self.cwd, self.root, self.options = cwd, root, options
        self.sources: dict[str, _Source | None] = {}

    def source(self, path: str) -> _Source | None:
        if path not in self.sources:
            file = self.cwd / path
            try:
                self.sources[path] = _Source(
                    decode(kind_of(file) or "python", file.read_bytes())[1]
                )
            except (OSError, ValueError):
                self.sources[path] = None  # stdin, or a file gone since: no fix offered
        return self.sources[path]

    def fix(self, finding: Finding) -> dict | None:
        fix = finding.fix
        # A fix that adds a module to the project is more than replacements in one file.
        if fix is None or not fix.remedy.edits or fix.remedy.files or fix.remedy.elsewhere:
            return None
        source = self.source(finding.path)
        if source is None:
            return None
        remedy = fix.remedy
        provider = (
            self.options.token_provider(finding.path) if self.options.token_provider else None
        )
        if OAUTH2_ACCESS_TOKEN.name in remedy.helpers and not provider:
            return None  # `fix` adds the project's token module: more than this file
        if remedy.imports or remedy.helpers:
            replacements = self._with_module_needs(finding, source)
            if replacements is None:
                return None
        else:
            replacements = [
                source.replacement(e.start, e.end, e.replacement.replace("\n", source.newline))
                for e in sorted(remedy.edits, key=lambda e: (e.start, e.end))
            ]
        return {
            "description": {"text": f"{fix.message} ({fix.applicability.value} fix)"},
            "artifactChanges": [
                {
                    "artifactLocation": _artifact(finding.path, self.cwd, self.root),
                    "replacements": replacements,
                }
            ],
        }

    def _with_module_needs(self, finding: Finding, source: _Source) -> list[dict] | None:
        """The edits, the imports and the helper the fix needs, as `authsweep fix` writes
        them, expressed as replacements of the lines that differ."""
        # start-up: module_needs brings configparser; only a fix with module needs uses it.
        from ..fixes.module_needs import add_module_needs

        assert finding.fix is not None
        remedy = finding.fix.remedy
        providers = self.options.token_provider
        provider = providers(finding.path) if providers else None
        edited = apply_edits(source.text, remedy.edits, source.newline)
        try:
            fixed = add_module_needs(edited, remedy.imports, remedy.helpers, provider)
        except ValueError:
            return None  # the fixer would refuse it too
        before = source.lines()
        after = _Source(fixed).lines()
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        ends = [*source.starts[1:], len(source.text)]
        replacements = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            start = source.starts[i1] if i1 < len(before) else len(source.text)
            end = ends[i2 - 1] if i2 > i1 else start
            replacements.append(source.replacement(start, end, "".join(after[j1:j2])))
        return replacements


def _result(finding: Finding, index: int, cwd: Path, root: Path, fixes: _Fixes) -> dict:
    span = finding.span
    result = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path, cwd, root),
                    "region": _region(span.line, span.column, span.end_line, span.end_column),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        "properties": {"confidence": finding.confidence.value},
    }
    fix = fixes.fix(finding)
    if fix is not None:
        result["fixes"] = [fix]
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource"}]
    return result


def render_sarif(run: RunResult, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    cwd = options.cwd
    root = repository_root(cwd)
    index = {rule.id: i for i, rule in enumerate(ALL_RULES)}
    fixes = _Fixes(cwd, root, options)
    findings = [*run.findings, *(run.suppressed if options.show_suppressed else ())]
    notifications = []
    for error in run.errors:
        location: dict = {"artifactLocation": _artifact(error.path, cwd, root)}
        if error.line is not None:
            location["region"] = {"startLine": error.line}
            if error.column is not None:
                location["region"]["startColumn"] = error.column
        notifications.append(
            {
                "level": "error",
                "message": {"text": f"{error.kind}: {error.message}"},
                "locations": [{"physicalLocation": location}],
            }
        )
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
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _folder_uri(root)}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [_result(f, index[f.rule], cwd, root, fixes) for f in findings],
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
