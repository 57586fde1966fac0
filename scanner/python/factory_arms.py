"""Which of a dispatching factory's clients a call of it gets.

A factory that opens a client by what its caller asks for
(``def server_link(server, port, protocol, encryption)`` opening ``smtplib.SMTP`` under
``if protocol == "SMTP"``, ``poplib.POP3_SSL`` under ``elif protocol == "POP3"`` inside
``elif encryption == 1``) returns one of several clients. A call that passes literals
for the parameters those tests read (``server_link(host, port, "POP3", mode)``) gets
only the clients whose tests its literals do not contradict: what is then done with the
result (``mailbox.pass_(password)``) is done on a POP3 client. A test of anything else,
or a parameter the call gives no literal for, rules nothing out.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from ..model import Connection
from .adapters.base import Adapter
from .arguments import call_arguments, default_of, is_spread, positional_params
from .conditions import assigned_names
from .symbols import FUNCTIONS, BindingKind
from .values import Evaluator

Function = ast.FunctionDef | ast.AsyncFunctionDef
_UNDECIDED = object()


Arm = tuple[Connection, Adapter]


def chosen_arms(
    values: Evaluator,
    returned: Mapping[Function, list[Arm]],
    opened: Mapping[ast.Call, Arm],
    call: ast.Call,
) -> list[Arm]:
    """For ``call`` of a module function that may return several clients (``returned``,
    each opened by a call in ``opened``): those the call's literal arguments do not rule
    out, when they rule out some; else nothing (the caller binds as for one client)."""
    if not isinstance(call.func, ast.Name):
        return []
    for binding in values.bindings(call.func):
        function = binding.node
        if binding.kind is not BindingKind.DEF or not isinstance(function, FUNCTIONS):
            continue
        arms = returned.get(function, [])
        literals = _literal_arguments(function, call) if len(arms) > 1 else {}
        if not literals:
            continue  # one client, or nothing written that could rule one out
        # Where the function opens each client (a call of the factory opens it too).
        inside = {
            id(conn): node
            for node, (conn, _) in opened.items()
            if values.enclosing_function(node) is function
        }
        kept = [
            (conn, adapter)
            for conn, adapter in arms
            if id(conn) not in inside
            or may_open(function, inside[id(conn)], literals, values.parents)
        ]
        if kept and len(kept) < len(arms):
            return kept
    return []


def may_open(
    function: Function,
    opened: ast.AST,
    literals: Mapping[str, object],
    parents: Mapping[ast.AST, ast.AST],
) -> bool:
    """Whether a call of ``function`` passing ``literals`` (by parameter name) may run the
    statement that opens ``opened``: no ``if`` around it (up to the function) has a test
    those literals decide against the arm it is in."""
    node: ast.AST = opened
    parent = parents.get(node)
    while parent is not None and parent is not function:
        if isinstance(parent, (*FUNCTIONS, ast.Lambda, ast.ClassDef)):
            return True  # inside a nested definition: not this function's run
        if isinstance(parent, ast.If):
            outcome = _outcome(parent.test, literals)
            if outcome is not _UNDECIDED:
                in_body = any(node is statement for statement in parent.body)
                if outcome != in_body:
                    return False
        node, parent = parent, parents.get(parent)
    return True


def _literal_arguments(function: Function, call: ast.Call) -> dict[str, object]:
    """The call's arguments written as literals, by the name of the parameter each is
    bound to; a parameter the call leaves out and whose default is a literal too. Not a
    parameter the function assigns again: its tests may read another value."""
    params = positional_params(function.args)
    literals: dict[str, object] = {}
    given: set[str] = set()
    for index, argument in enumerate(call_arguments(call)):
        if is_spread(argument):
            return {}  # ``*args``: which parameter gets what is not written
        if isinstance(argument, ast.keyword):
            name, value = argument.arg, argument.value
        elif index < len(params):
            name, value = params[index].arg, argument
        else:
            continue
        if name is None:
            continue
        given.add(name)
        if isinstance(value, ast.Constant):
            literals[name] = value.value
    for param in (*params, *function.args.kwonlyargs):
        default = default_of(param, function.args)
        if param.arg not in given and isinstance(default, ast.Constant):
            literals[param.arg] = default.value
    assigned = assigned_names(function)
    return {name: value for name, value in literals.items() if name not in assigned}


def _outcome(test: ast.expr, literals: Mapping[str, object]) -> object:
    """True or False when the literals decide ``test`` (``protocol == "POP3"``,
    ``mode in ("ssl", "tls")``, ``not secure``), else ``_UNDECIDED``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _outcome(test.operand, literals)
        return inner if inner is _UNDECIDED else not inner
    if isinstance(test, ast.Name):
        return bool(literals[test.id]) if test.id in literals else _UNDECIDED
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return _UNDECIDED
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(right, ast.Name) and isinstance(left, ast.Constant):
        left, right = right, left
    if not (isinstance(left, ast.Name) and left.id in literals):
        return _UNDECIDED
    value = literals[left.id]
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant):
        return (value == right.value) == isinstance(op, ast.Eq)
    if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Constant):
        return (value is right.value) == isinstance(op, ast.Is)
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        if not all(isinstance(e, ast.Constant) for e in right.elts):
            return _UNDECIDED
        found = any(value == e.value for e in right.elts)  # type: ignore[attr-defined]
        return found == isinstance(op, ast.In)
    return _UNDECIDED
