"""Logging handler credentials given by the code that makes the handler: a subclass of
``SMTPHandler`` whose ``__init__`` passes its own ``credentials`` parameter on to
``SMTPHandler.__init__`` logs in with whatever its callers give. As a wrapper's login is
reported at the caller that gives its values (:mod:`.summaries`, across modules), the
handler's credentials are reported at a call of the subclass in the same module that
passes them (``BufferingSMTPHandler(host, ..., (user, password))``), and at the
base-class call only when no caller here gives any.
"""

from __future__ import annotations

import ast

from ..model import Connection, MailFile, Step, StepKind, Tls, Value
from .arguments import positional_params
from .summaries import bind_arguments, mailhost_of
from .symbols import FUNCTIONS, Symbols
from .values import Evaluator

_PARAMETER = "parameter "


def report_at_callers(symbols: Symbols, values: Evaluator, mail: MailFile) -> None:
    """Add a handler connection at each call of a handler subclass of this module that
    gives the credentials its ``__init__`` passes on; the base-class call's connection
    then stands only for the class (its login is reported at those calls)."""
    made: list[Connection] = []
    for conn in mail.connections:
        if not conn.log_handler or conn.secret_only:
            continue
        login = next((s for s in conn.steps if s.kind is StepKind.LOGIN), None)
        credentials = _parameter(login.secret) if login is not None else None
        found = _init_of(symbols.tree, conn.opened_at.line) if credentials else None
        if login is None or credentials is None or found is None:
            continue
        klass, params = found
        if credentials not in params:
            continue
        at_callers = [
            caller
            for call in symbols.calls
            if isinstance(call.func, ast.Name)
            and call.func.id == klass.name
            and values.class_named(call.func) is klass
            and (caller := _at_caller(conn, call, params, credentials, values)) is not None
        ]
        if at_callers:
            conn.secret_only = True
            made += at_callers
    mail.connections += made


def _parameter(value: Value) -> str | None:
    origin = value.origin or ""
    return origin.removeprefix(_PARAMETER) if origin.startswith(_PARAMETER) else None


def _init_of(tree: ast.Module, line: int) -> tuple[ast.ClassDef, tuple[str, ...]] | None:
    """The module-level class whose ``__init__`` spans ``line``, with the parameters
    callers pass (no ``self``)."""
    for klass in tree.body:
        if not isinstance(klass, ast.ClassDef):
            continue
        for item in klass.body:
            if (
                isinstance(item, FUNCTIONS)
                and item.name == "__init__"
                and item.lineno <= line <= (item.end_lineno or item.lineno)
            ):
                names = [p.arg for p in positional_params(item.args)][1:]
                return klass, (*names, *(p.arg for p in item.args.kwonlyargs))
    return None


def _at_caller(
    conn: Connection,
    call: ast.Call,
    params: tuple[str, ...],
    credentials: str,
    values: Evaluator,
) -> Connection | None:
    """The handler ``call`` makes, logging in where it gives the credentials; None when it
    gives none (left out, ``None``)."""
    bound = bind_arguments(params, call, skip_first=False) or {}
    given = bound.get(credentials)
    if given is None:
        return None
    value = values.evaluate(given)
    if value.known and value.value is None:
        return None
    pair = value.items if value.items is not None and len(value.items) == 2 else None
    user, secret = pair if pair is not None else (value, value)
    host = conn.host
    mailhost = _parameter(conn.host)
    if mailhost is not None and mailhost in bound:
        host = mailhost_of(values.evaluate(bound[mailhost]))
    return Connection(
        protocol=conn.protocol,
        library=conn.library,
        host=host,
        port=Value.unknown(f"the caller of {conn.via or 'the handler'}"),
        tls=Tls.UNKNOWN,
        opened_at=values.span(call),
        steps=[Step(StepKind.LOGIN, values.span(given), user=user, secret=secret)],
        oauth_hint=conn.oauth_hint,
        log_handler=True,
    )
