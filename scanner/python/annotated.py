"""Connections known by their type annotation: ``def login(client: imaplib.IMAP4, ...)``,
``server: SMTP | None = None``, ``self.imap: "IMAP4_SSL"``, a class body's ``smtp: SMTP``.

The object was made elsewhere (a caller, a framework), so its host and port are not
known here; what the annotation tells is the library, hence the protocol, and what its
login means. A name the module already binds to a connection (one it opens, one a caller
here passes in) keeps that binding, which knows more.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Container, Iterator, Mapping

from ..model import Connection, Tls, Value, Verification
from ..records import plain
from .adapters.base import Adapter, ClientSpec
from .arguments import positional_params
from .sites import CallSites
from .source import dotted_name
from .symbols import Symbols

Function = ast.FunctionDef | ast.AsyncFunctionDef
# ``Optional[X]``, ``Union[X, None]``, ``Final[X]``, ``ClassVar[X]``: the class is inside.
_WRAPPERS = frozenset({"Optional", "Union", "Final", "ClassVar", "Annotated"})


@plain
class Annotated:
    """A name or ``self`` attribute whose annotation names client classes."""

    receiver: str  # ``client``, ``self.imap``
    node: ast.AST  # the parameter or the annotated assignment
    function: Function | None  # where a plain name lives
    klass: ast.ClassDef | None  # where ``self.x`` lives
    clients: tuple[str, ...]  # qualified names of the client classes


def annotated_connections(symbols: Symbols, clients: Container[str]) -> Iterator[Annotated]:
    """Every parameter, annotated variable and ``self`` attribute of the module whose
    annotation names one of ``clients``."""
    for function in symbols.functions:
        params = positional_params(function.args)
        for param in (*params, *function.args.kwonlyargs):
            if param.annotation is None:
                continue
            names = _clients(param.annotation, symbols, clients)
            if names:
                yield Annotated(param.arg, param, function, None, names)
                yield from _kept(param, function, symbols, names)
    for statement in symbols.assignments:
        if not isinstance(statement, ast.AnnAssign):
            continue
        names = _clients(statement.annotation, symbols, clients)
        receiver = dotted_name(statement.target)
        if not names or receiver is None:
            continue
        holder = symbols.parents.get(statement)
        if isinstance(holder, ast.ClassDef) and isinstance(statement.target, ast.Name):
            # ``class Reader: imap: IMAP4_SSL``: what its methods use as ``self.imap``.
            yield Annotated(f"self.{receiver}", statement, None, holder, names)
        elif receiver.startswith("self."):
            yield Annotated(receiver, statement, None, symbols.enclosing_class(statement), names)
        elif "." not in receiver:
            function = symbols.enclosing_function(statement)
            yield Annotated(receiver, statement, function, None, names)


def _kept(
    param: ast.arg, function: Function, symbols: Symbols, names: tuple[str, ...]
) -> Iterator[Annotated]:
    """``self._c = client`` of a typed parameter (a wrapper class's ``__init__(self,
    client: imaplib.IMAP4)``): what its methods use as ``self._c``."""
    klass = symbols.enclosing_class(function)
    if klass is None:
        return
    for statement in ast.walk(function):
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Name)
            and statement.value.id == param.arg
        ):
            for target in statement.targets:
                receiver = dotted_name(target)
                if (
                    receiver is not None
                    and receiver.startswith("self.")
                    and receiver.count(".") == 1
                ):
                    yield Annotated(receiver, param, None, klass, names)


def _clients(annotation: ast.expr, symbols: Symbols, clients: Container[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for part in _parts(annotation, symbols):
        for name, _ in symbols.qualified_names(part):
            if name in clients:
                found[name] = None
    return tuple(found)


def _parts(annotation: ast.expr, symbols: Symbols, depth: int = 0) -> Iterator[ast.expr]:
    """The class expressions an annotation names: through ``Optional[...]``, unions
    (``X | None``), and a string annotation (read at module scope, as a type checker does)."""
    if depth > 4:
        return
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            parsed = ast.parse(annotation.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        for node in ast.walk(parsed):
            if isinstance(node, ast.Name):
                symbols.scope_of[node] = symbols.module_scope
        yield from _parts(parsed, symbols, depth + 1)
    elif isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        yield from _parts(annotation.left, symbols, depth + 1)
        yield from _parts(annotation.right, symbols, depth + 1)
    elif isinstance(annotation, ast.Subscript):
        wrapper = dotted_name(annotation.value) or ""
        if wrapper.rsplit(".", 1)[-1] in _WRAPPERS:
            inner = annotation.slice
            items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            if wrapper.endswith("Annotated"):
                items = items[:1]
            for item in items:
                yield from _parts(item, symbols, depth + 1)
    elif isinstance(annotation, (ast.Name, ast.Attribute)):
        yield annotation


def passed_in(conn: Connection, item: Annotated, several: bool) -> Connection:
    """The connection a bare open of the annotated class gives, as one made elsewhere:
    host and port unknown, no steps or remedies of a constructor (there is none here).
    The stdlib's ``*_SSL`` classes speak only implicit TLS; any other class takes its TLS
    from arguments the annotation does not show (``IMAP4`` may be an ``IMAP4_SSL``)."""
    node = item.node
    origin = f"parameter {node.arg}" if isinstance(node, ast.arg) else f"annotated {item.receiver}"
    implicit = not several and conn.tls is Tls.IMPLICIT and item.clients[0].endswith("_SSL")
    return dataclasses.replace(
        conn,
        host=Value.unknown(origin),
        port=Value.unknown(origin),
        tls=Tls.IMPLICIT if implicit else Tls.UNKNOWN,
        verification=Verification.UNKNOWN,
        steps=[],
        remedies={},
        via=f"typed {item.clients[0]}",
    )


def open_annotated(
    item: Annotated, clients: Mapping[str, tuple[Adapter, ClientSpec]], sites: CallSites
) -> tuple[Connection, Adapter] | None:
    """The connection an annotated name holds, of the first class the annotation names."""
    adapter, spec = clients[item.clients[0]]
    conn = spec.open(sites.bare(item.node, item.clients[0], item.receiver))
    if conn is None:
        return None
    return passed_in(conn, item, len(item.clients) > 1), adapter
