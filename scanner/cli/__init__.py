"""The command line: ``authsweep check``, ``fix``, ``rules``, ``explain``, ``sweep``,
``merge``, ``lab`` and ``tenant``, one module per command.

``authsweep check`` with a command line :mod:`authsweep.scanner.cli.fast` reads (a
pre-commit hook's, a CI job's) runs without click; everything else goes through the click
group (:mod:`authsweep.scanner.cli.group`, here as ``app``), which imports a command's
module only when that command runs.

Exit codes (README, "Exit codes"): 0 nothing that fails the run, 1 findings at or above
``fail-on`` or a file that could not be checked or fixed (or, for ``fix --diff``,
changes to make), 2 bad usage, bad configuration or an internal error.
"""

from __future__ import annotations

import sys

from ..start_up import start_up

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


def main() -> None:
    """The command line, as a process runs it: the garbage collector paused for start-up
    (:class:`authsweep.scanner.start_up.StartUp`; the ``authsweep`` script pauses it
    before this module is imported, :func:`authsweep.main`)."""
    start_up.pause()
    try:
        args = sys.argv[1:]
        if args[:1] == ["check"]:
            # start-up: the fast reader (and pathlib, which it reads paths with) for `check`
            # only: `--version` and the other commands go to click at once
            from .fast import check_values, run_check

            values = check_values(args[1:])
            if values is not None:
                run_check(values)
        # start-up: click only for the lines the fast reader leaves to it
        from .group import app

        app(prog_name="authsweep")
    finally:
        start_up.over()  # no command was looked up (--version, --help, a usage error)


def __getattr__(name: str) -> Any:
    """``app``, the click group (tests run it in-process), imported when asked for."""
    if name == "app":
        # start-up: click only for the lines the fast reader leaves to it
        from .group import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
