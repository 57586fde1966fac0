"""Rewrite scanner/adapter_markers.py, the index of the markers the library adapters and
models declare, from the adapters themselves.

    python scripts/adapter_markers.py          # rewrite the index
    python scripts/adapter_markers.py --check  # exit 1 if it is not current

tests/test_adapter_markers.py fails when the index is not current.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from authsweep.scanner.python.adapters import ADAPTERS

INDEX = Path(__file__).resolve().parent.parent / "scanner" / "adapter_markers.py"


def declared_markers() -> tuple[str, ...]:
    """Every adapter's markers, in the adapters' order."""
    return tuple(marker.decode() for adapter in ADAPTERS for marker in adapter.markers)


def with_markers(text: str, markers: tuple[str, ...]) -> str:
    """The index's text with its tuple replaced by ``markers``."""
    head, _, _ = text.partition("ADAPTER_MARKERS: tuple[str, ...] = (\n")
    # Double-quoted, as ruff format writes them (the markers are ASCII).
    body = "".join(f"    {json.dumps(marker)},\n" for marker in markers)
    return f"{head}ADAPTER_MARKERS: tuple[str, ...] = (\n{body})\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only tell whether it is current")
    args = parser.parse_args(argv)
    text = INDEX.read_text(encoding="utf-8")
    current = with_markers(text, declared_markers())
    if current == text:
        return 0
    if args.check:
        print(f"{INDEX} is not current: run python scripts/adapter_markers.py", file=sys.stderr)
        return 1
    INDEX.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
