"""Logins a helper of another module of the project does on a client it is handed.

``sign_in(server, user, password)`` imported from ``helpers.py``, whose body is
``server.login(user, password)``: the module that opens ``server`` never calls
``login`` itself, and the helper's module opens nothing, so neither saw the login. The
helper is read once (never run) for which parameter receives the client, which feed the
login's user and password, and whether it upgrades the client with ``starttls()`` before
the login; a call of it that hands over a connection of this module is then that
connection's login, at the call, with the caller's values (a STARTTLS step before it
when the helper upgrades, its certificate check unknown here: the helper's context is
not read). Only module functions, one level deep.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from .. import inputs
from ..model import Connection, Span, Step, StepKind, Value, Verification
from ..records import record
from .arguments import positional_params
from .imports import find_module, resolved
from .module_trees import module_tree
from .source import dotted_name
from .symbols import BindingKind, Symbols

_MAX_MODULE_BYTES = 1024 * 1024
_USER_KEYWORDS = ("user", "username")
_SECRET_KEYWORDS = ("password", "passwd")


@record
class HelperLogin:
    """What a helper does to the client it is handed: parameter positions (None for a
    value the helper writes itself, not the caller's)."""

    client: int
    user: int | None
    secret: int | None
    upgrades: bool


def helper_logins(path: Path) -> dict[str, HelperLogin]:
    """The module's functions that log in on a client parameter, by name."""
    data = inputs.read(path, _MAX_MODULE_BYTES)
    if data is None or b".login(" not in data:
        return {}
    return _helpers(data)


@lru_cache(maxsize=64)
def _helpers(data: bytes) -> dict[str, HelperLogin]:
    read = module_tree(data)
    if read is None:
        return {}
    found: dict[str, HelperLogin] = {}
    for statement in read.tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            login = _login_of(statement)
            if login is not None:
                found[statement.name] = login
    return found


def _login_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> HelperLogin | None:
    params = [p.arg for p in positional_params(function.args)]
    calls = sorted(
        (n for n in ast.walk(function) if isinstance(n, ast.Call)),
        key=lambda c: (c.lineno, c.col_offset),
    )
    for call in calls:
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "login"
            and isinstance(func.value, ast.Name)
            and func.value.id in params
        ):
            continue
        client = func.value.id
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        user = call.args[0] if call.args else _first(keywords, _USER_KEYWORDS)
        secret = call.args[1] if len(call.args) > 1 else _first(keywords, _SECRET_KEYWORDS)
        if secret is None:
            return None
        upgrades = any(
            isinstance(c.func, ast.Attribute)
            and c.func.attr == "starttls"
            and dotted_name(c.func.value) == client
            and c.lineno < call.lineno
            for c in calls
        )
        return HelperLogin(
            params.index(client), _param(user, params), _param(secret, params), upgrades
        )
    return None


def _first(keywords: dict[str | None, ast.expr], names: tuple[str, ...]) -> ast.expr | None:
    return next((keywords[n] for n in names if n in keywords), None)


def _param(node: ast.expr | None, params: list[str]) -> int | None:
    if isinstance(node, ast.Name) and node.id in params:
        return params.index(node.id)
    return None


# The connections a receiver may hold where it is read; a connection's steps recorded for
# the call (so the paths take them in order).
Reaching = Callable[[str, ast.AST], list[Connection]]
Record = Callable[[ast.Call, Connection, str, tuple[Step, ...]], None]


def apply_helper_logins(
    symbols: Symbols,
    path: str | None,
    evaluate: Callable[[ast.AST], Value],
    span: Callable[[ast.AST], Span],
    reaching: Reaching,
    record_steps: Record,
    connections: list[Connection],
) -> None:
    """Add to each connection of this module handed to such a helper the helper's login
    (``connections``: those of the module so far, some made at calls by summaries)."""
    if not path:
        return
    summarised = {(c.opened_at.start, c.opened_at.end) for c in connections}
    for call in symbols.calls:
        func = call.func
        if not isinstance(func, ast.Name) or not call.args:
            continue
        held = [
            (index, receiver, reaching(receiver, call))
            for index, argument in enumerate(call.args)
            if (receiver := dotted_name(argument)) is not None
        ]
        held = [h for h in held if h[2]]
        if not held:
            continue
        at = span(call)
        if (at.start, at.end) in summarised:
            continue  # a wrapper's summary made this call a login already (a typed client)
        helper = _imported_helper(symbols, func, path)
        if helper is None:
            continue
        for index, receiver, connections in held:
            if index != helper.client:
                continue
            user = _argument(call, helper.user, evaluate)
            secret = _argument(call, helper.secret, evaluate)
            for conn in connections:
                steps: tuple[Step, ...] = (Step(StepKind.LOGIN, at, user=user, secret=secret),)
                if helper.upgrades:
                    upgrade = Step(StepKind.STARTTLS, at, verification=Verification.UNKNOWN)
                    steps = (upgrade, *steps)
                conn.steps.extend(steps)
                record_steps(call, conn, receiver, steps)


def _imported_helper(symbols: Symbols, func: ast.Name, path: str) -> HelperLogin | None:
    """The helper ``func`` names when it is imported from a module of the project."""
    for binding in symbols.bindings(func):
        statement = binding.node
        if binding.kind is not BindingKind.IMPORT or not isinstance(statement, ast.ImportFrom):
            continue
        alias = next((a for a in statement.names if (a.asname or a.name) == func.id), None)
        if alias is None:
            continue
        module = "." * statement.level + (statement.module or "")
        found = find_module(resolved(path), module)
        if found is not None:
            return helper_logins(found).get(alias.name)
    return None


def _argument(call: ast.Call, index: int | None, evaluate: Callable[[ast.AST], Value]) -> Value:
    if index is None or index >= len(call.args) or isinstance(call.args[index], ast.Starred):
        return Value.unknown("a helper's own value")
    return evaluate(call.args[index])
