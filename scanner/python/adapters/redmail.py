"""Red Mail: ``EmailSender(host, port, username=None, password=None,
cls_smtp=smtplib.SMTP, use_starttls=True, **kwargs)``, the presets ``redmail.outlook``
and ``redmail.gmail`` with ``username``/``password`` assigned later, and
``redmail.send_email(...)``.

From Red Mail's ``get_server`` (FACTS 4.6): ``cls_smtp(host, port, **kwargs)``, then
``starttls()`` without a context when ``use_starttls``, then ``login`` when a user
name or a password is set. ``cls_smtp=smtplib.SMTP_SSL`` with the default
``use_starttls=True`` fails. No OAuth2 short of overriding ``get_server``.
"""

from __future__ import annotations

from ... import hints
from ...model import Connection, MailFile, Protocol, Step, StepKind, Tls, Value
from ...model import Verification as V
from ...remedies import RemedyKind
from .. import edits
from . import common
from .base import Adapter, CallSite, ClientSpec, FunctionSpec, MethodSpec

_PARAMS = ("host", "port", "username", "password", "cls_smtp", "use_starttls", "domain")
_PRESETS = {"outlook": ("smtp.office365.com", 587), "gmail": ("smtp.gmail.com", 587)}


def _smtp_class(site: CallSite) -> bool | None:
    """True for ``SMTP_SSL``, False for plain ``SMTP``, None for another class."""
    if not site.has("cls_smtp"):
        return False
    names = site.qualified("cls_smtp")
    if "smtplib.SMTP_SSL" in names:
        return True
    if "smtplib.SMTP" in names:
        return False
    return None


def _connection(site: CallSite, host: Value, port: Value) -> Connection | None:
    implicit = _smtp_class(site)
    if implicit is None or "get_server" in site.overrides:
        return None  # a class of its own makes the connection: analysed where it is defined
    starttls = common.flag(site.arg("use_starttls"), True)
    conn = Connection(
        protocol=Protocol.SMTP,
        library="redmail",
        host=host,
        port=port,
        tls=Tls.UNKNOWN,
        opened_at=site.span,
        oauth_hint=hints.REDMAIL,
    )
    if implicit and starttls:
        common.conflict(conn, site.arg_spans.get("cls_smtp", site.span))
        if port.known and port.value == 465:
            resolve = common.keyword(site, "use_starttls", "False")
        else:
            resolve = common.drop_keyword(site, "cls_smtp")
        common.set_remedy(conn.remedies, RemedyKind.RESOLVE_TLS_CONFLICT, resolve)
    elif implicit:
        conn.tls = Tls.IMPLICIT
        conn.verification = site.verification("context")
        conn.opt_out = site.opt_out("context")
        # Back to the default smtplib.SMTP and its STARTTLS.
        switch = [common.drop_keyword(site, "cls_smtp")]
        if site.has("use_starttls"):
            switch.append(common.keyword(site, "use_starttls", "True"))
        common.set_remedy(conn.remedies, RemedyKind.USE_STARTTLS, *switch)
        to_587 = edits.replace_literal(port, "587", site.code)
        common.set_remedy(conn.remedies, RemedyKind.PORT_587, *switch, to_587)
        # Extra keywords reach SMTP_SSL.
        common.set_fix(conn.remedies, RemedyKind.VERIFY_TLS, common.verify_context(site, "context"))
    elif starttls is not None:
        conn.tls = Tls.NONE
        if starttls:
            span = site.arg_spans.get("use_starttls", site.span)
            # Red Mail calls starttls() without a context, whatever it is given.
            no_context = common.verify_with(None, "redmail", Protocol.SMTP)
            conn.steps.append(common.starttls(span, V.UNVERIFIED, no_context))
    if conn.tls is not Tls.IMPLICIT and site.has("port"):
        to_587 = edits.replace_literal(port, "587", site.code)
        common.set_remedy(conn.remedies, RemedyKind.PORT_587, to_587)
    if any(site.has(name) and site.arg(name).present for name in ("username", "password")):
        conn.steps.append(common.login(site, "username", "password"))
    return conn


def _open(site: CallSite) -> Connection | None:
    host = site.arg("host")
    if not host.present:
        return None  # ``EmailSender(host=None, port=None)``: only used to build messages
    return _connection(site, host, common.port(site.arg("port")))


def _preset(name: str) -> ClientSpec:
    host, port = _PRESETS[name]
    return ClientSpec((), lambda site: _connection(site, Value(True, host), Value(True, port)))


def _send_email(mail: MailFile, site: CallSite) -> None:
    conn = _open(site)
    if conn is not None:
        conn.steps.append(Step(StepKind.SEND, site.span))
        mail.connections.append(conn)


def _credential(conn: Connection, site: CallSite) -> Step | None:
    """``sender.username = ...`` / ``sender.password = ...``: one login, made on send."""
    value = site.arg("value")
    login = conn.first(StepKind.LOGIN)
    if login is None:
        if not value.present:
            return None
        login = Step(StepKind.LOGIN, site.span)
        conn.steps.append(login)
    if site.qualified_name == "password":
        login.secret = value
        login.span = site.span
    else:
        login.user = value
    return None


def _address(conn: Connection, site: CallSite) -> Step | None:
    value = site.arg("value")
    if site.qualified_name == "host":
        conn.host = value
    else:
        conn.port = common.port(value)
    return None


def _send(conn: Connection, site: CallSite) -> Step:
    return Step(StepKind.SEND, site.span)


_CLIENT = ClientSpec(_PARAMS, _open)
_SEND = MethodSpec(("subject", "sender", "receivers"), _send)
# Positional arguments of send_email go to send(); the connection's are keywords.
_SEND_EMAIL = FunctionSpec(("subject", "sender", "receivers", *_PARAMS), _send_email)

REDMAIL = Adapter(
    library="redmail",
    clients={
        "redmail.EmailSender": _CLIENT,
        "redmail.email.EmailSender": _CLIENT,
        "redmail.email.sender.EmailSender": _CLIENT,
    },
    presets={
        f"{module}.{name}": _preset(name)
        for module in ("redmail", "redmail.email")
        for name in _PRESETS
    },
    methods={"send": _SEND},
    attributes={
        "username": MethodSpec(("value",), _credential),
        "password": MethodSpec(("value",), _credential),
        "host": MethodSpec(("value",), _address),
        "port": MethodSpec(("value",), _address),
    },
    functions={
        "redmail.send_email": _SEND_EMAIL,
        "redmail.email.send_email": _SEND_EMAIL,
    },
    markers=(b"redmail",),
)
