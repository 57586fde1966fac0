"""smtplib, imaplib and poplib: clients, default ports and the calls made on them.

Defaults from CPython (FACTS 2.4): SMTP 25, SMTP_SSL 465, LMTP 2003, IMAP4 143,
IMAP4_SSL 993, POP3 110, POP3_SSL 995. Without an explicit context the stdlib
does not verify certificates (FACTS 4.9).
"""

from __future__ import annotations

import dataclasses

from ...model import (
    MISSING,
    PASSWORD_MECHANISMS,
    Connection,
    Protocol,
    Span,
    Step,
    StepKind,
    Tls,
    Value,
    Verification,
    XOAuth2,
)
from ...records import plain
from ...remedies import Edit, Remedy, RemedyKind
from .. import edits
from . import common, graph_sends, smtp_host
from .base import Adapter, CallSite, ClientSpec, MethodSpec
from .stdlib_order import STARTTLS, settle


@plain
class _Client:
    """A client class of smtplib, imaplib or poplib: its protocol, TLS, port and parameters."""

    protocol: Protocol
    tls: Tls
    default_port: int
    context_param: str | None  # the SSL context keyword of the constructor
    plain_class: str | None  # the STARTTLS-capable class to switch to from implicit TLS
    # The positional parameters, as Python 3.11 and older take them (code written for
    # them passes the context by position: ``IMAP4_SSL(host, port, None, None, ctx)``).
    params: tuple[str, ...] = ("host", "port")


_CLIENTS = {
    "smtplib.SMTP": _Client(Protocol.SMTP, Tls.NONE, 25, None, None),
    "smtplib.SMTP_SSL": _Client(
        Protocol.SMTP,
        Tls.IMPLICIT,
        465,
        "context",
        "smtplib.SMTP",
        ("host", "port", "local_hostname", "keyfile", "certfile", "timeout", "source_address")
        + ("context",),
    ),
    "smtplib.LMTP": _Client(Protocol.SMTP, Tls.NONE, 2003, None, None),
    "imaplib.IMAP4": _Client(Protocol.IMAP, Tls.NONE, 143, None, None),
    "imaplib.IMAP4_SSL": _Client(
        Protocol.IMAP,
        Tls.IMPLICIT,
        993,
        "ssl_context",
        None,
        ("host", "port", "keyfile", "certfile", "ssl_context", "timeout"),
    ),
    "poplib.POP3": _Client(Protocol.POP, Tls.NONE, 110, None, None),
    "poplib.POP3_SSL": _Client(
        Protocol.POP,
        Tls.IMPLICIT,
        995,
        "context",
        None,
        ("host", "port", "keyfile", "certfile", "timeout", "context"),
    ),
}


def _port(site: CallSite, client: _Client) -> Value:
    port = common.port(site.arg("port"))  # smtplib takes "587" as it takes 587
    if not site.has("port") or (port.known and port.value in (0, None)):
        return Value(True, client.default_port)
    return port


def _split_host_port(host: Value, code: str) -> tuple[Value, Value | None]:
    """smtplib reads ``"smtp.office365.com:587"`` as host and port when no port is given.
    The port keeps a span on its digits inside the string, so a fix can rewrite them."""
    if not (host.known and isinstance(host.value, str) and host.value.count(":") == 1):
        return host, None
    name, _, digits = host.value.partition(":")
    digits = digits.strip()  # smtplib's int() takes "smtp.gmail.com: 587" too
    if not digits.isdigit():
        return host, None
    port = Value(True, int(digits), host.origin, host.span, source=digits)
    where = host.literal_span
    if host.literal and where is not None and where.line == where.end_line:
        offset = code[where.start : where.end].rfind(digits)
        if offset > 0:
            digits_span = Span(
                where.line,
                where.column + offset,
                where.line,
                where.column + offset + len(digits),
                where.start + offset,
                where.start + offset + len(digits),
            )
            port = Value(True, int(digits), host.origin, digits_span, True, digits_span, digits)
    named = Value(True, name, host.origin, host.span, host.literal, None, host.source)
    return named, port


