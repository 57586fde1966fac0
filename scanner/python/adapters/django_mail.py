"""Django's mail call sites: ``get_connection(...)`` and ``EmailBackend(...)`` keyword
arguments, ``send_mail``/``send_mass_mail`` with ``auth_user``/``auth_password``.

What a call leaves out comes from the settings (``EMAIL_HOST``, ``EMAIL_PORT``,
``EMAIL_USE_TLS``, ...), which the settings reader covers where they are written;
here such values stay unknown with the setting as origin. From Django's
``smtp.EmailBackend`` (FACTS 3.8, 4.1): ``use_ssl`` is ``SMTP_SSL``, ``use_tls`` is
``starttls(context=...)`` (verifying since Django 4.2), both together raise
``ValueError``, the login needs a user name and a password, and there is no OAuth2.
"""

from __future__ import annotations

from ... import hints
from ...model import Connection, MailFile, Protocol, Tls, Value
from ...model import Verification as V
from ...remedies import RemedyKind
from .. import edits
from . import common
from .base import Adapter, CallSite, ClientSpec, FunctionSpec, MethodSpec

_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_OPTIONS = (
    "host",
    "port",
    "username",
    "password",
    "use_tls",
    "fail_silently",
    "use_ssl",
    "timeout",
    "ssl_keyfile",
    "ssl_certfile",
)


def _setting(name: str) -> Value:
    return Value.unknown(f"Django {name} setting")


def _backend_connection(site: CallSite) -> Connection | None:
    backend = site.arg("backend")
    if backend.known and backend.value is not None and backend.value != _SMTP_BACKEND:
        return None  # the console, file or locmem backend, or a third-party one
    if "open" in site.overrides:
        # A subclass with its own ``open()`` makes the connection and its login there
        # (``SMTP(...)`` and XOAUTH2 by hand): Django's own code never uses these options.
        return None
    host = site.arg("host") if site.has("host") else _setting("EMAIL_HOST")
    port = common.port(site.arg("port")) if site.has("port") else _setting("EMAIL_PORT")
    ssl = common.flag(site.arg("use_ssl"), None)
    tls = common.flag(site.arg("use_tls"), None)
    conn = Connection(
        protocol=Protocol.SMTP,
        library="django",
        host=host,
        port=port,
        tls=Tls.UNKNOWN,
        opened_at=site.span,
        oauth_hint=hints.DJANGO,
    )
    if ssl and tls:
        common.conflict(conn, site.arg_spans.get("use_ssl", site.span))
        drop = "use_tls" if port.known and port.value == 465 else "use_ssl"
        common.set_remedy(
            conn.remedies, RemedyKind.RESOLVE_TLS_CONFLICT, common.drop_keyword(site, drop)
        )
    elif ssl:
        conn.tls = Tls.IMPLICIT
        if common.written_here(site, "use_ssl") is not None:
            switch = common.switch_keyword(site, "use_ssl", "use_tls")
            common.set_remedy(conn.remedies, RemedyKind.USE_STARTTLS, *switch)
            to_587 = edits.replace_literal(port, "587", site.code) if site.has("port") else None
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, *switch, to_587)
    elif tls:
        conn.tls = Tls.NONE
        conn.steps.append(common.starttls(site.arg_spans.get("use_tls", site.span), V.UNKNOWN))
    elif ssl is False and tls is False:
        conn.tls = Tls.NONE
    if conn.tls is Tls.NONE and site.has("port"):
        common.set_remedy(
            conn.remedies, RemedyKind.PORT_587, edits.replace_literal(port, "587", site.code)
        )
    if site.has("password") and site.arg("password").present:
        step = common.login(site, "username", "password")
        if not site.has("username"):
            step.user = _setting("EMAIL_HOST_USER")
        conn.steps.append(step)
    return conn


def _send_function(mail: MailFile, site: CallSite) -> None:
    """``send_mail(..., auth_user=, auth_password=)``: a login with these credentials to
    the host of the settings (unless a connection is passed in)."""
    if site.has("connection") or not (
        site.has("auth_password") and site.arg("auth_password").present
    ):
        return
    conn = Connection(
        protocol=Protocol.SMTP,
        library="django",
        host=_setting("EMAIL_HOST"),
        port=_setting("EMAIL_PORT"),
        tls=Tls.UNKNOWN,
        opened_at=site.span,
        oauth_hint=hints.DJANGO,
    )
    step = common.login(site, "auth_user", "auth_password")
    if not site.has("auth_user"):
        step.user = _setting("EMAIL_HOST_USER")
    conn.steps.append(step)
    conn.steps.append(common.Step(common.StepKind.SEND, site.span))
    mail.connections.append(conn)


def _send(conn: Connection, site: CallSite) -> common.Step:
    return common.Step(common.StepKind.SEND, site.span)


_GET_CONNECTION = ClientSpec(("backend", "fail_silently", *_OPTIONS), _backend_connection)
_BACKEND = ClientSpec(_OPTIONS, _backend_connection)
_SEND_MAIL = FunctionSpec(
    (
        "subject",
        "message",
        "from_email",
        "recipient_list",
        "fail_silently",
        "auth_user",
        "auth_password",
        "connection",
        "html_message",
    ),
    _send_function,
)
_SEND_MASS_MAIL = FunctionSpec(
    ("datatuple", "fail_silently", "auth_user", "auth_password", "connection"), _send_function
)

DJANGO = Adapter(
    library="django",
    clients={
        "django.core.mail.get_connection": _GET_CONNECTION,
        "django.core.mail.backends.smtp.EmailBackend": _BACKEND,
    },
    methods={"send_messages": MethodSpec(("email_messages",), _send)},
    functions={
        "django.core.mail.send_mail": _SEND_MAIL,
        "django.core.mail.send_mass_mail": _SEND_MASS_MAIL,
    },
    # ``from django.core import mail`` and ``mail.get_connection(...)`` included.
    markers=(b"django.core.mail", b"core import mail", b"send_mail", b"emailbackend"),
)
