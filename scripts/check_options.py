"""Rewrite scanner/cli/check_options.py, the table the fast reader of ``authsweep check``
reads its command line with (scanner/cli/fast.py), from the click command built from the
``check`` function's declaration.

    python scripts/check_options.py          # rewrite the table
    python scripts/check_options.py --check  # exit 1 if it is not current

tests/test_fast_check.py fails when the table is not current.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from authsweep.scanner.cli.check import check
from authsweep.scanner.cli_params import click_command, fast_table
from generated_file import write_or_check  # scripts/, beside this script

TABLE = Path(__file__).resolve().parent.parent / "scanner" / "cli" / "check_options.py"
HEAD = '''"""The options of ``authsweep check`` as its fast reader reads them (scanner/cli/fast.py):
each name's parameter, kind and detail (an integer's lower bound, whether a path may name
a folder), the argument taking the rest, and each parameter's value when it is not given.
Generated from the ``check`` function's declaration, through the click command built from
it, by ``python scripts/check_options.py``; tests/test_fast_check.py fails when it is not
current.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

'''


def table_text(table: tuple[dict[str, tuple[str, str, Any]], str, dict[str, Any]]) -> str:
    """The table module's text, laid out as ruff format lays it out."""
    options, argument, defaults = table
    lines = [HEAD, "OPTIONS: dict[str, tuple[str, str, Any]] = {\n"]
    lines += [f'    "{name}": {entry!r},\n'.replace("'", '"') for name, entry in options.items()]
    lines.append("}\n")
    lines.append(f'ARGUMENT = "{argument}"\n')
    lines.append("DEFAULTS: dict[str, Any] = {\n")
    lines += [f'    "{name}": {value!r},\n' for name, value in defaults.items()]
    lines.append("}\n")
    return "".join(lines)


def current_text() -> str:
    return table_text(fast_table(click_command(check, "check")))


def main(argv: list[str] | None = None) -> int:
    return write_or_check(TABLE, current_text(), "check_options.py", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
