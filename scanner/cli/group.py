"""The click group of the command line: every command, its help and its errors (what
:mod:`authsweep.scanner.cli.fast` does not read itself).

The command table names where each command is; a command's module is imported only when
that command runs (or when ``authsweep --help`` lists them all), so ``authsweep check``
does not import ``fix``, ``sweep``, ``lab`` or ``tenant``, and what a command needs in
turn is imported when it runs (such imports are marked ``# start-up``).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from .. import __version__
from ..start_up import start_up
from .output import output_failures

# Name: (module, attribute): a function declaring its options (cli_params) or a group.
COMMANDS = {
    "check": ("authsweep.scanner.cli.check", "check"),
    "fix": ("authsweep.scanner.cli.fix", "fix"),
    "rules": ("authsweep.scanner.cli.docs", "list_rules"),
    "explain": ("authsweep.scanner.cli.docs", "explain"),
    "sweep": ("authsweep.scanner.sweep.cli", "sweep"),
    "merge": ("authsweep.scanner.sweep.cli", "merge"),
    "lab": ("authsweep.lab.cli", "lab_app"),
    "tenant": ("authsweep.scanner.cli.tenant", "tenant_app"),
}


class GuardedGroup(click.Group):
    """The command group whose options (``--help``, ``--version``) and commands are read
    and run inside :func:`output_failures`: click itself would turn a closed pipe into
    exit 1, and anything else into a traceback."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with output_failures():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with output_failures():
            return super().invoke(ctx)


class LazyGroup(GuardedGroup):
    """The top-level group: a command is imported and built when it is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        # start-up
        from ..cli_params import CommandGroup, click_command

        module, attribute = COMMANDS[cmd_name]
        declared = getattr(importlib.import_module(module), attribute)
        start_up.over()
        if isinstance(declared, CommandGroup):
            return declared.click_group(cmd_name)
        return click_command(declared, cmd_name)


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        click.echo(f"authsweep {__version__}")
        ctx.exit()


app = LazyGroup(
    "authsweep",
    no_args_is_help=True,
    help="Find and fix code and config that logs in to Microsoft 365 mail with basic auth "
    "or broken TLS settings.",
    context_settings={"help_option_names": ["-h", "--help"]},
    params=[
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_version,
            help="Show the version.",
        )
    ],
)
