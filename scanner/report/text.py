"""Text output: ``path:line:col: AS101 [error] message``, a code frame, a summary."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.text import Text

from ..engine import RunResult
from ..findings import Applicability, Finding, Severity
from . import ReportOptions, statistics

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_text(
    run: RunResult, *, color: bool = False, options: ReportOptions | None = None
) -> str:
    options = options or ReportOptions()
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        width=10_000,
        soft_wrap=True,
    )
    if options.statistics:
        _print_statistics(console, run)
    else:
        for finding in run.findings:
            _print_finding(console, finding)
        if options.show_suppressed:
            for finding in run.suppressed:
                _print_finding(console, finding, suppressed=True)
    for error in run.errors:
        console.print(
            Text(f"{error.path}: ", style="bold")
            + Text(f"{error.kind}: {error.message}", style="magenta")
        )
    if not options.quiet:
        console.print(Text(summary_line(run), style="bold"))
    return buffer.getvalue()


def _print_finding(console: Console, finding: Finding, *, suppressed: bool = False) -> None:
    line = Text()
    line.append(f"{finding.path}:{finding.span.line}:{finding.span.column}: ", style="bold")
    line.append(f"{finding.rule} ", style="bold")
    line.append(f"[{finding.severity.value}]", style=_STYLE[finding.severity])
    line.append(f" {finding.message}")
    if finding.fix is not None:
        mark = "*" if finding.fix.applicability is Applicability.SAFE else "**"
        line.append(f" [{mark}fixable]", style="green")
    if suppressed:
        line.append(" [suppressed]", style="dim")
        console.print(line)
        return  # listed for review; the frame is in the file, next to the comment
    console.print(line)
    for number, code in finding.frame:
        console.print(Text(f"  {number:>5} | ", style="dim") + Text(code))
    if finding.frame and finding.span.line == finding.span.end_line:
        width = max(finding.span.end_column - finding.span.column, 1)
        console.print(
            Text("        | ", style="dim")
            + Text(" " * (finding.span.column - 1) + "^" * width, style=_STYLE[finding.severity])
        )


def _print_statistics(console: Console, run: RunResult) -> None:
    rows = statistics(run.findings)
    width = max((len(str(row.count)) for row in rows), default=1)
    name_width = max((len(row.name) for row in rows), default=1)
    for row in rows:
        fix = f"[{row.fixable} fixable]" if row.fixable else ""
        console.print(
            Text(f"{row.count:>{width}}  ")
            + Text(row.rule, style="bold")
            + Text(f"  {row.name:<{name_width}}  {fix}".rstrip())
        )


def summary_line(run: RunResult) -> str:
    count = len(run.findings)
    if not count:
        text = f"No problems found in {run.files_scanned} files."
    else:
        by_severity = Counter(f.severity.value for f in run.findings)
        parts = ", ".join(f"{n} {s}" for s, n in sorted(by_severity.items()))
        safe = sum(1 for f in run.findings if f.fix and f.fix.applicability is Applicability.SAFE)
        unsafe = sum(
            1 for f in run.findings if f.fix and f.fix.applicability is Applicability.UNSAFE
        )
        text = f"Found {count} problems ({parts}) in {run.files_scanned} files."
        if safe:
            text += f" {safe} fixable with `authsweep fix` (marked *)."
        if unsafe:
            text += f" {unsafe} more with `authsweep fix --unsafe-fixes` (marked **)."
    if run.suppressed:
        text += f" {len(run.suppressed)} suppressed by comments."
    if run.baselined:
        text += f" {len(run.baselined)} known from the baseline."
    if run.errors:
        text += f" {len(run.errors)} files could not be checked."
    return text
