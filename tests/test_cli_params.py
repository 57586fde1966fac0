"""Commands declared as typed functions (scanner/cli_params.py) parse as they declare."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import click
import pytest
from authsweep.scanner.cli_params import Argument, Option, click_command


class Shape(str, Enum):
    round = "round"
    square = "square"


def declared(
    names: Annotated[list[str], Argument(metavar="NAME", help="Names.")],
    files: Annotated[Optional[list[Path]], Option("--file", help="Repeat.")] = None,  # noqa: UP045
    jobs: Annotated[int | None, Option("--jobs", "-j", min=1, metavar="N", help="N.")] = None,
    shape: Annotated[Shape, Option("--shape", metavar="SHAPE", help="Shape.")] = Shape.round,
    loud: Annotated[bool, Option("--loud", help="Loud.")] = False,
) -> dict:
    return {"names": names, "files": files, "jobs": jobs, "shape": shape, "loud": loud}


def parse(*args: str) -> dict:
    return click_command(declared, "t").main(list(args), standalone_mode=False)


def test_values_arrive_as_declared() -> None:
    assert parse("a") == {
        "names": ["a"],
        "files": None,
        "jobs": None,
        "shape": Shape.round,
        "loud": False,
    }
    got = parse("a", "b", "--file", "x", "--file", "y", "-j", "2", "--shape", "square", "--loud")
    assert got == {
        "names": ["a", "b"],
        "files": [Path("x"), Path("y")],
        "jobs": 2,
        "shape": Shape.square,
        "loud": True,
    }


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        ((), "Missing argument 'NAME'"),
        (("a", "-j", "0"), "0 is not in the range x>=1"),
        (("a", "--shape", "oval"), "'oval' is not one of 'round', 'square'"),
    ],
)
def test_bad_values_are_usage_errors(args: tuple[str, ...], wanted: str) -> None:
    with pytest.raises(click.UsageError) as raised:
        parse(*args)
    assert wanted in raised.value.format_message()


def test_help_shows_metavars_and_defaults() -> None:
    command = click_command(declared, "t")
    text = command.get_help(click.Context(command, info_name="t"))
    assert text.startswith("Usage: t [OPTIONS] NAME...")
    assert "Arguments:\n  NAME...  Names." in text
    assert "-j, --jobs N" in text and "[default: round]" in text and "<" not in text
