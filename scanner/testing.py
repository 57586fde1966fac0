"""A loopback Exchange Online simulator for testing code migrated to OAuth2 (XOAUTH2 + MSAL).

``ExchangeSim`` starts, on 127.0.0.1 only and on ephemeral ports:

* an **SMTP client-submission server** (aiosmtpd, the real protocol) that behaves like
  ``smtp.office365.com:587``: plain greeting, ``STARTTLS`` offered, ``AUTH LOGIN XOAUTH2``
  advertised only after STARTTLS, password logins answered
  ``535 5.7.139 Authentication unsuccessful, basic authentication is disabled.``,
  ``XOAUTH2`` accepted only with a token this simulator issued for the Exchange Online
  resource (``https://outlook.office365.com/.default`` or the sovereign-cloud twin), anything
  else answered ``535 5.7.3 Authentication unsuccessful``, ``MAIL FROM`` without a successful
  AUTH answered ``530 5.7.57 Client not authenticated to send mail``. STARTTLS resets the
  session, so the client must EHLO again before AUTH (``smtplib.SMTP.auth`` does not do that
  itself, takes the ``503 5.5.2 Send hello first`` as success, and MAIL then gets 5.7.57 — the
  Airflow bug). ``MAIL FROM`` must be the XOAUTH2 ``user=`` (``550 5.7.60`` otherwise, see
  ``enforce_send_as``). Implicit TLS is not spoken, so ``SMTP_SSL`` to it fails with an SSL
  error (``WRONG_VERSION_NUMBER``) as against the real port 587. Accepted messages land in
  ``sim.messages``, every AUTH in ``sim.auth_attempts``;
* an **IMAP4rev1 server** on implicit TLS (like ``outlook.office365.com:993``) that answers
  ``LOGIN`` with ``NO LOGIN failed.`` and accepts ``AUTHENTICATE XOAUTH2`` with a valid token
  (just enough for ``imaplib``: CAPABILITY, NOOP, SELECT/EXAMINE INBOX, LOGOUT);
* a **Microsoft identity platform token endpoint** over HTTPS that MSAL's
  ``ConfidentialClientApplication`` talks to unchanged: OIDC discovery, instance discovery and
  the client-credentials grant (client id and secret checked, ``<resource>/.default`` scope
  required). Tokens it issues are recorded in ``sim.issued_tokens``.

All servers share one certificate from a throw-away ``trustme`` CA, valid for the real Microsoft
host names (``smtp.office365.com``, ``login.microsoftonline.com``, ...), so code that verifies
certificates with ``ssl.create_default_context()`` keeps doing so.

Unchanged programs reach the simulator through a generated ``sitecustomize.py`` that patches
``socket.getaddrinfo`` (used by ``socket.create_connection``, smtplib, imaplib, urllib3/requests
and asyncio) so that, e.g., ``smtp.office365.com:587`` resolves to ``127.0.0.1:<sim port>``.
``sim.subprocess_env()`` returns an environment that puts it on ``PYTHONPATH``, trusts the CA
(``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``) and sets ``AZURE_TENANT_ID`` / ``AZURE_CLIENT_ID`` /
``AZURE_CLIENT_SECRET``. By default every other non-loopback name fails to resolve in that
process, so a test can never reach the real Microsoft 365 (or anything else).

Testing your own migrated code (needs ``pip install 'authsweep[test]'``)::

    import subprocess, sys
    from authsweep.scanner.testing import ExchangeSim

    def test_my_mailer_sends_with_oauth(tmp_path):
        with ExchangeSim() as sim:
            proc = subprocess.run([sys.executable, "send_report.py"], env=sim.subprocess_env(),
                                  capture_output=True, text=True, timeout=60)
            assert proc.returncode == 0, proc.stderr
            assert sim.auth_attempts[-1].outcome == "accepted"
            assert sim.messages[0].message["Subject"] == "Daily report"

Before the migration the same script fails as it would against Microsoft (``535 5.7.139``).
``sim.run_python("send_report.py")`` is a shorthand for that ``subprocess.run``; in-process
tests can use ``with sim.redirect(): ...`` instead of a subprocess.

Differences from the real service worth knowing: unmapped ports of the Microsoft hosts (e.g.
465) fail at once with ``socket.gaierror`` instead of timing out; tokens are opaque JWT-shaped
strings that only this simulator accepts; certificate (client-assertion) credentials, delegated
flows and POP3 are not simulated.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import contextlib
import datetime
import email
import email.message
import email.policy
import functools
import inspect
import json
import os
import re
import secrets
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as _AioSMTP
from aiosmtpd.smtp import Envelope, Session

__all__ = [
    "CERT_HOSTNAMES",
    "HOSTS_ENV",
    "SMTP_HOSTS",
    "IMAP_HOSTS",
    "LOGIN_HOSTS",
    "STRICT_ENV",
    "AuthAttempt",
    "DeliveredMessage",
    "ExchangeSim",
    "IssuedToken",
    "TokenRequest",
    "write_sitecustomize",
    "xoauth2_string",
]

# --------------------------------------------------------------------------- constants

SMTP_HOSTS: tuple[str, ...] = (
    "smtp.office365.com",
    "smtp-mail.outlook.com",
    "smtp.office365.us",
    "smtp.partner.outlook.cn",
)
"""SMTP client-submission hosts redirected to the simulator (ports 587 and 25)."""

IMAP_HOSTS: tuple[str, ...] = (
    "outlook.office365.com",
    "outlook.office.com",
    "outlook.office365.us",
    "partner.outlook.cn",
)
"""IMAP hosts redirected to the simulator (port 993)."""

LOGIN_HOSTS: tuple[str, ...] = (
    "login.microsoftonline.com",
    "login.microsoft.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
)
"""Microsoft identity platform hosts redirected to the token endpoint (port 443)."""

CERT_HOSTNAMES: tuple[str, ...] = tuple(
    dict.fromkeys((*SMTP_HOSTS, *IMAP_HOSTS, *LOGIN_HOSTS, "localhost", "127.0.0.1"))
)
"""Every name (and the one IP) the simulator's server certificate is valid for."""

HOSTS_ENV = "AUTHSWEEP_SIM_HOSTS"
"""Env var read by the generated sitecustomize: JSON ``{"host:port": loopback_port}``."""

