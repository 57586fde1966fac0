"""No import circles between authsweep's modules.

The graph is read from the source with ``ast`` (nothing is imported): every import of
one of our modules, at the top of a module or inside a function (an import placed in a
function hides a circle; it does not remove it). Imports under ``if TYPE_CHECKING:``
never run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import authsweep
import authsweep.lab
import authsweep.rules
import authsweep.scanner
import pytest

PACKAGES = {
    "authsweep": Path(authsweep.__file__).parent,
    "authsweep.scanner": Path(authsweep.scanner.__file__).parent,
    "authsweep.rules": Path(authsweep.rules.__file__).parent,
    "authsweep.lab": Path(authsweep.lab.__file__).parent,
}


def module_files() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            if name not in found:  # authsweep's folder holds none of the others
                found[name] = path
    return found


def _runs(node: ast.If) -> bool:
    """Whether an ``if`` block's imports run (not ``if TYPE_CHECKING:``)."""
    return "TYPE_CHECKING" not in ast.unparse(node.test)


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and not _runs(node):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` is, or is in (``pkg.mod.function`` -> ``pkg.mod``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    modules = module_files()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(_owner(alias.name, modules) for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                # ``from . import x``: x may be a module of its own.
                targets.add(_owner(f"{base}.{alias.name}", modules))
        found = {target for target in targets if target}
        # Importing ``pkg.sub.mod`` first runs ``pkg/__init__`` and ``pkg/sub/__init__``,
        # unless the importer is inside that package (already being imported then).
        for target in list(found):
            parent = target.rpartition(".")[0]
            while parent:
                if parent in modules and not name.startswith(f"{parent}."):
                    found.add(parent)
                parent = parent.rpartition(".")[0]
        graph[name] = found - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_sees_imports_of_every_kind(graph: dict[str, set[str]]) -> None:
    # Relative, absolute, inside a function, and ``from . import module``.
    assert "authsweep.scanner.cache" in graph["authsweep.scanner.runner"]
    assert "authsweep.rules" in graph["authsweep.scanner.engine"]  # in selected_rules
    assert "authsweep.scanner.python.fallback" in graph["authsweep.scanner.engine"]
    assert "authsweep.scanner.inputs" in graph["authsweep.scanner.python.imports"]


def test_circles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert sorted(map(sorted, circles(graph))) == [["a", "b", "c"], ["d", "e"]]


def test_no_import_circles(graph: dict[str, set[str]]) -> None:
    found = [sorted(c) for c in circles(graph)]
    assert not found, f"import circles (move the shared type down, or pass a callable in): {found}"


# Issue 27: a module past this is split by concern (front ends, adapters, model, rules, report).
MAX_MODULE_LINES = 600


def test_no_module_is_over_the_line_bound() -> None:
    long = {
        name: count
        for name, path in module_files().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
