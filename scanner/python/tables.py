"""Values that come out of tables: loop targets over literal lists, dicts and their items.

``for host, port in SERVERS:`` over ``SERVERS = [("smtp.office365.com", 587), ...]``
binds each name once per row. The analysis keeps one row for all the names of a
target, so that a host and its port stay together: the first row that names a
Microsoft host (the one worth reporting), else the first row.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..model import Value
from ..providers import lookup

Loop = ast.For | ast.AsyncFor | ast.comprehension
_MAX_ROWS = 256


def loop_of(node: ast.Name, parents: dict[ast.AST, ast.AST]) -> tuple[Loop, list[int]] | None:
    """The loop whose target binds ``node``, and the indexes that lead from the whole
    target to it (``for name, (host, port) in ...``: host is ``[1, 0]``)."""
    path: list[int] = []
    child: ast.AST = node
    parent = parents.get(node)
    while isinstance(parent, (ast.Tuple, ast.List)):
        if any(isinstance(element, ast.Starred) for element in parent.elts):
            return None
        path.append(next(i for i, element in enumerate(parent.elts) if element is child))
        child, parent = parent, parents.get(parent)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.target is child:
        return parent, list(reversed(path))
    return None


def loop_value(
    loop: Loop,
    path: list[int],
    evaluate: Callable[[ast.AST], Value],
    qualified: Callable[[ast.AST], set[str]],
) -> Value | None:
    """What a loop target name holds on the row the analysis keeps; None when the rows
    are not known."""
    rows = _rows(loop.iter, evaluate, qualified)
    if not rows:
        return None
    row = next((r for r in rows if _names_microsoft(r)), rows[0])
    for index in path:
        row = _element(row, index)
        if row is None:
            return None
    return row


def _rows(
    node: ast.AST, evaluate: Callable[[ast.AST], Value], qualified: Callable[[ast.AST], set[str]]
) -> list[Value]:
    if isinstance(node, ast.Call) and not node.keywords and len(node.args) <= 1:
        func = node.func
        if isinstance(func, ast.Attribute) and not node.args:
            if func.attr in ("items", "values", "keys"):
                mapping = evaluate(func.value)
                if not (mapping.known and isinstance(mapping.value, dict)):
                    return []
                pairs = list(mapping.value.items())[:_MAX_ROWS]
                if func.attr == "keys":
                    return [Value.of(key) for key, _ in pairs]
                values = [_as_value(item) for _, item in pairs]
                if func.attr == "values":
                    return values
                return [
                    _pair(Value.of(key), value)
                    for (key, _), value in zip(pairs, values, strict=True)
                ]
        if node.args and "builtins.enumerate" in qualified(func):
            inner = _rows(node.args[0], evaluate, qualified)
            return [_pair(Value.of(index), row) for index, row in enumerate(inner)]
    value = evaluate(node)
    if value.items is not None:
        return list(value.items[:_MAX_ROWS])
    if value.known and isinstance(value.value, (tuple, list)):
        return [_as_value(item) for item in value.value[:_MAX_ROWS]]
    if value.known and isinstance(value.value, dict):
        return [Value.of(key) for key in list(value.value)[:_MAX_ROWS]]
    return []


def _pair(first: Value, second: Value) -> Value:
    known = first.known and second.known
    return Value(known, (first.value, second.value) if known else None, items=(first, second))


def _as_value(item: object) -> Value:
    return item if isinstance(item, Value) else Value.of(item)


def _element(row: Value, index: int) -> Value | None:
    if row.items is not None:
        return row.items[index] if index < len(row.items) else None
    if row.known and isinstance(row.value, (tuple, list)) and index < len(row.value):
        return _as_value(row.value[index])
    return None


def _names_microsoft(row: object, depth: int = 0) -> bool:
    """Whether a row holds a Microsoft host anywhere (in a tuple, a dict, a nested row)."""
    if depth > 4:
        return False
    if isinstance(row, Value):
        if row.items is not None:
            return any(_names_microsoft(item, depth + 1) for item in row.items)
        row = row.value
    if isinstance(row, str):
        return lookup(row).microsoft
    if isinstance(row, (tuple, list)):
        return any(_names_microsoft(item, depth + 1) for item in row)
    if isinstance(row, dict):
        return any(_names_microsoft(item, depth + 1) for item in row.values())
    return False


# A run-time pick among more rows than this is not followed.
_MAX_CHOICES = 16


def picked(base: Value, key: Value) -> Value | None:
    """A row of a table of known rows picked by a key known only at run time
    (``PROVIDERS[os.environ["MAIL_PROVIDER"]]``), or an item of such a row: unknown,
    with the values it may be."""
    if base.known and isinstance(base.value, dict) and not key.known:
        rows = tuple(v if isinstance(v, Value) else Value(True, v) for v in base.value.values())
        if 1 < len(rows) <= _MAX_CHOICES:
            return Value(False, origin=key.origin, choices=rows)
        return None
    if base.choices is None or not key.known:
        return None
    items = []
    for row in base.choices:
        if not (row.known and isinstance(row.value, dict) and key.value in row.value):
            return None
        item = row.value[key.value]
        items.append(item if isinstance(item, Value) else Value(True, item))
    distinct = {repr(i.value) for i in items if i.known}
    if len(distinct) == 1 and all(i.known for i in items):
        return items[0]
    return Value(False, origin=base.origin, choices=tuple(items))