def _open(qualified_name: str) -> ClientSpec:
    client = _CLIENTS[qualified_name]

    def open_connection(site: CallSite) -> Connection:
        host = site.arg("host")
        if host.known and host.value == "":
            host = MISSING  # SMTP() without a host: connect() names it later
        port = _port(site, client)
        if client.protocol is Protocol.SMTP and not site.has("port"):
            host, inline_port = _split_host_port(host, site.code)
            port = inline_port or port
        conn = Connection(
            protocol=client.protocol,
            library=qualified_name.split(".")[0],
            host=host,
            port=port,
            tls=client.tls,
            opened_at=site.span,
            verification=(
                site.verification(client.context_param)
                if client.tls is Tls.IMPLICIT and client.context_param
                else Verification.UNKNOWN
            ),
            verify_with=common.verify_with(client.context_param, "", client.protocol),
        )
        _connection_remedies(conn, site, client)
        if qualified_name in ("smtplib.SMTP", "smtplib.SMTP_SSL"):
            graph_sends.open_client(conn, site)
        return conn

    return ClientSpec(params=client.params, open=open_connection)


def _starttls_statement(conn: Connection, receiver: str, context: str) -> str:
    method, keyword = STARTTLS[conn.protocol]
    return f"{receiver}.{method}({keyword}={context})"


def _connection_remedies(conn: Connection, site: CallSite, client: _Client) -> None:
    if client.context_param and client.tls is Tls.IMPLICIT:
        verify = common.verify_context(site, client.context_param)
        if verify is not None:
            conn.remedies[RemedyKind.VERIFY_TLS] = verify
        conn.opt_out = site.opt_out(client.context_param)
    # The constructor's own session on 587: given a host, it connects at once, also when
    # a later connect() opens the session that is used (never 25 or 465 left behind).
    opening_port = _opening_port(conn, site)
    if client.tls is Tls.NONE and opening_port:
        conn.remedies[RemedyKind.PORT_587] = Remedy(opening_port)
    if not client.plain_class or site.receiver is None or site.after is None:
        return
    if any(
        "=" not in site.code[span.start : span.end]
        for name, span in site.arg_spans.items()
        if name in client.params[3:]
    ):
        return  # by position past the host: the plain class takes other parameters there
    # SMTP_SSL(host, port, context=ctx) -> SMTP(host, port) + starttls(context=ctx).
    context_span = site.arg_spans.get(client.context_param or "")
    context = (
        site.code[context_span.start : context_span.end].split("=", 1)[1].strip()
        if context_span
        else edits.VERIFYING_CONTEXT
    )
    if site.verification(client.context_param or "") is Verification.UNVERIFIED:
        # A context built here is fixed where it is built (AS204); one made in the call
        # is replaced.
        if site.context_fix(client.context_param or "") is None:
            context = edits.VERIFYING_CONTEXT
    switch = [
        edits.replace(site.callee_span, client.plain_class),
        edits.remove_argument(site, client.context_param or ""),
        edits.remove_argument(site, "keyfile"),
        edits.remove_argument(site, "certfile"),
        edits.insert_statement(
            site.after.offset,
            site.after.indent,
            _starttls_statement(conn, site.receiver, context),
        ),
    ]
    imports = ("smtplib", "ssl") if context == edits.VERIFYING_CONTEXT else ("smtplib",)
    conn.remedies[RemedyKind.USE_STARTTLS] = edits.remedy(*switch, *opening_port, imports=imports)
    if site.has("port") and not opening_port and conn.port.value != 587:
        return  # a port from elsewhere that we cannot rewrite
    conn.remedies[RemedyKind.PORT_587] = edits.remedy(*switch, *opening_port, imports=imports)


def _opening_port(conn: Connection, site: CallSite) -> tuple[Edit, ...]:
    """The edits that make a constructor given a host connect to 587: its literal port
    rewritten (with the same literal every caller passes for it), or ``port=587`` added;
    none without a host, on 587 already, or with a port that is not a literal here."""
    if conn.host is MISSING or (conn.port.known and conn.port.value == 587):
        return ()
    if site.has("port"):
        return edits.replace_literals(common.port(site.arg("port")), "587", site.code)
    return (edits.append_argument(site, "port=587"),)


