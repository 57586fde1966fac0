"""The command line: ``authsweep check``, ``fix``, ``rules`` and ``explain``.

Exit codes: 0 nothing reported, 1 findings (or, for ``fix --diff``, changes to
make), 2 bad usage, bad configuration or an internal error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find and fix code and config that logs in to Microsoft 365 mail with basic auth "
    "or broken TLS settings.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

PathsArg = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer reads the annotation at run time
    typer.Argument(help="Files or folders to scan (default: the current folder); - for stdin."),
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
StdinNameOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--stdin-filename", help="The path to report for code read from stdin."),
]


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (text or "").split(",") if c.strip())


def _settings(select: str | None, ignore: str | None, all_providers: bool):
    from authsweep.rules import rule_by_id

    from .engine import Settings

    for code in (*_codes(select), *_codes(ignore)):
        if code != "ALL" and not code.startswith("AS"):
            _usage_error(f"unknown rule selector {code!r}; rules are AS101..AS303 or prefixes")
        if len(code) == 5 and rule_by_id(code) is None:
            _usage_error(f"unknown rule {code!r}; `authsweep rules` lists them")
    return Settings(select=_codes(select), ignore=_codes(ignore), all_providers=all_providers)


def _usage_error(message: str) -> None:
    typer.echo(f"authsweep: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def _run(paths: list[str] | None, settings, stdin_filename: str | None):
    from .engine import RunResult, check_paths, check_source, selected_rules

    if paths == ["-"]:
        display = stdin_filename or "-"
        data = sys.stdin.buffer.read()
        from .discover import kind_of

        kind = kind_of(Path(display)) or "python"
        run = RunResult()
        run.add(check_source(display, kind, data, selected_rules(settings)))
        return run
    return check_paths(paths or ["."], settings)


@app.command()
def check(
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    output_format: Annotated[
        str, typer.Option("--format", help="Output format: text or json.")
    ] = "text",
    output_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output-file", "-o", help="Write the report to this file."),
    ] = None,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    stdin_filename: StdinNameOpt = None,
) -> None:
    """Report mail code and config that uses basic auth or broken TLS settings."""
    from .report import render

    settings = _settings(select, ignore, all_providers)
    if output_format not in ("text", "json"):
        _usage_error(f"unknown format {output_format!r}; choose text or json")
    try:
        run = _run(paths, settings, stdin_filename)
    except Exception as error:  # noqa: BLE001 - an internal error is exit 2, not a traceback
        typer.echo(f"authsweep: internal error: {error!r}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    text = render(run, output_format, color=output_file is None and sys.stdout.isatty())
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if run.findings and not exit_zero:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def fix(
    paths: PathsArg = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    all_providers: AllProvidersOpt = False,
    unsafe_fixes: Annotated[
        bool, typer.Option("--unsafe-fixes", help="Also apply fixes that change behaviour.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff; write nothing (exit 1 if any).")
    ] = False,
) -> None:
    """Apply fixes: safe ones by default, unsafe ones (OAuth2 rewrite) with --unsafe-fixes."""
    from .fixer import fix_paths

    settings = _settings(select, ignore, all_providers)
    outcome = fix_paths(paths or ["."], settings, unsafe=unsafe_fixes, write=not diff)
    if diff:
        sys.stdout.write(outcome.diff)
    typer.echo(outcome.summary(), err=diff)
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


def main() -> None:
    app()
