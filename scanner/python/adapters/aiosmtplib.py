"""aiosmtplib: ``SMTP(...)`` with its ``connect``/``login``/``starttls`` coroutines, and
``aiosmtplib.send(...)``.

Semantics from aiosmtplib's source (FACTS 3.6): keyword arguments only;
``use_tls=True`` is implicit TLS; ``start_tls`` is ``None`` (upgrade when the server
offers STARTTLS, as Microsoft 365 does, from 2.0 on; a project pinning an older release
gets no such upgrade), ``True`` or ``False``; the two together
raise ``ValueError``. The port defaults to 465 with ``use_tls``, 587 with
``start_tls=True``, else 25. Certificates are verified unless ``validate_certs=False``.
Credentials given to the constructor or ``send`` are used by ``connect()`` after the
upgrade; ``oauth_token_generator=`` (5.1+) authenticates with XOAUTH2 instead.
"""

from __future__ import annotations

from ... import hints
from ...model import MISSING, Connection, Protocol, Step, StepKind, Tls, Value
from ...model import Verification as V
from ...remedies import Remedy, RemedyKind
from .. import edits
from . import common, graph_sends
from .base import Adapter, CallSite, ClientSpec, FunctionSpec, MethodSpec

_OPTIONS = (
    "hostname",
    "port",
    "username",
    "password",
    "oauth_token_generator",
    "local_hostname",
    "source_address",
    "timeout",
    "use_tls",
    "start_tls",
    "validate_certs",
    "client_cert",
    "client_key",
    "tls_context",
    "cert_bundle",
    "socket_path",
    "sock",
)


def _verification(site: CallSite) -> V:
    if site.has("tls_context"):
        return site.verification("tls_context", default=_own_context(site))
    return _own_context(site)


def _own_context(site: CallSite) -> V:
    """What aiosmtplib's own context (no ``tls_context``, or ``None``) gives: it verifies
    unless ``validate_certs=False``."""
    validate = common.flag(site.arg("validate_certs"), True)
    return V.UNKNOWN if validate is None else V.VERIFIED if validate else V.UNVERIFIED


def _verify_with(site: CallSite) -> str:
    """AS204's remedy: a verifying ``tls_context``, or no ``validate_certs=False``."""
    if site.has("validate_certs") and not site.has("tls_context"):
        return "drop validate_certs=False (aiosmtplib verifies by default)"
    return common.verify_with("tls_context", "aiosmtplib", Protocol.SMTP)


def _configure(conn: Connection, site: CallSite, *, initial: bool, sends: bool) -> None:
    """Host, port, TLS and credentials as ``SMTP(...)``, ``connect(...)`` or ``send(...)``
    give them; what ``connect`` leaves out keeps the constructor's value."""
    if site.has("hostname") and site.arg("hostname").present:
        conn.host = site.arg("hostname")
    if initial or site.has("validate_certs") or site.has("tls_context"):
        conn.verification = _verification(site)
        conn.verify_with = _verify_with(site)
        conn.opt_out = (
            site.opt_out("tls_context", default=_own_context(site))
            if site.has("tls_context")
            else None
        )
    use_tls = common.flag(site.arg("use_tls"), False)
    start = site.arg("start_tls")
    start_unknown = start is not MISSING and not start.known
    start_tls = None if start is MISSING or start_unknown or start.value is None else start.value
    tls_given = site.has("use_tls") or site.has("start_tls")
    if initial or tls_given:
        conn.steps = [step for step in conn.steps if step.kind is not StepKind.STARTTLS]
        conn.upgrades_unless = ""
        if use_tls and start_tls:
            common.conflict(conn, site.arg_spans.get("start_tls", site.span))
        elif use_tls:
            conn.tls = Tls.IMPLICIT
            conn.tls_flag = common.flag_name(site.arg("use_tls"))
        elif use_tls is None or start_unknown:
            conn.tls = Tls.UNKNOWN
            by_itself = start_tls is None and not start_unknown and _upgrades_by_itself(site)
            if use_tls is None and by_itself:
                # ``use_tls=self.use_ssl``: implicit TLS when true, else the default
                # ``start_tls`` upgrades at ``connect()`` when the server offers it.
                conn.upgrades_unless = common.flag_name(site.arg("use_tls"))
        else:
            conn.tls = Tls.NONE
            # None: upgraded when offered, as Microsoft 365 does (from aiosmtplib 2.0).
            if start_tls or (start_tls is None and _upgrades_by_itself(site)):
                span = site.arg_spans.get("start_tls", site.span)
                conn.steps.append(common.starttls(span, conn.verification, conn.verify_with))
    if site.has("port") and site.arg("port").present:
        conn.port = common.port(site.arg("port"))
    elif initial or (tls_given and conn.port.span is None):
        unknown = use_tls is None or start_unknown
        number = 465 if use_tls else 587 if start_tls else 25
        conn.port = common.default_port(None if unknown else number)
    token = site.has("oauth_token_generator") and site.arg("oauth_token_generator").present
    if token:
        conn.steps.append(common.token_auth(site, "oauth_token_generator"))
    if _logs_in_with_password(site, token):
        step = common.login(site, "username", "password", fallback=Value(True, ""))
        if not token:
            _password_remedy(conn, site, step)
        conn.steps.append(step)
    if sends:
        conn.steps.append(Step(StepKind.SEND, site.span))
    _remedies(conn, site)


