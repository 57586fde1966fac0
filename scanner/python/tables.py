"""Values that come out of tables: loop targets over literal lists, dicts and their items,
and entries picked by a key.

``for host, port in SERVERS:`` over ``SERVERS = [("smtp.office365.com", 587), ...]``
binds each name once per row. The analysis keeps one row for all the names of a
target, so that a host and its port stay together: the first row that names a
Microsoft host (the one worth reporting), else the first row. A row picked by a key
known only at run time is one of the rows: its choices (:attr:`Value.choices`).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable

from ..model import Span, Value
from ..providers import another_providers_server, lookup
from .shapes import MAX_CHOICES, one_of

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
        row = _item(row, index)
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


def subscript(base: Value, key: Value) -> Value | None:
    """``base[key]`` of a table written in the code: the element when the key is known;
    when it is known only at run time (``SERVERS[provider]``,
    ``PROVIDERS[os.environ["MAIL_PROVIDER"]]``), unknown with the entries as its choices;
    an item of a row so picked (``PROVIDERS[...]["host"]``), the rows' items as its
    choices. None when the table does not tell."""
    if _caller_picks(base, key):
        return _picked(base.value, key.origin, base.literal_parts)
    if key.known:
        if base.choices is not None:
            return _picked_item(base, key.value, None)
        return _item(base, key.value)
    # A list or tuple known in part keeps its elements as items (``[f"{region}...", ...]``).
    table = base.value if base.known else base.items
    if table is not None:
        return _picked(table, key.origin or base.origin, base.literal_parts)
    return None


def get(mapping: Value, key: Value, default: Value | None) -> Value | None:
    """``mapping.get(key, default)`` of a dict written in the code (or one picked at run
    time): as :func:`subscript`, with ``default`` for a key it may not hold."""
    if mapping.choices is not None:
        return _picked_item(mapping, key.value, default) if key.known else None
    if not (mapping.known and isinstance(mapping.value, dict)):
        return None
    if (
        (isinstance(mapping.value, OpenMapping) or mapping.origin is not None)
        and key.known
        and key.value not in mapping.value
    ):
        # The mapping read at run time may hold it, as may one a default stands in for
        # (``cfg.get("email", {})``): the default is a default.
        origin = f"config key {key.value}"
        return default.as_default(origin) if default and default.known else Value.unknown(origin)
    if key.known and not _caller_picks(mapping, key):
        return _item(mapping, key.value) or default
    found = _picked(mapping.value, key.origin or mapping.origin, mapping.literal_parts)
    return found if found is None or default is None else one_of(found, default)


def _caller_picks(table: Value, key: Value) -> bool:
    """A dict of several rows keyed by a parameter's default (``provider="outlook"``): the
    callers pick the row, so it is any of them, not the default's alone (a Gmail row must
    not get the Microsoft rewrite the default's row gets)."""
    return (
        key.known
        and (key.origin or "").startswith("parameter ")
        and table.known
        and isinstance(table.value, dict)
        and len(table.value) > 1
        and key.value in table.value
    )


def _picked(container: object, origin: str | None, parts: tuple[Span, ...]) -> Value | None:
    if not isinstance(container, (dict, tuple, list)):
        return None
    if not container or len(container) > MAX_CHOICES:
        return Value(False, None, origin, literal_parts=parts)
    entries = container.values() if isinstance(container, dict) else container
    found = one_of(*(_as_value(entry) for entry in entries))
    choices = found.choices or (found,)
    return Value(False, None, origin, literal_parts=parts, choices=choices)


def _picked_item(base: Value, key: object, default: Value | None) -> Value | None:
    """Item ``key`` of each row ``base`` may be (``default`` for a row without it): known
    when they agree; a dict row without it and no default is none of them."""
    items = []
    for row in base.choices or ():
        item = _item(row, key)
        if item is None and default is None and not _lacks(row, key):
            return None
        if item is not None:
            items.append(row_item(row, item))
        elif default is not None:
            items.append(default)
    # A dict row without the key raises at run time: the value is one of the others'.
    return one_of(*items, origin=base.origin) if items else None


def row_item(row: Value, item: Value) -> Value:
    """``item`` as taken out of ``row`` picked at run time: marked with the row, unless the
    row carries a flag of its own (``{"host": ..., "port": 587, "ssl": False}``), which
    may choose the client or its TLS in ways the row's host and port alone do not say."""
    if row.row is None or _flagged(row):
        return item
    return dataclasses.replace(item, row=row.row)


def _flagged(row: Value) -> bool:
    if row.known and isinstance(row.value, dict):
        entries = row.value.values()
    else:
        entries = row.items or ()
    values = (_as_value(entry) for entry in entries)
    return any(value.known and isinstance(value.value, bool) for value in values)


def _lacks(row: Value, key: object) -> bool:
    """Whether ``row`` is a dict written in the code that has no entry ``key``."""
    return row.known and isinstance(row.value, dict) and key not in row.value


def _item(row: Value, key: object) -> Value | None:
    """Element ``key`` of a dict, list or tuple, as written (a literal where it is one)."""
    if isinstance(key, int) and row.items is not None:
        try:
            return row.items[key]
        except IndexError:
            return None
    if not row.known:
        return None
    if isinstance(row.value, dict):
        try:
            return _as_value(row.value[key])
        except (KeyError, TypeError):  # not there, or a key no dict can hold (a list)
            return None
    if isinstance(row.value, (tuple, list)) and isinstance(key, int):
        try:
            return _as_value(row.value[key])
        except IndexError:
            return None
    return None


class OpenMapping(dict):
    """A dict written with a mapping read at run time spread into it (``{**DEFAULTS,
    **json.load(f)}``): the entries written, and any others that mapping holds."""


def overridable(key: object, item: object) -> object:
    """An entry of a dict a mapping read at run time may replace: a default of that key."""
    if isinstance(item, Value) and item.known and item.origin is None:
        if another_providers_server(item.value):
            return Value.unknown(f"config key {key}")  # a fallback, as for ``get``
        return item.as_default(f"config key {key}")
    return item


def narrowed(node: ast.Name, value: Value, parents: dict[ast.AST, ast.AST]) -> Value:
    """A value picked at run time, read under ``if name == 465:`` (``!=``, ``in (...)``,
    ``not in``; on either arm) of its own name: the choices that test lets through, so
    that ``if port == 465: SMTP_SSL(host, port)`` takes only the rows with 465."""
    choices = value.choices or ()
    child, parent = node, parents.get(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if isinstance(parent, ast.If) and child is not parent.test:
            tested = _tested(parent.test, node.id)
            if tested is not None:
                allowed, equal = tested
                keep = equal == (child in parent.body)
                choices = tuple(c for c in choices if not c.known or (c.value in allowed) == keep)
        child, parent = parent, parents.get(parent)
    if not choices or len(choices) == len(value.choices or ()):
        return value
    return dataclasses.replace(value, choices=choices)  # one left still keeps its row


def _tested(test: ast.expr, name: str) -> tuple[tuple[object, ...], bool] | None:
    """The constants ``test`` compares the name with, and whether it asks for equality."""
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.left, ast.Name)
        and test.left.id == name
    ):
        return None
    op, right = test.ops[0], test.comparators[0]
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant):
        return (right.value,), isinstance(op, ast.Eq)
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        if all(isinstance(e, ast.Constant) for e in right.elts):
            return tuple(e.value for e in right.elts), isinstance(op, ast.In)  # type: ignore[attr-defined]
    return None
