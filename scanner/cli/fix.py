"""``authsweep fix``: apply fixes (safe ones; unsafe ones too with --unsafe-fixes), or show
them as a diff. It reads, configures and counts files as ``check`` does, and fails the
same way: problems left at or above ``fail-on``, or a file it could not check or fix.

``authsweep --help`` imports this module to list the command, so its functions import what
they run (the fixer, the reports), each marked ``# start-up``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import click

from ..cli_common import (
    EXIT_FINDINGS,
    LAYOUTS,
    cache_folder,
    choice,
    fail_on_check,
    fix_commands,
    make_resolver,
    nothing_checked,
    read_stdin,
    reads_stdin,
    run_failures,
    usage_error,
    use_color,
    warn,
)
from ..cli_declared import (
    AllProvidersOpt,
    AssumeMicrosoftOpt,
    BaselineOpt,
    CacheDirOpt,
    ChangedSinceOpt,
    ColorOpt,
    ConfigOpt,
    ExitNonZeroOnFixOpt,
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
    UnsafeFixesOpt,
)
from ..cli_params import Option
from .fixing import apply_fixes, changed_any, check_baseline, fix_report, split_baselined

if TYPE_CHECKING:
    from ..fixes.outcome import FixOutcome
    from ..options_file import ConfigResolver


FixOutputFormatOpt = Annotated[
    Optional[str],  # noqa: UP045 - read at run time (cli_params)
    Option(
        "--output-format",
        metavar="FORMAT",
        help="Report: full (default), concise or grouped text, or json (what changed, by file).",
    ),
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
        Option("--diff", help="Print a unified diff; write nothing (exit 1 if any)."),
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
                split_baselined(outcome, baseline, cwd)
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
            # start-up
            from ..report.visible import visible

            sys.stdout.write(visible(outcome.diff, keep="\n"))
        else:
            sys.stdout.write(outcome.diff)
    failing = fail_on_check(resolver, cwd)
    if output_format == "json":
        # start-up
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
        raise click.exceptions.Exit(EXIT_FINDINGS)


def _fix_stdin(
    resolver: ConfigResolver, stdin_filename: str | None, cwd: Path, unsafe: bool
) -> tuple[FixOutcome, bytes]:
    """The outcome of fixing stdin, and the bytes read."""
    # start-up
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