STRICT_ENV = "AUTHSWEEP_SIM_STRICT"
"""Env var read by the generated sitecustomize: ``"1"`` makes unmapped non-loopback names fail."""

_EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"  # "Office 365 Exchange Online"


@dataclass(frozen=True)
class _Cloud:
    name: str
    login_hosts: tuple[str, ...]
    exchange: tuple[str, ...]  # resources whose tokens Exchange accepts for SMTP/IMAP/POP
    other: tuple[str, ...]  # other well-known resources of this cloud (tokens issued, not valid)


_CLOUDS: tuple[_Cloud, ...] = (
    _Cloud(
        "public",
        ("login.microsoftonline.com", "login.microsoft.com", "login.windows.net"),
        ("https://outlook.office365.com", "https://outlook.office.com", _EXCHANGE_APP_ID),
        ("https://graph.microsoft.com", "https://ps.outlook.com", "https://management.azure.com"),
    ),
    _Cloud(
        "usgov",
        ("login.microsoftonline.us",),
        ("https://outlook.office365.us",),
        ("https://graph.microsoft.us",),
    ),
    _Cloud(
        "china",
        ("login.chinacloudapi.cn", "login.partner.microsoftonline.cn"),
        ("https://partner.outlook.cn",),
        ("https://microsoftgraph.chinacloudapi.cn",),
    ),
)


def _cloud_for_login_host(host: str) -> _Cloud:
    for cloud in _CLOUDS:
        if host in cloud.login_hosts:
            return cloud
    return _CLOUDS[0]  # loopback / unknown host names: behave like the public cloud


def xoauth2_string(user: str, token: str) -> str:
    """The raw SASL XOAUTH2 string (smtplib/imaplib base64-encode it themselves)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class AuthAttempt:
    """One AUTH / LOGIN / AUTHENTICATE seen by the SMTP or IMAP server.

    ``outcome`` is one of ``"accepted"``, ``"basic-auth-disabled"`` (a password login),
    ``"rejected"`` (XOAUTH2 refused; ``detail`` says why: ``token-not-issued``,
    ``double-base64``, ``wrong-audience ...``, ``token-expired``, ``malformed-sasl``,
    ``unknown-mailbox``, ``bad-base64``), ``"unrecognized-mechanism"`` (a mechanism that is not
    advertised, or AUTH before STARTTLS: ``detail == "before-starttls"``) or ``"aborted"``.
    Passwords and tokens are never stored here.
    """

    protocol: str  # "smtp" | "imap"
    mechanism: str
    outcome: str
    reply: str
    user: str | None = None
    detail: str = ""
    tls: bool = True


@dataclass(frozen=True)
class DeliveredMessage:
    """A message accepted by the SMTP server."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    user: str | None  # the XOAUTH2 user= of the session
    tls_version: str | None

    @property
    def message(self) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


@dataclass(frozen=True)
class IssuedToken:
    """An access token minted by the token endpoint (or ``ExchangeSim.issue_token``)."""

    access_token: str
    client_id: str
    tenant: str
    scope: str
    resource: str
    authority_host: str
    cloud: str
    issued_at: float
    expires_at: float

    @property
    def valid_for_exchange(self) -> bool:
        return self.resource in _cloud_by_name(self.cloud).exchange


def _cloud_by_name(name: str) -> _Cloud:
    return next(c for c in _CLOUDS if c.name == name)


@dataclass(frozen=True)
class TokenRequest:
    """One POST to the token endpoint, successful or not (the secret is not stored)."""

    authority_host: str
    tenant: str
    grant_type: str
    client_id: str
    scope: str
    status: int
    error: str | None
    error_description: str | None = None


# --------------------------------------------------------------------------- name resolution


