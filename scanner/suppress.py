"""Inline suppression: ``# authsweep: ignore[AS101]``, a bare ``# authsweep: ignore``,
and ``# noqa: AS101``; and the suppressions that silence nothing (AS900).

In Python a directive counts on any line of the statement a finding is in, so a
comment after the closing parenthesis of a multi-line call works (``# nosec``
does not do that, and Bandit users trip over it). Statement extents come from
the ``tokenize`` module and are computed only for files that have findings or
directives. Config files use their own comment syntax: ``#`` (dotenv, YAML, TOML,
INI) and ``;`` (INI), on the reported line or on a comment line right above it,
since INI values cannot carry a trailing comment. JSON has no comments: use
``per-file-ignores`` or a baseline there.

A bare ``# noqa`` does not silence authsweep: it is usually written for another
linter, and hiding a basic-auth login by accident is worse than a noisy line. For
the same reason only ``AS`` codes of a ``noqa`` list are authsweep's to judge.

A directive, or a code in one, that silenced nothing in this run is reported as
AS900 unused-suppression, as Ruff's RUF100 does, with a fix that removes it and
keeps the rest of the line. A code is judged only when its rule ran (a bare
directive only when every rule ran): a suppression for a rule left out of the run
may still be needed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field

from .findings import Applicability, Confidence, Finding, Fix, Severity
from .lazy_regex import lazy_pattern
from .model import Span
from .records import plain
from .remedies import Edit, Remedy
from .text import LineIndex, Source

_DIRECTIVE = lazy_pattern(
    r"authsweep:\s*ignore(?![\w-])(?:\[(?P<codes>[^\]]*)\])?"
    r"|noqa:\s*(?P<noqa>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)",
    re.IGNORECASE,
)
_CODE = lazy_pattern(r"[^\s,]+")
_AUTHSWEEP_CODE = lazy_pattern(r"as\d+", re.IGNORECASE)
# A cheap look at raw bytes: could the file hold a directive at all?
_MAY_HOLD_DIRECTIVE = lazy_pattern(rb"authsweep\s*:\s*ignore|noqa\s*:[^\n]*\bas\d", re.IGNORECASE)

UNUSED_ID = "AS900"
UNUSED_NAME = "unused-suppression"


@plain
class Code:
    """A rule code as written in a suppression comment, with its offsets in the file."""

    text: str  # as written
    start: int  # offsets in the file's text
    end: int


@plain
class Directive:
    """One ``authsweep: ignore`` or ``noqa:`` directive, where it is in the file's text."""

    line: int
    start: int
    end: int
    codes: tuple[Code, ...] | None  # None: a bare directive, every rule
    noqa: bool
    codes_start: int = 0  # the code list (inside the brackets, or after ``noqa:``)
    codes_end: int = 0
    used: set[int] = field(default_factory=set)  # indices of codes that silenced a finding
    silenced: bool = False  # for a bare directive

    @property
    def names(self) -> frozenset[str] | None:
        return None if self.codes is None else frozenset(c.text.lower() for c in self.codes)

    def covers(self, finding: Finding) -> bool:
        """Whether it silences ``finding``; remembers which of its codes did."""
        if self.codes is None:
            self.silenced = True
            return True
        hit = False
        for index, code in enumerate(self.codes):
            if code.text.lower() in (finding.rule.lower(), finding.name):
                self.used.add(index)
                hit = True
        return hit


def _directives(comment: str, offset: int, line: int) -> list[Directive]:
    """The directives in one comment's text, which starts at ``offset`` of the file."""
    found: list[Directive] = []
    for match in _DIRECTIVE.finditer(comment):
        group = "codes" if match.group("noqa") is None else "noqa"
        start, end = match.span()
        if match.group(group) is None:
            found.append(Directive(line, offset + start, offset + end, None, False))
            continue
        first, last = match.span(group)
        codes = tuple(
            Code(m.group(), offset + first + m.start(), offset + first + m.end())
            for m in _CODE.finditer(match.group(group))
        )
        # An empty list (``ignore[]``) silences nothing rather than everything.
        if codes:
            found.append(
                Directive(
                    line,
                    offset + start,
                    offset + end,
                    codes,
                    group == "noqa",
                    offset + first,
                    offset + last,
                )
            )
    return found


def parse_directives(comment: str) -> list[frozenset[str] | None]:
    """The directives in one comment's text (``# noqa: E501, AS101`` -> {"as101", "e501"})."""
    return [directive.names for directive in _directives(comment, 0, 1)]