def _logs_in_with_password(site: CallSite, token: bool) -> bool:
    """Whether the call may log in with a password. ``password`` and
    ``oauth_token_generator`` are mutually exclusive (aiosmtplib raises when both are
    set): next to a generator that may be None at run time (an attribute, a parameter),
    a password is the other configuration's login; next to a lambda or a function, none."""
    if not (site.has("username") and site.arg("username").present):
        return False
    if not token:
        return True
    given = site.has("password") and site.arg("password").present
    return given and site.callable("oauth_token_generator") is None


# The first release whose ``start_tls`` default upgrades a plain session by itself when
# the server offers STARTTLS (its changelog: "On connect, if the server supports
# STARTTLS, automatically try to upgrade the connection").
OWN_UPGRADE_RELEASE = (2, 0)


def _upgrades_by_itself(site: CallSite) -> bool:
    """Whether the client upgrades by itself: not when the project pins a release before
    2.0 (``aiosmtplib==1.1.6``), whose sessions stay plain until ``starttls()``."""
    return not site.pinned_below("aiosmtplib", OWN_UPGRADE_RELEASE)


def _remedies(conn: Connection, site: CallSite) -> None:
    if conn.tls_conflict is not None:
        keep_implicit = conn.port.known and conn.port.value == 465
        drop = "start_tls" if keep_implicit else "use_tls"
        common.set_remedy(
            conn.remedies, RemedyKind.RESOLVE_TLS_CONFLICT, common.drop_keyword(site, drop)
        )
        return
    if conn.tls is Tls.IMPLICIT and common.written_here(site, "use_tls") is not None:
        # use_tls=True -> start_tls=True: same port, STARTTLS instead of a TLS hello.
        switch = common.switch_keyword(site, "use_tls", "start_tls")
        common.set_remedy(conn.remedies, RemedyKind.USE_STARTTLS, *switch)
        port_span = site.arg_spans.get("port")
        if port_span is None:
            # Without a port, start_tls=True makes aiosmtplib pick 587 itself.
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, *switch)
        else:
            to_587 = edits.replace_literal(site.arg("port"), "587", site.code)
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, *switch, to_587)
    elif conn.tls is Tls.NONE:
        if site.arg_spans.get("port") is not None:
            to_587 = edits.replace_literal(site.arg("port"), "587", site.code)
            common.set_remedy(conn.remedies, RemedyKind.PORT_587, to_587)
        elif site.has_arguments and site.qualified_name != "connect":
            common.set_remedy(
                conn.remedies, RemedyKind.PORT_587, common.keyword(site, "port", "587")
            )
    if conn.verification is V.UNVERIFIED and common.written_here(site, "validate_certs"):
        verify = common.drop_keyword(site, "validate_certs")
        common.set_remedy(conn.remedies, RemedyKind.VERIFY_TLS, verify)
        for step in conn.steps:
            if step.kind is StepKind.STARTTLS:
                common.set_remedy(step.remedies, RemedyKind.VERIFY_TLS, verify)


# oauth_token_generator= and auth_xoauth2() came in aiosmtplib 5.1 (FACTS 3.6).
XOAUTH2_RELEASE = "aiosmtplib>=5.1"


