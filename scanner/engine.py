"""The pipeline for one file: front end -> mail model -> rules -> findings.

This module holds what a run of ``check`` does for one file's bytes; the runner
(:mod:`authsweep.scanner.runner`) discovers files and runs this over many, the CLI
adds configuration, suppression and reporting around it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import digests
from .arms import fold_arms
from .budget import TooComplex, bounded
from .discover import SourceFile
from .errors import ParseError
from .findings import FileError, FileResult, Finding, Severity
from .inputs import recording
from .lazy_regex import lazy_pattern
from .memory import gc_paused
from .model import MailFile, Span
from .precheck import module_may_matter
from .reading import MAX_FILE_BYTES, TooLarge, read_regular
from .records import record
from .secrets import mask_literal, mask_text, mask_url_credentials, secret_spans, secret_texts
from .start_up import start_up
from .suppress import mark_suppressed, may_hold_directive
from .test_paths import is_test_module, is_test_path
from .text import LineIndex, Source

# What `fix` migrates password logins to (`target`): SMTP AUTH with XOAUTH2 (the default), or
# Microsoft Graph sendMail for tenants that refuse SMTP AUTH altogether (docs/graph.md).
TARGETS = ("xoauth2", "graph")


@record
class RunOptions:
    """What one file is checked with: the rules chosen and the options they and the fixes
    take (from the command line and ``[tool.authsweep]``; the users' mail settings that
    authsweep reads are :mod:`authsweep.scanner.mail_settings`)."""

    select: tuple[str, ...] = ()  # rule ids or prefixes ("AS1"); empty: all
    ignore: tuple[str, ...] = ()
    all_providers: bool = False
    # Unknown hosts are Microsoft 365 (declared by the project: ``assume-microsoft``).
    assume_microsoft: bool = False
    exclude: tuple[str, ...] = ()
    # "pkg.module:function" returning an access token for a scope; the XOAUTH2 fix imports
    # it instead of adding its own MSAL helper.
    token_provider: str | None = None
    # `oauth2-module`: the name of the module a fix adds beside a framework's settings (the
    # Django email backend, the XOAuth2SMTPHandler, ...).
    oauth2_module: str = "mail_oauth2"
    # [tool.authsweep.severity]: (rule id, "error"|"warning"|"info"); every finding of the
    # rule gets that severity.
    severity: tuple[tuple[str, str], ...] = ()
    # `max-file-size`: larger files are not checked (and fail the run); 0 means no limit.
    max_file_bytes: int = MAX_FILE_BYTES
    # `target`: what the OAuth2 fix of a password login sends through: "xoauth2" (SMTP AUTH
    # XOAUTH2) or "graph" (Microsoft Graph sendMail; readers stay on XOAUTH2).
    target: str = "xoauth2"


def matches(rule_id: str, codes: Sequence[str]) -> bool:
    """Whether rule selectors (ids, prefixes, ALL) take in ``rule_id``."""
    return any(rule_id.startswith(code.upper()) or code.upper() == "ALL" for code in codes)


def selected_rules(options: RunOptions) -> list:
    # Start-up: the configuration (options_file) imports this module for RunOptions.
    from authsweep.rules import ALL_RULES, RuleOptions

    rule_options = RuleOptions(
        all_providers=options.all_providers,
        assume_microsoft=options.assume_microsoft,
        target=options.target,
    )
    chosen = []
    for rule in ALL_RULES:
        if options.select and not matches(rule.id, options.select):
            continue
        if matches(rule.id, options.ignore):
            continue
        chosen.append(rule(rule_options))
    return chosen


def analyze_source(path: str, source: Source) -> MailFile:
    """Build the mail model of one file; raises ``ParseError`` for unparsable input."""
    loaded = len(sys.modules)
    if source.kind == "python":
        from .python.analyze import analyze_python  # start-up: a front end loads for its files only

        if len(sys.modules) != loaded:
            start_up.loaded()
        return analyze_python(path, source)
    from .config import CONFIG_KINDS, analyze_config  # start-up, as the Python front end

    if len(sys.modules) != loaded:
        start_up.loaded()
    if source.kind in CONFIG_KINDS:
        return analyze_config(path, source)
    return MailFile(path=path, kind=source.kind)


def prepare(kinds: Iterable[str]) -> None:
    """Load, once, what checking files of ``kinds`` loads on first use: the front ends and
    the pre-check's markers. Before a pool of workers starts, so that they inherit it
    from the parent instead of each loading it again."""
    kinds = set(kinds)
    nothing_to_check(Source("python", b""))
    if "python" in kinds:
        from .python.analyze import analyze_python  # noqa: F401 - start-up, as in analyze_source
    if kinds - {"python"}:
        from .config import analyze_config  # noqa: F401 - start-up, as in analyze_source


_EXAMPLE_NAME = lazy_pattern(r"(?:^|[._-])(?:example|sample|template|dist|tmpl)(?:[._-]|$)", re.I)


def check_source(path: str, kind: str, data: bytes, rules: Iterable) -> FileResult:
    """Findings of ``rules`` on one file's bytes, and the other files they were computed
    from. Never raises for bad input."""
    return check(path, Source(kind, data), rules)


def check(path: str, source: Source, rules: Iterable) -> FileResult:
    """:func:`check_source` of a :class:`Source`, which every stage shares: decoded once,
    by the first stage that reads its text, or not at all when the caller has the text
    (the fixer's rounds)."""
    source = source.utf8()
    matters = pre_check(source)
    if matters is None:
        return FileResult(path)
    return check_in_full(path, source, rules, matters)


def pre_check(source: Source) -> bool | None:
    """What a file's bytes alone say (``source`` as :meth:`Source.utf8` gives it): None, its
    result is empty (no marker of mail code or settings, and no suppression comment, which
    could only be unused: most files of a tree); True, it may matter (a marker); False, it
    holds only what may be a suppression comment."""
    lowered = source.data.lower()  # once, for both searches
    if module_may_matter(source.kind, source.data, lowered):
        return True
    return False if may_hold_directive(source.data, lowered) else None


def nothing_to_check(source: Source) -> bool:
    """Whether a file's result is empty by its bytes alone (:func:`pre_check`)."""
    return pre_check(source) is None


def check_in_full(
    path: str,
    source: Source,
    rules: Iterable,
    matters: bool | None = None,
    *,
    digests: bool = True,
) -> FileResult:
    """:func:`check` without asking :func:`pre_check` first (the caller did; ``matters``:
    its answer, when the caller kept it). ``digests``: whether the inputs of the result
    hold the digests of the other files read (a result cache keeps them; see
    :mod:`.inputs`)."""
    # everything the analysis made is dead after
    with gc_paused(), recording(digests) as inputs:
        result = _check_source(path, source, rules, matters)
    result.inputs = inputs
    return result


def _check_source(path: str, source: Source, rules: Iterable, matters: bool | None) -> FileResult:
    from authsweep.rules import rule_codes  # loaded by now: the rules come from it

    result = FileResult(path)
    kind, data = source.kind, source.data
    if not (module_may_matter(kind, data) if matters is None else matters):
        # Nothing to analyse; a suppression comment in it can only be unused (AS900).
        result.findings = mark_suppressed([], source, rules, path, rule_codes())
        attach_context(result.findings, source, [])
        return result
    # start-up: a file the pre-check passes over (most of a pre-commit hook's) shows no mailbox
    from .tenant.mailboxes import attach_mailboxes

    try:
        with bounded():
            mail = analyze_source(path, source)
    except TooComplex as error:
        message = f"not checked: too complex: {error}"
        result.errors.append(FileError(path, message, "too-complex"))
        return result
    except ParseError as error:
        result.errors.append(
            FileError(path, str(error), "unparsable", line=error.line, column=error.column)
        )
        if kind != "python":
            return result
        from .python.fallback import scan_unparsable  # only for a file that does not parse

        mail = scan_unparsable(path, data)
    result.parsed = mail.analyzed
    result.errors.extend(
        FileError(path, str(error), "unparsable", line=error.line, column=error.column)
        for error in mail.not_checked
    )
    # Asked of the text only when the module has something test code changes.
    if is_test_path(path) or (
        kind == "python" and (mail.connections or mail.ews or mail.secrets) and is_test_module(data)
    ):
        for conn in mail.connections:
            conn.test_code = True
        for account in mail.ews:
            account.test_code = True
        # A test's passwords are fakes, unless they reach mail code or settings.
        mail.secrets = [use for use in mail.secrets if use.certain]
    if kind != "python" and _EXAMPLE_NAME.search(path.replace("\\", "/").rsplit("/", 1)[-1]):
        mail.example_config = True
    for rule in rules:
        result.findings.extend(fold_arms(distinct(rule.check(mail)), mail))
    attach_mailboxes(mail, result.findings)
    if result.errors or not _encodes_back(source, result.findings):
        # `fix` leaves a file it could not parse whole as it is, or one its encoding would
        # not write back byte for byte (utf-7, ...): nothing in it is fixable.
        why = (
            "`fix` leaves a file it could not parse whole as it is"
            if result.errors
            else "`fix` leaves a file its encoding would not write back byte for byte as it is"
        )
        for finding in result.findings:
            finding.fix = None
            finding.no_fix_reason = why
    # Unused suppressions (AS900) are judged only where the rules could read the file.
    judged = () if result.errors else rules
    result.findings.extend(mark_suppressed(result.findings, source, judged, path, rule_codes()))
    result.secrets = secret_spans(mail)
    # A message shows a value's name or a test as written: never a secret itself (an
    # unquoted config value is its own source text).
    shown = secret_texts(mail) if result.findings else set()
    for finding in result.findings if shown else ():
        finding.message = mask_text(finding.message, shown)
    attach_context(result.findings, source, result.secrets)
    result.findings.sort(key=Finding.sort_key)
    return result


def _encodes_back(source: Source, findings: list[Finding]) -> bool:
    """Whether the file's text, encoded as it was decoded, gives back its bytes (asked
    only where there is something to fix, and of other encodings than UTF-8)."""
    if not any(finding.fix is not None for finding in findings):
        return True
    try:
        codec, text = source.codec, source.text
    except ValueError:
        return False
    return codec.encoding in ("utf-8", "utf-8-sig") or codec.encode(text) == source.data


def distinct(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule, place and message: a login that may run on either of two
    connections (``SMTP_SSL(...) if ssl else SMTP(...)``) is one problem. A fixable one is
    kept over one that is not."""
    kept: dict[tuple[Span, str, Severity], Finding] = {}
    for finding in findings:
        key = (finding.span, finding.message, finding.severity)
        if key not in kept or (kept[key].fix is None and finding.fix is not None):
            kept[key] = finding
    return list(kept.values())


def attach_context(findings: list[Finding], source: Source, secrets: list[Span]) -> None:
    """Give each finding its code frame (secrets masked) and a fingerprint of its code that
    does not depend on line numbers."""
    if not findings:
        return
    text = source.readable
    # Right to left, by the literal's whole span (however it is quoted or continued): a
    # mask may be longer than a short secret, which would move what follows it.
    for span in sorted(set(secrets), key=lambda s: s.start, reverse=True):
        text = text[: span.start] + mask_literal(text[span.start : span.end]) + text[span.end :]
    # With no literal masked, the file's own line index.
    lines = source.lines if text == source.readable else LineIndex(text)
    # The credentials in URLs and forms are masked in the lines shown, not in the whole
    # text (two expressions tried at every character of it): neither pattern takes a white
    # space, so no match spans a line break and a line masked alone is that line of the
    # masked text (tests/test_code_frames.py).
    shown: dict[int, str] = {}
    for finding in findings:
        finding.message = mask_url_credentials(finding.message)
        first = max(finding.span.line - 1, 0)
        last = min(finding.span.end_line, lines.count, first + 6)
        for number in range(first + 1, last + 1):
            if number not in shown:
                shown[number] = mask_url_credentials(lines.line(number))
        finding.frame = [(n, shown[n]) for n in range(first + 1, last + 1)]
        code = " ".join(line.strip() for _, line in finding.frame)
        digest = digests.sha256(f"{finding.rule}\0{code}".encode()).hexdigest()
        finding.fingerprint = digest[:32]


def too_large(display: str, size: int, limit: int) -> FileError | None:
    """The error for a file over the size limit (``limit`` 0: no limit), or None."""
    if not limit or size <= limit:
        return None
    message = f"not checked: {format_size(size)} is over max-file-size ({format_size(limit)})"
    return FileError(display, message, "too-large")


def format_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + " " + unit
    return f"{size} bytes"


def read_path(
    path: str | Path, display: str, limit: int = 0
) -> tuple[bytes | None, FileError | None]:
    """The file's bytes, or why not: a regular file only, read without blocking and with a
    bound (:func:`~.reading.read_regular`). ``runner.check_paths`` applies each file's own size
    limit before reading; ``limit`` is for callers that read files it did not list."""
    try:
        if limit:
            error = too_large(display, os.stat(path).st_size, limit)
            if error is not None:
                return None, error
        return read_regular(path, limit), None
    except TooLarge as error:
        return None, FileError(display, f"not checked: {error.strerror}", "too-large")
    except OSError as error:
        return None, FileError(display, f"cannot read: {error.strerror}", "unreadable")


def read_file(source: SourceFile) -> tuple[bytes | None, FileError | None]:
    return read_path(source.path, source.display, MAX_FILE_BYTES)
