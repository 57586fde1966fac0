"""What the servers saw, recorded as it happens: connections, authentications, messages,
mailbox reads, tokens and failures. Passwords and tokens are never stored in these records.

Servers run in their own threads and append under one lock; read the lists once the program
under test has finished (or take a ``Recorder.snapshot()``).
"""

from __future__ import annotations

import dataclasses
import email
import email.message
import email.policy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .hosts import Endpoint, cloud_by_name


@dataclass
class Connection:
    """One TCP connection to a mail endpoint, updated while it lasts.

    ``tls`` is how the client used TLS: ``"implicit"`` (from the first byte: 993/995, or
    SMTP_SSL), ``"starttls"`` (STARTTLS or STLS on 587/25/110) or ``"none"``; ``tls_error``
    is set when the handshake failed (``WRONG_VERSION_NUMBER``, ``TLSV1_ALERT_UNKNOWN_CA``...).
    ``certificate`` is what the server side can know about the client's certificate check:
    ``"not-probed"`` (a completed handshake looks the same whether or not the client checked
    the certificate), or, when the lab presented an untrusted certificate
    (``probe_certificate``), ``"verified"`` (the client refused it) or ``"not-verified"``
    (the client went on). ``sni`` is the host name the client sent in its
    TLS hello (Python sends it whether or not it verifies).
    """

    id: int
    protocol: str
    host: str
    port: int
    opened_at: float
    tls: str = "none"
    tls_version: str | None = None
    sni: str | None = None
    certificate: str = "not-probed"
    tls_error: str | None = None
    closed_at: float | None = None
    ended: str = "open"  # "quit", "client closed", "closed by the server", "idle timeout"

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class TokenUse:
    """The token behind an XOAUTH2 attempt, as the identity endpoint issued it."""

    audience: str
    scope: str
    flow: str  # the OAuth2 grant: "client_credentials", or "direct" for ExchangeSim.issue_token
    client_id: str
    expired: bool


@dataclass(frozen=True)
class AuthAttempt:
    """One AUTH / LOGIN / AUTHENTICATE / USER+PASS seen by the SMTP, IMAP or POP3 server.

    ``outcome`` is one of ``"accepted"``, ``"basic-auth-disabled"`` (a password login),
    ``"rejected"`` (XOAUTH2 refused; ``detail`` says why: ``token-not-issued``,
    ``double-base64``, ``wrong-audience ...``, ``token-expired``, ``malformed-sasl``,
    ``unknown-mailbox``, ``bad-base64``), ``"unrecognized-mechanism"`` (a mechanism that is not
    advertised, or AUTH before STARTTLS: ``detail == "before-starttls"``), ``"throttled"``
    or ``"aborted"``.
    """

    protocol: str  # "smtp" | "imap" | "pop3"
    mechanism: str
    outcome: str
    reply: str
    user: str | None = None
    detail: str = ""
    tls: bool = True
    connection: int | None = None
    token: TokenUse | None = None


@dataclass(frozen=True)
class DeliveredMessage:
    """A message accepted by the SMTP server, or by Graph sendMail (``via == "graph"``:
    ``mail_from`` and ``user`` are the mailbox it was sent from, ``rcpt_tos`` its To, Cc
    and Bcc, ``content`` the MIME without its Bcc header, as recipients get it)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    user: str | None  # the XOAUTH2 user= of the session
    tls_version: str | None
    connection: int | None = None
    at: float = field(default_factory=time.time)
    via: str = "smtp"

    @property
    def message(self) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))


@dataclass(frozen=True)
class MailboxRead:
    """An authenticated look into a mailbox: IMAP SELECT/EXAMINE, POP3 STAT/LIST/UIDL/RETR/TOP."""

    protocol: str
    mailbox: str
    command: str
    messages: int
    connection: int | None
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class IssuedToken:
    """An access token minted by the token endpoint (or ``ExchangeSim.issue_token``)."""

    access_token: str = field(repr=False)
    client_id: str
    tenant: str
    scope: str
    resource: str
    authority_host: str
    cloud: str
    issued_at: float
    expires_at: float
    flow: str = "client_credentials"

    @property
    def valid_for_exchange(self) -> bool:
        return self.resource in cloud_by_name(self.cloud).exchange


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
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class GraphRequest:
    """One request to the Graph endpoint: whose mailbox it sent from, and Graph's answer
    (``status`` 202 and no ``code`` for a message taken). The token is not stored."""

    method: str
    host: str
    path: str
    mailbox: str | None
    status: int
    code: str | None = None
    message: str | None = None
    audience: str | None = None  # of the token shown, as the identity endpoint issued it
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Failure:
    """Something that failed as it would against Microsoft (or a fault the lab injected).

    ``cause`` is a stable id from :data:`authsweep.lab.diagnosis.CAUSES`; ``reply`` is the
    server's exact reply line, or the client-side symptom where the server sends nothing.
    """

    cause: str
    reply: str
    protocol: str
    connection: int | None = None
    detail: str = ""
    at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of every record, for a verdict."""

    connections: tuple[Connection, ...]
    auth_attempts: tuple[AuthAttempt, ...]
    messages: tuple[DeliveredMessage, ...]
    mailbox_reads: tuple[MailboxRead, ...]
    token_requests: tuple[TokenRequest, ...]
    failures: tuple[Failure, ...]
    graph_requests: tuple[GraphRequest, ...] = ()


