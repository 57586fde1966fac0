"""``check --show-files`` and ``check --show-settings``: what a run would read, and with
which settings, as Ruff's options of these names show it; nothing is checked.
``check`` imports it for these options only; its functions import the scanner parts they use,
each marked ``# start-up``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..cli_common import EXIT_FINDINGS, configure_for, warn

if TYPE_CHECKING:
    from ..options_file import ConfigResolver


def show_files(
    paths: list[str], resolver: ConfigResolver, changed: set[str] | None, cwd: Path
) -> None:
    """Every file the run would check, one a line, as reports name them; paths that
    cannot be read are named on stderr and fail the run, as they would fail a check."""
    # start-up
    from ..discover import discover
    from ..engine import RunOptions

    files, errors = discover(paths, exclude=RunOptions().exclude, cwd=cwd)
    configure = configure_for(resolver, changed)
    for source in files:
        if configure(source) is not None:
            click.echo(printable(source.display))
    for error in errors:
        warn(f"{printable(error.path)}: {error.message}")
    if errors:
        raise click.exceptions.Exit(EXIT_FINDINGS)


def show_settings(paths: list[str], resolver: ConfigResolver, cwd: Path) -> None:
    """The settings of the first file the run would check (of the first path when it
    finds none): which configuration file, every key's value, and the rules that run."""
    # start-up
    from ..discover import discover
    from ..engine import RunOptions, format_size, matches, selected_rules

    files, _ = discover(paths, exclude=RunOptions().exclude, cwd=cwd)
    target = files[0].path if files else cwd / paths[0]
    shown = files[0].display if files else paths[0]
    config = resolver.config_for(target)
    configured = resolver.configure(target)
    lines = [
        f"Resolved settings for: {shown}",
        f"Settings path: {config.path if config else 'none (defaults)'}",
    ]
    if configured is None:
        lines.append("excluded = true")
    else:
        settings, ignored = configured
        rules = [r.id for r in selected_rules(settings) if not matches(r.id, ignored)]
        values = {
            "select": list(settings.select) or ["ALL"],
            "ignore": list(settings.ignore),
            "per-file-ignores": list(ignored),
            "all-providers": settings.all_providers,
            "assume-microsoft": settings.assume_microsoft,
            "token-provider": settings.token_provider or "",
            "oauth2-module": settings.oauth2_module,
            "target": settings.target,
            "severity": dict(settings.severity),
            "fail-on": resolver.fail_on(target),
            "max-file-size": format_size(settings.max_file_bytes) if settings.max_file_bytes else 0,
            "rules": rules,
        }
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    click.echo("\n".join(printable(line) for line in lines))


def printable(text: str) -> str:
    """A path from the scanned tree as the terminal may show it: control characters (an
    escape sequence in a file name) written as escapes, not sent to the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
