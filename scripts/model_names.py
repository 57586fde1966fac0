"""Rewrite scanner/python/model_names.py, the index of the names the library models'
adapters read, from the models and their adapters.

    python scripts/model_names.py          # rewrite the index
    python scripts/model_names.py --check  # exit 1 if it is not current

tests/test_model_names.py fails when the index is not current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from authsweep.scanner.python.adapters.declared import adapter, adapters
from authsweep.scanner.python.models import MODULES, model
from generated_file import write_or_check  # scripts/, beside this script

INDEX = Path(__file__).resolve().parent.parent / "scanner" / "python" / "model_names.py"

HEAD = '''"""The names the library models' adapters read (scanner/python/models), for the front end,
which imports a model only when a module it analyses names one of them
(:class:`authsweep.scanner.python.frontend.PythonFrontEnd`). Generated from the models by
``python scripts/model_names.py``; ``tests/test_model_names.py`` fails when it is not
current (a model added, or a callable of one added or renamed).
"""

'''


def _text(value: object, indent: int) -> str:
    """A value's text as ruff format writes it with magic trailing commas: each element of
    a tuple of two or more on a line of its own (the names are ASCII)."""
    if isinstance(value, bytes):
        return f"b{json.dumps(value.decode())}"
    if isinstance(value, str):
        return json.dumps(value)
    assert isinstance(value, tuple)
    if not value:
        return "()"
    if len(value) == 1 and not isinstance(value[0], tuple):
        return f"({_text(value[0], indent)},)"  # a one-element tuple's comma is not magic
    pad = "    " * (indent + 1)
    inner = "".join(f"{pad}{_text(item, indent + 1)},\n" for item in value)
    return f"(\n{inner}{'    ' * indent})"


def tables() -> tuple[tuple, tuple, tuple[str, ...]]:
    """The index's three tables, from the models and their adapters."""
    models = {module: model(module) for module in MODULES}
    names = []
    for module, made in models.items():
        built = adapter(made)
        names.append((module, built.library, tuple(built.clients), tuple(built.functions)))
    methods = []
    for built in adapters(models.values()):
        for name in built.object_methods:
            declaring = [
                module
                for module, made in models.items()
                for opener in (*made.openers, *made.ews)
                if opener.on_object_of and name in {n.rsplit(".", 1)[-1] for n in opener.names}
            ]
            makers = {
                maker
                for made in models.values()
                for opener in (*made.openers, *made.ews)
                if opener.on_object_of and name in {n.rsplit(".", 1)[-1] for n in opener.names}
                for maker in opener.on_object_of
            }
            methods.append(
                (
                    name,
                    built.object_methods_if,
                    tuple(dict.fromkeys(declaring)),
                    tuple(sorted(makers)),
                )
            )
    openers = sorted(
        {n.split(".", 1)[0] for made in models.values() for o in made.openers for n in o.names}
    )
    return tuple(names), tuple(methods), tuple(openers)


def index_text() -> str:
    names, methods, openers = tables()
    return (
        f"{HEAD}"
        "# Each model's module, in the order of the models' adapters: its library, the qualified\n"
        "# names its adapter reads as clients, and as functions.\n"
        "MODEL_NAMES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = "
        f"{_text(names, 0)}\n"
        "# Methods of objects a model's callable makes (``Envelope(...).send``): each method, the\n"
        "# words one of which a module's lower-cased bytes must hold for it to be read, the\n"
        "# models that declare it, and the callables whose objects it is read on.\n"
        "OBJECT_METHODS: tuple[tuple[str, tuple[bytes, ...], tuple[str, ...], tuple[str, ...]], "
        "...] = "
        f"{_text(methods, 0)}\n"
        "# The top-level modules the models' openers are in.\n"
        f"OPENER_MODULES: frozenset[str] = frozenset(\n    {_text(openers, 1)}\n)\n"
    )


def main(argv: list[str] | None = None) -> int:
    return write_or_check(INDEX, index_text(), "model_names.py", __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
