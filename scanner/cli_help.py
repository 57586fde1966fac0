"""Help as Ruff prints it: arguments and options with their metavar (``PATH``, ``RULES``),
never type labels (``<list[str]>``, ``<bool>``), and each argument's own line of help."""

from __future__ import annotations

from typing import Any

import click


class HelpfulArgument(click.Argument):
    """A positional argument with a line of help, listed under "Arguments", shown in the
    usage line as ``[PATH]...`` (its metavar, optional, repeated), on every click 8."""

    def __init__(self, *args: Any, help: str, shown: str, **kwargs: Any) -> None:  # noqa: A002
        super().__init__(*args, **kwargs)
        self.help = help
        self.shown = shown

    @property
    def human_readable_name(self) -> str:
        return self.shown

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return f"'{self.shown}'"

    def make_metavar(self, ctx: click.Context | None = None) -> str:
        name = self.shown if self.required else f"[{self.shown}]"
        return name + ("..." if self.nargs != 1 else "")


class HelpCommand(click.Command):
    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Nothing: format_options lists the arguments (click 8.5 would list them twice)."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            if isinstance(param, HelpfulArgument):
                arguments.append((param.make_metavar(ctx), param.help))
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


class OrderedGroup(click.Group):
    """A group listing its commands in the order they were added, not sorted."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)
