"""What a fix leaves behind: imports it made unused, and a password read nothing needs.

After the XOAUTH2 rewrite, ``password = os.environ["MAIL_PASSWORD"]`` would still run and
fail with ``KeyError`` once the variable is gone from the deployment, and ``import
getpass`` would stay unused (Ruff F401). Compared with the text before the fix: a
module-level import whose name the file used and no longer uses is removed; an
assignment in a function whose variable the function read and no longer reads is
removed when its value only reads the environment, a setting, a prompt or a literal
(nothing else a program could depend on). A module-level one is kept, since another
module may import it, and named in a note.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from ..errors import ParseError
from ..python.parse import parse_whole
from ..python.source import dotted_name
from ..text import lines_with_ends

# Calls whose only effect is to read a value (their result is the secret).
_READERS = frozenset(
    {
        "os.getenv",
        "os.environ.get",
        "getpass.getpass",
        "keyring.get_password",
        "decouple.config",
        "str",
        "int",
    }
)
_READER_METHODS = frozenset({"get", "getenv", "get_password", "str"})
_MAX_PASSES = 4


def tidy(before: str, after: str) -> tuple[str, list[str]]:
    """``after`` without the imports and reads the fix made unused, and notes on what was
    kept."""
    try:
        old = parse_whole(before)
    except ParseError:
        return after, []
    notes: dict[str, str] = {}
    # Removing a read can leave its import unused (``getpass``): until nothing changes.
    for _ in range(_MAX_PASSES):
        try:
            new = parse_whole(after)
        except ParseError:
            break
        removals = _unused_imports(old, new)
        for statement, where in _orphans(old, new):
            name = statement.targets[0].id  # type: ignore[attr-defined]
            if where is None:
                notes[name] = f"`{name}` is no longer used here; delete it if nothing imports it"
            else:
                removals.append((statement.lineno, statement.end_lineno or statement.lineno, ""))
        if not removals:
            break
        after = _removed(after, removals)
    return after, list(notes.values())


def may_change(text: str) -> dict[int, str]:
    """The lines of ``text`` :func:`tidy` may change (1-based, with why): module-level
    imports, and simple assignments, which it may remove."""
    try:
        tree = parse_whole(text)
    except ParseError:
        return {}
    lines: dict[int, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                lines[line] = "an import the fix left unused"
    for _, _, assignments, _ in _scopes(tree):
        for statement in assignments:
            for line in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1):
                lines.setdefault(line, "a value the fix left unread")
    return lines


def _removed(text: str, removals: list[tuple[int, int, str]]) -> str:
    """``text`` with each (first line, last line) range replaced (a blank replacement
    deletes the lines)."""
    lines = lines_with_ends(text)
    for first, last, replacement in sorted(removals, reverse=True):
        end = lines[last - 1][len(lines[last - 1].rstrip("\r\n")) :] if replacement else ""
        lines[first - 1 : last] = [replacement + end] if replacement else []
    return "".join(lines)


def _loads(tree: ast.AST) -> Counter[str]:
    return Counter(
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    )


def _exported(tree: ast.Module) -> set[str]:
    """Names in ``__all__``: used even where nothing in the module reads them."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            names |= {
                e.value
                for e in ast.walk(node.value)
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            }
    return names