def _connect(conn: Connection, site: CallSite) -> Step:
    host = site.arg("host")
    port = common.port(site.arg("port"))
    if conn.protocol is Protocol.SMTP and not site.has("port"):
        host, inline_port = _split_host_port(host, site.code)
        if inline_port is not None:
            site.args["port"] = port = inline_port
    # A constructor given a host, or an earlier connect(), opened a session already.
    opened = conn.host is not MISSING or conn.first(StepKind.CONNECT) is not None
    if conn.host is MISSING and host.present and conn.protocol is Protocol.SMTP:
        smtp_host.prepare(conn, site)
    if host.present:
        conn.host = host
    if site.has("port") and not (port.known and port.value in (0, None)):
        if opened and not (port.known and conn.port.known and port.value == conn.port.value):
            conn.earlier_ports.append(conn.port)
        conn.port = port
        to_587 = edits.replace_literals(port, "587", site.code)
        # The constructor's session, when it opened one, moves to 587 with this one.
        opening = conn.remedies.get(RemedyKind.PORT_587) if conn.tls is Tls.NONE else None
        switch = conn.remedies.get(RemedyKind.USE_STARTTLS)
        if not to_587:
            conn.remedies.pop(RemedyKind.PORT_587, None)  # the constructor's port is not used
        elif conn.tls is Tls.NONE:
            earlier = opening.edits if opening is not None else ()
            conn.remedies[RemedyKind.PORT_587] = Remedy((*earlier, *to_587))
        elif switch is not None:  # SMTP_SSL: plain client, this port, STARTTLS after connect()
            conn.remedies[RemedyKind.PORT_587] = dataclasses.replace(
                switch, edits=(*switch.edits, *to_587)
            )
    return _statement_step(StepKind.CONNECT, site)


def _ehlo(conn: Connection, site: CallSite) -> Step:
    return Step(StepKind.EHLO, site.span)


def _statement_step(kind: StepKind, site: CallSite, **fields) -> Step:
    """A step whose call may be moved or dropped: it knows its text and statement."""
    step = Step(kind, site.span, **fields)
    removal = edits.remove_statement(site)
    if removal is not None and site.before is not None:
        step.text = site.code[site.span.start : site.span.end]
        step.removal = removal
        step.indent = site.before.indent
    return step


# What may stand beside STARTTLS in the ``if`` that makes it conditional: greetings.
_HANDSHAKE = ("ehlo", "helo", "ehlo_or_helo_if_needed", "starttls", "stls")


def _starttls(conn: Connection, site: CallSite) -> Step:
    keyword = STARTTLS[conn.protocol][1]
    verification = site.verification(keyword)
    step = _statement_step(StepKind.STARTTLS, site, verification=verification)
    step.verify_with = common.verify_with(keyword, conn.library, conn.protocol)
    step.opt_out = site.opt_out(keyword)
    guard = site.guard()
    if guard is not None and guard.unconditional is not None and site.receiver is not None:
        calls = tuple(f"{site.receiver}.{method}(" for method in _HANDSHAKE)
        if all(statement.startswith(calls) for statement in guard.body):
            step.remedies[RemedyKind.UNCONDITIONAL_STARTTLS] = Remedy((guard.unconditional,))
    if verification is Verification.UNVERIFIED:
        fix = common.verify_context(site, keyword)
        if fix is not None:
            step.remedies[RemedyKind.VERIFY_TLS] = fix
    return step


def _login_remedies(conn: Connection, site: CallSite, step: Step) -> None:
    if site.receiver is None:
        return
    if site.before is not None and conn.tls is not Tls.IMPLICIT:
        # Kept, moved or dropped once the paths are known (``stdlib_order.settle``).
        step.remedies[RemedyKind.ADD_STARTTLS] = edits.remedy(
            edits.insert_statement(
                site.before.offset,
                site.before.indent,
                _starttls_statement(conn, site.receiver, edits.VERIFYING_CONTEXT),
            ),
            imports=("ssl",),
        )
    user = site.args.get("user")
    if user is None or user.source is None or site.statement is None:
        return
    raw = edits.xoauth2_string(user.source, conn.host.value if conn.host.known else None)
    if conn.protocol is Protocol.SMTP and site.before is not None:
        call = f'{site.receiver}.auth("XOAUTH2", lambda challenge=None: {raw})'
        # login() says EHLO again after STARTTLS by itself; auth() does not (FACTS 3.3).
        hello = edits.insert_statement(
            site.before.offset, site.before.indent, f"{site.receiver}.ehlo_or_helo_if_needed()"
        )
        step.remedies[RemedyKind.XOAUTH2] = Remedy(
            (hello, edits.replace(site.span, call)), helpers=(edits.TOKEN_HELPER,)
        )
        graph_sends.login(step, site)
    elif conn.protocol is Protocol.IMAP:
        call = f'{site.receiver}.authenticate("XOAUTH2", lambda _: {raw})'
        step.remedies[RemedyKind.XOAUTH2] = Remedy(
            (edits.replace(site.span, call),), helpers=(edits.TOKEN_HELPER,)
        )
    _per_provider(conn, site, step, user.source)


