"""The written shape of a string whose value is only partly known.

``f"https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"`` has no value when
the tenant comes from the environment, but its shape tells the host and the path.
:func:`template` gives the text with every part that cannot be known written ``{}``.
"""

from __future__ import annotations

import ast

from ..model import Value
from .symbols import BindingKind
from .values import Evaluator

_MAX_DEPTH = 8
HOLE = "{}"
_FORM_ENCODERS = frozenset({"urllib.parse.urlencode", "urllib.urlencode"})


def template(values: Evaluator, node: ast.AST | None, depth: int = 0) -> str | None:
    """The string ``node`` builds, unknown parts as ``{}``; None when nothing of it is text."""
    if node is None or depth > _MAX_DEPTH:
        return None
    value = values.evaluate(node)
    if value.known:
        return value.value if isinstance(value.value, str) else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
            elif isinstance(part, ast.FormattedValue):
                parts.append(template(values, part.value, depth + 1) or HOLE)
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = template(values, node.left, depth + 1)
        right = template(values, node.right, depth + 1)
        if left is None and right is None:
            return None
        return (left or HOLE) + (right or HOLE)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return template(values, node.left, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("format", "encode", "decode", "strip"):
            return template(values, node.func.value, depth + 1)
    if isinstance(node, ast.Call) and node.args:
        if values.qualified_names(node.func) & _FORM_ENCODERS:
            # ``urlencode({"grant_type": "password", "password": pw})``
            form = values.evaluate(node.args[0])
            if form.known and isinstance(form.value, dict):
                return "&".join(f"{key}={_form_text(item)}" for key, item in form.value.items())
    if isinstance(node, ast.Name):
        for binding in reversed(values.bindings(node)):
            if binding.kind is not BindingKind.NAME:
                continue
            statement = values.parents.get(binding.node)
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                found = template(values, statement.value, depth + 1)
                if found is not None:
                    return found
    return None


def _form_text(item: object) -> str:
    if isinstance(item, Value):
        if not item.known:
            return HOLE
        item = item.value
    if isinstance(item, (list, tuple)):
        return " ".join(map(str, item))
    return str(item)
