"""Whether other modules of the project still name what a fix took the last reader of
here: a module constant another file may import, an attribute, a dict key, a function."""

from __future__ import annotations

import ast
from pathlib import Path

from ..project import GENERATED_MARK, facts_for
from .reads import Elsewhere


def project_search(location: Path | None) -> Elsewhere | None:
    """A search of the other Python files of the project of the file at ``location``
    (listed as :mod:`..project` lists them; modules authsweep wrote are left out); None for
    code that is in no file (stdin)."""
    if location is None:
        return None
    facts = facts_for(str(location))
    if facts is None:
        return None
    me = location.resolve()
    others = [f for f in facts.python_files if f.resolve() != me]
    module = me.stem
    found: dict[tuple[str, str], list[str]] = {}

    def search(word: str, kind: str) -> list[str]:
        if (word, kind) not in found:
            found[(word, kind)] = _search(others, facts.root, word, kind, module)
        return found[(word, kind)]

    return search


def _search(files: list[Path], root: Path, word: str, kind: str, module: str) -> list[str]:
    """Files naming ``word``; for a name of the module (a constant, a function), only
    files that import the module can."""
    needle = word.encode()
    places = []
    for file in files:
        try:
            data = file.read_bytes()
            if needle not in data or GENERATED_MARK.encode() in data:
                continue
            tree = ast.parse(data)
        except (OSError, SyntaxError, ValueError, RecursionError):
            continue
        if kind == "name" and not _imports(tree, module):
            continue
        line = next((n.lineno for n in ast.walk(tree) if _names(n, word, kind)), None)
        if line is not None:
            places.append(f"{_relative(file, root)}:{line}")
    return places


def _imports(tree: ast.Module, module: str) -> bool:
    """Whether a module imports the module named ``module`` (its last dotted part)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(alias.name.rsplit(".", 1)[-1] == module for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").rsplit(".", 1)[-1] == module:
                return True
            if any(alias.name == module for alias in node.names):
                return True
    return False


def _names(node: ast.AST, word: str, kind: str) -> bool:
    """Whether the node refers to ``word`` as a name (an import of it too), an attribute,
    or a string key."""
    if kind == "key":
        return isinstance(node, ast.Constant) and node.value == word
    if isinstance(node, ast.Attribute):
        return node.attr == word
    if kind == "attribute":
        return False
    if isinstance(node, ast.Name):
        return node.id == word
    return isinstance(node, ast.alias) and word in (node.name, node.asname)


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()
