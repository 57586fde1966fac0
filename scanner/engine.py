"""The pipeline: discover -> front end -> mail model -> rules -> findings.

This module holds what a run of ``check`` does for one file and for a set of
paths; the CLI adds configuration, suppression and reporting around it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .discover import SourceFile, discover
from .findings import FileError, Finding
from .model import MailFile, Span
from .precheck import may_matter
from .secrets import mask_literal

MAX_FILE_BYTES = 8 * 1024 * 1024  # larger files are generated data, not mail code


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()  # rule ids or prefixes ("AS1"); empty: all
    ignore: tuple[str, ...] = ()
    all_providers: bool = False
    exclude: tuple[str, ...] = ()
    # "pkg.module:function" returning an access token for a scope; the XOAUTH2 fix imports
    # it instead of adding its own MSAL helper.
    token_provider: str | None = None


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    parsed: bool = False


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    files_scanned: int = 0
    files_parsed: int = 0

    def add(self, result: FileResult) -> None:
        self.findings.extend(result.findings)
        self.errors.extend(result.errors)
        self.files_scanned += 1
        self.files_parsed += int(result.parsed)


def selected_rules(settings: Settings) -> list:
    from authsweep.rules import ALL_RULES, RuleOptions

    def matches(rule_id: str, codes: Sequence[str]) -> bool:
        return any(rule_id.startswith(code.upper()) or code.upper() == "ALL" for code in codes)

    options = RuleOptions(all_providers=settings.all_providers)
    chosen = []
    for rule in ALL_RULES:
        if settings.select and not matches(rule.id, settings.select):
            continue
        if matches(rule.id, settings.ignore):
            continue
        chosen.append(rule(options))
    return chosen


def analyze_source(path: str, kind: str, data: bytes) -> MailFile:
    """Build the mail model of one file; raises ``ParseError`` for unparsable input."""
    if kind == "python":
        from .python import analyze_python

        return analyze_python(path, data)
    return MailFile(path=path, kind=kind)


def check_source(path: str, kind: str, data: bytes, rules: Iterable) -> FileResult:
    """Findings of ``rules`` on one file's bytes. Never raises for bad input."""
    from .python.frontend import ParseError

    result = FileResult(path)
    if not may_matter(data):
        return result
    try:
        mail = analyze_source(path, kind, data)
    except ParseError as error:
        result.errors.append(FileError(path, str(error), "unparsable"))
        return result
    result.parsed = mail.analyzed
    for rule in rules:
        result.findings.extend(rule.check(mail))
    attach_context(result.findings, data, secret_spans(mail))
    result.findings.sort(key=Finding.sort_key)
    return result


def secret_spans(mail: MailFile) -> list[Span]:
    """Where literal secrets are written in the file, to mask them in code frames."""
    spans = [use.value.literal_span or use.span for use in mail.secrets]
    for conn in mail.connections:
        for step in conn.steps:
            if step.secret.literal and step.secret.literal_span is not None:
                spans.append(step.secret.literal_span)
    for account in mail.ews:
        if account.secret.literal and account.secret.literal_span is not None:
            spans.append(account.secret.literal_span)
    return [s for s in spans if s is not None]


def attach_context(findings: list[Finding], data: bytes, secrets: list[Span]) -> None:
    """Give each finding its code frame (secrets masked) and a fingerprint of its code that
    does not depend on line numbers."""
    if not findings:
        return
    lines = data.decode("utf-8", errors="replace").splitlines()
    for span in secrets:
        for number in range(span.line, span.end_line + 1):
            if number > len(lines):
                break
            line = lines[number - 1]
            start = span.column - 1 if number == span.line else 0
            end = span.end_column - 1 if number == span.end_line else len(line)
            secret = line[start:end]
            lines[number - 1] = line[:start] + mask_literal(secret) + line[end:]
    for finding in findings:
        first = max(finding.span.line - 1, 0)
        last = min(finding.span.end_line, len(lines), first + 6)
        finding.frame = [(n + 1, lines[n]) for n in range(first, last)]
        code = " ".join(line.strip() for line in lines[first:last])
        digest = hashlib.sha256(f"{finding.rule}\0{code}".encode()).hexdigest()
        finding.fingerprint = digest[:32]


def read_path(path: Path, display: str) -> tuple[bytes | None, FileError | None]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            message = f"skipped: {size // (1024 * 1024)} MB is over the size limit"
            return None, FileError(display, message, "skipped")
        return path.read_bytes(), None
    except OSError as error:
        return None, FileError(display, f"cannot read: {error.strerror}", "unreadable")


def read_file(source: SourceFile) -> tuple[bytes | None, FileError | None]:
    return read_path(source.path, source.display)


def check_paths(
    paths: Sequence[str],
    settings: Settings,
    cwd: Path | None = None,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Check every file under ``paths``: in parallel for large inputs, and with a result
    cache in ``cache_dir`` when one is given."""
    from .cache import ResultCache, settings_key
    from .runner import run

    files, errors = discover(paths, exclude=settings.exclude, cwd=cwd)
    rules = selected_rules(settings)
    cache = None
    if cache_dir is not None:
        cache = ResultCache(cache_dir, settings_key((settings, [type(r).__name__ for r in rules])))
    result = RunResult(errors=list(errors))
    for file_result in run(files, settings, rules, jobs=jobs, cache=cache, progress=progress):
        result.add(file_result)
    if cache is not None:
        cache.save(seen=None)
    result.findings.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result
