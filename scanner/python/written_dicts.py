"""A name that holds a dict the code writes out once: ``param = {"host": h, "port": p}``
then ``SMTP_SSL(**param)``. Its keys are the keywords the spread passes, so a keyword it
lacks (``context``) is not passed at all.

Only when nothing can change the dict between: the name is bound once in its scope, to a
dict literal whose keys are all text and that spreads no other mapping, and every read of
the name in that scope only reads the dict (``**param``, ``param["host"]``,
``param.get("port")``); for a module's dict (``SMTP_PARAMS = {...}`` at module level),
every use of the name in the module, and no ``global`` of it. A dict handed to a
function, changed in place (``param["context"] = ctx``, ``param.update(...)``) or bound on
several paths keeps its keys unknown; so does a class attribute.
"""

from __future__ import annotations

import ast

from .symbols import FUNCTIONS, BindingKind, Symbols

# Methods that read a dict without changing it.
_READERS = frozenset({"get", "keys", "values", "items", "copy"})


def written_dict(symbols: Symbols, node: ast.expr) -> ast.Dict | None:
    """The dict literal a function's name ``node`` holds, when no code can change it."""
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
        and isinstance(statement.value, ast.Dict)
    ):
        return None
    written = statement.value
    if not all(
        isinstance(key, ast.Constant) and isinstance(key.value, str) for key in written.keys
    ):
        return None  # ``**other`` (a None key) or a key worked out at run time
    scope = bindings[0].scope.node
    if not isinstance(scope, (*FUNCTIONS, ast.Module)):
        return None  # a class's attribute, which its methods may change through self
    # Uses in functions nested in it too: a closure may change the dict; a module's dict,
    # every use in the module (a ``global`` statement would let a function rebind it).
    reads = [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == node.id]
    if isinstance(scope, ast.Module) and any(
        isinstance(n, ast.Global) and node.id in n.names for n in ast.walk(scope)
    ):
        return None
    if not all(_only_reads(symbols, read) for read in reads if read is not bindings[0].node):
        return None
    return written


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
