"""SMTP client submission as Exchange Online answers it (``smtp.office365.com`` 587 and 25).

aiosmtpd speaks the real protocol; this subclass gives it Exchange's behaviour: a plain
greeting, ``STARTTLS`` offered, ``AUTH LOGIN XOAUTH2`` advertised only after STARTTLS, password
logins answered ``535 5.7.139``, XOAUTH2 accepted only with a token the lab issued for the
Exchange Online resource (else ``535 5.7.3``), ``MAIL FROM`` without a successful AUTH answered
``530 5.7.57``, a ``MAIL FROM`` other than the XOAUTH2 user ``550 5.7.60``. STARTTLS resets the
session, so the client must EHLO again before AUTH (``smtplib.SMTP.auth`` does not, takes the
``503 5.5.2 Send hello first`` as success, and MAIL then gets 5.7.57: the Airflow bug).
Implicit TLS is not spoken, so a TLS hello on 587 fails with ``WRONG_VERSION_NUMBER`` on the
client, as against the real port. A tenant with SMTP AUTH disabled (``smtp_auth_disabled``)
answers every AUTH, XOAUTH2 with a valid token too, ``535 5.7.139 ... SmtpClientAuthentication
is disabled for the Tenant``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import contextlib
import datetime
import functools
import secrets
import socket
import threading
import uuid
from asyncio import sslproto
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from aiosmtpd.smtp import SMTP as AioSMTP
from aiosmtpd.smtp import Envelope, Session

from .context import EXCHANGE_HOSTNAME, ServerContext
from .hosts import Endpoint
from .records import AuthAttempt, Connection, DeliveredMessage, Failure
from .tokens import xoauth2_cause

REPLY_BASIC_DISABLED = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
REPLY_SMTP_AUTH_DISABLED = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
    f"[{EXCHANGE_HOSTNAME}]"
)
REPLY_XOAUTH2_FAILED = f"535 5.7.3 Authentication unsuccessful [{EXCHANGE_HOSTNAME}]"
REPLY_AUTH_OK = "235 2.7.0 Authentication successful"
REPLY_NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail"
REPLY_UNRECOGNIZED = "504 5.7.4 Unrecognized authentication type"
REPLY_SEND_HELLO = "503 5.5.2 Send hello first"
REPLY_SEND_AS = "550 5.7.60 SMTP; Client does not have permissions to send as this sender"
REPLY_BUSY = f"421 4.7.0 Temporary server error. Please try again later. PRX4 [{EXCHANGE_HOSTNAME}]"
REPLY_CONCURRENT = (
    "432 4.3.2 Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending "
    f"for more information. [Hostname={EXCHANGE_HOSTNAME}]"
)
TLS_HELLO_SYMPTOM = (
    "TLS WRONG_VERSION_NUMBER: the client started TLS at once, the server greeted in plain SMTP"
)

IDLE_TIMEOUT = 600  # seconds without a command before the server closes a session
_OK_BEFORE_TLS = frozenset({"EHLO", "HELO", "STARTTLS", "NOOP", "QUIT", "RSET", "HELP"})
_SIZE = 157286400
_XOAUTH2_CAUSES = {"bad-base64": "malformed-sasl"}


def _b64_bytes(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


class ExchangeSMTP(AioSMTP):
    """One SMTP session, with Exchange Online's client-submission behaviour."""

    # An XOAUTH2 line carries a JWT: 2-4 KB of base64 against aiosmtpd's 512/1001 defaults.
    line_length_limit = 32768

    def __init__(self, handler: SubmissionHandler, *, endpoint: Endpoint, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.lab = handler.context
        self.submission = handler
        self.endpoint = endpoint
        self.record: Connection | None = None
        self._first_data = True
        self._quit = False
        self._closed_by_server = False
        self._idle = False
        self._failed = False
        self._auth_before_ehlo = False
        self._submitting_as: str | None = None
        self.command_size_limit = 16384  # also before EHLO, so AUTH gets "503 ... hello first"
        limits: dict[str, int] = {"AUTH": 16384, "MAIL": 1024, "RCPT": 1024}
        self.command_size_limits = collections.defaultdict(lambda: 512, limits)
        # Gate every command that Exchange refuses before STARTTLS (our replies, not aiosmtpd's).
        for name, method in list(self._smtp_methods.items()):
            if name not in _OK_BEFORE_TLS:
                self._smtp_methods[name] = self._tls_gate(name, method)

    # ------------------------------------------------------------------ connection life

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.record is None
        super().connection_made(transport)
        if first:
            self.record = self.lab.recorder.open_connection(self.endpoint)
            self.submission.sessions.add(self)

    def data_received(self, data: bytes) -> None:
        if self._first_data:
            self._first_data = False
            if data[:1] == b"\x16" and self._tls_protocol is None:  # a TLS handshake record
                self._fail("tls-on-plain-port", TLS_HELLO_SYMPTOM)
                self.lab.recorder.update_connection(
                    self._connection, tls="implicit", tls_error="WRONG_VERSION_NUMBER"
                )
                self._close()
                return
        super().data_received(data)

    def connection_lost(self, error: Exception | None) -> None:
        self.submission.sessions.discard(self)
        if self._submitting_as is not None:
            self.lab.slots.leave(self._submitting_as)
            self._submitting_as = None
        record = self._connection
        assert self.session is not None
        if (
            not self._quit
            and not self._failed
            and not self._idle
            and self._tls_protocol is None
            and self.session.host_name
            and record.tls_error is None
        ):
            # EHLO, no STARTTLS, then gone: smtplib's login() raises SMTPNotSupportedError here.
            self._fail("closed-before-starttls", "connection closed after EHLO, before STARTTLS")
        if self._quit:
            ended = "quit"
        elif self._idle:
            ended = "idle timeout"
        else:
            ended = "closed by the server" if self._closed_by_server else "client closed"
        self.lab.recorder.close_connection(record, ended)
        super().connection_lost(error)

    def _timeout_cb(self) -> None:
        self._idle = True
        super()._timeout_cb()

    @property
    def _connection(self) -> Connection:
        assert self.record is not None
        return self.record

    def _fail(self, cause: str, reply: str, detail: str = "") -> None:
        self._failed = True
        self.lab.recorder.add(Failure(cause, reply, "smtp", self._connection.id, detail))

    def _close(self) -> None:
        self._closed_by_server = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Cut the connection at once (the lab is stopping)."""
        transport = self._original_transport or self.transport
        if transport is not None:
            transport.abort()

    def _record_auth(
        self, mechanism: str, outcome: str, reply: str, user: str | None = None, **extra: Any
    ) -> None:
        tls = self._tls_protocol is not None
        attempt = AuthAttempt(
            "smtp",
            mechanism,
            outcome,
            reply,
            user,
            tls=tls,
            connection=self._connection.id,
            **extra,
        )
        self.lab.recorder.add(attempt)

    # ------------------------------------------------------------------ commands

    def _tls_gate(
        self, name: str, method: Callable[[str | None], Any]
    ) -> Callable[[str | None], Any]:
        @functools.wraps(method)
        async def gated(arg: str | None) -> None:
            if self._tls_protocol is None:
                if name == "AUTH":
                    mechanism = (arg or "").split(" ", 1)[0].upper()
                    self._record_auth(
                        mechanism,
                        "unrecognized-mechanism",
                        REPLY_UNRECOGNIZED,
                        detail="before-starttls",
                    )
                    self._fail("auth-before-starttls", REPLY_UNRECOGNIZED)
                    await self.push(REPLY_UNRECOGNIZED)
                else:
                    self._fail(
                        "not-authenticated", REPLY_NOT_AUTHENTICATED, f"{name} before STARTTLS"
                    )
                    await self.push(REPLY_NOT_AUTHENTICATED)
                return
            await method(arg)

        return gated

    @property
    def _mechanisms(self) -> list[str]:
        return ["LOGIN", "PLAIN", "XOAUTH2"] if self.lab.advertise_plain else ["LOGIN", "XOAUTH2"]

    async def smtp_EHLO(self, hostname: str) -> None:
        if not hostname:
            await self.push("501 5.5.4 Invalid domain name")
            return
        self._set_rset_state()
        assert self.session is not None
        self.session.extended_smtp = True
        self.session.host_name = hostname
        lines = [
            f"{self.hostname} Hello [127.0.0.1]",
            f"SIZE {_SIZE}",
            "PIPELINING",
            "ENHANCEDSTATUSCODES",
            "STARTTLS" if self._tls_protocol is None else "AUTH " + " ".join(self._mechanisms),
            "8BITMIME",
            "SMTPUTF8",
        ]
        for line in lines[:-1]:
            await self.push("250-" + line)
        await self.push("250 " + lines[-1])

    async def smtp_QUIT(self, arg: str | None) -> None:
        self._quit = True
        await super().smtp_QUIT(arg)

    async def smtp_STARTTLS(self, arg: str | None) -> None:
        if arg:
            await self.push("501 5.5.4 Invalid arguments")
            return
        if self._tls_protocol is not None:
            await self.push("503 5.5.2 Only one STARTTLS command can be issued per session")
            return
        await self.push("220 2.0.0 SMTP server ready")
        waiter = self.loop.create_future()
        # aiosmtpd's own way to layer TLS under a running session (see its smtp_STARTTLS).
        self._tls_protocol = sslproto.SSLProtocol(
            self.loop, self, self.tls_context, waiter, server_side=True
        )
        self._original_transport = self.transport
        assert self._original_transport is not None
        self._original_transport.set_protocol(self._tls_protocol)
        self.transport = self._tls_protocol._app_transport
        self._tls_protocol.connection_made(self._original_transport)
        try:
            await waiter
        except asyncio.CancelledError:
            raise
        except Exception as error:  # any handshake failure is recorded
            self._failed = True
            self.lab.tls_failed(self._connection, "starttls", error)
            self._closed_by_server = True
            # asyncio does not tell the session about a handshake that failed: end it here,
            # as aiosmtpd itself does.
            self.transport.close()
            self.connection_lost(error)
            return
        assert self.session is not None and self.session.ssl is not None
        self.lab.tls_established(self._connection, "starttls", self.session.ssl.get("ssl_object"))

    async def smtp_AUTH(self, arg: str | None) -> None:
        assert self.session is not None
        mechanism = (arg or "").split(" ", 1)[0].upper()
        if not self.session.host_name or not self.session.extended_smtp:
            self._auth_before_ehlo = True
            self._record_auth(mechanism, "send-hello-first", REPLY_SEND_HELLO)
            await self.push(REPLY_SEND_HELLO)
            return
        if self.session.authenticated:
            await self.push("503 5.5.2 Already authenticated")
            return
        if not arg:
            await self.push("501 5.5.4 Invalid arguments")
            return
        if self.lab.throttle.take():
            self._record_auth(mechanism, "throttled", REPLY_BUSY)
            self._fail("throttled", REPLY_BUSY)
            await self.push(REPLY_BUSY)
            self._close()
            return
        _, _, initial = arg.partition(" ")
        if mechanism not in self._mechanisms:
            self._record_auth(mechanism, "unrecognized-mechanism", REPLY_UNRECOGNIZED)
            self._fail("unrecognized-mechanism", REPLY_UNRECOGNIZED, mechanism)
            await self.push(REPLY_UNRECOGNIZED)
        elif mechanism == "XOAUTH2":
            await self._auth_xoauth2(initial.strip())
        else:
            await self._auth_basic(mechanism, initial.strip())

    async def _read_response(self, mechanism: str, challenge: bytes) -> bytes | None:
        """Send ``334 <challenge>`` and return the decoded answer (None: aborted, replied)."""
        await self.push(b"334 " + challenge)
        try:
            line = await self._reader.readline()
        except asyncio.CancelledError:  # the client hung up in the middle of AUTH
            self._abandoned(mechanism)
            raise
        if not line and self._reader.at_eof():
            self._abandoned(mechanism)
            return None
        blob = line.strip()
        if blob == b"*":
            self._record_auth(mechanism, "aborted", "501 5.7.0 Authentication aborted")
            await self.push("501 5.7.0 Authentication aborted")
            return None
        try:
            return base64.b64decode(blob, validate=True)
        except binascii.Error:
            self._record_auth(mechanism, "aborted", "501 5.5.2 Cannot Decode response")
            await self.push("501 5.5.2 Cannot Decode response")
            return None

    def _abandoned(self, mechanism: str) -> None:
        self._record_auth(mechanism, "aborted", "", detail="connection closed")
        if mechanism == "XOAUTH2":
            self._fail("xoauth2-challenge-abandoned", "connection closed after the 334 challenge")

    async def _auth_basic(self, mechanism: str, initial: str) -> None:
        user: str | None = None
        if mechanism == "LOGIN":
            if initial:
                raw = _b64_bytes(initial)
                user = raw.decode("utf-8", "replace") if raw is not None else None
            else:
                answer = await self._read_response(mechanism, base64.b64encode(b"Username:"))
                if answer is None:
                    return
                user = answer.decode("utf-8", "replace")
            if await self._read_response(mechanism, base64.b64encode(b"Password:")) is None:
                return
        else:  # PLAIN
            blob = _b64_bytes(initial) if initial else await self._read_response(mechanism, b"")
            if blob is None:
                return
            parts = blob.split(b"\x00")
            user = parts[1].decode("utf-8", "replace") if len(parts) == 3 else None
        if self.lab.smtp_auth_disabled:
            await self._refuse_smtp_auth(mechanism, user)
            return
        self._record_auth(mechanism, "basic-auth-disabled", REPLY_BASIC_DISABLED, user)
        self._fail("basic-auth-disabled", REPLY_BASIC_DISABLED, f"AUTH {mechanism} as {user}")
        await self.push(REPLY_BASIC_DISABLED)

    async def _refuse_smtp_auth(self, mechanism: str, user: str | None) -> None:
        """The tenant's refusal of any AUTH, OAuth included (SMTP AUTH disabled)."""
        self._record_auth(mechanism, "smtp-auth-disabled", REPLY_SMTP_AUTH_DISABLED, user)
        detail = f"AUTH {mechanism} as {user}" if user else f"AUTH {mechanism}"
        self._fail("smtp-auth-disabled", REPLY_SMTP_AUTH_DISABLED, detail)
        await self.push(REPLY_SMTP_AUTH_DISABLED)

    async def _auth_xoauth2(self, initial: str) -> None:
        if initial:
            raw = b"" if initial == "=" else _b64_bytes(initial)
            if raw is None:
                self._reject_xoauth2(None, "bad-base64", None)
                await self.push(REPLY_XOAUTH2_FAILED)
                return
        else:
            raw = await self._read_response("XOAUTH2", b"")
            if raw is None:
                return
        if self.lab.smtp_auth_disabled:
            await self._refuse_smtp_auth("XOAUTH2", self.lab.issuer.check_xoauth2(raw, "smtp").user)
            return
        check = self.lab.issuer.check_xoauth2(raw, "smtp")
        assert self.session is not None
        if not check.ok:
            self._reject_xoauth2(check.user, check.detail, check.token)
            await self.push(REPLY_XOAUTH2_FAILED)
            return
        self.session.authenticated = True
        self.session.auth_data = check.user
        assert check.user is not None
        self._submitting_as = check.user
        self.lab.slots.enter(check.user)
        self._record_auth(
            "XOAUTH2", "accepted", REPLY_AUTH_OK, check.user, detail=check.detail, token=check.token
        )
        await self.push(REPLY_AUTH_OK)

    def _reject_xoauth2(self, user: str | None, detail: str, token: Any) -> None:
        self._record_auth(
            "XOAUTH2", "rejected", REPLY_XOAUTH2_FAILED, user, detail=detail, token=token
        )
        cause = xoauth2_cause(detail)
        self._fail(_XOAUTH2_CAUSES.get(cause, cause), REPLY_XOAUTH2_FAILED, detail)

    async def _refuse_unauthenticated(self, command: str) -> bool:
        assert self.session is not None
        if self.session.authenticated:
            return False
        cause = "auth-before-ehlo" if self._auth_before_ehlo else "not-authenticated"
        self._fail(cause, REPLY_NOT_AUTHENTICATED, command)
        await self.push(REPLY_NOT_AUTHENTICATED)
        return True

    async def smtp_MAIL(self, arg: str | None) -> None:
        assert self.session is not None
        if await self._refuse_unauthenticated("MAIL FROM"):
            return
        if self.lab.drop.take():
            self._fail("dropped", "connection closed by the server without a reply", "at MAIL FROM")
            assert self.transport is not None
            self._closed_by_server = True
            self.abort()
            return
        if self.lab.enforce_send_as and arg:
            stripped = self._strip_command_keyword("FROM:", arg)
            address = self._getaddr(stripped)[0] if stripped is not None else None
            user = str(self.session.auth_data or "")
            if address and address.lower() != user.lower():
                self._fail("send-as-denied", REPLY_SEND_AS, f"MAIL FROM {address} as {user}")
                await self.push(REPLY_SEND_AS)
                return
        await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        if not await self._refuse_unauthenticated("RCPT TO"):
            await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg: str | None) -> None:
        if not await self._refuse_unauthenticated("DATA"):
            await super().smtp_DATA(arg)  # type: ignore[arg-type]


