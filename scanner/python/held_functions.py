"""The module's functions a called parameter or attribute holds.

Code that lets its user swap how a connection is made keeps the function that makes it
in a parameter with a default (``connection_factory=_default_connection``), often stored
on the object (``self._factory = connection_factory``) and called later
(``connection = self._factory(server, timeout)``). Unless a caller passes another, that
call runs the default: a factory of the module when the default is one. The name it is
called by is not the factory's, so the call is found here by what it holds.

The same holds for a step the user plugs in: ``self.authenticator(client)``, where the
module's callable classes (``LoginAuthenticator``, ``OAuth2Authenticator``, each with a
``__call__(self, client)``) are what its users hand it. When nothing in the module gives
the callable a value (a field whose default is ``None``, a parameter without a
default), the call may run the ``__call__`` of each class of the module that takes its
arguments: what each does with the connection it is handed is that connection's.
"""

from __future__ import annotations

import ast

from .arguments import default_of, own_nodes
from .symbols import FUNCTIONS, BindingKind
from .values import Evaluator

Function = ast.FunctionDef | ast.AsyncFunctionDef
_MAX_DEPTH = 6
# ``staticmethod(_default)`` in a class body: the function, without ``self``.
_STATIC = frozenset({"builtins.staticmethod"})
_PARTIAL = frozenset({"functools.partial"})


def held_functions(values: Evaluator, func: ast.expr) -> list[Function]:
    """The functions of the module that calling ``func`` may run, when ``func`` is a
    parameter (its default), a name assigned one, or ``self.x`` that a method of the
    class sets to one of these (``self._factory = connection_factory or _default``)."""
    found: dict[Function, None] = {}
    _collect(values, func, found, [], 0, set())
    return list(found)


def plugged_callables(
    values: Evaluator, classes: list[ast.ClassDef], call: ast.Call
) -> list[tuple[Function, bool]]:
    """What ``call`` of a parameter or ``self.x`` may run, each with whether the
    function takes ``self`` first: the module's functions it holds, else, when the
    module gives it no value at all, the ``__call__`` of each class of the module that
    takes the call's arguments."""
    if not isinstance(call.func, (ast.Name, ast.Attribute)):
        return []
    found: dict[Function, None] = {}
    leaves: list[ast.AST] = []
    _collect(values, call.func, found, leaves, 0, set())
    if found:
        return [(function, False) for function in found]
    if not _holds_nothing(values, call.func, leaves):
        return []
    plugged: list[tuple[Function, bool]] = []
    for klass in classes:
        method = next(
            (s for s in klass.body if isinstance(s, FUNCTIONS) and s.name == "__call__"), None
        )
        if method is not None and _takes(method, call):
            plugged.append((method, True))
    return plugged


def _holds_nothing(values: Evaluator, func: ast.expr, leaves: list[ast.AST]) -> bool:
    """Whether the module gives ``func`` no value of its own: every value it is written
    with is ``None`` or a parameter without a default (its user's to give)."""
    if isinstance(func, ast.Name):
        if not any(b.kind is BindingKind.PARAM for b in values.bindings(func)):
            return False
    elif not (isinstance(func.value, ast.Name) and func.value.id == "self"):  # type: ignore[attr-defined]
        return False
    return all(isinstance(leaf, ast.Constant) and leaf.value is None for leaf in leaves)


def _takes(method: Function, call: ast.Call) -> bool:
    """Whether ``method`` (with ``self``) accepts ``call``'s positional arguments."""
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return False
    params = [*method.args.posonlyargs, *method.args.args][1:]
    required = len(params) - len(method.args.defaults)
    return required <= len(call.args) and (
        len(call.args) <= len(params) or method.args.vararg is not None
    )


def _collect(
    values: Evaluator,
    node: ast.AST,
    found: dict[Function, None],
    leaves: list[ast.AST],
    depth: int,
    seen: set[int],
) -> None:
    if depth > _MAX_DEPTH or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, ast.Name):
        for binding in values.bindings(node):
            for held in _bound(values, binding.kind, binding.node):
                if isinstance(held, FUNCTIONS):
                    found.setdefault(held, None)
                elif held is binding.node:
                    leaves.append(held)
                else:
                    _collect(values, held, found, leaves, depth + 1, seen)
        if not values.bindings(node):
            leaves.append(node)
    elif isinstance(node, ast.BoolOp):
        for operand in node.values:  # ``factory or _default_connection``
            _collect(values, operand, found, leaves, depth + 1, seen)
    elif isinstance(node, ast.IfExp):
        _collect(values, node.body, found, leaves, depth + 1, seen)
        _collect(values, node.orelse, found, leaves, depth + 1, seen)
    elif (
        isinstance(node, ast.Call)
        and len(node.args) == 1
        and values.qualified_names(node.func) & _STATIC
    ):
        _collect(values, node.args[0], found, leaves, depth + 1, seen)
    elif isinstance(node, ast.Lambda) and isinstance(node.body, ast.Call):
        # ``lambda host, port: _connect(host, port, use_ssl=cfg.use_ssl)``: calling the
        # lambda runs the function its body calls.
        _collect_called(values, node.body.func, found, leaves, depth + 1, seen)
    elif isinstance(node, ast.Call) and node.args and values.qualified_names(node.func) & _PARTIAL:
        # ``functools.partial(_connect, use_ssl=True)``: calling it runs ``_connect``.
        _collect_called(values, node.args[0], found, leaves, depth + 1, seen)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        # ``_default_factory(cfg, timeout)``: a function of the module that makes the
        # factory (``def factory(): return MailBox(...)``) and returns it.
        makers = [b.node for b in values.bindings(node.func) if b.kind is BindingKind.DEF]
        if not makers:
            leaves.append(node)
        for maker in makers:
            for returned in own_nodes(maker):
                if isinstance(returned, ast.Return) and returned.value is not None:
                    _collect(values, returned.value, found, leaves, depth + 1, seen)
    elif (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ):
        klass = values.enclosing_class(node)
        for value in values.class_attributes(klass).get(node.attr, []) if klass else []:
            _collect(values, value, found, leaves, depth + 1, seen)
    else:
        leaves.append(node)


def _collect_called(
    values: Evaluator,
    func: ast.expr,
    found: dict[Function, None],
    leaves: list[ast.AST],
    depth: int,
    seen: set[int],
) -> None:
    """The module's functions that calling ``func`` runs, where a call of another runs
    it: a function of the module by name, or what a name or ``self.x`` holds."""
    if isinstance(func, ast.Name):
        defs = [b.node for b in values.bindings(func) if b.kind is BindingKind.DEF]
        if defs:
            for function in defs:
                if isinstance(function, FUNCTIONS):
                    found.setdefault(function, None)
            return
    _collect(values, func, found, leaves, depth, seen)


def _bound(values: Evaluator, kind: BindingKind, node: ast.AST) -> list[ast.AST]:
    """What one binding of a name gives it: the ``def`` itself, a parameter's default,
    an assignment's value."""
    if kind is BindingKind.DEF:
        return [node]
    if kind is BindingKind.PARAM and isinstance(node, ast.arg):
        arguments = values.parents.get(node)
        default = default_of(node, arguments) if isinstance(arguments, ast.arguments) else None
        return [default] if default is not None else []
    if kind is BindingKind.NAME:
        statement = values.parents.get(node)
        if isinstance(statement, ast.Assign) and any(t is node for t in statement.targets):
            return [statement.value]
        if isinstance(statement, ast.AnnAssign) and statement.value is not None:
            return [statement.value]
    return [node]  # a value not followed here (an import, a ``for`` target, ...)