def _unused_imports(old: ast.Module, new: ast.Module) -> list[tuple[int, int, str]]:
    used_before, used_after = _loads(old), _loads(new)
    attributes_after = {
        n.value.id
        for n in ast.walk(new)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }
    kept_anyway = _exported(new)
    dotted_before, dotted_after = _dotted_uses(old), _dotted_uses(new)
    removals: list[tuple[int, int, str]] = []
    for node in new.body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or _is_future(node):
            continue
        gone = [
            alias
            for alias in node.names
            if (bound := _bound(alias, node)) is not None
            and used_before[bound]
            and not used_after[bound]
            and bound not in attributes_after
            and bound not in kept_anyway
        ]
        if isinstance(node, ast.Import):
            # ``import logging.handlers`` once ``logging.handlers.SMTPHandler`` is gone, where
            # another import still binds ``logging`` (Ruff's F401 does not see this one).
            gone += [
                alias
                for alias in node.names
                if alias not in gone
                and alias.asname is None
                and "." in alias.name
                and dotted_before[alias.name]
                and not dotted_after[alias.name]
                and _bound_elsewhere(new, node, alias.name.split(".", 1)[0])
            ]
        if not gone:
            continue
        left = [alias for alias in node.names if alias not in gone]
        replacement = _statement(node, left) if left else ""
        removals.append((node.lineno, node.end_lineno or node.lineno, replacement))
    return removals


def _dotted_uses(tree: ast.AST) -> Counter[str]:
    """Dotted names the code reads (``logging.handlers`` of ``logging.handlers.X``), each
    prefix of an attribute chain counted."""
    return Counter(
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and (name := dotted_name(node)) is not None
    )


def _bound_elsewhere(tree: ast.Module, node: ast.Import, top: str) -> bool:
    """Whether another module-level import binds ``top`` (``import logging``)."""
    return any(
        isinstance(other, ast.Import)
        and other is not node
        and any(_bound(alias, other) == top for alias in other.names)
        for other in tree.body
    )


def _is_future(node: ast.AST) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__"


def _bound(alias: ast.alias, node: ast.Import | ast.ImportFrom) -> str | None:
    if alias.name == "*":
        return None
    if isinstance(node, ast.Import) and alias.asname is None:
        return alias.name.split(".", 1)[0]
    return alias.asname or alias.name


def _statement(node: ast.Import | ast.ImportFrom, aliases: list[ast.alias]) -> str:
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in aliases)
    indent = " " * node.col_offset
    if isinstance(node, ast.Import):
        return f"{indent}import {names}"
    return f"{indent}from {'.' * node.level}{node.module or ''} import {names}"


def _orphans(old: ast.Module, new: ast.Module) -> Iterator[tuple[ast.Assign, ast.AST | None]]:
    """Assignments of ``new`` to a variable its scope read before and reads no more, with
    the function they are in (None at module level)."""
    before = {key: loads for key, _, _, loads in _scopes(old)}
    for key, scope, assignments, loads in _scopes(new):
        was = before.get(key)
        if was is None:
            continue
        for statement in assignments:
            name = statement.targets[0].id  # type: ignore[attr-defined]
            if was[name] and not loads[name] and _reads_only(statement.value):
                yield statement, (None if isinstance(scope, ast.Module) else scope)


def _scopes(tree: ast.Module) -> Iterator[tuple[str, ast.AST, list[ast.Assign], Counter[str]]]:
    """The module and each function, by qualified name (lines move when a fix adds code),
    with its simple assignments and the names it reads (the module: read anywhere)."""
    seen: Counter[str] = Counter()
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        scope, name = stack.pop()
        seen[name] += 1
        statements = list(_statements(scope.body))  # type: ignore[attr-defined]
        assignments = [
            s
            for s in statements
            if isinstance(s, ast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], ast.Name)
        ]
        yield f"{name}#{seen[name]}", scope, assignments, _loads(scope)
        for node in reversed(statements):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                stack.append((node, f"{name}.{node.name}"))
            elif isinstance(node, ast.ClassDef):
                stack += [
                    (method, f"{name}.{node.name}.{method.name}")
                    for method in reversed(node.body)
                    if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
                ]


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a block and its nested blocks, not of nested functions or classes."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for block in _blocks(statement):
            yield from _statements(block)


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list):
            yield block
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body


def _reads_only(value: ast.AST) -> bool:
    """A literal, a name, an environment or setting lookup, a prompt: nothing a program
    could depend on happening."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name not in _READERS and method not in _READER_METHODS:
                return False
        elif isinstance(node, (ast.Lambda, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
    return True