class SubmissionHandler:
    """aiosmtpd's handler: what happens to an accepted message."""

    def __init__(self, context: ServerContext) -> None:
        self.context = context
        self.sessions: set[ExchangeSMTP] = set()

    async def handle_DATA(self, server: ExchangeSMTP, session: Session, envelope: Envelope) -> str:
        user = str(session.auth_data) if session.auth_data is not None else None
        connection = server.record.id if server.record is not None else None
        if user is not None and self.context.slots.over_limit(user):
            self.context.recorder.add(
                Failure("concurrent-limit", REPLY_CONCURRENT, "smtp", connection, f"mailbox {user}")
            )
            return REPLY_CONCURRENT
        content = envelope.original_content or b""
        ssl_object = session.ssl.get("ssl_object") if session.ssl else None
        message = DeliveredMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=content,
            user=user,
            tls_version=ssl_object.version() if ssl_object is not None else None,
            connection=connection,
        )
        self.context.recorder.add(message)
        for recipient in envelope.rcpt_tos:
            self.context.mailboxes.add(recipient, content)
        return (
            f"250 2.6.0 <{uuid.uuid4()}@{server.hostname}> "
            f"[InternalId={secrets.randbelow(10**12)}, Hostname={server.hostname}] "
            "Queued mail for delivery"
        )

    async def handle_QUIT(self, server: ExchangeSMTP, session: Session, envelope: Envelope) -> str:
        return "221 2.0.0 Service closing transmission channel"


