"""What a command's parameter is, in its declaration (``Annotated[Optional[str],
Option("--select", ...)]``): plain data, read by :mod:`.cli_params` when it builds the
click command (and by the docs of the command line)."""

from __future__ import annotations


class Option:
    """An option: its names (``"--output-file", "-o"``), metavar and one-line help."""

    __slots__ = ("names", "metavar", "help", "min", "dir_okay")

    def __init__(
        self,
        *names: str,
        help: str,  # noqa: A002 - click's own name for it
        metavar: str | None = None,
        min: float | None = None,  # noqa: A002
        dir_okay: bool = True,
    ) -> None:
        self.names = names
        self.metavar = metavar
        self.help = help
        self.min = min
        self.dir_okay = dir_okay


class Argument:
    """A positional argument: required unless it has a default; a list takes the rest."""

    __slots__ = ("metavar", "help")

    def __init__(self, *, metavar: str, help: str) -> None:  # noqa: A002
        self.metavar = metavar
        self.help = help
