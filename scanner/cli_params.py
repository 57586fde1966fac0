"""Commands declared as typed functions (``Annotated[str | None, Option("--select", ...)]``),
built into click commands when they run.

The declarations are plain data, so a command module costs nothing to import; click
builds a command only for the one that runs (or for ``--help``). This replaces typer,
whose 0.29 series checks every option with a pydantic adapter: about 0.1 s of every run's
start-up (bench/RESULTS.md, "start-up"). Only what authsweep's commands use is supported:
flags, strings, integers and floats with a lower bound, paths, enums, lists (an option
given several times, or an argument taking the rest).

``authsweep check`` is read without click when it can be (:mod:`authsweep.scanner.cli.fast`,
from the table :func:`fast_table` derives from the click command), so this module
imports click, and what builds a command from a declaration, in the functions that build
(each such import marked ``# start-up``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cli_declared
from .cli_markers import Argument, Option

if TYPE_CHECKING:
    import inspect

    import click


class CommandGroup:
    """A group of commands (``authsweep lab``, ``authsweep tenant``), built on first use."""

    def __init__(self, *, help: str, no_args_is_help: bool = True) -> None:  # noqa: A002
        self.help = help
        self.no_args_is_help = no_args_is_help
        self._commands: list[tuple[str, Callable[..., Any], dict[str, Any]]] = []

    def command(
        self, name: str, *, context_settings: dict[str, Any] | None = None
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(function: Callable[..., Any]) -> Callable[..., Any]:
            self._commands.append((name, function, context_settings or {}))
            return function

        return register

    def click_group(self, name: str) -> click.Group:
        # start-up: click only for the commands that run through it (cli/fast.py)
        from .cli_help import OrderedGroup

        group = OrderedGroup(
            name,
            help=self.help,
            no_args_is_help=self.no_args_is_help,
            context_settings={"help_option_names": ["-h", "--help"]},
        )
        for command_name, function, settings in self._commands:
            group.add_command(click_command(function, command_name, settings))
        return group


def click_command(
    function: Callable[..., Any], name: str, context_settings: dict[str, Any] | None = None
) -> click.Command:
    """The click command that parses the options ``function`` declares and calls it."""
    # start-up: click only for the commands that run through it (cli/fast.py)
    import inspect

    # start-up
    from .cli_help import HelpCommand

    # The shared declarations' names in scope: a command run without click too (`check`)
    # imports them for type checkers only, so that the fast reader needs no `typing`.
    hints = typing.get_type_hints(function, localns=vars(cli_declared), include_extras=True)
    params = [
        _param(parameter, hints[parameter.name])
        for parameter in inspect.signature(function).parameters.values()
    ]
    converters = {p.name: getattr(p, "to_python", None) for p in params}

    def callback(**values: Any) -> Any:
        for key, convert in converters.items():
            if convert is not None:
                values[key] = convert(values[key])
        return function(**values)

    return HelpCommand(
        name,
        callback=callback,
        params=params,
        help=inspect.getdoc(function),
        context_settings={"help_option_names": ["-h", "--help"], **(context_settings or {})},
    )


def _param(parameter: inspect.Parameter, hint: Any) -> click.Parameter:
    # start-up: click only for the commands that run through it (cli/fast.py)
    import inspect

    # start-up
    import click

    # start-up
    from .cli_help import HelpfulArgument

    declared, marker = typing.get_args(hint)[0], typing.get_args(hint)[1]
    kind, many = _unwrap(declared)
    default = None if parameter.default is inspect.Parameter.empty else parameter.default
    to_python = _converter(kind, many, default)
    if isinstance(marker, Argument):
        param: click.Parameter = HelpfulArgument(
            [parameter.name],
            type=_click_type(kind, None),
            nargs=-1 if many else 1,
            required=parameter.default is inspect.Parameter.empty,
            shown=marker.metavar,
            help=marker.help,
        )
    else:
        names = [*marker.names, parameter.name]
        if kind is bool:
            param = click.Option(names, is_flag=True, default=bool(default), help=marker.help)
        else:
            param = click.Option(
                names,
                type=_click_type(kind, marker),
                multiple=many,
                default=default.value if isinstance(default, Enum) else default,
                metavar=marker.metavar,
                help=marker.help,
                show_default=True,
            )
    param.to_python = to_python  # type: ignore[attr-defined]
    return param


def _unwrap(declared: Any) -> tuple[type, bool]:
    """The value type, and whether it is a list: ``Optional[list[Path]]`` is (Path, True)."""
    args = [a for a in typing.get_args(declared) if a is not type(None)]
    if typing.get_origin(declared) in (typing.Union, types.UnionType):  # Optional[X], X | None
        declared = args[0]
        args = list(typing.get_args(declared))
    if typing.get_origin(declared) is list:
        return args[0], True
    return declared, False


def _click_type(kind: type, marker: Option | None) -> Any:
    # start-up: click only for the commands that run through it (cli/fast.py)
    import click

    low = marker.min if marker is not None else None
    if kind is int:
        return click.INT if low is None else click.IntRange(min=int(low))
    if kind is float:
        return click.FLOAT if low is None else click.FloatRange(min=low)
    if kind is Path:
        return click.Path(path_type=Path, dir_okay=marker.dir_okay if marker else True)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return click.Choice([member.value for member in kind])
    return click.STRING


def _converter(kind: type, many: bool, default: Any) -> Callable[[Any], Any] | None:
    """How click's value becomes the declared one: an enum member, a list (None when an
    optional list was not given)."""
    enum = kind if isinstance(kind, type) and issubclass(kind, Enum) else None
    if many:

        def to_list(value: Any) -> Any:
            if not value and default is None:
                return None
            return [enum(v) for v in value] if enum else list(value)

        return to_list
    if enum is not None:
        return lambda value: None if value is None else enum(value)
    return None


# How cli/fast.py reads an option (the kinds of value it converts as click does).
FAST_KINDS = ("flag", "text", "int", "path")


def fast_table(
    command: click.Command,
) -> tuple[dict[str, tuple[str, str, Any]], str, dict[str, Any]]:
    """What :mod:`authsweep.scanner.cli.fast` needs to read ``command``'s line as click
    does: each option name's (parameter, kind, detail), the argument taking the rest, and
    each parameter's value when it is not given (click's, through the declared
    conversion). The detail is an integer's lower bound or whether a path may name a
    folder. A parameter of another shape (a choice, a float, a repeated option, a
    callback, an environment variable) is refused here, so that the table never reads
    it otherwise than click: such an option needs the fast reader taught first."""
    # start-up: click only for the commands that run through it (cli/fast.py)
    import click

    options: dict[str, tuple[str, str, Any]] = {}
    argument = ""
    for param in command.params:
        plain = (
            param.envvar is None
            and param.callback is None
            and not param.is_eager
            and param.expose_value
            and param.name is not None
        )
        if isinstance(param, click.Argument):
            if not plain or param.nargs != -1 or argument or param.type is not click.STRING:
                raise ValueError(f"the fast reader cannot read the argument {param.name}")
            argument = param.name
            continue
        kind, detail = _fast_kind(param) if isinstance(param, click.Option) else ("", None)
        if kind == "flag":  # given, it is True (click 8.5 leaves the flag value unset)
            given = command.make_context(command.name, [param.opts[0]]).params[param.name]
            kind = "flag" if given is True else ""
        if not kind or not plain or param.secondary_opts or param.nargs != 1:
            raise ValueError(f"the fast reader cannot read the option {param.opts[0]}")
        for name in param.opts:
            options[name] = (param.name, kind, detail)
    context = command.make_context(command.name, [])
    defaults = {
        param.name: (getattr(param, "to_python", None) or (lambda value: value))(
            context.params[param.name]
        )
        for param in command.params
    }
    return options, argument, defaults


def _fast_kind(option: click.Option) -> tuple[str, Any]:
    """The fast reader's kind of ``option`` and its detail; ("", None) for another shape."""
    # start-up: click only for the commands that run through it (cli/fast.py)
    import click

    value_type = option.type
    if option.count or option.multiple:
        return "", None
    if option.is_flag:
        return ("flag", None) if option.is_bool_flag else ("", None)
    if value_type is click.STRING:
        return "text", None
    if value_type is click.INT:
        return "int", None
    if (
        isinstance(value_type, click.IntRange)
        and value_type.max is None
        and not value_type.min_open
        and not value_type.clamp
    ):
        return "int", value_type.min
    if (
        isinstance(value_type, click.Path)
        and value_type.type is Path
        and not value_type.exists
        and value_type.file_okay
        and value_type.readable
        and not value_type.writable
        and not value_type.executable
        and not value_type.resolve_path
        and not value_type.allow_dash
    ):
        return "path", value_type.dir_okay
    return "", None