def _make_getaddrinfo(
    original: Callable[..., Any], mapping: Mapping[str, int], strict: bool
) -> Callable[..., Any]:
    """Wrap ``socket.getaddrinfo`` so ``host:port`` pairs in ``mapping`` go to 127.0.0.1.

    Self-contained on purpose: its source is copied into the generated sitecustomize.py.
    """
    import ipaddress
    import socket as _socket

    known_hosts = {key.rsplit(":", 1)[0] for key in mapping}

    def _is_local(name: str) -> bool:
        if name in ("localhost", "") or name.endswith(".localhost"):
            return True
        try:
            address = ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            return False
        return address.is_loopback or address.is_unspecified

    def getaddrinfo(
        host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> Any:
        if host is None:
            return original(host, port, family, type, proto, flags)
        name = host.decode("idna") if isinstance(host, bytes) else str(host)
        name = name.lower().rstrip(".")
        number: int | None
        if isinstance(port, bytes):
            port = port.decode()
        try:
            number = int(port) if port is not None else None
        except (TypeError, ValueError):
            try:
                number = _socket.getservbyname(str(port), "tcp")
            except OSError:
                number = None
        target = mapping.get(f"{name}:{number}")
        if target is not None:
            return original("127.0.0.1", int(target), _socket.AF_INET, type, proto, flags)
        if strict and not _is_local(name):
            if name in known_hosts:
                why = f"the simulator serves no port {port} on {name} (the real service times out)"
            else:
                why = "only the Microsoft 365 host names it simulates resolve in this process"
            raise _socket.gaierror(
                _socket.EAI_NONAME, f"authsweep Exchange simulator: {host}:{port}: {why}"
            )
        return original(host, port, family, type, proto, flags)

    getaddrinfo.__authsweep_sim__ = True  # type: ignore[attr-defined]
    return getaddrinfo


_SITECUSTOMIZE_HEAD = '''\
"""Generated by authsweep.scanner.testing.write_sitecustomize; safe to delete.

When the {hosts_env} environment variable holds a JSON object {{"host:port": loopback_port}},
socket.getaddrinfo is patched so those names reach the authsweep Exchange simulator on
127.0.0.1. With {strict_env}=1 any other non-loopback name fails to resolve (offline tests).
Any other sitecustomize module found further down sys.path is then run as well.
"""
from __future__ import annotations

import json as _json
import os as _os
import socket as _socket
from collections.abc import Callable, Mapping
from typing import Any


'''

_SITECUSTOMIZE_TAIL = """

def _authsweep_install() -> None:
    raw = _os.environ.get({hosts_env!r})
    if not raw:
        return
    if getattr(_socket.getaddrinfo, "__authsweep_sim__", False):
        return
    mapping = {{str(k).lower(): int(v) for k, v in _json.loads(raw).items()}}
    strict = _os.environ.get({strict_env!r}, "1") == "1"
    _socket.getaddrinfo = _make_getaddrinfo(_socket.getaddrinfo, mapping, strict)


def _authsweep_chain() -> None:
    import importlib.machinery
    import importlib.util
    import sys

    here = _os.path.dirname(_os.path.abspath(__file__))
    rest = [p for p in sys.path if _os.path.abspath(p or _os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None or spec.origin == __file__:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_authsweep_install()
_authsweep_chain()
"""


def write_sitecustomize(directory: str | os.PathLike[str]) -> Path:
    """Write the name-redirecting ``sitecustomize.py`` into ``directory``; return its path.

    Put ``directory`` first on ``PYTHONPATH`` of a Python process and set :data:`HOSTS_ENV`
    (and optionally :data:`STRICT_ENV`); ``ExchangeSim.subprocess_env`` does both. It has no
    effect when the interpreter runs with ``-S``, ``-I`` or ``-E``.
    """
    path = Path(directory) / "sitecustomize.py"
    names = {"hosts_env": HOSTS_ENV, "strict_env": STRICT_ENV}
    source = (
        _SITECUSTOMIZE_HEAD.format(**names)
        + inspect.getsource(_make_getaddrinfo)
        + _SITECUSTOMIZE_TAIL.format(**names)
    )
    path.write_text(source, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- SMTP

_SMTP_OK_BEFORE_TLS = frozenset({"EHLO", "HELO", "STARTTLS", "NOOP", "QUIT", "RSET", "HELP"})
_REPLY_BASIC_DISABLED = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
_REPLY_XOAUTH2_FAILED = "535 5.7.3 Authentication unsuccessful"
_REPLY_AUTH_OK = "235 2.7.0 Authentication successful"
_REPLY_NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail"
_REPLY_UNRECOGNIZED = "504 5.7.4 Unrecognized authentication type"
_REPLY_SEND_AS = "550 5.7.60 SMTP; Client does not have permissions to send as this sender"
_SMTP_SIZE = 157286400
_XOAUTH2_RE = re.compile(rb"user=([^\x01]+)\x01auth=Bearer ([^\x01\s]+)\x01\x01\Z")


class _ExchangeSMTP(_AioSMTP):
    """aiosmtpd's SMTP session with Exchange Online's client-submission behaviour."""

    # An XOAUTH2 line carries a JWT: 2-4 KB of base64 against aiosmtpd's 512/1001 defaults.
    line_length_limit = 32768

    def __init__(self, handler: _SMTPHandler, *, sim: ExchangeSim, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sim = sim
        self.command_size_limit = 16384  # also before EHLO, so AUTH gets "503 ... hello first"
        limits: dict[str, int] = {"AUTH": 16384, "MAIL": 1024, "RCPT": 1024}
        self.command_size_limits = collections.defaultdict(lambda: 512, limits)
        # Gate every command that Exchange refuses before STARTTLS (our own replies instead of
        # aiosmtpd's require_starttls, whose reply is a fixed "530 Must issue a STARTTLS ...").
        for name, method in list(self._smtp_methods.items()):
            if name not in _SMTP_OK_BEFORE_TLS:
                self._smtp_methods[name] = self._tls_gate(name, method)

    def _tls_gate(
        self, name: str, method: Callable[[str | None], Any]
    ) -> Callable[[str | None], Any]:
        @functools.wraps(method)
        async def gated(arg: str | None) -> None:
            if self._tls_protocol is None:
                if name == "AUTH":
                    mechanism = (arg or "").split(" ", 1)[0].upper()
                    self._sim._record(
                        AuthAttempt(
                            "smtp",
                            mechanism,
                            "unrecognized-mechanism",
                            _REPLY_UNRECOGNIZED,
                            detail="before-starttls",
                            tls=False,
                        )
                    )
                    await self.push(_REPLY_UNRECOGNIZED)
                else:
                    await self.push(_REPLY_NOT_AUTHENTICATED)
                return
            await method(arg)

        return gated

    @property
    def _mechanisms(self) -> list[str]:
        return ["LOGIN", "PLAIN", "XOAUTH2"] if self._sim.advertise_plain else ["LOGIN", "XOAUTH2"]

    def _peer_ip(self) -> str:
        peer = self.session.peer if self.session is not None else None
        return str(peer[0]) if isinstance(peer, tuple) and peer else "127.0.0.1"

    async def smtp_EHLO(self, hostname: str) -> None:
        if not hostname:
            await self.push("501 5.5.4 Invalid domain name")
            return
        self._set_rset_state()
        assert self.session is not None
        self.session.extended_smtp = True
        self.session.host_name = hostname
        lines = [
            f"{self.hostname} Hello [{self._peer_ip()}]",
            f"SIZE {_SMTP_SIZE}",
            "PIPELINING",
            "ENHANCEDSTATUSCODES",
        ]
        if self._tls_protocol is None:
            lines.append("STARTTLS")
        else:
            lines.append("AUTH " + " ".join(self._mechanisms))
        lines += ["8BITMIME", "SMTPUTF8"]
        for line in lines[:-1]:
            await self.push("250-" + line)
        await self.push("250 " + lines[-1])

    async def smtp_STARTTLS(self, arg: str) -> None:
        if self._tls_protocol is not None:
            await self.push("503 5.5.2 Only one STARTTLS command can be issued per session")
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg: str | None) -> None:
        assert self.session is not None
        if not self.session.host_name or not self.session.extended_smtp:
            await self.push("503 5.5.2 Send hello first")
            return
        if self.session.authenticated:
            await self.push("503 5.5.2 Already authenticated")
            return
        if not arg:
            await self.push("501 5.5.4 Invalid arguments")
            return
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        initial = initial.strip()
        if mechanism not in self._mechanisms:
            self._record(mechanism, "unrecognized-mechanism", _REPLY_UNRECOGNIZED)
            await self.push(_REPLY_UNRECOGNIZED)
        elif mechanism == "XOAUTH2":
            await self._auth_xoauth2(initial)
        else:
            await self._auth_basic(mechanism, initial)

    def _record(
        self, mechanism: str, outcome: str, reply: str, user: str | None = None, detail: str = ""
    ) -> None:
        self._sim._record(AuthAttempt("smtp", mechanism, outcome, reply, user, detail, True))

    async def _read_response(self, mechanism: str, challenge: bytes) -> bytes | None:
        """Send ``334 <challenge>`` and return the decoded answer (None: aborted, replied)."""
        await self.push(b"334 " + challenge)
        try:
            line = await self._reader.readline()
        except asyncio.CancelledError:  # the client hung up in the middle of AUTH
            self._record(mechanism, "aborted", "", detail="connection closed")
            raise
        if not line and self._reader.at_eof():
            return None
        blob = line.strip()
        if blob == b"*":
            await self.push("501 5.7.0 Authentication aborted")
            return None
        try:
            return base64.b64decode(blob, validate=True)
        except binascii.Error:
            await self.push("501 5.5.2 Cannot Decode response")
            return None

    async def _auth_basic(self, mechanism: str, initial: str) -> None:
        user: str | None = None
        if mechanism == "LOGIN":
            if initial:
                user = _b64_text(initial)
            else:
                answer = await self._read_response(mechanism, base64.b64encode(b"Username:"))
                if answer is None:
                    self._record(mechanism, "aborted", "")
                    return
                user = answer.decode("utf-8", "replace")
            if await self._read_response(mechanism, base64.b64encode(b"Password:")) is None:
                self._record(mechanism, "aborted", "", user)
                return
        else:  # PLAIN
            raw = _b64_bytes(initial) if initial else await self._read_response(mechanism, b"")
            if raw is None:
                self._record(mechanism, "aborted", "")
                return
            parts = raw.split(b"\x00")
            user = parts[1].decode("utf-8", "replace") if len(parts) == 3 else None
        self._record(mechanism, "basic-auth-disabled", _REPLY_BASIC_DISABLED, user)
        await self.push(_REPLY_BASIC_DISABLED)

    async def _auth_xoauth2(self, initial: str) -> None:
        if initial:
            if initial == "=":
                raw: bytes | None = b""
            else:
                try:
                    raw = base64.b64decode(initial, validate=True)
                except binascii.Error:
                    self._record("XOAUTH2", "rejected", _REPLY_XOAUTH2_FAILED, detail="bad-base64")
                    await self.push(_REPLY_XOAUTH2_FAILED)
                    return
        else:
            raw = await self._read_response("XOAUTH2", b"")
            if raw is None:
                self._record("XOAUTH2", "aborted", "")
                return
        verdict = self._sim._check_xoauth2(raw)
        assert self.session is not None
        if verdict.ok:
            self.session.authenticated = True
            self.session.auth_data = verdict.user
            self._record("XOAUTH2", "accepted", _REPLY_AUTH_OK, verdict.user, verdict.detail)
            await self.push(_REPLY_AUTH_OK)
        else:
            self._record("XOAUTH2", "rejected", _REPLY_XOAUTH2_FAILED, verdict.user, verdict.detail)
            await self.push(_REPLY_XOAUTH2_FAILED)

    async def smtp_MAIL(self, arg: str | None) -> None:
        assert self.session is not None
        if not self.session.authenticated:
            await self.push(_REPLY_NOT_AUTHENTICATED)
            return
        if self._sim.enforce_send_as and arg:
            stripped = self._strip_command_keyword("FROM:", arg)
            address = self._getaddr(stripped)[0] if stripped is not None else None
            user = str(self.session.auth_data or "")
            if address and address.lower() != user.lower():
                await self.push(_REPLY_SEND_AS)
                return
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        assert self.session is not None
        if not self.session.authenticated:
            await self.push(_REPLY_NOT_AUTHENTICATED)
            return
        await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg: str) -> None:
        assert self.session is not None
        if not self.session.authenticated:
            await self.push(_REPLY_NOT_AUTHENTICATED)
            return
        await super().smtp_DATA(arg)


def _b64_bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def _b64_text(text: str) -> str | None:
    raw = _b64_bytes(text)
    return None if raw is None else raw.decode("utf-8", "replace")


class _SMTPHandler:
    def __init__(self, sim: ExchangeSim) -> None:
        self._sim = sim

    async def handle_DATA(self, server: _AioSMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        tls_version: str | None = None
        if session.ssl:
            ssl_object = session.ssl.get("ssl_object")
            tls_version = ssl_object.version() if ssl_object is not None else None
        message = DeliveredMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=content,
            user=str(session.auth_data) if session.auth_data is not None else None,
            tls_version=tls_version,
        )
        with self._sim._lock:
            self._sim.messages.append(message)
        internal = secrets.randbelow(10**12)
        return (
            f"250 2.6.0 <{uuid.uuid4()}@{server.hostname}> "
            f"[InternalId={internal}, Hostname={server.hostname}] Queued mail for delivery"
        )

    async def handle_QUIT(self, server: _AioSMTP, session: Session, envelope: Envelope) -> str:
        return "221 2.0.0 Service closing transmission channel"


class _SMTPController(Controller):
    def __init__(self, sim: ExchangeSim, tls_context: ssl.SSLContext) -> None:
        hostname = "SIM0PR01MB0001.namprd01.prod.outlook.com"
        ident = "Microsoft ESMTP MAIL Service ready at " + format_datetime(
            datetime.datetime.now(datetime.timezone.utc)
        )
        super().__init__(
            _SMTPHandler(sim),
            hostname="127.0.0.1",
            port=0,
            server_hostname=hostname,
            ident=ident,
            tls_context=tls_context,
            require_starttls=False,  # enforced by _ExchangeSMTP with Exchange's replies
            auth_require_tls=True,
            data_size_limit=_SMTP_SIZE,
            enable_SMTPUTF8=True,
            timeout=60,
        )
        self._sim = sim

    def factory(self) -> _ExchangeSMTP:
        return _ExchangeSMTP(self.handler, sim=self._sim, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


# --------------------------------------------------------------------------- TLS socket servers


class _TLSServerMixin:
    """Accept on loopback, TLS handshake in the worker thread, close clients on stop."""

    tls_context: ssl.SSLContext
    socket: socket.socket

    def _init_tls(self, tls_context: ssl.SSLContext) -> None:
        self.tls_context = tls_context
        self._clients: set[ssl.SSLSocket] = set()
        self._clients_lock = threading.Lock()

    def get_request(self) -> tuple[ssl.SSLSocket, Any]:
        raw, address = self.socket.accept()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls
        wrapped = self.tls_context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        with self._clients_lock:
            self._clients.add(wrapped)
        return wrapped, address

    def shutdown_request(self, request: Any) -> None:
        with self._clients_lock:
            self._clients.discard(request)
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_RDWR)
        request.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up or failing the handshake is not the simulator's problem

    def close_clients(self) -> None:
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)


