"""IMAPClient: ``IMAPClient(host, port=None, use_uid=True, ssl=True, stream=False,
ssl_context=None, timeout=None)`` and its ``login``/``oauth2_login``/``starttls``.

From IMAPClient's source: the port is 993 with ``ssl`` (the default), else 143;
TLS, both implicit and ``starttls()``, uses ``ssl.create_default_context()`` when no
context is given, so certificates are verified. ``oauth2_login(user, token)``
authenticates with XOAUTH2.
"""

from __future__ import annotations

from ...model import PASSWORD_MECHANISMS, Connection, Protocol, Step, StepKind, Tls, Value
from ...model import Verification as V
from ...remedies import Remedy, RemedyKind
from .. import edits
from . import common
from .base import Adapter, CallSite, ClientSpec, MethodSpec

_PARAMS = ("host", "port", "use_uid", "ssl", "stream", "ssl_context", "timeout")


def _context(site: CallSite) -> V:
    # No context (or None, also as an arm: ``ctx if tls else None``) means IMAPClient's
    # own verifying default.
    if not site.has("ssl_context") or (
        site.arg("ssl_context").known and site.arg("ssl_context").value is None
    ):
        return V.VERIFIED
    return site.verification("ssl_context", V.VERIFIED)


def _open(site: CallSite) -> Connection | None:
    if common.flag(site.arg("stream"), False) is not False:
        return None  # a command's stdin/stdout, not a network connection
    ssl = common.flag(site.arg("ssl"), True)
    if site.has("port") and site.arg("port").present:
        port = common.port(site.arg("port"))
    else:
        port = common.default_port(None if ssl is None else 993 if ssl else 143)
    # A context given beside a flag known only at run time is there for the runs with TLS:
    # whether it verifies is what those runs get.
    context = bool(ssl) or (ssl is None and site.has("ssl_context"))
    conn = Connection(
        protocol=Protocol.IMAP,
        library="imapclient",
        host=site.arg("host"),
        port=port,
        tls=Tls.UNKNOWN if ssl is None else Tls.IMPLICIT if ssl else Tls.NONE,
        opened_at=site.span,
        verification=_context(site) if context else V.UNKNOWN,
        opt_out=site.opt_out("ssl_context", V.VERIFIED) if context else None,
        tls_flag=common.flag_name(site.arg("ssl")) if context else "",
        verify_with=_VERIFY_WITH,
    )
    if ssl is not False:
        # ``ssl=self.ssl``: a run where its user turns it off is plain.
        conn.plain_when = common.false_run(site.arg("ssl"))
        conn.tls_flag = conn.tls_flag or common.flag_name(site.arg("ssl"))
    elif site.arg("ssl").origin:
        # ``ssl=use_ssl`` of ``use_ssl=None``: plain by default, a flag callers may set.
        conn.tls_flag = common.flag_name(site.arg("ssl"))
    if conn.verification is V.UNVERIFIED:
        common.set_fix(
            conn.remedies, RemedyKind.VERIFY_TLS, common.verify_context(site, "ssl_context")
        )
    return conn


def _login(conn: Connection, site: CallSite) -> Step:
    step = common.login(site, "username", "password")
    step.span = site.span
    user = site.args.get("username")
    if site.receiver is not None and user is not None and user.source is not None:
        token = edits.token_call(conn.host.value if conn.host.known else None)
        call = f"{site.receiver}.oauth2_login({user.source}, {token})"
        step.remedies[RemedyKind.XOAUTH2] = Remedy(
            (edits.replace(site.span, call),), helpers=(edits.TOKEN_HELPER,)
        )
    return step


def _plain_login(conn: Connection, site: CallSite) -> Step:
    # IMAPClient sends it as ``AUTHENTICATE PLAIN``: a password SASL mechanism, so beside
    # a ``login()`` of the same connection it is one password login, not a second.
    step = _login(conn, site)
    step.mechanism = "PLAIN"
    return step


def _oauth2_login(conn: Connection, site: CallSite) -> Step:
    mechanism = site.arg("mech")
    step = common.token_auth(site, "access_token", site.span)
    if mechanism.known and isinstance(mechanism.value, str):
        step.mechanism = mechanism.value.upper()
    return step


def _sasl_login(conn: Connection, site: CallSite) -> Step:
    if site.qualified_name == "oauthbearer_login":
        return Step(StepKind.AUTH, site.span, mechanism="OAUTHBEARER")
    mechanism = site.arg("mech_name")
    name = str(mechanism.value).upper() if mechanism.known else None
    if name in PASSWORD_MECHANISMS:
        return Step(StepKind.LOGIN, site.span, secret=Value.unknown(f"SASL {name}"), mechanism=name)
    return Step(StepKind.AUTH, site.span, mechanism=name)


_VERIFY_WITH = common.verify_with("ssl_context", "imapclient", Protocol.IMAP)


def _starttls(conn: Connection, site: CallSite) -> Step:
    step = common.starttls(site.span, _context(site), _VERIFY_WITH)
    step.opt_out = site.opt_out("ssl_context", V.VERIFIED)
    if step.verification is V.UNVERIFIED:
        common.set_fix(
            step.remedies, RemedyKind.VERIFY_TLS, common.verify_context(site, "ssl_context")
        )
    return step


_CLIENT = ClientSpec(_PARAMS, _open)
_LOGIN = MethodSpec(("username", "password"), _login)

IMAPCLIENT = Adapter(
    library="imapclient",
    clients={"imapclient.IMAPClient": _CLIENT, "imapclient.imapclient.IMAPClient": _CLIENT},
    methods={
        "login": _LOGIN,
        "plain_login": MethodSpec(("username", "password"), _plain_login),
        "oauth2_login": MethodSpec(("user", "access_token", "mech", "vendor"), _oauth2_login),
        "oauthbearer_login": MethodSpec(("identity", "access_token"), _sasl_login),
        "sasl_login": MethodSpec(("mech_name", "mech_callable"), _sasl_login),
        "starttls": MethodSpec(("ssl_context",), _starttls),
    },
    markers=(b"imapclient",),
    entered_as_client=True,
)
