"""Factories of the project: a function or method that returns a client a library model
opens (``def make_client(host, port): return IMAPClient(host, port)``, ``return server``
after ``server = smtplib.SMTP(host)``).

Its summary says which client it is (protocol, library), where its host comes from (a
parameter of the factory, or the value the factory gives it) and its TLS as the factory
leaves it. A call of the factory in another module of the project then opens that client
at the call, with the host the caller gives, and the caller's calls on the result
(``client.login(user, password)``, ``starttls()``) are the library's calls: the login a
factory's module never makes is reported where it is made.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping

from ..model import Connection, Protocol, Span, StepKind, Tls, Value
from ..records import plain
from .adapters.common import false_run, flag_name
from .arguments import param_names
from .slot_paths import Path as ParamPath
from .slot_paths import follow, parameter_path

Function = ast.FunctionDef | ast.AsyncFunctionDef


@plain
class ReturnedClient:
    """The client a factory returns (values without spans: they are offsets into the
    factory's file)."""

    protocol: Protocol
    library: str
    host_param: str | None  # the factory's parameter that gives the host
    host: Value  # the host, when no caller gives it
    host_path: ParamPath
    tls: Tls  # as the factory leaves it: implicit, plain, or unknown (upgraded, a flag)
    # The factory's parameter whose truth asks for implicit TLS and whose falsity leaves
    # the session plain (``IMAPClient(host, ssl=use_ssl)``): the caller's value decides.
    plain_param: str | None = None


def returned_clients(
    connections: Iterable[Connection], functions: Mapping[str, tuple[Function, bool]]
) -> dict[str, tuple[tuple[str, ...], ReturnedClient]]:
    """The factories among ``functions`` (by the name another module imports them by,
    each with whether it is a method), with the parameters their callers pass and the
    client they return; a factory that may return clients of several libraries or
    protocols is left out (which one a call gives is not known)."""
    found: dict[str, tuple[tuple[str, ...], ReturnedClient]] = {}
    dropped: set[str] = set()
    for conn in connections:
        for name in conn.returned_by:
            held = functions.get(name)
            if held is None or name in dropped:
                continue
            params = param_names(*held)
            client = _client(conn, params)
            earlier = found.get(name)
            if earlier is not None and (
                earlier[1].library != client.library or earlier[1].protocol is not client.protocol
            ):
                dropped.add(name)
                del found[name]
                continue
            if earlier is not None:
                client = _either(earlier[1], client)
            found[name] = (tuple(params), client)
    return found


def _client(conn: Connection, params: list[str]) -> ReturnedClient:
    origin = conn.host.origin or ""
    param = origin.removeprefix("parameter ") if origin.startswith("parameter ") else None
    if param not in params:
        param = None
    path = parameter_path(conn.host, param) if param is not None else ()
    host = Value(conn.host.known, conn.host.value, conn.host.origin)
    plain = conn.plain_when or conn.tls is Tls.NONE
    flag = conn.tls_flag if plain and conn.tls_flag in params else None
    return ReturnedClient(conn.protocol, conn.library, param, host, path, _tls(conn), flag)


def _tls(conn: Connection) -> Tls:
    """Implicit TLS the factory always asks for; anything else is unknown to the caller:
    an upgrade in the factory, TLS chosen by a flag or an option, a library that upgrades
    by itself, and a plain session too (its flag may be a parameter whose default the
    factory's analysis took, where the caller passes another value)."""
    if any(step.kind is StepKind.STARTTLS for step in conn.steps):
        return Tls.UNKNOWN
    if conn.tls_flag or conn.upgrades_unless or conn.tls_option or conn.upgrade_option:
        return Tls.UNKNOWN
    return Tls.IMPLICIT if conn.tls is Tls.IMPLICIT else Tls.UNKNOWN


def _either(one: ReturnedClient, other: ReturnedClient) -> ReturnedClient:
    """One factory returning clients made on several paths: what they agree on."""
    same_host = one.host_param == other.host_param and _fields(one.host) == _fields(other.host)
    return ReturnedClient(
        one.protocol,
        one.library,
        one.host_param if same_host else None,
        one.host if same_host else Value.unknown(one.host.origin),
        one.host_path if same_host else (),
        one.tls if one.tls is other.tls else Tls.UNKNOWN,
        one.plain_param if one.plain_param == other.plain_param else None,
    )


def _fields(value: Value) -> tuple[object, ...]:
    return value.known, value.value, value.origin


def open_returned(
    client: ReturnedClient,
    given: Mapping[str, ast.AST],
    evaluate: Callable[[ast.AST], Value],
    span: Span,
    via: str,
) -> Connection:
    """The client a call of the factory gives, with the host the caller passes (``given``:
    the call's arguments by the factory's parameter names)."""
    host = client.host
    node = given.get(client.host_param) if client.host_param is not None else None
    if node is not None:
        host = follow(evaluate(node), client.host_path)
    conn = Connection(
        protocol=client.protocol,
        library=client.library,
        host=host,
        port=Value.unknown(via),
        tls=client.tls,
        opened_at=span,
        via=via,
    )
    flag = given.get(client.plain_param) if client.plain_param is not None else None
    if flag is not None:
        _choose_tls(conn, evaluate(flag))
    return conn


def _choose_tls(conn: Connection, flag: Value) -> None:
    """The caller's value for the factory's TLS flag: a literal decides the client's TLS;
    a value its user sets (``use_ssl=ssl``) leaves the runs where it is false plain."""
    if flag.known and not flag.origin:
        conn.tls = Tls.IMPLICIT if flag.value else Tls.NONE
        return
    conn.plain_when = false_run(flag)
    conn.tls_flag = flag_name(flag)
