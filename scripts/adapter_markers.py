"""Rewrite scanner/adapter_markers.py, the index of the markers the library adapters and
models declare and of the libraries projects bundle, from the adapters and models themselves.

    python scripts/adapter_markers.py          # rewrite the index
    python scripts/adapter_markers.py --check  # exit 1 if it is not current

tests/test_adapter_markers.py fails when the index is not current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from authsweep.scanner.python.adapters import ADAPTERS
from authsweep.scanner.python.models import MODELS
from generated_file import write_or_check  # scripts/, beside this script

INDEX = Path(__file__).resolve().parent.parent / "scanner" / "adapter_markers.py"


def declared_markers() -> tuple[str, ...]:
    """Every adapter's markers, in the adapters' order."""
    return tuple(marker.decode() for adapter in ADAPTERS for marker in adapter.markers)


def bundled_libraries() -> tuple[str, ...]:
    """The module names of the models' single-file libraries that projects bundle."""
    return tuple(sorted(model.library for model in MODELS if model.bundled))


def with_markers(text: str, markers: tuple[str, ...], bundled: tuple[str, ...]) -> str:
    """The index's text with its tables replaced by ``markers`` and ``bundled``."""
    head, _, _ = text.partition("ADAPTER_MARKERS: tuple[str, ...] = (\n")
    # Double-quoted, as ruff format writes them (the names are ASCII).
    body = "".join(f"    {json.dumps(marker)},\n" for marker in markers)
    names = ", ".join(json.dumps(name) for name in bundled)
    return (
        f"{head}ADAPTER_MARKERS: tuple[str, ...] = (\n{body})\n"
        f"# The models' single-file libraries that projects bundle as a module of their own.\n"
        f"BUNDLED_LIBRARIES: frozenset[str] = frozenset(({names},))\n"
    )


def main(argv: list[str] | None = None) -> int:
    text = INDEX.read_text(encoding="utf-8")
    current = with_markers(text, declared_markers(), bundled_libraries())
    return write_or_check(INDEX, current, "adapter_markers.py", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
