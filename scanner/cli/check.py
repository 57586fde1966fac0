"""``authsweep check``: report, in the format asked for; the exit code is the gate.

``authsweep --help`` imports this module to list the command, so its functions import what
they run (the scanner, the fixer, the reports), each marked ``# start-up``."""

from __future__ import annotations

import sys
from pathlib import Path

from ..cli_common import (
    EXIT_FINDINGS,
    FORMATS,
    LAYOUTS,
    cache_folder,
    changed_files,
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

# click's way in reads the declarations with cli_declared's names in scope
# (cli_params.click_command); the fast reader runs `check` without them, or typing.
TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Annotated, Optional

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
        OutputFileOpt,
        OutputFormatOpt,
        PathsArg,
        QuietOpt,
        SelectOpt,
        ShowFixesOpt,
        StdinNameOpt,
        TargetOpt,
        UnsafeFixesOpt,
    )
    from ..cli_params import Option
    from ..findings import RunResult
    from ..options_file import ConfigResolver

# Empty scans are worth a word: these are the kinds of file authsweep reads.
KINDS_READ = "Python, .env, INI/cfg, YAML, TOML and JSON files"


def report_format(output_format: str | None, layout: str | None) -> tuple[str, str]:
    """The report format and the text layout. ``--format`` picks the report (text or a
    machine format), ``--output-format`` the text layout; as in Ruff, ``--output-format``
    also takes the machine formats' names (``--output-format json`` is ``--format json``)."""
    if output_format is not None and output_format not in FORMATS:
        usage_error(
            f"--format: {output_format!r} is not a format; choose one of {', '.join(FORMATS)}"
        )
    if layout is not None and layout not in (*LAYOUTS, *FORMATS):
        usage_error(
            f"--output-format: {layout!r} is not a layout; choose one of {', '.join(LAYOUTS)} "
            f"(or a --format: {', '.join(FORMATS[1:])})"
        )
    if layout in FORMATS:
        if output_format not in (None, layout):
            usage_error(f"--format {output_format} and --output-format {layout} disagree")
        return ("text", "full") if layout == "text" else (layout, "full")
    fmt = output_format or "text"
    if layout is not None and fmt != "text":
        usage_error(
            f"--output-format {layout} is a text layout; it does not go with --format {fmt}"
        )
    return fmt, layout or "full"


