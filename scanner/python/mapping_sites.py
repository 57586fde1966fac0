"""Where a mapping written in code stands, for the settings reader: handed to a call,
assigned, returned, or a value inside another mapping.

A mail library configured by a mapping is often given it nested under a key
(``Mailer({"transport": {"use": "smtp", "host": ..., "password": ...}})``,
``dict(smtp=dict(host=..., password=...))``, ``CONFIG = {"mail": {...}}``): the inner
mapping is the group of settings, and the key it sits under names it (``imap``, ``pop3``,
``smtp``). A logging configuration's mappings are read with their container instead.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..records import plain

# How deep a mapping may sit inside others (``{"services": {"mail": {"smtp": {...}}}}``).
_DEPTH = 4


@plain
class MappingSite:
    """``call``: the call the mapping (or the outermost mapping holding it) is handed to,
    None when it is assigned or returned; ``key``: the key it sits under, "" for one not nested;
    ``module_level``: assigned by a statement of the module or a class body."""

    call: ast.Call | None
    key: str
    module_level: bool


def mapping_site(
    node: ast.Dict | ast.Call,
    parents: dict[ast.AST, ast.AST],
    enclosing_function: Callable[[ast.AST], ast.AST | None],
) -> MappingSite | None:
    """Where ``node``, a dict literal or a ``dict(...)`` call, stands; None when it is
    neither handed to a call, assigned nor returned (a default, a comparison), or sits in
    a logging configuration (a mapping with ``handlers``)."""
    key = ""
    current: ast.AST = node
    for _ in range(_DEPTH + 1):
        parent = parents.get(current)
        if isinstance(parent, ast.keyword):
            key = key or (parent.arg or "")
            holder = parents.get(parent)
            if is_dict_call(holder):
                current = holder  # type: ignore[assignment]
                continue
            parent = holder
        elif isinstance(parent, ast.Dict):
            if current not in parent.values:
                return None
            if _has_handlers(parent):
                return None
            label = parent.keys[parent.values.index(current)]  # type: ignore[arg-type]
            if not (isinstance(label, ast.Constant) and isinstance(label.value, str)):
                return None
            key = key or label.value
            current = parent
            continue
        elif is_dict_call(parent) and current in parent.args:  # type: ignore[union-attr]
            current = parent  # ``dict({...})``
            continue
        if isinstance(parent, ast.Call):
            return MappingSite(parent, key, False)
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is current:
            return MappingSite(None, key, enclosing_function(parent) is None)
        if isinstance(parent, ast.Return):  # a function that makes the configuration
            return MappingSite(None, key, False)
        return None
    return None


def is_dict_call(node: ast.AST | None) -> bool:
    """``dict(...)``: the builtin called by its name."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"


def _has_handlers(node: ast.Dict) -> bool:
    return any(isinstance(k, ast.Constant) and k.value == "handlers" for k in node.keys)
