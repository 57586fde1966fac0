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

from ..python.parse import parse_whole
from ..records import record
from ..text import first_newline, lines_with_ends
from .import_style import FIRST, LOCAL, ImportStyle


@record
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

    def section(self, style: ImportStyle) -> str:
        if self.module.startswith("."):
            return LOCAL
        return FIRST if self.first_party else style.section(self.module)

    @property
    def key(self) -> tuple[int, str]:
        return (self.name is not None, self.module.lower())

    @property
    def bound(self) -> str:
        """The name the import binds in the module."""
        if self.name is None:
            return self.module.split(".")[0]
        return self.alias or self.name


class TakenName(ValueError):
    """The module binds the name an import would add to something else (``from backports
    import ssl``): adding the import would replace that, and the fix's code would call the
    wrong module."""


@record
class _Existing:
    node: ast.Import | ast.ImportFrom
    section: str
    key: tuple[int, str]


def add_imports(code: str, wanted: list[Wanted], style: ImportStyle | None = None) -> str:
    """``code`` with every wanted import it lacks, each at its sorted place in the sections
    of ``style`` (the project's Ruff or isort settings)."""
    for item in wanted:
        code = _add(code, item, style or ImportStyle())
    return code


def _add(code: str, item: Wanted, style: ImportStyle) -> str:
    tree = parse_whole(code)
    other = _other_binding(tree, item)
    if other is not None:
        raise TakenName(
            f"the module's `{item.bound}` is not `{item.text}` ({other}), and the fix's code "
            f"calls `{item.bound}`: adding the import would replace the module's own"
        )
    if _present(tree, item):
        return code
    newline = first_newline(code)
    lines = lines_with_ends(code)
    merged = _merge(tree, lines, item)
    if merged is not None:
        return merged
    block = _import_block(tree, style)
    section = item.section(style)
    statement = item.text + newline
    if not block:
        if _docstring(tree):  # docstring, blank line, imports, then what followed
            return _insert(lines, _end(tree.body[0]) + 1, newline + statement)
        first = tree.body[0].lineno if tree.body else len(lines) + 1
        return _insert(lines, first, statement + (newline if tree.body else ""))
    same = [e for e in block if e.section == section]
    if same:
        later = next((e for e in same if e.key > item.key), None)
        if later is not None:
            return _insert(lines, later.node.lineno, statement)
        return _insert(lines, _end(same[-1].node) + 1, statement)
    order = style.rank(section)
    after = [e for e in block if style.rank(e.section) > order]
    if after:
        return _insert(lines, after[0].node.lineno, statement + newline)
    return _insert(lines, _end(block[-1].node) + 1, newline + statement)


def _other_binding(tree: ast.Module, item: Wanted) -> str | None:
    """Where an import at module level (in ``try``/``if`` blocks too) binds the name
    ``item`` binds to another module or object, as ``line N: from backports import ssl``;
    None when none does."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                same = alias.name == item.module if alias.asname else bound == item.bound
                if bound == item.bound and (item.name is not None or not same):
                    return f"line {node.lineno}: {ast.unparse(node)}"
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name
                same = node.module == item.module and alias.name == item.name and not node.level
                if bound == item.bound and not same:
                    return f"line {node.lineno}: {ast.unparse(node)}"
        elif isinstance(node, (ast.If, ast.Try, ast.With)) or type(node).__name__ == "TryStar":
            for field in ("body", "orelse", "finalbody"):
                pending.extend(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)
    return None


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


def _merge(tree: ast.Module, lines: list[str], item: Wanted) -> str | None:
    """The code with ``name`` added to a one-line ``from module import ...`` of the same
    module, where there is one, in the order isort and Ruff keep (constants, classes, then
    the rest); None otherwise."""
    if item.name is None or item.module.startswith("."):
        return None
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and node.module == item.module):
            continue
        line = lines[node.lineno - 1]
        body = line.rstrip("\r\n")
        if node.level or node.end_lineno != node.lineno or "(" in body or "#" in body:
            continue
        names = [a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names]
        alias = f" as {item.alias}" if item.alias and item.alias != item.name else ""
        names = sorted([*names, item.name + alias], key=_name_order)
        ending = line[len(body) :]
        indent = body[: len(body) - len(body.lstrip())]
        lines[node.lineno - 1] = f"{indent}from {item.module} import {', '.join(names)}{ending}"
        return "".join(lines)
    return None


def _name_order(name: str) -> tuple[int, str]:
    bare = name.split(" as ", 1)[0]
    kind = 0 if bare.isupper() and len(bare) > 1 else 1 if bare[:1].isupper() else 2
    return kind, bare.lower()


def _import_block(tree: ast.Module, style: ImportStyle) -> list[_Existing]:
    """The imports at the top of the module, up to the first other statement."""
    block: list[_Existing] = []
    for node in tree.body[1 if _docstring(tree) else 0 :]:
        if isinstance(node, ast.Import):
            module = node.names[0].name
            block.append(_Existing(node, style.section(module), (False, module.lower())))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            section = style.section(module, node.level)
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


def sort_block(code: str, style: ImportStyle) -> str:
    """A module authsweep wrote (one import a line) with its import block sorted into the
    project's sections, a blank line between sections."""
    tree = parse_whole(code)
    block = _import_block(tree, style)
    if not block:
        return code
    lines = lines_with_ends(code)
    newline = first_newline(code)
    first, last = block[0].node.lineno, _end(block[-1].node)
    ordered = sorted(block, key=lambda e: (style.rank(e.section), e.key))
    parts: list[str] = []
    for index, existing in enumerate(ordered):
        if index and existing.section != ordered[index - 1].section:
            parts.append(newline)
        text = "".join(lines[existing.node.lineno - 1 : _end(existing.node)])
        parts.append(text if text.endswith(("\n", "\r")) else text + newline)
    return "".join(lines[: first - 1]) + "".join(parts) + "".join(lines[last:])
