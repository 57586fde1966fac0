"""The command line: ``authsweep check``, ``fix``, ``rules`` and ``explain``, one module
per command. Each imports only typer at start-up; what a command needs is imported when
it runs, so ``--version`` and ``--help`` start in tens of milliseconds.

Exit codes (README, "Exit codes"): 0 nothing that fails the run, 1 findings at or above
``fail-on`` or a file that could not be checked or fixed (or, for ``fix --diff``,
changes to make), 2 bad usage, bad configuration or an internal error.
"""

from __future__ import annotations

from typing import Annotated

import typer
from authsweep.lab.cli import lab_app

from .. import __version__
from ..cli_common import HelpCommand
from ..sweep.cli import merge as merge_command
from ..sweep.cli import sweep as sweep_command
from .check import check
from .docs import explain, list_rules
from .fix import fix
from .output import GuardedGroup
from .tenant import tenant_app

app = typer.Typer(
    cls=GuardedGroup,
    add_completion=False,
    no_args_is_help=True,
    # Plain help, as Ruff's: no rich panels (and no rich import) for --help.
    rich_markup_mode=None,
    help="Find and fix code and config that logs in to Microsoft 365 mail with basic auth "
    "or broken TLS settings.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# One line a command; a sub-app is added with app.add_typer(...).
app.command(cls=HelpCommand)(check)
app.command(cls=HelpCommand)(fix)
app.command("rules", cls=HelpCommand)(list_rules)
app.command(cls=HelpCommand)(explain)
app.command("sweep", cls=HelpCommand)(sweep_command)
app.command("merge", cls=HelpCommand)(merge_command)
app.add_typer(lab_app, name="lab")
app.add_typer(tenant_app, name="tenant")


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
    app(prog_name="authsweep")