class Recorder:
    """Thread-safe lists of records, with listeners told about each new one (``lab serve``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections: list[Connection] = []
        self.auth_attempts: list[AuthAttempt] = []
        self.messages: list[DeliveredMessage] = []
        self.mailbox_reads: list[MailboxRead] = []
        self.issued_tokens: list[IssuedToken] = []
        self.token_requests: list[TokenRequest] = []
        self.failures: list[Failure] = []
        self.graph_requests: list[GraphRequest] = []
        self.http_requests: list[tuple[str, str, str]] = []
        self._listeners: list[Callable[[Any], None]] = []

    def subscribe(self, listener: Callable[[Any], None]) -> None:
        """Call ``listener(record)`` (from a server thread) for every new record."""
        self._listeners.append(listener)

    def _notify(self, record: Any) -> None:
        for listener in self._listeners:
            listener(record)

    def add(self, record: Any) -> None:
        target = {
            AuthAttempt: self.auth_attempts,
            DeliveredMessage: self.messages,
            MailboxRead: self.mailbox_reads,
            IssuedToken: self.issued_tokens,
            TokenRequest: self.token_requests,
            Failure: self.failures,
            GraphRequest: self.graph_requests,
        }[type(record)]
        with self.lock:
            target.append(record)
        self._notify(record)

    def add_http_request(self, method: str, host: str, path: str) -> None:
        with self.lock:
            self.http_requests.append((method, host, path))

    def open_connection(self, endpoint: Endpoint) -> Connection:
        with self.lock:
            number = max((c.id for c in self.connections), default=0) + 1
            connection = Connection(
                number, endpoint.protocol, endpoint.host, endpoint.port, time.time()
            )
            self.connections.append(connection)
        self._notify(dataclasses.replace(connection))
        return connection

    def update_connection(self, connection: Connection, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(connection, name, value)
        if "tls" in changes or "certificate" in changes or "tls_error" in changes:
            self._notify(dataclasses.replace(connection))

    def close_connection(self, connection: Connection, ended: str) -> None:
        with self.lock:
            if connection.closed_at is not None:
                return
            connection.closed_at = time.time()
            if connection.ended == "open":
                connection.ended = ended
        self._notify(dataclasses.replace(connection))

    def clear(self) -> None:
        with self.lock:
            for records in (
                self.connections,
                self.auth_attempts,
                self.messages,
                self.mailbox_reads,
                self.issued_tokens,
                self.token_requests,
                self.failures,
                self.graph_requests,
                self.http_requests,
            ):
                records.clear()

    def snapshot(self, extra_failures: tuple[Failure, ...] = ()) -> Snapshot:
        with self.lock:
            return Snapshot(
                connections=tuple(dataclasses.replace(c) for c in self.connections),
                auth_attempts=tuple(self.auth_attempts),
                messages=tuple(self.messages),
                mailbox_reads=tuple(self.mailbox_reads),
                token_requests=tuple(self.token_requests),
                failures=tuple(sorted((*self.failures, *extra_failures), key=lambda f: f.at)),
                graph_requests=tuple(self.graph_requests),
            )