class SmtpService:
    """The SMTP endpoints: one event loop thread, one listener per host name and port."""

    def __init__(self, context: ServerContext, endpoints: list[Endpoint]) -> None:
        self.handler = SubmissionHandler(context)
        self._context = context
        self._listeners: dict[Endpoint, socket.socket] = {}
        for endpoint in endpoints:
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            self._listeners[endpoint] = listener
        self.ports = {e: int(s.getsockname()[1]) for e, s in self._listeners.items()}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._servers: list[asyncio.AbstractServer] = []
        self._thread: threading.Thread | None = None

    def _session(self, endpoint: Endpoint) -> ExchangeSMTP:
        assert self._loop is not None
        ident = "Microsoft ESMTP MAIL Service ready at " + format_datetime(
            datetime.datetime.now(datetime.timezone.utc)
        )
        return ExchangeSMTP(
            self.handler,
            endpoint=endpoint,
            hostname=EXCHANGE_HOSTNAME,
            ident=ident,
            tls_context=self._context.mail_tls,
            require_starttls=False,  # enforced by ExchangeSMTP with Exchange's replies
            auth_require_tls=True,
            data_size_limit=_SIZE,
            enable_SMTPUTF8=True,
            timeout=IDLE_TIMEOUT,
            loop=self._loop,
        )

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                for endpoint, listener in self._listeners.items():
                    factory = functools.partial(self._session, endpoint)
                    server = self._loop.run_until_complete(
                        self._loop.create_server(factory, sock=listener)
                    )
                    self._servers.append(server)
            except BaseException as error:  # handed to start()
                failure.append(error)
                ready.set()
                return
            self._loop.call_soon(ready.set)
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, name="authsweep-lab-smtp", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        for session in list(self.handler.sessions):
            session.abort()
        await asyncio.sleep(0)  # let connection_lost run for the aborted sessions
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    def stop(self) -> None:
        """Close every session and listener and end the loop thread. Idempotent."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
        for listener in self._listeners.values():
            listener.close()
        self._thread = None
