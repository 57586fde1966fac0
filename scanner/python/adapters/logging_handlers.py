"""``logging.handlers.SMTPHandler``, constructed in code or described in a
``logging.config.dictConfig`` dictionary, and subclasses of it.

From CPython's ``SMTPHandler.emit`` (FACTS 4.4): always ``smtplib.SMTP`` (never
implicit TLS); ``mailhost`` is ``(host, port)`` or a host on port 25; a login
happens only with ``credentials=(user, password)``, preceded by
``starttls(*secure)`` when ``secure`` is not None, and that STARTTLS never verifies
the certificate. There is no OAuth2 path short of overriding ``emit``; a subclass
that does is left to the analysis of its own ``emit`` code.
"""

from __future__ import annotations

from collections.abc import Mapping

from ... import hints
from ...mail_settings.backends import (
    GRAPH_HANDLER,
    GRAPH_HANDLER_CLASS,
    GRAPH_HANDLER_NOTE,
    HANDLER_CLASS,
    HANDLER_MODULE,
    HANDLER_NOTE,
    OAUTH2_HANDLER,
    handler_module,
)
from ...model import MISSING, Connection, MailFile, Protocol, Span, StepKind, Tls, Value
from ...model import Verification as V
from ...remedies import PACKAGE_PREFIX, Edit, Remedy, RemedyKind
from .. import edits
from . import common
from .base import Adapter, CallSite, ClientSpec, FunctionSpec

_PARAMS = ("mailhost", "fromaddr", "toaddrs", "subject", "credentials", "secure", "timeout")
_CLASS = "logging.handlers.SMTPHandler"
# ``secure`` is ``starttls(*secure)``'s keyfile and certfile, never a context.
_NO_CONTEXT = (
    "SMTPHandler takes no SSL context: override emit() to call "
    "starttls(context=ssl.create_default_context())"
)


def _pair(value: Value) -> tuple[Value, Value] | None:
    """The two halves of a ``(host, port)`` or ``(user, password)`` value."""
    if value.items is not None and len(value.items) == 2:
        return value.items[0], value.items[1]
    if value.known and isinstance(value.value, (tuple, list)) and len(value.value) == 2:
        return Value(True, value.value[0]), Value(True, value.value[1])
    return None


def handler_connection(
    args: Mapping[str, Value],
    spans: Mapping[str, Span],
    opened_at: Span,
    code: str,
    *,
    overrides_emit: bool = False,
) -> Connection:
    """The connection an SMTPHandler makes from its arguments (constructor keywords or
    the keys of a dictConfig handler dictionary)."""
    mailhost = args.get("mailhost", MISSING)
    pair = _pair(mailhost)
    if pair is not None:
        host, port = pair[0], common.port(pair[1])
    elif mailhost.known:
        host, port = mailhost, Value(True, 25)
    else:
        host, port = mailhost, Value.unknown(mailhost.origin)
    if overrides_emit and pair is None:
        port = Value.unknown("overridden emit()")
    conn = Connection(
        protocol=Protocol.SMTP,
        library="logging",
        host=host,
        port=port,
        tls=Tls.NONE,
        opened_at=opened_at,
        oauth_hint=hints.SMTP_HANDLER,
        log_handler=True,
    )
    if pair is not None and port.literal:
        common.set_remedy(
            conn.remedies, RemedyKind.PORT_587, edits.replace_literal(port, "587", code)
        )
    written = spans.get("mailhost")
    literal = mailhost.literal_span
    if pair is None and mailhost.literal and literal and written:
        if written.start <= literal.start < written.end:  # not a constant used elsewhere
            to_587 = edits.replace(literal, f"({code[literal.start : literal.end]}, 587)")
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, to_587)
    credentials = args.get("credentials")
    if overrides_emit or credentials is None or not credentials.present:
        return conn
    secure = args.get("secure")
    if secure is not None and secure.present and not upgrades(secure):
        # Whether it upgrades is the caller's choice (a parameter, a setting read at run
        # time): no known TLS problem here; a caller that passes a value decides.
        conn.tls = Tls.UNKNOWN
        conn.tls_choice = secure
    elif secure is not None and secure.present:
        # starttls(*secure): keyfile/certfile at most, never a verifying context.
        written = spans.get("secure")
        span = common.through(opened_at, written) if written is not None else opened_at
        conn.steps.append(common.starttls(span, V.UNVERIFIED, _NO_CONTEXT))
    halves = _pair(credentials)
    user, secret = halves if halves else (credentials, credentials)
    span = spans.get("credentials", opened_at)
    conn.steps.append(common.Step(common.StepKind.LOGIN, span, user=user, secret=secret))
    return conn


