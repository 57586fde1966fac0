"""``authsweep fix``: apply fixes (safe ones; unsafe ones too with --unsafe-fixes), or show
them as a diff. It reads, configures and counts files as ``check`` does, and fails the
same way: problems left at or above ``fail-on``, or a file it could not check or fix."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    EXIT_FINDINGS,
    FIX_PROGRESS_MIN_FILES,
    LAYOUTS,
    PROGRESS_MIN_FILES,
    AllProvidersOpt,
    AssumeMicrosoftOpt,
    BaselineOpt,
    CacheDirOpt,
    ChangedSinceOpt,
    ColorOpt,
    ConfigOpt,
    ExitZeroOpt,
    FailOnOpt,
    IgnoreOpt,
    JobsOpt,
    MaxFileSizeOpt,
    NoCacheOpt,
    NoColorOpt,
    OutputFormatOpt,
    PathsArg,
    QuietOpt,
    SelectOpt,
    ShowFixesOpt,
    StdinNameOpt,
    cache_folder,
    changed_files,
    choice,
    configure_for,
    fail_on_check,
    make_resolver,
    progress_bar,
    read_stdin,
    reads_stdin,
    run_failures,
    usage_error,
    use_color,
    warn,
)

if TYPE_CHECKING:
    from ..config_file import ConfigResolver
    from ..fixer import FixOutcome


def fix(
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    assume_microsoft: AssumeMicrosoftOpt = False,
    config: ConfigOpt = None,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
    ] = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Print a unified diff; write nothing (exit 1 if any)."),
    ] = False,
    baseline: BaselineOpt = None,
    exit_zero: ExitZeroOpt = False,
    fail_on: FailOnOpt = None,
    layout: OutputFormatOpt = None,
    show_fixes: ShowFixesOpt = False,
    changed_since: ChangedSinceOpt = None,
    max_file_size: MaxFileSizeOpt = None,
    quiet: QuietOpt = False,
    color: ColorOpt = None,
    no_color: NoColorOpt = False,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    stdin_filename: StdinNameOpt = None,
) -> None:
    """Apply fixes: safe ones by default, unsafe ones (OAuth2 rewrite) with --unsafe-fixes."""
    layout = choice("--output-format", layout, LAYOUTS) or "full"
    paths = paths or ["."]
    stdin = reads_stdin(paths)
    if changed_since and stdin:
        usage_error("--changed-since cannot be used with stdin")
    resolver = make_resolver(
        select, ignore, all_providers, config, fail_on, max_file_size, assume_microsoft
    )
    # The fixed code or the diff goes to stdout; with either, the report goes to stderr.
    report_stream = sys.stderr if diff or stdin else sys.stdout
    colored = use_color(color, no_color, report_stream)
    cwd = Path.cwd()
    from ..baseline import BaselineError, read_baseline, split_known

    if baseline is not None:
        try:
            read_baseline(baseline)  # a bad baseline stops the run before any file is written
        except BaselineError as error:
            usage_error(str(error))
    progress = None
    if not stdin:
        progress = progress_bar(
            quiet, {"Checking": PROGRESS_MIN_FILES, "Fixing": FIX_PROGRESS_MIN_FILES}
        )
    stdin_data = b""
    with run_failures(progress):
        if stdin:
            outcome, stdin_data = _fix_stdin(resolver, stdin_filename, cwd, unsafe_fixes)
        else:
            from ..engine import Settings
            from ..fixer import fix_paths

            changed = changed_files(changed_since, paths, cwd) if changed_since else None
            outcome = fix_paths(
                paths,
                Settings(),
                unsafe=unsafe_fixes,
                write=not diff,
                configure=configure_for(resolver, changed),
                jobs=jobs,
                cache_dir=cache_folder(paths, no_cache, cache_dir),
                progress=progress,
                cwd=cwd,
            )
        if baseline is not None:
            outcome.remaining, outcome.baselined = split_known(outcome.remaining, baseline, cwd)

    if stdin and not diff:
        # As Ruff does: the fixed code (or the code as it was) on stdout, for editors.
        sys.stdout.flush()
        sys.stdout.buffer.write(_stdin_bytes(outcome, stdin_data))
        sys.stdout.buffer.flush()
    if diff:
        # A patch is written exactly; on a terminal, for eyes only, its control characters
        # show instead of acting (as ls shows a file name).
        if sys.stdout.isatty():
            from ..report.visible import visible

            sys.stdout.write(visible(outcome.diff, keep="\n"))
        else:
            sys.stdout.write(outcome.diff)
    failing = fail_on_check(resolver, cwd)
    report_stream.write(_report(outcome, layout, quiet, show_fixes, colored, diff, failing))
    if not outcome.files_scanned and not outcome.errors and not quiet and not stdin:
        warn(f"no files checked in {' '.join(paths)}")
    if exit_zero:
        return
    # --diff is a preview: it fails on changes to make; fixing for real fails on what is left.
    left = outcome.diff if diff else any(failing(f) for f in outcome.remaining)
    if outcome.errors or left:
        raise typer.Exit(EXIT_FINDINGS)


def _fix_stdin(
    resolver: ConfigResolver, stdin_filename: str | None, cwd: Path, unsafe: bool
) -> tuple[FixOutcome, bytes]:
    """The outcome of fixing stdin, and the bytes read."""
    from ..discover import kind_of
    from ..fixer import FixOutcome, fix_stdin

    display = stdin_filename or "-"
    configured = resolver.configure(cwd / (stdin_filename or "stdin"))
    data, too_large = read_stdin(display, configured[0].max_file_bytes if configured else 0)
    if configured is None:  # excluded by its configuration: passed through unchanged
        return FixOutcome(), data
    if too_large is not None:
        return FixOutcome(errors=[too_large]), data
    settings, ignored = configured
    kind = kind_of(Path(display)) or "python"
    return fix_stdin(display, kind, data, settings, ignored, unsafe=unsafe), data


def _stdin_bytes(outcome: FixOutcome, data: bytes) -> bytes:
    """The fixed code, encoded as it came (BOM, coding cookie), or what was read when
    nothing changed."""
    fixed = outcome.files[0] if outcome.files else None
    if fixed is not None and fixed.changed and fixed.codec is not None:
        return fixed.codec.encode(fixed.after)
    return data


def _report(
    outcome: FixOutcome,
    layout: str,
    quiet: bool,
    show_fixes: bool,
    colored: bool,
    diff: bool,
    failing,
) -> str:
    from ..report import ReportOptions
    from ..report.text import BOLD, Painter, error_line, findings_lines
    from ..report.visible import visible

    paint = Painter(colored)
    options = ReportOptions(layout=layout)
    lines = findings_lines(outcome.remaining, paint, options)
    lines += [error_line(error, paint) for error in outcome.errors]
    if show_fixes and outcome.fixed:
        lines += [visible(line) for line in _fixed_lines(outcome, written=not diff)]
    if not quiet:
        summary = outcome.summary(written=not diff)
        passing = sum(1 for f in outcome.remaining if not failing(f))
        if passing:
            verb = "does" if passing == 1 else "do"
            summary += f"\n{passing} below fail-on {verb} not fail the run."
        # The summary names files and what a fix left in them.
        lines += [paint(visible(line), BOLD) for line in summary.splitlines()]
    return "".join(line.rstrip() + "\n" for line in lines)


def _fixed_lines(outcome: FixOutcome, *, written: bool) -> list[str]:
    """What was fixed, by file and rule, as Ruff's --show-fixes lists it."""
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
