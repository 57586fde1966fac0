"""Inline suppression: ``# authsweep: ignore[AS101]``, a bare ``# authsweep: ignore``,
and ``# noqa: AS101``.

In Python a directive counts on any line of the statement a finding is in, so a
comment after the closing parenthesis of a multi-line call works (``# nosec``
does not do that, and Bandit users trip over it). Statement extents come from
the ``tokenize`` module and are computed only for files that have findings.
Config files use their own comment syntax: ``#`` (dotenv, YAML, TOML, INI) and
``;`` (INI), on the reported line or on a comment line right above it, since INI
values cannot carry a trailing comment. JSON has no comments: use
``per-file-ignores`` or a baseline there.

A bare ``# noqa`` does not silence authsweep: it is usually written for another
linter, and hiding a basic-auth login by accident is worse than a noisy line.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

from .findings import Finding
from .text import decode

_DIRECTIVE = re.compile(
    r"authsweep:\s*ignore(?![\w-])(?:\[(?P<codes>[^\]]*)\])?"
    r"|noqa:\s*(?P<noqa>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)",
    re.IGNORECASE,
)
_CODE_SPLIT = re.compile(r"[\s,]+")
# Line breaks as the front ends count them (not str.splitlines, which also splits on \f).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# A directive: None silences every rule, otherwise the rule ids and names it names.
Directive = frozenset[str] | None


def parse_directives(comment: str) -> list[Directive]:
    """The directives in one comment's text (``# noqa: E501, AS101`` -> {"as101", "e501"})."""
    found: list[Directive] = []
    for match in _DIRECTIVE.finditer(comment):
        codes = match.group("codes") if match.group("noqa") is None else match.group("noqa")
        if codes is None:
            found.append(None)
            continue
        names = frozenset(c.lower() for c in _CODE_SPLIT.split(codes) if c)
        # An empty list (``ignore[]``) silences nothing rather than everything.
        if names:
            found.append(names)
    return found


def _covers(directive: Directive, finding: Finding) -> bool:
    return directive is None or finding.rule.lower() in directive or finding.name in directive


def mark_suppressed(findings: Iterable[Finding], kind: str, data: bytes) -> None:
    """Set ``statement_lines`` and ``suppressed`` on the findings of one file."""
    findings = list(findings)
    if not findings:
        return
    try:
        text = decode(kind, data)[1]
    except ValueError:
        text = data.decode("utf-8", errors="replace")
    if kind == "python":
        comments, statements = _python_layout(text)
    else:
        comments, statements = _config_comments(text, kind), {}
    lines_of_text = _LINE_BREAK.split(text)
    for finding in findings:
        first = statements.get(finding.span.line, (finding.span.line,))[0]
        last = statements.get(finding.span.end_line, (0, finding.span.end_line))[1]
        finding.statement_lines = (first, max(last, finding.span.end_line))
        lines = list(range(first, finding.statement_lines[1] + 1))
        if kind != "python" and first - 1 in comments and _comment_only(lines_of_text, first - 1):
            lines.append(first - 1)
        finding.suppressed = any(
            _covers(directive, finding)
            for number in lines
            for directive in comments.get(number, ())
        )


def _python_layout(
    text: str,
) -> tuple[dict[int, list[Directive]], dict[int, tuple[int, int]]]:
    """Directives by line, and for each line of a statement the (first, last) line of it."""
    comments: dict[int, list[Directive]] = {}
    statements: dict[int, tuple[int, int]] = {}
    start: int | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                directives = parse_directives(token.string)
                if directives:
                    comments.setdefault(token.start[0], []).extend(directives)
            if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if token.type == tokenize.NEWLINE or token.type == tokenize.ENDMARKER:
                if start is not None:
                    end = token.end[0] if token.type == tokenize.NEWLINE else token.start[0]
                    for number in range(start, end + 1):
                        statements[number] = (start, end)
                start = None
            elif start is None:
                start = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        # Code tokenize cannot read (newer syntax than this Python, or broken): fall back to
        # comments found line by line; each finding then covers only its own lines.
        return _config_comments(text, "python"), {}
    return comments, statements


def _config_comments(text: str, kind: str) -> dict[int, list[Directive]]:
    if kind == "json":
        return {}
    markers = "#;" if kind == "ini" else "#"
    comments: dict[int, list[Directive]] = {}
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        at = min((i for i in (line.find(m) for m in markers) if i >= 0), default=-1)
        if at >= 0:
            directives = parse_directives(line[at:])
            if directives:
                comments[number] = directives
    return comments


def _comment_only(lines: list[str], number: int) -> bool:
    # Only called for lines that hold a directive, so a leading marker means a comment line.
    return 1 <= number <= len(lines) and lines[number - 1].lstrip()[:1] in ("#", ";")