class _HTTPSServer(_TLSServerMixin, ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, sim: ExchangeSim, tls_context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _TokenHandler)
        self._init_tls(tls_context)
        self.sim = sim


class _IMAPServer(_TLSServerMixin, socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, sim: ExchangeSim, tls_context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _IMAPHandler)
        self._init_tls(tls_context)
        self.sim = sim


# --------------------------------------------------------------------------- token endpoint


def _aad_error(status: int, error: str, code: int, text: str) -> tuple[int, dict[str, Any]]:
    now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    return status, {
        "error": error,
        "error_description": f"AADSTS{code}: {text} Trace ID: {uuid.uuid4()} "
        f"Correlation ID: {uuid.uuid4()} Timestamp: {now}",
        "error_codes": [code],
        "timestamp": now,
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }


class _TokenHandler(BaseHTTPRequestHandler):
    server: _HTTPSServer
    server_version = "authsweep-exchange-sim"
    sys_version = ""
    timeout = 10

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _host(self) -> tuple[str, str]:
        """(Host header as sent, host name without port, lower case)."""
        header = self.headers.get("Host") or "login.microsoftonline.com"
        name = header.rsplit(":", 1)[0] if not header.startswith("[") else header
        return header, name.lower()

    def _send_json(self, status: int, body: Mapping[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store, no-cache")
        self.end_headers()
        self.wfile.write(payload)

    def _log_request(self) -> None:
        with self.server.sim._lock:
            self.server.sim.http_requests.append(
                (self.command, self.headers.get("Host") or "", self.path)
            )

    def do_GET(self) -> None:
        self._log_request()
        sim = self.server.sim
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        header, _name = self._host()
        if parts == ["common", "discovery", "instance"]:
            self._send_json(200, _instance_discovery(header, query))
            return
        if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            tenant = parts[0]
            canonical = sim._canonical_tenant(tenant)
            if canonical is None:
                self._send_json(
                    *_aad_error(
                        400,
                        "invalid_tenant",
                        90002,
                        f"Tenant '{tenant}' not found. Check to make sure you have the correct "
                        "tenant ID and are signing into the correct cloud.",
                    )
                )
                return
            self._send_json(200, sim._openid_configuration(header, canonical))
            return
        self.send_error(404)

    def do_POST(self) -> None:
        self._log_request()
        sim = self.server.sim
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            self.send_error(404)
            return
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic ") and "client_secret" not in form:
            decoded = _b64_text(basic[6:]) or ":"
            from urllib.parse import unquote_plus

            client_id, _, client_secret = decoded.partition(":")
            form.setdefault("client_id", unquote_plus(client_id))
            form["client_secret"] = unquote_plus(client_secret)
        _header, name = self._host()
        status, response = sim._token_request(name, parts[0], form)
        self._send_json(status, response)


def _instance_discovery(host_header: str, query: Mapping[str, list[str]]) -> dict[str, Any]:
    authorize = urlsplit((query.get("authorization_endpoint") or [""])[-1])
    netloc = authorize.netloc or host_header  # the authority being validated
    path = [p for p in authorize.path.split("/") if p]
    tenant = path[0] if path else "common"
    host = netloc.rsplit(":", 1)[0]
    return {
        "tenant_discovery_endpoint": (
            f"https://{netloc}/{tenant}/v2.0/.well-known/openid-configuration"
        ),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --------------------------------------------------------------------------- IMAP

_IMAP_CAPABILITY = (
    "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE "
    "NAMESPACE LITERAL+"
)


class _IMAPHandler(socketserver.StreamRequestHandler):
    server: _IMAPServer
    timeout = 30

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def _send(self, line: str) -> None:
        self.wfile.write(line.encode("utf-8") + b"\r\n")
        self.wfile.flush()

    def _readline(self) -> bytes | None:
        line = self.rfile.readline(65536)
        return line if line else None

    def _record(
        self, mechanism: str, outcome: str, reply: str, user: str | None = None, detail: str = ""
    ) -> None:
        self.server.sim._record(AuthAttempt("imap", mechanism, outcome, reply, user, detail))

    def handle(self) -> None:
        self._send(
            "* OK The Microsoft Exchange IMAP4 service is ready. "
            f"[{base64.b64encode(b'SIM0PR01CA0001.outlook.office365.com').decode()}]"
        )
        user: str | None = None
        selected = False
        while True:
            line = self._readline()
            if line is None:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = text.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if not tag or not command:
                self._send(f"{tag or '*'} BAD Command Error. 10")
            elif command == "CAPABILITY":
                self._send(f"* CAPABILITY {_IMAP_CAPABILITY}")
                self._send(f"{tag} OK CAPABILITY completed.")
            elif command == "NOOP":
                self._send(f"{tag} OK NOOP completed.")
            elif command == "LOGOUT":
                self._send("* BYE Microsoft Exchange Server IMAP4 server signing off.")
                self._send(f"{tag} OK LOGOUT completed.")
                return
            elif command == "LOGIN":
                login = args.split(" ", 1)[0].strip('"') or None
                reply = f"{tag} NO LOGIN failed."
                self._record("LOGIN", "basic-auth-disabled", reply[len(tag) + 1 :], login)
                self._send(reply)
            elif command == "AUTHENTICATE":
                if user is not None:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                    continue
                user = self._authenticate(tag, args)
            elif command in ("SELECT", "EXAMINE"):
                if user is None:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                elif args.strip().strip('"').upper() != "INBOX":
                    self._send(f"{tag} NO Mailbox doesn't exist: {args.strip()}")
                else:
                    selected = True
                    mode = "READ-WRITE" if command == "SELECT" else "READ-ONLY"
                    for untagged in (
                        "* 0 EXISTS",
                        "* 0 RECENT",
                        r"* FLAGS (\Seen \Answered \Flagged \Deleted \Draft $MDNSent)",
                        r"* OK [PERMANENTFLAGS (\Seen \Answered \Flagged \Deleted \Draft "
                        r"$MDNSent)] Permanent flags",
                        "* OK [UIDVALIDITY 14] UIDVALIDITY value",
                        "* OK [UIDNEXT 1] The next unique identifier value",
                    ):
                        self._send(untagged)
                    self._send(f"{tag} OK [{mode}] {command} completed.")
            elif command in ("CLOSE", "UNSELECT"):
                if not selected:
                    self._send(f"{tag} BAD Command received in Invalid state.")
                else:
                    selected = False
                    self._send(f"{tag} OK {command} completed.")
            else:
                self._send(f"{tag} BAD Command Error. 12")

    def _authenticate(self, tag: str, args: str) -> str | None:
        mechanism, _, initial = args.strip().partition(" ")
        mechanism = mechanism.upper()
        failed = f"{tag} NO AUTHENTICATE failed."
        if mechanism not in ("XOAUTH2", "PLAIN"):
            self._record(mechanism, "unrecognized-mechanism", failed[len(tag) + 1 :])
            self._send(failed)
            return None
        if initial:
            blob = initial.encode()
        else:
            self._send("+ ")
            line = self._readline()
            if line is None:
                self._record(mechanism, "aborted", "")
                return None
            blob = line.strip()
        if blob == b"*":
            self._record(mechanism, "aborted", "")
            self._send(f"{tag} BAD Command Argument Error. 12")
            return None
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error:
            self._record(mechanism, "rejected", failed[len(tag) + 1 :], detail="bad-base64")
            self._send(failed)
            return None
        if mechanism == "PLAIN":
            parts = raw.split(b"\x00")
            login = parts[1].decode("utf-8", "replace") if len(parts) == 3 else None
            self._record("PLAIN", "basic-auth-disabled", failed[len(tag) + 1 :], login)
            self._send(failed)
            return None
        verdict = self.server.sim._check_xoauth2(raw)
        if not verdict.ok:
            self._record(
                "XOAUTH2", "rejected", failed[len(tag) + 1 :], verdict.user, verdict.detail
            )
            self._send(failed)
            return None
        ok = f"{tag} OK AUTHENTICATE completed."
        self._record("XOAUTH2", "accepted", ok[len(tag) + 1 :], verdict.user, verdict.detail)
        self._send(ok)
        return verdict.user


# --------------------------------------------------------------------------- the simulator


@dataclass(frozen=True)
class _Verdict:
    ok: bool
    user: str | None
    detail: str


@dataclass(eq=False)
class ExchangeSim:
    """Loopback Exchange Online (SMTP submission, IMAP, token endpoint); see the module doc.

    Use as a context manager (or ``start()`` / ``stop()``). Records are appended from server
    threads; read them after the client under test has finished. ``reset()`` clears them.
    """

    tenant_id: str = "5b2a7c3e-0d4f-4a61-9c1e-7f00d5a1e5a1"
    client_id: str = "8c1f6a2d-3b4e-4f50-a6b7-c8d9e0f1a2b3"
    client_secret: str = field(default="sim-client-secret-not-a-real-one", repr=False)
    tenant_domain: str = "contoso.onmicrosoft.com"
    mailboxes: Sequence[str] | None = None
    """If set, XOAUTH2 ``user=`` must be one of these (case-insensitive); else any address."""
    enforce_send_as: bool = True
    """Refuse ``MAIL FROM`` other than the XOAUTH2 user with ``550 5.7.60`` (as Exchange does)."""
    advertise_plain: bool = False
    """Exchange advertises ``AUTH LOGIN XOAUTH2``; True adds PLAIN (then also 535 5.7.139)."""
    imap: bool = True
    strict_dns: bool = True
    """In redirected processes, make every other non-loopback host name fail to resolve."""
    token_lifetime: int = 3599

    messages: list[DeliveredMessage] = field(default_factory=list, init=False, repr=False)
    auth_attempts: list[AuthAttempt] = field(default_factory=list, init=False, repr=False)
    issued_tokens: list[IssuedToken] = field(default_factory=list, init=False, repr=False)
    token_requests: list[TokenRequest] = field(default_factory=list, init=False, repr=False)
    http_requests: list[tuple[str, str, str]] = field(default_factory=list, init=False, repr=False)
    """(method, Host header, path) of every HTTPS request to the token endpoint."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {}
        self._dir: Path | None = None
        self._smtp: _SMTPController | None = None
        self._servers: list[tuple[_HTTPSServer | _IMAPServer, threading.Thread]] = []
        self.ca: trustme.CA | None = None
        self.smtp_port = 0
        self.imap_port = 0
        self.https_port = 0

    # ----------------------------------------------------------------- lifecycle

    def __enter__(self) -> ExchangeSim:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._dir is not None

    def start(self) -> ExchangeSim:
        if self.running:
            raise RuntimeError("ExchangeSim is already running")
        self._dir = Path(tempfile.mkdtemp(prefix="authsweep-exchange-sim-"))
        try:
            self.ca = trustme.CA(organization_name="authsweep Exchange simulator")
            server_cert = self.ca.issue_cert(*CERT_HOSTNAMES)
            self.ca.cert_pem.write_to_path(str(self.ca_pem_path))
            write_sitecustomize(self._dir)
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.minimum_version = ssl.TLSVersion.TLSv1_2  # Exchange refuses TLS 1.0/1.1
            server_cert.configure_cert(tls)

            self._smtp = _SMTPController(self, tls)
            self._smtp.start()
            self.smtp_port = int(self._smtp.port)

            self.https_port = self._serve(_HTTPSServer(self, tls), "authsweep-sim-https")
            if self.imap:
                self.imap_port = self._serve(_IMAPServer(self, tls), "authsweep-sim-imap")
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self, server: _HTTPSServer | _IMAPServer, name: str) -> int:
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        try:
            thread.start()
        except BaseException:
            server.server_close()
            raise
        self._servers.append((server, thread))
        return int(server.server_address[1])

    def stop(self) -> None:
        """Stop every server, join their threads, delete the temporary files. Idempotent."""
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.stop()
            self._smtp = None
        for server, thread in self._servers:
            server.shutdown()  # returns once serve_forever has left its loop
            server.close_clients()
            server.server_close()  # closes the listener, joins the per-connection threads
            thread.join(timeout=5)
        self._servers.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def reset(self) -> None:
        """Empty every record list (tokens already issued stay valid)."""
        with self._lock:
            self.messages.clear()
            self.auth_attempts.clear()
            self.token_requests.clear()
            self.issued_tokens.clear()
            self.http_requests.clear()

    # ----------------------------------------------------------------- wiring for clients

    @property
    def ca_pem_path(self) -> Path:
        """PEM file of the CA that signed the servers' certificate."""
        if self._dir is None:
            raise RuntimeError("ExchangeSim is not running")
        return self._dir / "exchange-sim-ca.pem"

    @property
    def sitecustomize_dir(self) -> Path:
        if self._dir is None:
            raise RuntimeError("ExchangeSim is not running")
        return self._dir

    @property
    def host_map(self) -> dict[str, int]:
        """``{"host:port": loopback_port}`` for every redirected Microsoft endpoint."""
        if not self.running:
            raise RuntimeError("ExchangeSim is not running")
        mapping: dict[str, int] = {}
        for host in SMTP_HOSTS:
            mapping[f"{host}:587"] = self.smtp_port
            mapping[f"{host}:25"] = self.smtp_port
        if self.imap_port:
            for host in IMAP_HOSTS:
                mapping[f"{host}:993"] = self.imap_port
        for host in LOGIN_HOSTS:
            mapping[f"{host}:443"] = self.https_port
        return mapping

    def subprocess_env(
        self, base_env: Mapping[str, str] | None = None, *, authority_host: str | None = None
    ) -> dict[str, str]:
        """Environment for a Python subprocess whose mail and token traffic reaches the sim.

        Starts from ``base_env`` (default ``os.environ``); prepends the sitecustomize directory to
        ``PYTHONPATH``; sets the host map, ``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE`` /
        ``CURL_CA_BUNDLE`` (the CA PEM), ``AZURE_TENANT_ID`` / ``AZURE_CLIENT_ID`` /
        ``AZURE_CLIENT_SECRET``; removes proxy settings and MSAL region overrides;
        ``AZURE_AUTHORITY_HOST`` is set to ``authority_host`` or removed.
        """
        env = dict(os.environ if base_env is None else base_env)
        for key in list(env):
            if key.lower() in ("http_proxy", "https_proxy", "all_proxy"):
                del env[key]
        for key in ("MSAL_FORCE_REGION", "REGION_NAME", "AZURE_AUTHORITY_HOST"):
            env.pop(key, None)
        env["NO_PROXY"] = env["no_proxy"] = "*"
        paths = [str(self.sitecustomize_dir)]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env[HOSTS_ENV] = json.dumps(self.host_map)
        env[STRICT_ENV] = "1" if self.strict_dns else "0"
        ca = str(self.ca_pem_path)
        env["SSL_CERT_FILE"] = env["REQUESTS_CA_BUNDLE"] = env["CURL_CA_BUNDLE"] = ca
        env["AZURE_TENANT_ID"] = self.tenant_id
        env["AZURE_CLIENT_ID"] = self.client_id
        env["AZURE_CLIENT_SECRET"] = self.client_secret
        if authority_host:
            env["AZURE_AUTHORITY_HOST"] = authority_host
        return env

    def run_python(
        self,
        *args: str,
        timeout: float = 60,
        cwd: str | os.PathLike[str] | None = None,
        base_env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``sys.executable *args`` with :meth:`subprocess_env`; capture text output."""
        return subprocess.run(
            [sys.executable, *args],
            env=self.subprocess_env(base_env),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    @contextlib.contextmanager
    def redirect(self) -> Iterator[None]:
        """Redirect this process (``socket.getaddrinfo``, CA and proxy env vars) while active.

        Not thread-safe with respect to other code changing those globals at the same time.
        The ``AZURE_*`` variables are set too, as in :meth:`subprocess_env`.
        """
        env = self.subprocess_env()
        keys = [
            "SSL_CERT_FILE",
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "NO_PROXY",
            "no_proxy",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
        ]
        removed = [k for k in os.environ if k not in env and k != "PYTHONPATH"]
        saved = {k: os.environ.get(k) for k in [*keys, *removed]}
        original = socket.getaddrinfo
        socket.getaddrinfo = _make_getaddrinfo(original, self.host_map, self.strict_dns)
        try:
            for key in removed:
                os.environ.pop(key, None)
            for key in keys:
                os.environ[key] = env[key]
            yield
        finally:
            socket.getaddrinfo = original
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only the simulator's CA."""
        return ssl.create_default_context(cafile=str(self.ca_pem_path))

    # ----------------------------------------------------------------- tokens

    def issue_token(
        self,
        scope: str = "https://outlook.office365.com/.default",
        *,
        authority_host: str = "login.microsoftonline.com",
        client_id: str | None = None,
        lifetime: int | None = None,
    ) -> str:
        """Mint a token directly (no HTTP), as the token endpoint would for ``scope``."""
        cloud = _cloud_for_login_host(authority_host)
        resource = scope.rsplit("/.default", 1)[0].rstrip("/")
        return self._mint(
            client_id or self.client_id,
            self.tenant_id,
            scope,
            resource,
            authority_host,
            cloud,
            self.token_lifetime if lifetime is None else lifetime,
        ).access_token

    def _mint(
        self,
        client_id: str,
        tenant: str,
        scope: str,
        resource: str,
        authority_host: str,
        cloud: _Cloud,
        lifetime: int,
    ) -> IssuedToken:
        now = time.time()
        roles = (
            ["SMTP.SendAsApp", "IMAP.AccessAsApp", "POP.AccessAsApp"]
            if resource in cloud.exchange
            else ["Mail.Send"]
        )
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{tenant}/",
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now + lifetime),
            "appid": client_id,
            "app_displayname": "authsweep exchange simulator",
            "idtyp": "app",
            "oid": str(uuid.uuid4()),
            "roles": roles,
            "tid": tenant,
            "uti": _b64url(secrets.token_bytes(16)),
            "ver": "1.0",
        }
        header = {"typ": "JWT", "alg": "RS256", "kid": "authsweep-sim"}
        token = ".".join(
            (
                _b64url(json.dumps(header).encode()),
                _b64url(json.dumps(claims).encode()),
                _b64url(secrets.token_bytes(64)),
            )
        )
        issued = IssuedToken(
            access_token=token,
            client_id=client_id,
            tenant=tenant,
            scope=scope,
            resource=resource,
            authority_host=authority_host,
            cloud=cloud.name,
            issued_at=now,
            expires_at=now + lifetime,
        )
        with self._lock:
            self._tokens[token] = issued
            self.issued_tokens.append(issued)
        return issued

    def _canonical_tenant(self, tenant: str) -> str | None:
        lowered = tenant.lower()
        if lowered in (self.tenant_id.lower(), self.tenant_domain.lower()):
            return self.tenant_id
        if lowered in ("common", "organizations"):
            return lowered
        return None

    def _openid_configuration(self, host_header: str, tenant: str) -> dict[str, Any]:
        base = f"https://{host_header}/{tenant}"
        issuer_tenant = "{tenantid}" if tenant in ("common", "organizations") else tenant
        cloud = _cloud_for_login_host(host_header.rsplit(":", 1)[0].lower())
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"https://{host_header}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "cloud_instance_name",
                "cloud_instance_host_name",
                "cloud_graph_host_name",
                "msgraph_host",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "NA",
            "cloud_instance_name": {
                "public": "microsoftonline.com",
                "usgov": "microsoftonline.us",
                "china": "partner.microsoftonline.cn",
            }[cloud.name],
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def _token_request(
        self, authority_host: str, tenant: str, form: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        scope = form.get("scope", "")
        status, body = self._token_response(authority_host, tenant, form)
        with self._lock:
            self.token_requests.append(
                TokenRequest(
                    authority_host,
                    tenant,
                    grant,
                    client_id,
                    scope,
                    status,
                    body.get("error"),
                    body.get("error_description"),
                )
            )
        return status, body

    def _token_response(
        self, authority_host: str, tenant: str, form: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        cloud = _cloud_for_login_host(authority_host)
        canonical = self._canonical_tenant(tenant)
        if canonical is None:
            return _aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            return _aad_error(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant}'. The simulator only "
                "implements the client credentials grant.",
            )
        if canonical in ("common", "organizations"):
            return _aad_error(
                400,
                "invalid_request",
                50059,
                "No tenant-identifying information found in either the request or implied by "
                "any provided credentials.",
            )
        client_id = form.get("client_id", "")
        if client_id != self.client_id:
            return _aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{self.tenant_domain}'.",
            )
        if "client_assertion" in form:
            return _aad_error(
                401,
                "invalid_client",
                700027,
                "Client assertion failed signature validation (certificate credentials are "
                "not simulated).",
            )
        if not form.get("client_secret"):
            return _aad_error(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
            )
        if not secrets.compare_digest(form["client_secret"], self.client_secret):
            return _aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                f"the client secret value, not the client secret ID, for a secret added to app "
                f"'{self.client_id}'.",
            )
        scopes = form.get("scope", "").split()
        reserved = {"openid", "profile", "offline_access"}
        resource_scopes = [s for s in scopes if s not in reserved]
        if not resource_scopes:
            return _aad_error(
                400,
                "invalid_request",
                90014,
                "The required field 'scope' is missing from the credential.",
            )
        bad = [s for s in resource_scopes if not s.endswith("/.default")]
        if bad:
            return _aad_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {bad[0]} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).",
            )
        if len(resource_scopes) > 1:
            return _aad_error(
                400,
                "invalid_scope",
                28000,
                "Provided value for the input parameter scope is not valid because it contains "
                "more than one resource.",
            )
        scope = resource_scopes[0]
        resource = scope[: -len("/.default")].rstrip("/")
        foreign = [c for c in _CLOUDS if c is not cloud and resource in (*c.exchange, *c.other)]
        if foreign:
            return _aad_error(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{self.tenant_domain}. (It belongs to the {foreign[0].name} cloud; this "
                f"authority is {authority_host}.)",
            )
        issued = self._mint(
            client_id, canonical, scope, resource, authority_host, cloud, self.token_lifetime
        )
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "ext_expires_in": self.token_lifetime,
            "access_token": issued.access_token,
        }

    # ----------------------------------------------------------------- XOAUTH2 check

    def _check_xoauth2(self, raw: bytes) -> _Verdict:
        match = _XOAUTH2_RE.match(raw)
        if match is None:
            user = None
            user_match = re.match(rb"user=([^\x01]*)", raw)
            if user_match:
                user = user_match.group(1).decode("utf-8", "replace")
            try:
                inner = base64.b64decode(raw, validate=True)
            except binascii.Error:
                inner = b""
            if inner.startswith(b"user="):
                inner_user = re.match(rb"user=([^\x01]*)", inner)
                assert inner_user is not None
                return _Verdict(
                    False, inner_user.group(1).decode("utf-8", "replace"), "double-base64"
                )
            return _Verdict(False, user, "malformed-sasl")
        user = match.group(1).decode("utf-8", "replace")
        token = match.group(2).decode("ascii", "replace")
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            return _Verdict(False, user, "token-not-issued")
        if issued.expires_at <= time.time():
            return _Verdict(False, user, "token-expired")
        if not issued.valid_for_exchange:
            return _Verdict(False, user, f"wrong-audience {issued.resource} (scope {issued.scope})")
        if "@" not in user:
            return _Verdict(False, user, "unknown-mailbox")
        if self.mailboxes is not None and user.lower() not in {m.lower() for m in self.mailboxes}:
            return _Verdict(False, user, "unknown-mailbox")
        return _Verdict(True, user, f"scope {issued.scope}")

    def _record(self, attempt: AuthAttempt) -> None:
        with self._lock:
            self.auth_attempts.append(attempt)
