"""Rewrite scanner/adapter_markers.py, the index of the markers the library adapters and
models declare, from the adapters themselves.

    python scripts/adapter_markers.py          # rewrite the index
    python scripts/adapter_markers.py --check  # exit 1 if it is not current

tests/test_adapter_markers.py fails when the index is not current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from authsweep.scanner.python.adapters import ADAPTERS
from generated_file import write_or_check  # scripts/, beside this script

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
    current = with_markers(INDEX.read_text(encoding="utf-8"), declared_markers())
    return write_or_check(INDEX, current, "adapter_markers.py", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
