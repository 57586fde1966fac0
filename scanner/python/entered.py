"""A client entered by hand: ``client = cm.__enter__()`` (``await cm.__aenter__()``) and
an ``ExitStack``'s ``stack.enter_context(cm)`` give what ``cm``'s ``__enter__`` returns,
as ``with cm as client:`` does (the client itself, for the libraries whose adapters say
so)."""

from __future__ import annotations

import ast

# ``ExitStack.enter_context(cm)`` (``AsyncExitStack.enter_async_context``): ``cm.__enter__()``.
_ENTER_CONTEXT = frozenset({"enter_context", "enter_async_context"})


def entered_by_stack(parent: ast.AST | None, value: ast.AST) -> bool:
    """``stack.enter_context(value)`` (an ``ExitStack``'s): it returns what ``value``'s
    ``__enter__`` returns."""
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Attribute)
        and parent.func.attr in _ENTER_CONTEXT
        and len(parent.args) == 1
        and not parent.keywords
        and parent.args[0] is value
    )


def entered_client(value: ast.expr) -> ast.expr | None:
    """``cm.__enter__()`` (``await cm.__aenter__()``) called by hand, or
    ``stack.enter_context(cm)``: ``cm``, whose library's ``__enter__`` may return the
    client itself."""
    if isinstance(value, ast.Await):
        value = value.value
    if isinstance(value, ast.Call) and entered_by_stack(
        value, value.args[0] if value.args else None
    ):
        argument = value.args[0]
        return argument if isinstance(argument, (ast.Name, ast.Attribute)) else None
    if (
        isinstance(value, ast.Call)
        and not value.args
        and not value.keywords
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in ("__enter__", "__aenter__")
        and isinstance(value.func.value, (ast.Name, ast.Attribute))
    ):
        return value.func.value
    return None
