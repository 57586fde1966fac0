"""Reports: one module per output format, all reading the same run result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Finding, RunResult


@dataclass(frozen=True)
class ReportOptions:
    cwd: Path = field(default_factory=Path.cwd)  # paths in findings are relative to it
    show_suppressed: bool = False  # also list findings silenced by inline comments
    quiet: bool = False  # text: findings only, no summary
    statistics: bool = False  # text and json: counts per rule instead of findings
    link_base: Path | None = None  # markdown: the folder links are relative to
    layout: str = "full"  # text: "full", "concise" or "grouped" (`--output-format`)
    show_fixes: bool = False  # text: each fixable finding's fix under it
    # The command that applies fixes, as the summary suggests it (under pre-commit,
    # `authsweep` itself may not be on PATH: "pre-commit run authsweep-fix").
    fix_command: str = "authsweep fix"
    unsafe_fix_command: str = "authsweep fix --unsafe-fixes"
    # Whether a finding fails the run (`fail-on`); None: every finding does.
    fails: Callable[[Finding], bool] | None = None
    # sarif: the `token-provider` configured for a file, for fixes that add a token helper.
    token_provider: Callable[[str], str | None] | None = None


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 file``, ``2 files``, ``0 files``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


SEVERITY_NAMES = {"error": ("error", "errors"), "warning": ("warning", "warnings")}


def severity_counts(findings: list[Finding]) -> str:
    """``10 errors, 5 warnings, 1 info``, most severe first."""
    counts = Counter(f.severity.value for f in findings)
    parts = []
    for severity in ("error", "warning", "info"):
        if counts[severity]:
            singular, many = SEVERITY_NAMES.get(severity, (severity, severity))
            parts.append(plural(counts[severity], singular, many))
    return ", ".join(parts)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    name: str
    count: int
    fixable: int


def statistics(findings: list[Finding]) -> list[RuleCount]:
    """Counts per rule, most frequent first."""
    counts = Counter(f.rule for f in findings)
    names = {f.rule: f.name for f in findings}
    fixable = Counter(f.rule for f in findings if f.fixable)
    return [
        RuleCount(rule, names[rule], count, fixable[rule])
        for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def render(
    run: RunResult,
    output_format: str,
    *,
    color: bool = False,
    options: ReportOptions | None = None,
) -> str:
    options = options or ReportOptions()
    if output_format == "json":
        from .json_report import render_json

        return render_json(run, options)
    if output_format == "sarif":
        from .sarif import render_sarif

        return render_sarif(run, options)
    if output_format == "github":
        from .github import render_github

        return render_github(run, options)
    if output_format == "markdown":
        from .markdown import render_markdown

        return render_markdown(run, options)
    from .text import render_text

    return render_text(run, color=color, options=options)
