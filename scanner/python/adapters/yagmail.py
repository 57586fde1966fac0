"""yagmail: ``yagmail.SMTP(user, password, host=..., port=..., smtp_ssl=..., ...)``
(alias ``yagmail.Client``).

From yagmail's source (FACTS 4.5): the host defaults to Gmail, ``smtp_ssl=True`` by
default (``SMTP_SSL``, port 465; port 587 when ``smtp_ssl=False``), ``smtp_starttls``
defaults to ``not smtp_ssl`` and calls ``starttls()`` without a context (or with
``**smtp_starttls`` when it is a dict). Extra keywords go to the smtplib class
(``context=`` for ``SMTP_SSL``). Without ``password`` yagmail takes it from the
keyring; ``oauth2_file`` is a Gmail-only XOAUTH2 path. The login happens on send.
"""

from __future__ import annotations

from ... import hints
from ...model import Connection, Protocol, Step, StepKind, Tls, Value
from ...model import Verification as V
from ...remedies import RemedyKind
from .. import edits
from . import common
from .base import Adapter, CallSite, ClientSpec, MethodSpec

_PARAMS = (
    "user",
    "password",
    "host",
    "port",
    "smtp_starttls",
    "smtp_ssl",
    "smtp_set_debuglevel",
    "smtp_skip_login",
    "encoding",
    "oauth2_file",
    "soft_email_validation",
    "dkim",
)
_VERIFYING_STARTTLS = '{"context": ssl.create_default_context()}'


def _open(site: CallSite) -> Connection:
    ssl = common.flag(site.arg("smtp_ssl"), True)
    starttls_arg = site.arg("smtp_starttls")
    if not site.has("smtp_starttls") or (starttls_arg.known and starttls_arg.value is None):
        starttls = None if ssl is None else not ssl
    else:
        starttls = common.flag(starttls_arg, None)
    if site.has("port") and site.arg("port").present:
        port = common.port(site.arg("port"))
    else:
        port = common.default_port(None if ssl is None else 465 if ssl else 587)
    host = site.arg("host") if site.has("host") else Value(True, "smtp.gmail.com")
    conn = Connection(
        protocol=Protocol.SMTP,
        library="yagmail",
        host=host,
        port=port,
        tls=Tls.UNKNOWN,
        opened_at=site.span,
        oauth_hint=hints.YAGMAIL,
    )
    if ssl and starttls:
        # STARTTLS on an SMTP_SSL connection: the server no longer offers it.
        common.conflict(conn, site.arg_spans.get("smtp_starttls", site.span))
        common.set_remedy(
            conn.remedies,
            RemedyKind.RESOLVE_TLS_CONFLICT,
            common.drop_keyword(site, "smtp_starttls")
            if port.known and port.value == 465
            else common.keyword(site, "smtp_ssl", "False"),
        )
    elif ssl:
        conn.tls = Tls.IMPLICIT
        # Extra keywords reach SMTP_SSL: ``context=`` verifies; none is the stdlib default.
        conn.verification = site.verification("context")
        conn.opt_out = site.opt_out("context")
        common.set_fix(conn.remedies, RemedyKind.VERIFY_TLS, common.verify_context(site, "context"))
        to_starttls = common.keyword(site, "smtp_ssl", "False")
        common.set_remedy(conn.remedies, RemedyKind.USE_STARTTLS, to_starttls)
        if site.has("port"):
            to_587 = edits.replace_literal(port, "587", site.code)
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, to_starttls, to_587)
        else:  # without smtp_ssl yagmail picks 587 itself
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, to_starttls)
    elif ssl is False and starttls is not None:
        conn.tls = Tls.NONE
        if starttls:
            verification = V.UNKNOWN if isinstance(starttls_arg.value, dict) else V.UNVERIFIED
            span = site.arg_spans.get("smtp_ssl", site.span)
            step = common.starttls(span, verification, f"pass smtp_starttls={_VERIFYING_STARTTLS}")
            common.set_remedy(
                step.remedies,
                RemedyKind.VERIFY_TLS,
                common.keyword(site, "smtp_starttls", _VERIFYING_STARTTLS),
                imports=("ssl",),
            )
            conn.steps.append(step)
        if site.has("port"):
            to_587 = edits.replace_literal(port, "587", site.code)
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, to_587)
    if site.has("oauth2_file") and site.arg("oauth2_file").present:
        conn.steps.append(Step(StepKind.AUTH, site.arg_spans["oauth2_file"], mechanism="XOAUTH2"))
    elif common.flag(site.arg("smtp_skip_login"), False) is not True:
        # No password: yagmail reads it from the keyring.
        conn.steps.append(common.login(site, "user", "password", fallback=Value.unknown("keyring")))
    return conn


def _send(conn: Connection, site: CallSite) -> Step:
    return Step(StepKind.SEND, site.span)


_CLIENT = ClientSpec(_PARAMS, _open)

YAGMAIL = Adapter(
    library="yagmail",
    clients={
        "yagmail.SMTP": _CLIENT,
        "yagmail.Client": _CLIENT,
        "yagmail.sender.SMTP": _CLIENT,
        "yagmail.sender.Client": _CLIENT,
    },
    methods={"send": MethodSpec(("to", "subject", "contents"), _send)},
    markers=(b"yagmail",),
)