def check(
    paths: PathsArg = None,
    fix: Annotated[
        bool,
        Option("--fix", help="Apply fixes first, as `authsweep fix` does; report what is left."),
    ] = False,
    unsafe_fixes: UnsafeFixesOpt = False,
    target: TargetOpt = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    assume_microsoft: AssumeMicrosoftOpt = False,
    config: ConfigOpt = None,
    output_format: Annotated[
        Optional[str],  # noqa: UP045 - read at run time (cli_params)
        Option(
            "--format",
            metavar="FORMAT",
            help="Report format: text (default), json, sarif, github or markdown.",
        ),
    ] = None,
    layout: OutputFormatOpt = None,
    output_file: OutputFileOpt = None,
    exit_zero: ExitZeroOpt = False,
    exit_non_zero_on_fix: ExitNonZeroOnFixOpt = False,
    fail_on: FailOnOpt = None,
    baseline: BaselineOpt = None,
    write_baseline: Annotated[
        Optional[Path],  # noqa: UP045
        Option(
            "--write-baseline", metavar="FILE", help="Record today's findings in this file; exit 0."
        ),
    ] = None,
    show_suppressed: Annotated[
        bool,
        Option("--show-suppressed", help="Also list findings silenced by inline comments."),
    ] = False,
    show_fixes: ShowFixesOpt = False,
    changed_since: ChangedSinceOpt = None,
    statistics: Annotated[
        bool, Option("--statistics", help="Show counts per rule instead of findings.")
    ] = False,
    max_file_size: MaxFileSizeOpt = None,
    quiet: QuietOpt = False,
    color: ColorOpt = None,
    no_color: NoColorOpt = False,
    jobs: JobsOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    stdin_filename: StdinNameOpt = None,
    show_files: Annotated[
        bool, Option("--show-files", help="List the files a run would check; check none.")
    ] = False,
    show_settings: Annotated[
        bool,
        Option("--show-settings", help="Show the settings the first file would be checked with."),
    ] = False,
) -> None:
    """Report mail code and config that uses basic auth or broken TLS settings."""
    fmt, text_layout = report_format(output_format, layout)
    if statistics and fmt not in ("text", "json"):
        usage_error("--statistics works with --format text or json")
    if (unsafe_fixes or exit_non_zero_on_fix) and not fix:
        option = "--unsafe-fixes" if unsafe_fixes else "--exit-non-zero-on-fix"
        usage_error(f"{option} goes with --fix (or `authsweep fix`)")
    if show_files and show_settings:
        usage_error("--show-files and --show-settings: one at a time")
    paths = paths or ["."]
    stdin = reads_stdin(paths)
    if changed_since and stdin:
        usage_error("--changed-since cannot be used with stdin")
    if stdin and (show_files or show_settings):
        usage_error("--show-files and --show-settings read no stdin: name files or folders")
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
    colored = use_color(color, no_color, sys.stdout)
    cwd = Path.cwd()
    if show_settings or show_files:
        # start-up
        from . import show
    if show_settings:
        return show.show_settings(paths, resolver, cwd)
    if show_files:
        with run_failures(None):
            changed = changed_files(changed_since, paths, cwd) if changed_since else None
        return show.show_files(paths, resolver, changed, cwd)
    fixed_any = False
    if fix:
        if stdin:  # as Ruff's `check --fix -`: the fixed code on stdout, as `fix -` writes it
            if fmt not in ("text", "json"):
                usage_error(f"--fix on stdin reports as `authsweep fix -` does: not {fmt}")
            # start-up: the fix command only for `check --fix -`
            from .fix import fix as fix_command

            return fix_command(
                paths,
                select=select,
                extend_select=extend_select,
                ignore=ignore,
                all_providers=all_providers,
                assume_microsoft=assume_microsoft,
                config=config,
                unsafe_fixes=unsafe_fixes,
                target=target,
                baseline=baseline,
                exit_zero=exit_zero,
                exit_non_zero_on_fix=exit_non_zero_on_fix,
                fail_on=fail_on,
                output_format="json" if fmt == "json" else text_layout,
                show_fixes=show_fixes,
                max_file_size=max_file_size,
                quiet=quiet,
                color=color,
                no_color=no_color,
                stdin_filename=stdin_filename,
            )
        # start-up
        from .fixing import check_baseline

        check_baseline(baseline)
        fixed_any = _fix_first(
            paths,
            resolver,
            cwd,
            unsafe=unsafe_fixes,
            changed_since=changed_since,
            baseline=baseline,
            jobs=jobs,
            cache_dir=cache_folder(paths, no_cache, cache_dir),
            quiet=quiet,
            show_fixes=show_fixes,
            colored=use_color(color, no_color, sys.stderr),
        )
    # start-up
    from ..baseline import BaselineError, apply_baseline

    progress = None if stdin else progress_bar(quiet)
    with run_failures(progress):
        if stdin:
            run = _check_stdin(resolver, stdin_filename, cwd)
        else:
            changed = changed_files(changed_since, paths, cwd) if changed_since else None
            # start-up
            from ..engine import RunOptions
            from ..runner import check_paths

            run = check_paths(
                paths,
                RunOptions(),
                cwd,
                jobs=jobs,
                cache_dir=cache_folder(paths, no_cache, cache_dir),
                progress=(lambda done, total: progress("Checking", done, total))
                if progress
                else None,
                configure=configure_for(resolver, changed),
            )
        if baseline is not None:
            apply_baseline(run, baseline, cwd)

    failing = fail_on_check(resolver, cwd)
    _report(
        run,
        fmt,
        text_layout,
        resolver,
        cwd,
        colored=colored,
        output_file=output_file,
        show_suppressed=show_suppressed,
        show_fixes=show_fixes,
        quiet=quiet,
        statistics=statistics,
        failing=failing,
    )
    if not run.files_scanned and not run.errors and not quiet:
        warn(nothing_checked(paths, changed_since, KINDS_READ))
    if write_baseline is not None:
        # start-up
        from ..baseline import write_baseline as record

        try:
            count = record(write_baseline, [*run.findings, *run.baselined], cwd)
        except BaselineError as error:
            usage_error(str(error))
        if not quiet:
            # start-up: click only for --write-baseline's line
            import click

            click.echo(f"authsweep: recorded {count} findings in {write_baseline}", err=True)
        return
    if exit_zero:
        return
    # A file the gate could not check fails it like a finding: excluding it is the way out.
    # SystemExit, not click's Exit, which click's main ends the same way (sys.exit of its
    # code): a run with findings imports no click (cli/fast.py).
    if run.errors or any(failing(f) for f in run.findings):
        raise SystemExit(EXIT_FINDINGS)
    if exit_non_zero_on_fix and fixed_any:
        raise SystemExit(EXIT_FINDINGS)


