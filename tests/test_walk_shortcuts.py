"""The front end's cheaper walks and look-ups give what the slower ones gave.

``ast_walk.walk`` is ``ast.walk`` with each node's fields read in place: the same nodes in
the same order. A scope's parents map is built in one pass in that order. A method or
class name no class of the module has is answered before any class is looked at, which
holds only if every class of the module (one in a function too) is in the symbol table.
"""

from __future__ import annotations

import ast
from pathlib import Path

from authsweep.scanner.python.ast_walk import walk
from authsweep.scanner.python.conditions import assigned_names, bound_once, settled_names
from authsweep.scanner.python.connection_checks import _parents
from authsweep.scanner.python.source import SourceText
from authsweep.scanner.python.symbols import Symbols
from authsweep.scanner.python.values import Evaluator

PACKAGE = Path(__file__).resolve().parent.parent / "scanner" / "python"

EVERY_SHAPE = """
import os, smtplib as s
from x import (a as b, c)
async def f(p, /, q=1, *r, k: int = 2, **w) -> None:
    global g
    x = y = [i async for i in z if i] + {k: v for k, v in d.items()}
    x += -1 if not a and b or c else ~2
    del x[1:2, ::3], x.y
    async with m() as (n, *o):
        try:
            yield (lambda u=3: u ** 2)(*r, **w)
        except (E, F) as e:
            raise G from e
        finally:
            await h
    match p:
        case [1, *rest] | {"k": q, **more} if q > 0:
            pass
        case Point(x=0) as pt:
            pass
    return f"{a!r:>{w}}" @ b
class C(B, metaclass=M):
    t: int = 1
    def m(self):
        nonlocal_free = (yield from g)
"""


def _trees() -> list[ast.AST]:
    trees: list[ast.AST] = [ast.parse(EVERY_SHAPE)]
    trees += [ast.parse(path.read_text()) for path in sorted(PACKAGE.glob("*.py"))[:40]]
    return trees


def test_walk_gives_ast_walks_nodes_in_its_order() -> None:
    for tree in _trees():
        for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))]:
            expected = list(ast.walk(scope))
            found = list(walk(scope))
            assert len(found) == len(expected)
            assert all(a is b for a, b in zip(found, expected, strict=True))


def test_walk_skips_a_field_left_unset_as_ast_walk_does() -> None:
    node = ast.Call(func=ast.Name(id="f", ctx=ast.Load()))  # no args, no keywords
    assert [type(n) for n in walk(node)] == [type(n) for n in ast.walk(node)]


def test_a_scopes_parents_are_the_syntactic_ones_in_walk_order() -> None:
    for tree in _trees():
        expected: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                expected[child] = node
        found = _parents(tree)
        assert list(found) == list(expected)
        assert all(found[child] is parent for child, parent in expected.items())


def _settled_alone(scope: ast.AST) -> dict[str, tuple[int, int]]:
    """What :func:`settled_names` answered from a walk of its own (every node, contexts and
    operators too, in the order the conditions module's walk gives them)."""
    last: dict[str, tuple[int, int]] = {}
    shared: set[str] = set()
    stack = [scope]
    while stack:
        node = stack.pop()
        for field_name in node._fields:
            value = getattr(node, field_name, None)
            items = value if isinstance(value, list) else [value]
            stack += [item for item in items if isinstance(item, ast.AST)]
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            name, end = node.id, (node.end_lineno or node.lineno, node.end_col_offset or 0)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            shared.update(node.names)
            continue
        elif isinstance(node, ast.ExceptHandler) and node.name:
            name, end = node.name, (node.lineno, node.col_offset)
        elif isinstance(node, ast.alias):
            name = node.asname or node.name.split(".")[0]
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node is scope:
                continue
            name, end = node.name, (node.lineno, node.col_offset)
        else:
            continue
        if end > last.get(name, (0, 0)):
            last[name] = end
    return {n: at for n, at in last.items() if n not in shared}


def test_one_walk_of_a_function_answers_what_a_walk_of_its_own_did() -> None:
    functions = [
        node
        for tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    assert len(functions) > 200
    for function in functions:
        expected = _settled_alone(function)
        assert list(settled_names(function).items()) == list(expected.items())
    source = (
        "def f(mode):\n"
        "    global shared\n"
        "    if mode:\n"
        "        encryption = 'ssl'\n"
        "    else:\n"
        "        encryption = 'starttls'\n"
        "    try:\n"
        "        host = config['host']\n"
        "    except KeyError as error:\n"
        "        host, shared = None, error\n"
        "    self.port = 1\n"
        "    count = 0\n"
    )
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    settled = settled_names(function)
    assert settled["encryption"] == (6, 18) and settled["error"] == (9, 4)
    assert "shared" not in settled  # global: another function may bind it
    assert {"encryption", "host", "self.port", "count", "shared"} <= assigned_names(function)
    assert bound_once(function) == frozenset({"count"})  # the others: twice, or in arms
    module = ast.parse("x = 1\n")
    assert settled_names(module) == {"x": (1, 1)}  # asked of a module: worked out, not kept


def test_a_method_of_a_class_in_a_function_is_still_found() -> None:
    source = (
        "def run():\n"
        "    class Inner:\n"
        "        def go(self):\n"
        "            pass\n"
        "    obj = Inner()\n"
        "    obj.go()\n"
        "    obj.absent()\n"
    )
    tree = ast.parse(source)
    symbols = Symbols(tree)
    values = Evaluator(symbols, SourceText(source))
    calls = {ast.unparse(call.func): call for call in symbols.calls}
    go = values.callers.instance_method(calls["obj.go"].func)
    assert go is not None and go.name == "go"
    assert values.callers.has_method("go") and not values.callers.has_method("absent")
    assert values.callers.instance_method(calls["obj.absent"].func) is None
    inner = values.class_named(calls["Inner"].func)
    assert inner is not None and inner.name == "Inner"
    assert values.class_named(ast.Name(id="Outer", ctx=ast.Load())) is None


def test_the_evaluators_qualified_names_are_the_symbols_kept_per_node() -> None:
    """``Evaluator.qualified_names`` keeps its answer per node: the same object when asked
    again, and the symbols' names in their order, on the package's own modules."""
    for path in sorted(PACKAGE.glob("*.py"))[:40]:
        code = path.read_text(encoding="utf-8")
        symbols = Symbols(ast.parse(code))
        values = Evaluator(symbols, SourceText(code))
        for node in walk(symbols.tree):
            if isinstance(node, (ast.Name, ast.Attribute)):
                first = values.qualified_names(node)
                assert list(first) == list(
                    dict.fromkeys(n for n, _ in symbols.qualified_names(node))
                )
                assert values.qualified_names(node) is first
