"""The command line shared by the scripts that write a generated module of the package:
write it when it is not current, or with ``--check`` only tell whether it is (the tests
run each script with ``--check``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def write_or_check(
    path: Path, current: str, script: str, description: str, argv: list[str] | None
) -> int:
    """Exit status of ``script``: 0 when ``path`` holds ``current`` (after writing it,
    unless ``--check`` is given), 1 with a message when ``--check`` finds it stale."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="only tell whether it is current")
    args = parser.parse_args(argv)
    if path.exists() and path.read_text(encoding="utf-8") == current:
        return 0
    if args.check:
        print(f"{path} is not current: run python scripts/{script}", file=sys.stderr)
        return 1
    path.write_text(current, encoding="utf-8")
    return 0
