"""The modules a command imports, run in a process of its own (tests of start-up: what a
command needs, and what it must leave unimported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_WHAT_IT_IMPORTED = (
    "import sys\n"
    "from authsweep.scanner.cli import main\n"
    "sys.argv = ['authsweep', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
)


def run_importing(*args: str, cwd: Path) -> tuple[str, set[str]]:
    """The command's output, and the modules imported by the end of its run."""
    result = subprocess.run(
        [sys.executable, "-c", _WHAT_IT_IMPORTED, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout, set(result.stderr.rsplit("MODULES ", 1)[1].split())


def imported(*args: str, cwd: Path) -> set[str]:
    """The modules the command imports by the end of its run."""
    return run_importing(*args, cwd=cwd)[1]
