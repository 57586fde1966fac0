"""The names a module changes in place (:func:`conditions.mutated_names`), worked out from
what the symbol table's walk collects instead of a walk of every node of the module: the
same answers as that walk on every module of the fixtures."""

from __future__ import annotations

import ast
from pathlib import Path

from authsweep.scanner.errors import ParseError
from authsweep.scanner.python.conditions import _MUTATORS, _root, mutated_names
from authsweep.scanner.python.parse import parse_python
from authsweep.scanner.python.symbols import Symbols
from authsweep.scanner.text import Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _walked(tree: ast.AST) -> frozenset[str]:
    """The way before: every node of the module looked at."""
    found: set[str] = set()
    for node in ast.walk(tree):
        target = None
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(
            node.ctx, (ast.Store, ast.Del)
        ):
            target = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _MUTATORS
        ):
            target = node.func.value
        root = _root(target) if target is not None else None
        if root is not None:
            found.add(root)
    return frozenset(found)


_SHAPES = """
CONFIG["tls"] = True
settings.USE_TLS = False
del OPTIONS["port"], cache.entry
EXTRA.update(more)
a.b[c].d = 1
for holder.item in things: pass
with open(p) as box.lid: pass
[0 for store.slot in range(3)]
lambda: REGISTRY.pop("x")
class K:
    def f(self, x=DEFAULTS.setdefault("k", 1)):
        self.smtp = None
        nested()["key"] = 2
        LOOKUP[x] += 1
match point:
    case {"k": v}:
        TABLE.clear()
"""


def test_the_shapes_of_a_change_in_place() -> None:
    tree = ast.parse(_SHAPES)
    assert mutated_names(Symbols(tree)) == _walked(tree) == {
        "CONFIG", "settings", "OPTIONS", "cache", "EXTRA", "a", "holder", "box", "store",
        "REGISTRY", "DEFAULTS", "self", "nested", "LOOKUP", "TABLE",
    }  # fmt: skip


def test_every_fixture_module_answers_as_the_walk() -> None:
    compared = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            tree = parse_python(Source("python", path.read_bytes())).tree
        except ParseError:
            continue
        assert mutated_names(Symbols(tree)) == _walked(tree), path
        compared += 1
    assert compared > 400