def _password_remedy(conn: Connection, site: CallSite, step: Step) -> None:
    """``password=...`` -> ``oauth_token_generator=...`` with the MSAL helper, run in a thread
    because MSAL blocks (needs aiosmtplib 5.1+)."""
    if not common.keyword_is_written(site, "password"):
        return
    token = edits.token_call(conn.host.value if conn.host.known else None)
    function, _, arguments = token.partition("(")
    arguments = arguments[:-1]
    generator = f"asyncio.to_thread({function}{', ' + arguments if arguments else ''})"
    step.remedies[RemedyKind.XOAUTH2] = Remedy(
        (edits.replace(site.arg_spans["password"], f"oauth_token_generator=lambda: {generator}"),),
        imports=("asyncio",),
        helpers=(edits.TOKEN_HELPER,),
        requires=(XOAUTH2_RELEASE,),
    )


def _open(site: CallSite) -> Connection:
    conn = Connection(
        protocol=Protocol.SMTP,
        library="aiosmtplib",
        host=MISSING,
        port=MISSING,
        tls=Tls.NONE,
        opened_at=site.span,
        oauth_hint=hints.AIOSMTPLIB,
    )
    _configure(conn, site, initial=True, sends=False)
    return conn


def _send(mail, site: CallSite) -> None:
    conn = Connection(
        protocol=Protocol.SMTP,
        library="aiosmtplib",
        host=Value(True, "localhost"),
        port=MISSING,
        tls=Tls.NONE,
        opened_at=site.span,
        oauth_hint=hints.AIOSMTPLIB,
    )
    _configure(conn, site, initial=True, sends=True)
    graph_sends.send_call(conn, site)
    mail.connections.append(conn)


def _connect(conn: Connection, site: CallSite) -> Step | None:
    _configure(conn, site, initial=False, sends=False)
    return None


def _login(conn: Connection, site: CallSite) -> Step:
    step = common.login(site, "username", "password")
    step.span = site.span
    if site.receiver is not None and site.args.get("username", MISSING).source:
        token = edits.token_call(conn.host.value if conn.host.known else None)
        call = f"{site.receiver}.auth_xoauth2({site.args['username'].source}, {token})"
        step.remedies[RemedyKind.XOAUTH2] = Remedy(
            (edits.replace(site.span, call),),
            helpers=(edits.TOKEN_HELPER,),
            requires=(XOAUTH2_RELEASE,),
        )
    return step


def _starttls(conn: Connection, site: CallSite) -> Step:
    # Without a context of its own the upgrade uses the client's (its own unless given).
    if site.has("validate_certs"):
        own = _own_context(site)
    else:
        own = V.VERIFIED if conn.verification is V.UNKNOWN else conn.verification
    verification = site.verification("tls_context", default=own) if site.has("tls_context") else own
    given = site.has("tls_context") or site.has("validate_certs")
    step = common.starttls(
        site.span, verification, _verify_with(site) if given else conn.verify_with
    )
    if site.has("tls_context"):
        step.opt_out = site.opt_out("tls_context", default=own)
    elif verification is conn.verification:
        step.opt_out = conn.opt_out
    return step


def _xoauth2(conn: Connection, site: CallSite) -> Step:
    return common.token_auth(site, "access_token", site.span)


def _ehlo(conn: Connection, site: CallSite) -> Step:
    return Step(StepKind.EHLO, site.span)


def _sends(conn: Connection, site: CallSite) -> Step:
    return Step(StepKind.SEND, site.span)


_LOGIN = MethodSpec(("username", "password"), _login)

AIOSMTPLIB = Adapter(
    library="aiosmtplib",
    clients={
        "aiosmtplib.SMTP": ClientSpec(_OPTIONS, _open),
        "aiosmtplib.smtp.SMTP": ClientSpec(_OPTIONS, _open),
    },
    methods={
        "connect": MethodSpec(_OPTIONS, _connect),
        "login": _LOGIN,
        "auth_login": _LOGIN,
        "auth_plain": _LOGIN,
        "auth_crammd5": _LOGIN,
        "auth_xoauth2": MethodSpec(("username", "access_token"), _xoauth2),
        "starttls": MethodSpec(
            ("server_hostname", "validate_certs", "client_cert", "client_key", "cert_bundle"),
            _starttls,
        ),
        "ehlo": MethodSpec((), _ehlo),
        "helo": MethodSpec((), _ehlo),
        "send_message": MethodSpec(("message",), _sends),
        "sendmail": MethodSpec(("sender", "recipients", "message"), _sends),
    },
    functions={
        "aiosmtplib.send": FunctionSpec(("message", "sender", "recipients", *_OPTIONS), _send),
        "aiosmtplib.api.send": FunctionSpec(("message", "sender", "recipients", *_OPTIONS), _send),
    },
    markers=(b"aiosmtplib",),
)