def _per_provider(conn: Connection, site: CallSite, step: Step, user: str) -> None:
    """A login whose host is one of several providers (``PROVIDERS[os.environ[...]]``):
    XOAUTH2 when the host is Microsoft 365's, the password login kept for the others."""
    chosen = common.provider_test(conn, site)
    if chosen is None or site.receiver is None:
        return
    test, microsoft = chosen
    raw = edits.xoauth2_string(user, microsoft[0])
    if conn.protocol is Protocol.SMTP:
        oauth = [
            f"{site.receiver}.ehlo_or_helo_if_needed()",
            f'{site.receiver}.auth("XOAUTH2", lambda challenge=None: {raw})',
        ]
    elif conn.protocol is Protocol.IMAP:
        oauth = [f'{site.receiver}.authenticate("XOAUTH2", lambda _: {raw})']
    else:
        return
    branches = common.if_else(site, test, oauth)
    if branches is not None:
        step.remedies[RemedyKind.XOAUTH2_PER_PROVIDER] = Remedy(
            (branches,), helpers=(edits.TOKEN_HELPER,)
        )


def _login(conn: Connection, site: CallSite) -> Step:
    step = Step(StepKind.LOGIN, site.span, user=site.arg("user"), secret=site.arg("password"))
    if conn.protocol is Protocol.POP:  # apop(user, password)
        _pop_xoauth2(conn, site, step, None)
    else:
        _login_remedies(conn, site, step)
    return step


def _digest_login(mechanism: str):
    """``pop.apop(u, p)``, ``imap.login_cram_md5(u, p)``: a password login by a digest
    mechanism, an alternative to the plain login a connection may also try."""

    def login(conn: Connection, site: CallSite) -> Step:
        step = _login(conn, site)
        step.mechanism = mechanism
        return step

    return login


def _user(conn: Connection, site: CallSite) -> Step:
    return _statement_step(StepKind.USER, site, user=site.arg("user"))


def _pass(conn: Connection, site: CallSite) -> Step:
    names = [s for s in conn.steps if s.kind is StepKind.USER]
    user = names[-1].user if names else MISSING
    step = Step(StepKind.LOGIN, site.span, user=user, secret=site.arg("password"))
    if len(names) == 1:
        _pop_xoauth2(conn, site, step, names[0])
    return step


def _pop_xoauth2(conn: Connection, site: CallSite, login: Step, name: Step | None) -> None:
    """``pop.user(u)`` + ``pop.pass_(p)`` (or ``pop.apop(u, p)``) -> ``pop3_xoauth2(pop, u,
    token)``: poplib has no AUTH command, so a small helper sends Microsoft's two-line
    ``AUTH XOAUTH2`` exchange. The ``user()`` statement goes: after USER the server waits
    for PASS."""
    user = login.user
    if site.receiver is None or user.source is None:
        return
    parts = [edits.replace(site.span, _pop3_call(site.receiver, user.source, conn.host))]
    if name is not None:
        if name.removal is None:
            return
        parts.append(name.removal)
    login.remedies[RemedyKind.XOAUTH2] = Remedy(
        tuple(parts), helpers=("pop3_xoauth2", edits.TOKEN_HELPER)
    )


def _pop3_call(receiver: str, user: str, host: Value) -> str:
    token = edits.token_call(host.value if host.known else None)
    return f"pop3_xoauth2({receiver}, {user}, {token})"


# smtplib's own authobjects that answer with the user's password (``smtp.user`` and
# ``smtp.password`` set beforehand), by the mechanism each answers.
_PASSWORD_AUTHOBJECTS = {"auth_plain": "PLAIN", "auth_login": "LOGIN", "auth_cram_md5": "CRAM-MD5"}


def _authobject_mechanism(authobject: Value) -> str | None:
    """The mechanism of ``smtp.auth(name, smtp.auth_login)`` by its authobject, when the
    name is known only at run time (``authobjects[mechanism]`` from a table of them):
    one of smtplib's password authobjects on every choice."""
    written = [choice.source or "" for choice in (authobject.choices or (authobject,))]
    names = [_PASSWORD_AUTHOBJECTS.get(text.rpartition(".")[2]) for text in written]
    if not names or None in names:
        return None
    return names[0]


