"""What ``fix`` and ``check --fix`` share: fixing the files, the baseline, the text report
of what was fixed. ``fix`` imports it at the top, and ``authsweep --help`` imports ``fix``,
so its functions import what they run, each marked ``# start-up``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..cli_common import (
    FIX_PROGRESS_MIN_FILES,
    PROGRESS_MIN_FILES,
    changed_files,
    configure_for,
    progress_bar,
    run_failures,
    usage_error,
)

if TYPE_CHECKING:
    from ..fixes.outcome import FixOutcome
    from ..options_file import ConfigResolver


def changed_any(outcome: FixOutcome) -> bool:
    """Whether the run changed (or, with --diff, would change) a file."""
    return any(file.changed for file in outcome.files)


def check_baseline(baseline: Path | None) -> None:
    """A bad baseline stops the run before any file is written."""
    # start-up
    from ..baseline import BaselineError, read_baseline

    if baseline is not None:
        try:
            read_baseline(baseline)
        except BaselineError as error:
            usage_error(str(error))


def apply_fixes(
    paths: list[str],
    resolver: ConfigResolver,
    cwd: Path,
    *,
    unsafe: bool,
    write: bool,
    changed_since: str | None,
    baseline: Path | None,
    jobs: int | None,
    cache_dir: Path | None,
    quiet: bool,
) -> FixOutcome:
    """Fix the files under ``paths`` (or, without ``write``, work out how), as ``fix``
    and ``check --fix`` do; the progress bar on a terminal."""
    # start-up: the fixer (LibCST) only when a run fixes
    from ..engine import RunOptions
    from ..fixer import fix_paths

    progress = progress_bar(
        quiet, {"Checking": PROGRESS_MIN_FILES, "Fixing": FIX_PROGRESS_MIN_FILES}
    )
    with run_failures(progress):
        changed = changed_files(changed_since, paths, cwd) if changed_since else None
        outcome = fix_paths(
            paths,
            RunOptions(),
            unsafe=unsafe,
            write=write,
            configure=configure_for(resolver, changed),
            jobs=jobs,
            cache_dir=cache_dir,
            progress=progress,
            cwd=cwd,
        )
        if baseline is not None:
            split_baselined(outcome, baseline, cwd)
    return outcome


def split_baselined(outcome: FixOutcome, baseline: Path, cwd: Path) -> None:
    # start-up
    from ..baseline import split_known

    outcome.remaining, outcome.baselined = split_known(outcome.remaining, baseline, cwd)


def fix_report(
    outcome: FixOutcome,
    layout: str,
    quiet: bool,
    show_fixes: bool,
    colored: bool,
    diff: bool,
    failing,
    *,
    findings: bool = True,
    unsafe_command: str = "authsweep fix --unsafe-fixes",
) -> str:
    """The text report of a fix run: what is left (unless ``findings`` is off, as for
    ``check --fix``, whose own report lists it), files not fixed, and the summary."""
    # start-up
    from ..report.counts import below_fail_on
    from ..report.fix_summary import fix_summary
    from ..report.options import ReportOptions
    from ..report.text import BOLD, Painter, error_line, findings_lines
    from ..report.visible import visible

    paint = Painter(colored)
    options = ReportOptions(layout=layout)
    lines = findings_lines(outcome.remaining, paint, options) if findings else []
    lines += [error_line(error, paint) for error in outcome.errors]
    if show_fixes and outcome.fixed:
        lines += [visible(line) for line in _fixed_lines(outcome, written=not diff)]
    if not quiet:
        summary = fix_summary(outcome, written=not diff, unsafe_command=unsafe_command)
        passing = sum(1 for f in outcome.remaining if not failing(f))
        if passing:
            summary += f"\n{below_fail_on(passing)}"
        # The summary names files and what a fix left in them.
        lines += [paint(visible(line), BOLD) for line in summary.splitlines()]
    return "".join(line.rstrip() + "\n" for line in lines)


def _fixed_lines(outcome: FixOutcome, *, written: bool) -> list[str]:
    """What was fixed, by file and rule, as Ruff's --show-fixes lists it."""
    # start-up
    from authsweep.rules import rule_by_id

    left = Counter((f.path, f.rule) for f in [*outcome.remaining, *outcome.baselined])
    gone = Counter((f.path, f.rule) for f in outcome.found) - left
    lines = ["Fixed:" if written else "Would fix:"]
    for path in sorted({p for p, _ in gone}):
        lines.append(f"- {path}:")
        for (where, rule), count in sorted(gone.items()):
            if where == path:
                found = rule_by_id(rule)
                lines.append(f"    {count} × {rule} ({found.name if found else rule})")
    return lines
