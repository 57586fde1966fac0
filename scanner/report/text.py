"""Text output for people, in three layouts (``--output-format``), as Ruff's:

- ``full``: ``path:line:col: AS101 [error] message``, the code (secrets masked) with a
  marker under the finding, and a summary;
- ``concise``: one line a finding, ``path:line:col: AS101 [*] headline``, the message cut
  to its headline so a line fits a terminal;
- ``grouped``: findings under their file, ``  line:col AS101 [error] message``.

Colour is plain ANSI, written only when asked (a terminal, ``--color always``); rich is
not imported, so a check whose output goes to a file or a pipe starts faster. What comes
from the scanned tree (paths, messages that quote it, code) is written through
:func:`visible`, so its control characters show instead of acting on the terminal.
"""

from __future__ import annotations

from itertools import groupby

from ..findings import Applicability, Confidence, FileError, Finding, RunResult, Severity
from .counts import below_fail_on, plural, set_aside, severity_counts, statistics
from .options import ReportOptions
from .visible import visible

_SEVERITY_STYLE = {Severity.ERROR: "1;31", Severity.WARNING: "33", Severity.INFO: "36"}
BOLD, DIM, GREEN, MAGENTA = "1", "2", "32", "35"


class Painter:
    """ANSI styles, or none."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{style}m{text}\x1b[0m"


def render_text(
    run: RunResult, *, color: bool = False, options: ReportOptions | None = None
) -> str:
    options = options or ReportOptions()
    paint = Painter(color)
    lines: list[str] = []
    if options.statistics:
        lines += _statistics(run, paint)
    else:
        lines += findings_lines(run.findings, paint, options)
        if options.show_suppressed and run.suppressed:
            lines += findings_lines(run.suppressed, paint, options, suppressed=True)
    lines += [error_line(error, paint) for error in run.errors]
    if not options.quiet:
        lines.append(paint(summary_line(run, options), BOLD))
    # No trailing blanks, whatever the code frame holds.
    return "".join(line.rstrip() + "\n" for line in lines)


def findings_lines(
    findings: list[Finding], paint: Painter, options: ReportOptions, *, suppressed: bool = False
) -> list[str]:
    if options.layout == "grouped":
        return _grouped(findings, paint, options, suppressed)
    lines: list[str] = []
    for finding in findings:
        if options.layout == "concise":
            lines.append(_concise(finding, paint, suppressed))
        else:
            lines += _full(finding, paint, suppressed)
        if options.show_fixes and (finding.fix is not None or finding.no_fix_reason):
            lines.append("    " + _fix_note(finding, paint))
    return lines


def error_line(error: FileError, paint: Painter) -> str:
    where = visible(error.location) + ":"
    return f"{paint(where, BOLD)} {paint(visible(f'{error.kind}: {error.message}'), MAGENTA)}"


def fix_mark(finding: Finding) -> str:
    """``*`` for a fix `authsweep fix` applies, ``**`` for one that needs --unsafe-fixes."""
    if finding.fix is None:
        return ""
    return "*" if finding.fix.applicability is Applicability.SAFE else "**"


def _tags(finding: Finding, paint: Painter, suppressed: bool) -> str:
    tags = ""
    if finding.confidence is Confidence.LOW:
        # Found by patterns in a file that did not parse, or on a connection only guessed at.
        tags += " " + paint("[low confidence]", DIM)
    if suppressed:
        tags += " " + paint("[suppressed]", DIM)
    return tags


def _full(finding: Finding, paint: Painter, suppressed: bool) -> list[str]:
    span = finding.span
    head = paint(f"{visible(finding.path)}:{span.line}:{span.column}:", BOLD)
    line = f"{head} {paint(finding.rule, BOLD)} "
    line += paint(f"[{finding.severity.value}]", _SEVERITY_STYLE[finding.severity])
    line += f" {visible(finding.message)}"
    if finding.fix is not None:
        line += " " + paint(f"[{fix_mark(finding)}fixable]", GREEN)
    line += _tags(finding, paint, suppressed)
    if suppressed:
        return [line]  # listed for review; the frame is in the file, next to the comment
    lines = [line]
    for number, code in finding.frame:
        lines.append(paint(f"  {number:>5} | ", DIM) + visible(code))
    if finding.frame and span.line == span.end_line:
        # Under the code as shown: an escaped character is wider than the one it stands for.
        code = finding.frame[0][1]
        start = len(visible(code[: span.column - 1]))
        width = max(len(visible(code[span.column - 1 : span.end_column - 1])), 1)
        marker = " " * start + "^" * width
        lines.append(paint("        | ", DIM) + paint(marker, _SEVERITY_STYLE[finding.severity]))
    return lines


def headline(message: str) -> str:
    """A message up to its first ``: `` or ``; `` outside quotes: what is wrong, without
    the explanation and the advice that follow (``TLS to 'smtp.office365.com' without
    certificate verification``)."""
    quoted = False
    for index, char in enumerate(message):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in ":;" and message[index + 1 : index + 2] == " ":
            return message[:index]
    return message


def _concise(finding: Finding, paint: Painter, suppressed: bool) -> str:
    span = finding.span
    code = paint(finding.rule, _SEVERITY_STYLE[finding.severity])
    mark = f" {paint(f'[{fix_mark(finding)}]', GREEN)}" if finding.fix is not None else ""
    head = paint(f"{visible(finding.path)}:{span.line}:{span.column}:", BOLD)
    message = visible(headline(finding.message))
    return f"{head} {code}{mark} {message}{_tags(finding, paint, suppressed)}"


def _grouped(
    findings: list[Finding], paint: Painter, options: ReportOptions, suppressed: bool
) -> list[str]:
    lines: list[str] = []
    for path, group in groupby(findings, key=lambda f: f.path):
        found = list(group)
        width = max(len(f"{f.span.line}:{f.span.column}") for f in found)
        lines.append(paint(visible(path) + ":", BOLD))
        for finding in found:
            where = f"{finding.span.line}:{finding.span.column}"
            line = f"  {where:<{width}}  {paint(finding.rule, BOLD)} "
            line += paint(f"[{finding.severity.value}]", _SEVERITY_STYLE[finding.severity])
            line += f" {visible(finding.message)}"
            if finding.fix is not None:
                line += " " + paint(f"[{fix_mark(finding)}fixable]", GREEN)
            lines.append(line + _tags(finding, paint, suppressed))
            if options.show_fixes and (finding.fix is not None or finding.no_fix_reason):
                lines.append(" " * (width + 4) + _fix_note(finding, paint))
        lines.append("")
    return lines


def _fix_note(finding: Finding, paint: Painter) -> str:
    """The fix ``fix`` applies, or why there is none."""
    if finding.fix is None:
        return paint(f"no fix: {visible(finding.no_fix_reason)}", DIM)
    message = visible(finding.fix.message)
    return paint(f"fix ({finding.fix.applicability.value}): {message}", GREEN)


def _statistics(run: RunResult, paint: Painter) -> list[str]:
    rows = statistics(run.findings)
    width = max((len(str(row.count)) for row in rows), default=1)
    name_width = max((len(row.name) for row in rows), default=1)
    lines = []
    for row in rows:
        fix = f"[{row.fixable} fixable]" if row.fixable else ""
        lines.append(
            f"{row.count:>{width}}  {paint(row.rule, BOLD)}  {row.name:<{name_width}}  {fix}"
        )
    return lines


def summary_line(run: RunResult, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    findings = run.findings
    scanned = plural(run.files_scanned, "file")
    if not findings:
        text = f"No problems found in {scanned}."
    else:
        with_findings = len({f.path for f in findings})
        where = scanned if with_findings == run.files_scanned else f"{with_findings} of {scanned}"
        text = f"Found {plural(len(findings), 'problem')} ({severity_counts(findings)}) in {where}."
        safe = sum(1 for f in findings if fix_mark(f) == "*")
        unsafe = sum(1 for f in findings if fix_mark(f) == "**")
        if safe:
            text += f" {safe} fixable with `{options.fix_command}` (marked *)."
        if unsafe:
            text += f" {unsafe} more with `{options.unsafe_fix_command}` (marked **)."
        if options.fails is not None:
            passing = sum(1 for f in findings if not options.fails(f))
            if passing:
                text += f" {below_fail_on(passing)}"
    return text + set_aside(run)