def may_hold_directive(data: bytes, lowered: bytes | None = None) -> bool:
    """Whether the bytes may hold a suppression comment (``lowered``: the bytes in lower
    case, when the caller has them already)."""
    # Substring searches, and the expression only where one found a word its matches
    # start with: tried at every position, it cost more than all the other pre-checks
    # together over a tree, and 2-5 ms for each 100 kB module whose linter comments name
    # other tools' codes (``noqa: E501``).
    if lowered is None:
        lowered = data.lower()
    for word in (b"authsweep", b"noqa"):
        start = lowered.find(word)
        while start >= 0:
            if _MAY_HOLD_DIRECTIVE.match(data, start) is not None:
                return True
            start = lowered.find(word, start + 1)
    return False


def mark_suppressed(
    findings: Iterable[Finding],
    source: Source,
    rules: Sequence = (),
    path: str = "",
    catalogue: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Set ``statement_lines`` and ``suppressed`` on the findings of one file (its
    ``source``: the text and line index every stage shares). When the
    AS900 rule is among ``rules`` (the rules that ran), return its findings for the file
    at ``path``: the directives, or codes in them, that silenced nothing. Judging them
    takes the rule ``catalogue``: each rule's id and name, in lower case, to its id
    (``authsweep.rules.rule_codes()``)."""
    findings = list(findings)
    judge = any(rule.id == UNUSED_ID for rule in rules)
    if judge and catalogue is None:
        raise TypeError("judging unused suppressions takes the rule catalogue")
    if not may_hold_directive(source.data):
        # No directive anywhere: nothing to silence, nothing unused, and no need to find
        # statement extents (a tokenize of the whole file).
        for finding in findings:
            finding.statement_lines = (finding.span.line, finding.span.end_line)
        return []
    if not findings and not judge:
        return []
    kind, lines = source.kind, source.lines
    if kind == "python":
        comments, statements = _python_layout(lines)
    else:
        comments, statements = _config_comments(lines, kind), {}
    for finding in findings:
        first = statements.get(finding.span.line, (finding.span.line,))[0]
        last = statements.get(finding.span.end_line, (0, finding.span.end_line))[1]
        finding.statement_lines = (first, max(last, finding.span.end_line))
        numbers = list(range(first, finding.statement_lines[1] + 1))
        if kind != "python" and first - 1 in comments and _comment_only(lines, first - 1):
            numbers.append(first - 1)
        # Every directive that covers the finding is marked used, not just the first.
        finding.suppressed = any(
            [
                directive.covers(finding)
                for number in numbers
                for directive in comments.get(number, ())
            ]
        )
    if not judge:
        return []
    unused = _unused(comments, lines, path, rules, catalogue or {})
    for finding in unused:
        # Only an explicit AS900 code silences AS900: a bare directive that silences nothing
        # would otherwise hide its own report.
        finding.suppressed = any(
            d.codes is not None and d.names & {UNUSED_ID.lower(), UNUSED_NAME}
            for d in comments.get(finding.span.line, ())
        )
    return unused


def _python_layout(
    lines: LineIndex,
) -> tuple[dict[int, list[Directive]], dict[int, tuple[int, int]]]:
    """Directives by line, and for each line of a statement the (first, last) line of it."""
    comments: dict[int, list[Directive]] = {}
    statements: dict[int, tuple[int, int]] = {}
    start: int | None = None
    # start-up: `tokenize` only for a module whose text may hold a directive
    import tokenize

    # tokenize ends lines where the index does (newline="" keeps \r and \r\n as written);
    # its columns count characters.
    try:
        for token in tokenize.generate_tokens(io.StringIO(lines.text, newline="").readline):
            if token.type == tokenize.COMMENT:
                row, column = token.start
                found = _directives(token.string, lines.line_start(row) + column, row)
                if found:
                    comments.setdefault(row, []).extend(found)
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
        return _config_comments(lines, "python"), {}
    return comments, statements


def _config_comments(lines: LineIndex, kind: str) -> dict[int, list[Directive]]:
    if kind == "json":
        return {}
    markers = "#;" if kind == "ini" else "#"
    comments: dict[int, list[Directive]] = {}
    for number in range(1, len(lines) + 1):
        line = lines.line(number)
        at = min((i for i in (line.find(m) for m in markers) if i >= 0), default=-1)
        if at >= 0:
            found = _directives(line[at:], lines.line_start(number) + at, number)
            if found:
                comments[number] = found
    return comments


def _comment_only(lines: LineIndex, number: int) -> bool:
    # Only called for lines that hold a directive, so a leading marker means a comment line.
    return 1 <= number <= len(lines) and lines.line(number).lstrip()[:1] in ("#", ";")


def _unused(
    comments: dict[int, list[Directive]],
    lines: LineIndex,
    path: str,
    rules: Sequence,
    catalogue: Mapping[str, str],
) -> list[Finding]:
    ran = {rule.id for rule in rules}
    every_rule_ran = ran >= set(catalogue.values())
    reports: list[Finding] = []
    for line in sorted(comments):
        for directive in comments[line]:
            if directive.codes is None:
                if directive.silenced or not every_rule_ran:
                    continue
                message = "unused suppression: nothing is reported on this statement"
                reports.append(_report(directive, lines, path, message, []))
                continue
            unknown: list[str] = []
            unused: list[str] = []
            for index, code in enumerate(directive.codes):
                if directive.noqa and not _AUTHSWEEP_CODE.fullmatch(code.text):
                    continue  # another linter's code
                rule_id = catalogue.get(code.text.strip().lower())
                if rule_id is None:
                    unknown.append(code.text)
                elif rule_id == UNUSED_ID:
                    continue
                elif rule_id in ran and index not in directive.used:
                    unused.append(code.text)
            if unknown or unused:
                parts = []
                if unused:
                    parts.append(f"no {', '.join(unused)} finding on this statement")
                if unknown:
                    parts.append(f"unknown rule code {', '.join(unknown)}")
                message = "unused suppression: " + "; ".join(parts)
                drop = set(unknown) | set(unused)
                keep = [c for c in directive.codes if c.text not in drop]
                reports.append(_report(directive, lines, path, message, keep))
    return reports


def _report(
    directive: Directive, lines: LineIndex, path: str, message: str, keep: list[Code]
) -> Finding:
    line = directive.line
    start_column = directive.start - lines.line_start(line) + 1
    end_column = directive.end - lines.line_start(line) + 1
    span = Span(line, start_column, line, end_column, directive.start, directive.end)
    remedy = Remedy(_removal(directive, lines, keep))
    return Finding(
        rule=UNUSED_ID,
        name=UNUSED_NAME,
        severity=Severity.WARNING,
        confidence=Confidence.HIGH,
        path=path,
        span=span,
        message=message,
        fix=Fix(Applicability.SAFE, "Remove the unused suppression", remedy),
        statement_lines=(line, line),
    )


def _removal(directive: Directive, lines: LineIndex, keep: list[Code]) -> tuple[Edit, ...]:
    """Edits that take the unused part of a directive out and leave the line tidy. (The
    examples below write the directive as <directive>: spelled out, a comment that shows
    one is a directive, and AS900 would report it.)"""
    if keep:
        joined = ", ".join(code.text for code in keep)
        return (Edit(directive.codes_start, directive.codes_end, joined),)
    text = lines.text
    line_start = lines.line_start(directive.line)
    end_of_line = lines.line_end(directive.line)
    next_line = lines.line_start(directive.line + 1)
    before = text[line_start : directive.start]
    marker = max(before.rfind("#"), before.rfind(";"))
    after = text[directive.end : end_of_line]
    rest = after.lstrip(" \t")
    if marker < 0 or before[marker + 1 :].strip():
        # Inside a comment that says more before it: take the directive and the blanks
        # in front of it.
        start = line_start + len(before.rstrip(" \t"))
        return (Edit(start, directive.end + (len(after) - len(rest) if not rest else 0), ""),)
    marker_at = line_start + marker
    if rest and rest[0] not in "#;":
        # "# <directive> legacy login" -> "# legacy login"
        return (Edit(directive.start, directive.end + len(after) - len(rest), ""),)
    if rest:
        # A directive before another tool's noqa list goes; the list stays.
        return (Edit(marker_at, directive.end + len(after) - len(rest), ""),)
    code = text[line_start:marker_at]
    if code.strip():
        # "x = 1  # <directive>" -> "x = 1"
        return (Edit(line_start + len(code.rstrip(" \t")), end_of_line, ""),)
    # A line that held only the directive goes, with its line break.
    return (Edit(line_start, next_line, ""),)
