"""Imports a fix adds, placed where an import sorter would put them.

Ruff's isort rule (I001) and isort itself sort the import block at the top of a module
into sections (``__future__``, the standard library, third-party packages, the
project's own, relative imports), separated by a blank line; within a section plain
``import x`` statements come first, then ``from x import y``, each sorted by module name
regardless of case. A new import goes into its section at its sorted place, and a
section that did not exist is made where the order says; a module without imports gets
them after its docstring. A file whose imports were sorted stays sorted.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

from ..python.parse import parse_whole
from ..text import first_newline, lines_with_ends

SECTIONS = ("future", "stdlib", "thirdparty", "firstparty", "local")
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)


@dataclass(frozen=True)
class Wanted:
    """``import module``, or ``from module import name [as alias]``."""

    module: str
    name: str | None = None
    alias: str | None = None
    first_party: bool = False  # the project's own module (a configured token provider)

    @property
    def text(self) -> str:
        if self.name is None:
            return f"import {self.module}"
        alias = f" as {self.alias}" if self.alias and self.alias != self.name else ""
        return f"from {self.module} import {self.name}{alias}"

    @property
    def section(self) -> str:
        return "firstparty" if self.first_party else section_of(self.module, 0)

    @property
    def key(self) -> tuple[int, str]:
        return (self.name is not None, self.module.lower())


def section_of(module: str, level: int) -> str:
    if level:
        return "local"
    top = module.split(".", 1)[0]
    if top == "__future__":
        return "future"
    return "stdlib" if top in _STDLIB else "thirdparty"


@dataclass(frozen=True)
class _Existing:
    node: ast.Import | ast.ImportFrom
    section: str
    key: tuple[int, str]


def add_imports(code: str, wanted: list[Wanted]) -> str:
    """``code`` with every wanted import it lacks, each at its sorted place."""
    for item in wanted:
        code = _add(code, item)
    return code


def _add(code: str, item: Wanted) -> str:
    tree = parse_whole(code)
    if _present(tree, item):
        return code
    newline = first_newline(code)
    lines = lines_with_ends(code)
    block = _import_block(tree)
    statement = item.text + newline
    if not block:
        if _docstring(tree):  # docstring, blank line, imports, then what followed
            return _insert(lines, _end(tree.body[0]) + 1, newline + statement)
        first = tree.body[0].lineno if tree.body else len(lines) + 1
        return _insert(lines, first, statement + (newline if tree.body else ""))
    same = [e for e in block if e.section == item.section]
    if same:
        later = next((e for e in same if e.key > item.key), None)
        if later is not None:
            return _insert(lines, later.node.lineno, statement)
        return _insert(lines, _end(same[-1].node) + 1, statement)
    order = SECTIONS.index(item.section)
    after = [e for e in block if SECTIONS.index(e.section) > order]
    if after:
        return _insert(lines, after[0].node.lineno, statement + newline)
    return _insert(lines, _end(block[-1].node) + 1, newline + statement)


def _present(tree: ast.Module, item: Wanted) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Import) and item.name is None:
            if any(a.name == item.module and a.asname is None for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.module == item.module and not node.level:
            if any(
                a.name == item.name and (a.asname or a.name) == (item.alias or item.name)
                for a in node.names
            ):
                return True
    return False


def _import_block(tree: ast.Module) -> list[_Existing]:
    """The imports at the top of the module, up to the first other statement."""
    block: list[_Existing] = []
    for node in tree.body[1 if _docstring(tree) else 0 :]:
        if isinstance(node, ast.Import):
            module = node.names[0].name
            block.append(_Existing(node, section_of(module, 0), (False, module.lower())))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            section = section_of(module, node.level)
            block.append(_Existing(node, section, (True, module.lower())))
        else:
            break
    return block


def _docstring(tree: ast.Module) -> bool:
    first = tree.body[0] if tree.body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )


def _end(node: ast.AST) -> int:
    return node.end_lineno or node.lineno  # type: ignore[attr-defined]


def _insert(lines: list[str], line: int, text: str) -> str:
    index = min(max(line - 1, 0), len(lines))
    if index and not lines[index - 1].endswith(("\n", "\r")):
        text = first_newline("".join(lines)) + text  # after a last line without a newline
    return "".join(lines[:index]) + text + "".join(lines[index:])
