"""The command line: ``authsweep check``, ``fix``, ``rules`` and ``explain``.

Exit codes: 0 nothing reported, 1 findings (or, for ``fix --diff``, changes to
make), 2 bad usage, bad configuration or an internal error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from authsweep.lab.cli import lab_app

from . import __version__
from .sweep.cli import merge as merge_command
from .sweep.cli import sweep as sweep_command

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find and fix code and config that logs in to Microsoft 365 mail with basic auth "
    "or broken TLS settings.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# A progress bar is only worth its flicker on runs over this many files.
PROGRESS_MIN_FILES = 100
DEFAULT_CACHE_DIR = ".authsweep_cache"


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


PathsArg = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer reads the annotation at run time
    typer.Argument(help="Files or folders to scan (default: the current folder); - for stdin."),
]
FixPathsArg = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(help="Files or folders to fix (default: the current folder)."),
]
SelectOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--select", help="Comma-separated rule ids or prefixes to run (AS1, AS201)."),
]
IgnoreOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--ignore", help="Comma-separated rule ids or prefixes to skip."),
]
AllProvidersOpt = Annotated[
    bool,
    typer.Option("--all-providers", help="Also report hosts known to be other providers."),
]
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--config",
        help="Read settings from this TOML file instead of the nearest pyproject.toml.",
        dir_okay=False,
    ),
]
StdinNameOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--stdin-filename", help="The path to report for code read from stdin."),
]


class GitError(Exception):
    """git could not say which files changed."""


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (text or "").split(",") if c.strip())


def _usage_error(message: str) -> None:
    typer.echo(f"authsweep: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def _resolver(select: str | None, ignore: str | None, all_providers: bool, config: Path | None):
    """Configuration files and command-line options, checked: bad ones end the run (exit 2)."""
    from .config_file import ConfigError, ConfigResolver, Overrides, selector_problem

    for option, value in (("--select", select), ("--ignore", ignore)):
        for code in _codes(value):
            problem = selector_problem(code)
            if problem:
                _usage_error(f"{option}: {problem}")
    overrides = Overrides(_codes(select), _codes(ignore), all_providers)
    try:
        return ConfigResolver(overrides, config)
    except ConfigError as error:
        _usage_error(str(error))


def changed_files(rev: str, paths: list[str], cwd: Path) -> set[str]:
    """Absolute paths of files changed since ``rev`` in the repositories holding ``paths``:
    commits since the merge base (``rev...HEAD``), staged and unstaged changes, and new
    files git does not ignore."""
    tops: set[str] = set()
    for given in paths:
        path = cwd / given
        folder = path if path.is_dir() else path.parent
        top = _git(["rev-parse", "--show-toplevel"], folder)
        tops.add(top.strip())
    changed: set[str] = set()
    for top in sorted(tops):
        for args in (
            ["diff", "--name-only", "-z", f"{rev}...HEAD"],
            ["diff", "--name-only", "-z", "HEAD"],
            ["ls-files", "--others", "--exclude-standard", "-z"],
        ):
            for name in _git(args, Path(top)).split("\0"):
                if name:
                    changed.add(os.path.abspath(os.path.join(top, name)))
    return changed


def _git(args: list[str], cwd: Path) -> str:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git {args[0]} failed: {error}") from None
    if result.returncode != 0:
        raise GitError(f"git {args[0]} in {cwd}: {result.stderr.strip()}")
    return result.stdout


class _ProgressBar:
    """A progress bar on stderr, started once a run turns out to cover many files."""

    def __init__(self) -> None:
        self._progress = None
        self._task = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            if total < PROGRESS_MIN_FILES:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._progress = Progress(
                "Checking",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("check", total=total)
        self._progress.update(self._task, completed=done)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _run(
    paths: list[str],
    resolver,
    *,
    stdin_filename: str | None,
    changed_since: str | None,
    jobs: int | None,
    cache_dir: Path | None,
    progress,
):
    from .engine import (
        RunResult,
        Settings,
        apply_file_settings,
        check_paths,
        check_source,
        selected_rules,
    )

    cwd = Path.cwd()
    if paths == ["-"]:
        display = stdin_filename or "-"
        data = sys.stdin.buffer.read()
        from .discover import kind_of

        run = RunResult()
        configured = resolver.configure(cwd / (stdin_filename or "stdin"))
        if configured is not None:  # named, but excluded by its configuration
            settings, ignored = configured
            kind = kind_of(Path(display)) or "python"
            result = check_source(display, kind, data, selected_rules(settings))
            apply_file_settings(result, settings, ignored)
            run.add(result)
        return run
    changed = changed_files(changed_since, paths, cwd) if changed_since else None

    def configure(source):
        if changed is not None and os.path.abspath(source.path) not in changed:
            return None
        return resolver.configure(source.path)

    return check_paths(
        paths,
        Settings(),
        cwd,
        jobs=jobs,
        cache_dir=cache_dir,
        progress=progress,
        configure=configure,
    )


def _color(no_color: bool) -> bool:
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


@app.command()
def check(
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    config: ConfigOpt = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Output format.")
    ] = OutputFormat.text,
    output_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output-file", "-o", help="Write the report here; the terminal still shows text."
        ),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--baseline", help="Report only findings not in this baseline file."),
    ] = None,
    write_baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--write-baseline", help="Record today's findings in this file; exit 0."),
    ] = None,
    show_suppressed: Annotated[
        bool,
        typer.Option("--show-suppressed", help="Also list findings silenced by inline comments."),
    ] = False,
    changed_since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="Only check files changed since this git revision (and uncommitted ones).",
        ),
    ] = None,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Show counts per rule instead of findings.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print findings only: no summary, no progress.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours, even on a terminal (or set NO_COLOR).")
    ] = False,
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes for large runs (default: CPUs)."
        ),
    ] = None,
    cache_dir: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--cache-dir",
            help=f"Where to cache results (default: {DEFAULT_CACHE_DIR} here, or "
            "$AUTHSWEEP_CACHE_DIR).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
    ] = False,
    stdin_filename: StdinNameOpt = None,
) -> None:
    """Report mail code and config that uses basic auth or broken TLS settings."""
    from .baseline import BaselineError, apply_baseline
    from .baseline import write_baseline as record
    from .report import ReportOptions, render

    fmt = output_format.value
    if statistics and fmt not in ("text", "json"):
        _usage_error("--statistics works with --format text or json")
    if changed_since and paths == ["-"]:
        _usage_error("--changed-since cannot be used with stdin")
    resolver = _resolver(select, ignore, all_providers, config)
    cwd = Path.cwd()
    if not no_cache and cache_dir is None:
        cache_dir = Path(os.environ.get("AUTHSWEEP_CACHE_DIR") or cwd / DEFAULT_CACHE_DIR)
    progress = None
    if not quiet and sys.stderr.isatty() and sys.stdout.isatty():
        progress = _ProgressBar()
    from .config_file import ConfigError

    try:
        run = _run(
            paths or ["."],
            resolver,
            stdin_filename=stdin_filename,
            changed_since=changed_since,
            jobs=jobs,
            cache_dir=None if no_cache else cache_dir,
            progress=progress,
        )
        if baseline is not None:
            apply_baseline(run, baseline, cwd)
    except (ConfigError, BaselineError) as error:
        _usage_error(str(error))
    except GitError as error:
        _usage_error(f"--changed-since: {error}")
    except Exception as error:  # noqa: BLE001 - an internal error is exit 2, not a traceback
        typer.echo(f"authsweep: internal error: {error!r}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    finally:
        if progress is not None:
            progress.close()

    options = ReportOptions(
        cwd=cwd,
        show_suppressed=show_suppressed,
        quiet=quiet,
        statistics=statistics,
        link_base=output_file.absolute().parent if output_file is not None else None,
    )
    if output_file is not None:
        try:
            output_file.write_text(render(run, fmt, options=options), encoding="utf-8")
        except OSError as error:
            _usage_error(f"cannot write {output_file}: {error.strerror}")
        fmt = "text"
    sys.stdout.write(render(run, fmt, color=fmt == "text" and _color(no_color), options=options))
    if write_baseline is not None:
        count = record(write_baseline, [*run.findings, *run.baselined], cwd)
        if not quiet:
            typer.echo(f"authsweep: recorded {count} findings in {write_baseline}", err=True)
        return
    # A file the gate could not check fails it like a finding (a deliberate size skip does not).
    unchecked = [e for e in run.errors if e.kind != "skipped"]
    if (run.findings or unchecked) and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def fix(
    paths: FixPathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    config: ConfigOpt = None,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff; write nothing (exit 1 if any).")
    ] = False,
    jobs: Annotated[
        Optional[int],  # noqa: UP045 - typer reads the annotation at run time
        typer.Option(
            "--jobs", "-j", min=1, help="Worker processes for large runs (default: CPUs)."
        ),
    ] = None,
) -> None:
    """Apply fixes: safe ones by default, unsafe ones (OAuth2 rewrite) with --unsafe-fixes."""
    from .config_file import ConfigError
    from .fixer import fix_paths

    resolver = _resolver(select, ignore, all_providers, config)
    try:
        settings = resolver.settings_for_folder(Path.cwd())
    except ConfigError as error:
        _usage_error(str(error))
    try:
        outcome = fix_paths(
            paths or ["."],
            settings,
            unsafe=unsafe_fixes,
            write=not diff,
            configure=lambda source: resolver.configure(source.path),
            jobs=jobs,
        )
    except ConfigError as error:
        _usage_error(str(error))
    except Exception as error:  # noqa: BLE001 - an internal error is exit 2, not a traceback
        typer.echo(f"authsweep: internal error: {error!r}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    if diff:
        sys.stdout.write(outcome.diff)
    typer.echo(outcome.summary(written=not diff), err=diff)
    if diff and outcome.diff:
        raise typer.Exit(EXIT_FINDINGS)
    if outcome.remaining and not diff:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("rules")
def list_rules() -> None:
    """List every rule: id, name, severity, whether it can fix, what it flags."""
    from authsweep.rules import ALL_RULES
    from rich.console import Console
    from rich.table import Table

    table = Table(title="authsweep rules")
    for column in ("id", "name", "severity", "fix", "what it flags"):
        table.add_column(column)
    for rule in ALL_RULES:
        table.add_row(rule.id, rule.name, rule.severity.value, _fix_kind(rule), rule.summary)
    Console().print(table)


def _fix_kind(rule) -> str:
    safety = rule.fix_safety.lower()
    if safety.startswith("no automatic"):
        return "-"
    return "unsafe" if safety.startswith("unsafe") else "safe"


@app.command()
def explain(rule: Annotated[str, typer.Argument(help="A rule id or name, e.g. AS101.")]) -> None:
    """Show a rule's documentation: what, why, examples, the fix and its safety."""
    from authsweep.rules import rule_by_id
    from rich.console import Console
    from rich.markdown import Markdown

    from .report.docs import rule_markdown

    found = rule_by_id(rule)
    if found is None:
        _usage_error(f"unknown rule {rule!r}; `authsweep rules` lists them")
    Console().print(Markdown(rule_markdown(found)))


app.command("sweep")(sweep_command)
app.command("merge")(merge_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"authsweep {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    pass


app.add_typer(lab_app, name="lab")


def main() -> None:
    app(prog_name="authsweep")


if __name__ == "__main__":
    main()