def upgrades(secure: Value) -> bool:
    """Whether ``secure`` is, or may be, a tuple the code writes (``()``, ``(keyfile,)``,
    also as one arm of a choice the code makes): the handler then upgrades, unverified."""
    if secure.known:
        return secure.value is not None
    return any(c.known and c.value is not None for c in secure.choices or ())


def _user_only(credentials: Value) -> Edit | None:
    """``credentials=(user, password)`` -> ``credentials=user``, where both are written here."""
    halves = _pair(credentials)
    span = credentials.span
    if halves is None or span is None or credentials.items is None:
        return None
    user = halves[0]
    if user.source is None or user.span is None or not span.start <= user.span.start < span.end:
        return None
    return edits.replace(span, user.source)


def _oauth2_remedy(
    conn: Connection, switch: Edit, credentials: Value, imports=(), *, graph: bool = False
) -> None:
    """Switch the handler to XOAuth2SMTPHandler (``graph``: GraphSMTPHandler): ``switch``
    names it, the credentials keep only the user (the handler ignores a password anyway)."""
    module = handler_module(conn.host, graph=graph)
    login = next((s for s in conn.steps if s.kind is StepKind.LOGIN), None)
    if module is None or login is None:
        return
    parts = [switch]
    reduced = _user_only(credentials)
    if reduced is not None:
        parts.append(reduced)
    kind, note = (
        (RemedyKind.GRAPH, GRAPH_HANDLER_NOTE) if graph else (RemedyKind.XOAUTH2, HANDLER_NOTE)
    )
    login.remedies[kind] = Remedy(tuple(parts), imports=tuple(imports), note=note, files=(module,))


def _open(site: CallSite) -> Connection:
    conn = handler_connection(
        site.args, site.arg_spans, site.span, site.code, overrides_emit="emit" in site.overrides
    )
    if site.qualified_name == _CLASS and not site.overrides:
        # ``SMTPHandler(...)`` -> ``XOAuth2SMTPHandler(...)``, imported from the new module.
        for name, graph in ((OAUTH2_HANDLER, False), (GRAPH_HANDLER, True)):
            switch = edits.replace(site.callee_span, name)
            source = f"{PACKAGE_PREFIX}{HANDLER_MODULE}:{name}"
            _oauth2_remedy(conn, switch, site.arg("credentials"), imports=(source,), graph=graph)
    return conn


def config_connections(config: Value, code: str, fallback: Span) -> list[Connection]:
    """The SMTPHandler connections a logging configuration dictionary describes (the
    argument of ``dictConfig``, or Django's ``LOGGING`` setting)."""
    found = []
    handlers = _entries(config).get("handlers", MISSING)
    for handler in _entries(handlers).values():
        keys = _entries(handler)
        kind = keys.get("class", MISSING)
        if not (kind.known and kind.value == _CLASS):
            continue
        spans = {name: value.span for name, value in keys.items() if value.span is not None}
        conn = handler_connection(keys, spans, kind.span or handler.span or fallback, code)
        # "class": "logging.handlers.SMTPHandler" -> the dotted name of the new handler.
        for name, graph in ((HANDLER_CLASS, False), (GRAPH_HANDLER_CLASS, True)):
            switch = edits.replace_literal(kind, f"{PACKAGE_PREFIX}{name}", code)
            if switch is not None:
                _oauth2_remedy(conn, switch, keys.get("credentials", MISSING), graph=graph)
        found.append(conn)
    return found


def _dict_config(mail: MailFile, site: CallSite) -> None:
    mail.connections.extend(config_connections(site.arg("config"), site.code, site.span))


def _entries(value: Value) -> dict[str, Value]:
    if not (value.known and isinstance(value.value, dict)):
        return {}
    return {
        str(key): item if isinstance(item, Value) else Value(True, item)
        for key, item in value.value.items()
    }


SMTP_HANDLER = Adapter(
    library="logging",
    clients={_CLASS: ClientSpec(_PARAMS, _open)},
    functions={"logging.config.dictConfig": FunctionSpec(("config",), _dict_config)},
    markers=(b"smtphandler",),
)
