"""Parameters a fix left unread, and the arguments their callers still pass.

``def send(user, password)`` whose login became XOAUTH2 no longer reads ``password``, yet
``send(os.environ["MAIL_USER"], os.environ["MAIL_PASSWORD"])`` still reads the secret and
fails without it. Where every use of the function (or class, for ``__init__``) is a plain
call in the module and no other module of the project names it, the parameter goes with
the argument of each call (when that argument only reads); else a note says who still
passes it.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from ..model import Edit
from .reads import Elsewhere, Found, Text, drop_item, loads, places, reads_only


def unused_parameters(old, new, source: Text, elsewhere: Elsewhere | None, found: Found) -> None:
    """One parameter a pass (the positions of the others move with it)."""
    before = {key: was for key, _, was in _functions(old)}
    for key, (function, klass), now in _functions(new):
        was = before.get(key)
        args = function.args  # type: ignore[attr-defined]
        if was is None or args.posonlyargs or args.vararg:
            continue
        first = 1 if klass is not None else 0
        name = klass.name if klass is not None else function.name  # type: ignore[attr-defined]
        for index, param in enumerate(args.args[first:], start=first):
            if not was[param.arg] or now[param.arg]:
                continue
            edits = _arguments(new, source, name, index - first, param.arg)
            where = places(elsewhere, name, "name")
            if edits is None or where != []:
                callers = f" ({', '.join(where[:3])})" if where else ""
                found.notes[f"{name}({param.arg})"] = (
                    f"`{param.arg}` of `{name}()` is no longer used; kept for its callers{callers}"
                )
                continue
            found.edits += [_drop_parameter(source, function, param), *edits]
            return


def _functions(
    tree: ast.Module,
) -> Iterator[tuple[str, tuple[ast.AST, ast.ClassDef | None], Counter]]:
    """Module-level functions and classes' ``__init__``, by name, with the names they read."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.decorator_list:
            yield node.name, (node, None), loads(node)
        elif isinstance(node, ast.ClassDef) and not node.decorator_list:
            for method in node.body:
                if isinstance(method, ast.FunctionDef) and method.name == "__init__":
                    yield f"{node.name}.__init__", (method, node), loads(method)


def _arguments(
    tree: ast.Module, source: Text, name: str, index: int, param: str
) -> list[Edit] | None:
    """Edits deleting the argument each call of ``name`` in the module passes for the
    parameter at ``index`` (``param``); None when a use of ``name`` is not a plain call or
    an argument does more than read."""
    calls: list[ast.Call] = []
    called: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            calls.append(node)
            called.add(id(node.func))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and id(node) not in called:
            return None  # passed around or subclassed: its calls cannot all be seen
    if not calls:
        return None  # called from outside the project, if at all
    edits: list[Edit] = []
    for call in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            return None
        argument: ast.AST | None
        if index < len(call.args):
            argument = call.args[index]
        else:
            argument = next((k for k in call.keywords if k.arg == param), None)
        if argument is None:
            continue
        value = argument.value if isinstance(argument, ast.keyword) else argument
        if not reads_only(value):
            return None
        start, end = source.span(argument)
        edits.append(drop_item(source.text, start, end))
    return edits


def _drop_parameter(source: Text, function: ast.AST, param: ast.arg) -> Edit:
    """Delete a parameter with its default."""
    args = function.args  # type: ignore[attr-defined]
    start, end = source.span(param)
    positional, defaults = args.args, args.defaults
    first_default = len(positional) - len(defaults)
    index = positional.index(param)
    if index >= first_default:
        end = source.span(defaults[index - first_default])[1]
    return drop_item(source.text, start, end)
