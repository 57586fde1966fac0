"""``authsweep fix``: apply fixes (safe ones; unsafe ones too with --unsafe-fixes), or show
them as a diff. It reads, configures and counts files as ``check`` does, and fails the
same way: problems left at or above ``fail-on``, or a file it could not check or fix."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..cli_common import (
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
    ExtendSelectOpt,
    FailOnOpt,
    IgnoreOpt,
    JobsOpt,
    MaxFileSizeOpt,
    NoCacheOpt,
    NoColorOpt,
    PathsArg,
    QuietOpt,
    SelectOpt,
    ShowFixesOpt,
    StdinNameOpt,
    TargetOpt,
    cache_folder,
    changed_files,
    choice,
    configure_for,
    fail_on_check,
    fix_commands,
    make_resolver,
    nothing_checked,
    progress_bar,
    read_stdin,
    reads_stdin,
    run_failures,
    usage_error,
    use_color,
    warn,
)

if TYPE_CHECKING:
    from ..fixes.outcome import FixOutcome
    from ..options_file import ConfigResolver


FixOutputFormatOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer reads the annotation at run time
    typer.Option(
        "--output-format",
        metavar="FORMAT",
        help="Report: full (default), concise or grouped text, or json (what changed, by file).",
    ),
]
ExitNonZeroOnFixOpt = Annotated[
    bool,
    typer.Option(
        "--exit-non-zero-on-fix",
        help="Exit 1 if any file was changed, even when nothing that fails the run is left.",
    ),
]
UnsafeFixesOpt = Annotated[
    bool, typer.Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
]
FIX_FORMATS = (*LAYOUTS, "json")


def fix(
    paths: PathsArg = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    assume_microsoft: AssumeMicrosoftOpt = False,
    config: ConfigOpt = None,
    unsafe_fixes: UnsafeFixesOpt = False,
    target: TargetOpt = None,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Print a unified diff; write nothing (exit 1 if any)."),
    ] = False,
    baseline: BaselineOpt = None,
    exit_zero: ExitZeroOpt = False,
    exit_non_zero_on_fix: ExitNonZeroOnFixOpt = False,
    fail_on: FailOnOpt = None,
    output_format: FixOutputFormatOpt = None,
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
    output_format = choice("--output-format", output_format, FIX_FORMATS) or "full"
    paths = paths or ["."]
    stdin = reads_stdin(paths)
    if changed_since and stdin:
        usage_error("--changed-since cannot be used with stdin")
    resolver = make_resolver(
        select,
        ignore,
        all_providers,
        config,
        fail_on,
        max_file_size,
        assume_microsoft,
        extend_select=extend_select,
        target=target,
    )
    # The fixed code or the diff goes to stdout; with either, the report goes to stderr.
    report_stream = sys.stderr if diff or stdin else sys.stdout
    colored = use_color(color, no_color, report_stream)
    cwd = Path.cwd()
    check_baseline(baseline)
    if stdin:
        with run_failures(None):
            outcome, stdin_data = _fix_stdin(resolver, stdin_filename, cwd, unsafe_fixes)
            if baseline is not None:
                _split_baselined(outcome, baseline, cwd)
        if not diff:
            # As Ruff does: the fixed code (or the code as it was) on stdout, for editors.
            sys.stdout.flush()
            sys.stdout.buffer.write(_stdin_bytes(outcome, stdin_data))
            sys.stdout.buffer.flush()
    else:
        outcome = apply_fixes(
            paths,
            resolver,
            cwd,
            unsafe=unsafe_fixes,
            write=not diff,
            changed_since=changed_since,
            baseline=baseline,
            jobs=jobs,
            cache_dir=cache_folder(paths, no_cache, cache_dir),
            quiet=quiet,
        )
    if diff:
        # A patch is written exactly; on a terminal, for eyes only, its control characters
        # show instead of acting (as ls shows a file name).
        if sys.stdout.isatty():
            from ..report.visible import visible

            sys.stdout.write(visible(outcome.diff, keep="\n"))
        else:
            sys.stdout.write(outcome.diff)
    failing = fail_on_check(resolver, cwd)
    if output_format == "json":
        from ..report.fix_json import render_fix_json

        report_stream.write(render_fix_json(outcome, written=not diff))
    else:
        report_stream.write(
            fix_report(
                outcome,
                output_format,
                quiet,
                show_fixes,
                colored,
                diff,
                failing,
                unsafe_command=fix_commands()[1],
            )
        )
    if not outcome.files_scanned and not outcome.errors and not quiet and not stdin:
        warn(nothing_checked(paths, changed_since))
    if exit_zero:
        return
    # --diff is a preview: it fails on changes to make; fixing for real fails on what is left.
    left = outcome.diff if diff else any(failing(f) for f in outcome.remaining)
    if outcome.errors or left or (exit_non_zero_on_fix and changed_any(outcome)):
        raise typer.Exit(EXIT_FINDINGS)


def changed_any(outcome: FixOutcome) -> bool:
    """Whether the run changed (or, with --diff, would change) a file."""
    return any(file.changed for file in outcome.files)


def check_baseline(baseline: Path | None) -> None:
    """A bad baseline stops the run before any file is written."""
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
            _split_baselined(outcome, baseline, cwd)
    return outcome


def _split_baselined(outcome: FixOutcome, baseline: Path, cwd: Path) -> None:
    from ..baseline import split_known

    outcome.remaining, outcome.baselined = split_known(outcome.remaining, baseline, cwd)


def _fix_stdin(
    resolver: ConfigResolver, stdin_filename: str | None, cwd: Path, unsafe: bool
) -> tuple[FixOutcome, bytes]:
    """The outcome of fixing stdin, and the bytes read."""
    from ..discover import kind_of
    from ..fixer import fix_stdin
    from ..fixes.outcome import FixOutcome

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