def _auth(conn: Connection, site: CallSite) -> Step:
    mechanism = site.arg("mechanism")
    name = str(mechanism.value).upper() if mechanism.known else None
    if name is None and conn.protocol is Protocol.SMTP:
        name = _authobject_mechanism(site.arg("authobject"))
    if name in PASSWORD_MECHANISMS:
        # ``smtp.auth("LOGIN", smtp.auth_login)``, ``imap.authenticate("PLAIN", ...)``.
        return Step(StepKind.LOGIN, site.span, secret=Value.unknown(f"SASL {name}"), mechanism=name)
    step = Step(StepKind.AUTH, site.span, mechanism=name)
    if name == "XOAUTH2":
        # smtplib first calls authobject() for an initial response unless told not to;
        # imaplib always passes the server's challenge (FACTS 3.3, 3.4).
        initial = common.flag(site.arg("initial_response_ok"), True)
        common.xoauth2(
            site, step, initial_response=conn.protocol is Protocol.SMTP and initial is not False
        )
    return step


def _docmd(conn: Connection, site: CallSite) -> Step | None:
    """``smtp.docmd("AUTH", "XOAUTH2 " + b64)``: a hand-made AUTH, base64 done by the caller;
    ``docmd("AUTH LOGIN", ...)`` or ``docmd("AUTH", "PLAIN ...")`` sends the password."""
    command = site.arg("cmd")
    said = str(command.value).strip().split() if command.known else []
    if not (said and said[0].upper() == "AUTH"):
        return None
    text = site.arg("args")
    written = str(text.value) if text.known else (text.source or "")
    words = said[1:] or written.strip("\"'fbrFBR ").split()
    mechanism = words[0].upper() if words else None
    if mechanism in PASSWORD_MECHANISMS:
        return Step(
            StepKind.LOGIN,
            site.span,
            secret=Value.unknown(f"SASL {mechanism}"),
            mechanism=mechanism,
        )
    step = Step(StepKind.AUTH, site.span, mechanism=mechanism)
    if mechanism == "XOAUTH2":
        step.xoauth2 = XOAuth2(encodes=False, token_sources=site.sources("args"))
    return step


def _send(conn: Connection, site: CallSite) -> Step:
    return Step(StepKind.SEND, site.span, sender=site.arg("from_addr"))


_SMTP_METHODS = {
    "connect": MethodSpec(("host", "port"), _connect),
    "ehlo": MethodSpec((), _ehlo),
    "helo": MethodSpec((), _ehlo),
    "ehlo_or_helo_if_needed": MethodSpec((), _ehlo),
    "starttls": MethodSpec(("keyfile", "certfile", "context"), _starttls),
    "login": MethodSpec(("user", "password"), _login),
    "auth": MethodSpec(("mechanism", "authobject", "initial_response_ok"), _auth),
    "docmd": MethodSpec(("cmd", "args"), _docmd),
    "sendmail": MethodSpec(("from_addr", "to_addrs", "msg"), _send),
    "send_message": MethodSpec(("msg", "from_addr"), _send),
}
_IMAP_METHODS = {
    "starttls": MethodSpec(("ssl_context",), _starttls),
    "login": MethodSpec(("user", "password"), _login),
    "login_cram_md5": MethodSpec(("user", "password"), _digest_login("CRAM-MD5")),
    "authenticate": MethodSpec(("mechanism", "authobject"), _auth),
}
_POP_METHODS = {
    "stls": MethodSpec(("context",), _starttls),
    "user": MethodSpec(("user",), _user),
    "pass_": MethodSpec(("password",), _pass),
    "apop": MethodSpec(("user", "password"), _digest_login("APOP")),
    "rpop": MethodSpec(("user",), _user),
}


SMTPLIB = Adapter(
    library="smtplib",
    clients={name: _open(name) for name in _CLIENTS if name.startswith("smtplib.")},
    methods=_SMTP_METHODS,
    markers=(b"smtplib",),
    settle=settle,
    entered_as_client=True,
)
IMAPLIB = Adapter(
    library="imaplib",
    clients={name: _open(name) for name in _CLIENTS if name.startswith("imaplib.")},
    methods=_IMAP_METHODS,
    markers=(b"imaplib",),
    settle=settle,
    entered_as_client=True,
)
POPLIB = Adapter(
    library="poplib",
    clients={name: _open(name) for name in _CLIENTS if name.startswith("poplib.")},
    methods=_POP_METHODS,
    markers=(b"poplib",),
    settle=settle,
)
