"""Calls of the project's factories in other modules (:mod:`.returned_clients`): ``client
= make_client(host, port)`` then ``client.login(user, password)``. The call opens the
client the factory returns, with the caller's host, and is bound as a constructor call
would be.

Only a call whose result a login or an upgrade is called on here (through the name it is
bound to, or chained) is looked up: reading the factory's module costs a parse and an
analysis (cached per file), and most calls of a module are no factory's.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ..model import Connection
from ..project import project_root
from . import summaries
from .adapters.base import Adapter
from .returned_clients import open_returned
from .source import dotted_name
from .symbols import NOT_THE_PROJECT, Symbols
from .values import Evaluator

# Calls on a client that make its result worth a look: logins and upgrades.
_ON_CLIENT = frozenset(
    {"login", "authenticate", "auth", "user", "pass_", "apop", "starttls", "plain_login"}
)


def factory_calls(
    symbols: Symbols,
    values: Evaluator,
    bound_name: Callable[[ast.Call], str | None],
    skip: Callable[[ast.Call], bool],
    analyze: summaries.Analyze,
    adapters: Mapping[str, Adapter],
) -> Iterator[tuple[ast.Call, Connection, Adapter]]:
    """Each call of a factory of another module whose result is logged in on or upgraded
    here, with the client it opens and the library's adapter."""
    path = values.path
    if not path:
        return
    used = {
        dotted_name(call.func.value)
        for call in symbols.calls
        if isinstance(call.func, ast.Attribute) and call.func.attr in _ON_CLIENT
    }
    used.discard(None)
    if not used:
        return
    root: Path | None = None
    for call in symbols.calls:
        parent = symbols.parents.get(call)
        chained = isinstance(parent, ast.Attribute) and parent.attr in _ON_CLIENT
        if not (chained or bound_name(call) in used) or skip(call):
            continue
        for qualified in sorted(values.qualified_names(call.func)):
            if qualified.split(".")[0] in NOT_THE_PROJECT:
                continue
            summary = summaries.find_wrapper(path, qualified, analyze)
            client = summary.returned if summary is not None else None
            adapter = adapters.get(client.library) if client is not None else None
            if summary is None or client is None or adapter is None:
                continue
            root = root or project_root(Path(path).resolve())
            given = summaries.bind_arguments(summary.params, call, skip_first=False) or {}
            via = f"made by {summary.where(root)}"
            conn = open_returned(client, given, values.evaluate, values.span(call), via)
            yield call, conn, adapter
            break