def _fix_first(
    paths: list[str],
    resolver: ConfigResolver,
    cwd: Path,
    *,
    unsafe: bool,
    changed_since: str | None,
    baseline: Path | None,
    jobs: int | None,
    cache_dir: Path | None,
    quiet: bool,
    show_fixes: bool,
    colored: bool,
) -> bool:
    """``check --fix``: fix as ``authsweep fix`` does, say on stderr what was fixed and
    what could not be (the check that follows reports what is left, in its format, on
    stdout); whether any file changed."""
    # start-up
    from .fixing import apply_fixes, changed_any, fix_report

    outcome = apply_fixes(
        paths,
        resolver,
        cwd,
        unsafe=unsafe,
        write=True,
        changed_since=changed_since,
        baseline=baseline,
        jobs=jobs,
        cache_dir=cache_dir,
        quiet=quiet,
    )
    if not quiet or outcome.errors:
        sys.stderr.write(
            fix_report(
                outcome,
                "full",
                quiet,
                show_fixes,
                colored,
                False,
                fail_on_check(resolver, cwd),
                findings=False,
                unsafe_command="authsweep check --fix --unsafe-fixes",
            )
        )
    return changed_any(outcome)


def _check_stdin(resolver: ConfigResolver, stdin_filename: str | None, cwd: Path) -> RunResult:
    # start-up
    from ..discover import kind_of
    from ..engine import check_source, selected_rules
    from ..findings import RunResult
    from ..runner import apply_file_settings
    from ..start_up import start_up

    display = stdin_filename or "-"
    run = RunResult()
    configured = resolver.configure(cwd / (stdin_filename or "stdin"))
    if configured is None:  # named, but excluded by its configuration
        return run
    settings, ignored = configured
    data, too_large = read_stdin(display, settings.max_file_bytes)
    if too_large is not None:
        run.errors.append(too_large)
        return run
    kind = kind_of(Path(display)) or "python"
    start_up.over()  # as the runner does before its first file
    result = check_source(display, kind, data, selected_rules(settings))
    apply_file_settings(result, settings, ignored)
    run.add(result)
    return run


def _report(
    run: RunResult,
    fmt: str,
    layout: str,
    resolver: ConfigResolver,
    cwd: Path,
    *,
    colored: bool,
    output_file: Path | None,
    show_suppressed: bool,
    show_fixes: bool,
    quiet: bool,
    statistics: bool,
    failing,
) -> None:
    # start-up
    from ..report import render
    from ..report.options import ReportOptions

    options = ReportOptions(
        cwd=cwd,
        show_suppressed=show_suppressed,
        quiet=quiet,
        statistics=statistics,
        link_base=output_file.absolute().parent if output_file is not None else None,
        layout=layout,
        show_fixes=show_fixes,
        fix_command=fix_commands()[0],
        unsafe_fix_command=fix_commands()[1],
        fails=failing,
        token_provider=lambda path: (
            resolver.settings(resolver.config_for(cwd / path)).token_provider
        ),
    )
    if output_file is not None:
        try:
            output_file.write_text(render(run, fmt, options=options), encoding="utf-8")
        except OSError as error:
            usage_error(f"cannot write {output_file}: {error.strerror}")
        fmt = "text"
    sys.stdout.write(render(run, fmt, color=fmt == "text" and colored, options=options))
