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

from .. import inputs
from ..model import Connection
from ..precheck import may_matter
from ..project import project_root
from ..reading import MAX_FILE_BYTES
from . import summaries
from .adapters.base import Adapter
from .imports import resolved
from .module_paths import module_path
from .module_trees import module_tree
from .relevance import import_aliases
from .returned_clients import open_returned
from .source import dotted_name
from .symbols import FUNCTIONS, NOT_THE_PROJECT, Symbols
from .values import Evaluator

# Calls on a client that make its result worth a look: logins and upgrades.
_ON_CLIENT = frozenset(
    {"login", "authenticate", "auth", "user", "pass_", "apop", "starttls", "plain_login"}
)


def results_used(symbols: Symbols) -> frozenset[str]:
    """The names (as written) that a login or an upgrade is called on in the module."""
    return frozenset(
        name
        for call in symbols.calls
        if isinstance(call.func, ast.Attribute) and call.func.attr in _ON_CLIENT
        if (name := dotted_name(call.func.value)) is not None
    )


def logged_in_on(call: ast.Call, symbols: Symbols, name: str | None, used: frozenset[str]) -> bool:
    """Whether the module logs in on (or upgrades) what ``call`` returns: chained, or
    through the name it binds (``name``)."""
    parent = symbols.parents.get(call)
    chained = isinstance(parent, ast.Attribute) and parent.attr in _ON_CLIENT
    return chained or (name is not None and name in used)


def imported_client_class(importer: str, qualified: str, clients: frozenset[str]) -> str | None:
    """The library client a class of another module of the project subclasses without an
    ``__init__`` of its own (``class Box(IMAPClient): ...``): its instances are that
    client, made with the client's parameters."""
    module, _, name = qualified.rpartition(".")
    if not module or module.split(".")[0] in NOT_THE_PROJECT:
        return None
    found = module_path(resolved(importer), module)
    return _client_base(found, name, clients) if found is not None else None


@inputs.remembered
def _client_base(path: Path, name: str, clients: frozenset[str]) -> str | None:
    if path.is_symlink():
        return None
    data = inputs.read(path, MAX_FILE_BYTES)
    parsed = module_tree(data) if data is not None and may_matter(data) else None
    tree = parsed.tree if parsed is not None else None
    klass = (
        next((s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == name), None)
        if tree is not None
        else None
    )
    if tree is None or klass is None:
        return None
    if any(isinstance(s, FUNCTIONS) and s.name == "__init__" for s in klass.body):
        return None
    imported = import_aliases(s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom)))
    for base in klass.bases:
        written = dotted_name(base)
        if written is None:
            continue
        head, _, rest = written.partition(".")
        qualified = imported.get(head, head) + (f".{rest}" if rest else "")
        if qualified in clients:
            return qualified
    return None


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
    used = results_used(symbols)
    if not used:
        return
    root: Path | None = None
    for call in symbols.calls:
        if not logged_in_on(call, symbols, bound_name(call), used) or skip(call):
            continue
        for qualified in sorted(values.qualified_names(call.func)):
            if qualified.split(".")[0] in NOT_THE_PROJECT:
                continue
            summary = summaries.find_wrapper(path, qualified, analyze)
            # A wrapper that logs in itself is its summary's to report (:mod:`.beyond`).
            pure = summary is not None and not summary.connections
            client = summary.returned if summary is not None and pure else None
            adapter = adapters.get(client.library) if client is not None else None
            if summary is None or client is None or adapter is None:
                continue
            root = root or project_root(Path(path).resolve())
            given = summaries.bind_arguments(summary.params, call, skip_first=False) or {}
            via = f"made by {summary.where(root)}"
            conn = open_returned(client, given, values.evaluate, values.span(call), via)
            yield call, conn, adapter
            break
