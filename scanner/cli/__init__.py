"""The command line: ``authsweep check``, ``fix``, ``rules``, ``explain``, ``sweep``,
``merge``, ``lab`` and ``tenant``, one module per command, built on click.

The command table names where each command is; a command's module is imported only when
that command runs (or when ``authsweep --help`` lists them all), so ``authsweep check``
does not import ``fix``, ``sweep``, ``lab`` or ``tenant``, and what a command needs in
turn is imported when it runs (such imports are marked ``# start-up``).

Exit codes (README, "Exit codes"): 0 nothing that fails the run, 1 findings at or above
``fail-on`` or a file that could not be checked or fixed (or, for ``fix --diff``,
changes to make), 2 bad usage, bad configuration or an internal error.
"""

from __future__ import annotations

import gc
import importlib

import click

from .. import __version__
from .output import GuardedGroup

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
        if _start_up.paused:
            _start_up.over()
        if isinstance(declared, CommandGroup):
            return declared.click_group(cmd_name)
        return click_command(declared, cmd_name)


class _StartUp:
    """The garbage collector during a process's start-up (:func:`main`), which allocates
    only what lives until exit (modules, classes, functions, click's objects): collections
    would traverse it again and again to free nothing. Paused until the command's module
    is imported; then what start-up made is frozen, so that no later collection traverses
    it (the interpreter's last one at exit included). Only :func:`main`, which owns the
    process, pauses it; the app run in-process (tests) leaves the collector alone."""

    paused = False

    def pause(self) -> None:
        self.paused = True
        gc.disable()

    def over(self) -> None:
        self.paused = False
        gc.freeze()
        gc.enable()


_start_up = _StartUp()


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


def main() -> None:
    """The command line, as a process runs it: the garbage collector paused for start-up
    (:class:`_StartUp`; the ``authsweep`` script pauses it before this module is imported,
    :func:`authsweep.main`)."""
    _start_up.pause()
    try:
        app(prog_name="authsweep")
    finally:
        if _start_up.paused:  # no command was looked up (--version, --help, a usage error)
            _start_up.over()
