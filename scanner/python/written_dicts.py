"""A name that holds a dict the code writes out once: ``param = {"host": h, "port": p}``
then ``SMTP_SSL(**param)``. Its keys are the keywords the spread passes, so a keyword it
lacks (``context``) is not passed at all.

Only when nothing can change the dict between: the name is bound once in its scope, to a
dict literal whose keys are all text and that spreads no other mapping, and every read of
the name in that scope only reads the dict (``**param``, ``param["host"]``,
``param.get("port")``); for a module's dict (``SMTP_PARAMS = {...}`` at module level),
every use of the name in the module, and no ``global`` of it. A dict handed to a
function, changed in place (``param["context"] = ctx``, ``param.update(...)``) or bound on
several paths keeps its keys unknown; so does a class attribute. A ``dict(host=h)`` call
of keywords is written out as a literal is, and an entry written in place by text key in
the same scope before the spread (``params["ssl_context"] = context``, also under an
``if``) is one of its keys: the spread may pass it.
"""

from __future__ import annotations

import ast

from .ast_walk import walk
from .symbols import FUNCTIONS, BindingKind, Symbols

# Methods that read a dict without changing it.
_READERS = frozenset({"get", "keys", "values", "items", "copy"})


def written_dict(symbols: Symbols, node: ast.expr) -> list[tuple[str, ast.expr]] | None:
    """The entries (text key, value expression) of the dict a function's name ``node``
    holds when it is spread there, when no code can change it otherwise."""
    if not isinstance(node, ast.Name):
        return None
    bindings = symbols.bindings(node)
    if len(bindings) != 1 or bindings[0].kind is not BindingKind.NAME:
        return None
    statement = symbols.parents.get(bindings[0].node)
    if not (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and statement.targets[0] is bindings[0].node
    ):
        return None
    entries = _entries(symbols, statement.value)
    if entries is None:
        return None  # ``**other`` or a key worked out at run time
    scope = bindings[0].scope.node
    if not isinstance(scope, (*FUNCTIONS, ast.Module)):
        return None  # a class's attribute, which its methods may change through self
    # Uses in functions nested in it too: a closure may change the dict; a module's dict,
    # every use in the module (a ``global`` statement would let a function rebind it).
    reads = [n for n in walk(scope) if isinstance(n, ast.Name) and n.id == node.id]
    if isinstance(scope, ast.Module) and any(
        isinstance(n, ast.Global) and node.id in n.names for n in walk(scope)
    ):
        return None
    for read in reads:
        if read is bindings[0].node or _only_reads(symbols, read):
            continue
        written = _written_entry(symbols, read, scope)
        if written is None or (written[1].lineno, written[1].col_offset) > (
            node.lineno,
            node.col_offset,
        ):
            return None  # changed otherwise, or after the spread
        entries.append(written)
    return entries


def _entries(symbols: Symbols, value: ast.expr) -> list[tuple[str, ast.expr]] | None:
    """The entries of a dict literal of text keys, or of a ``dict(...)`` of keywords."""
    if isinstance(value, ast.Dict):
        keys = [k.value if isinstance(k, ast.Constant) else None for k in value.keys]
        if not all(isinstance(key, str) for key in keys):
            return None
        return list(zip(keys, value.values, strict=True))  # type: ignore[arg-type]
    if (
        isinstance(value, ast.Call)
        and not value.args
        and symbols.qualified_names(value.func) == [("builtins.dict", False)]
        and all(keyword.arg is not None for keyword in value.keywords)
    ):
        return [(keyword.arg, keyword.value) for keyword in value.keywords]  # type: ignore[misc]
    return None


def _written_entry(symbols: Symbols, name: ast.Name, scope: ast.AST) -> tuple[str, ast.expr] | None:
    """``name["key"] = value`` written in the dict's own scope: its key and value."""
    target = symbols.parents.get(name)
    statement = symbols.parents.get(target) if target is not None else None
    if not (
        isinstance(target, ast.Subscript)
        and type(target.ctx) is ast.Store
        and isinstance(target.slice, ast.Constant)
        and isinstance(target.slice.value, str)
        and isinstance(statement, ast.Assign)
        and statement.targets == [target]
        and symbols.enclosing(statement, (*FUNCTIONS, ast.Module)) is scope
    ):
        return None
    return target.slice.value, statement.value


def _only_reads(symbols: Symbols, name: ast.Name) -> bool:
    """Whether this use of the name reads the dict and cannot change it."""
    parent = symbols.parents.get(name)
    if isinstance(parent, ast.keyword) and parent.arg is None:
        return True  # ``**param``: the callee gets a copy
    if isinstance(parent, ast.Subscript) and parent.value is name:
        return type(parent.ctx) is ast.Load
    if isinstance(parent, ast.Attribute) and parent.value is name and parent.attr in _READERS:
        call = symbols.parents.get(parent)
        return isinstance(call, ast.Call) and call.func is parent
    return False
