"""``ExchangeSim``: the whole lab in one object, for ``authsweep lab``, tests and the plugin."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .certs import Certificates
from .context import ServerContext
from .faults import DEFAULT_TOKEN_LIFETIME, Countdown
from .graph import GraphEndpoint, serve_graph
from .hosts import (
    GRAPH_HOSTS,
    IMAP_HOSTS,
    LOGIN_HOSTS,
    POP3_HOSTS,
    SMTP_HOSTS,
    Endpoint,
    mail_endpoints,
)
from .identity import AppRegistration, IdentityPlatform, serve_https
from .imap import serve_imap
from .listeners import SocketService
from .mailboxes import MailboxStore
from .pop3 import serve_pop3
from .records import (
    AuthAttempt,
    Connection,
    DeliveredMessage,
    Failure,
    GraphRequest,
    IssuedToken,
    MailboxRead,
    Recorder,
    Snapshot,
    TokenRequest,
)
from .redirect import (
    EVENTS_ENV,
    HOSTS_ENV,
    PROXY_VARIABLES,
    REMOVED_VARIABLES,
    STRICT_ENV,
    make_getaddrinfo,
    read_events,
    write_sitecustomize,
)
from .report import shown
from .smtp import SmtpService
from .tenant import TenantSetup
from .tokens import TokenIssuer
from .verdict import Verdict, judge

SMTP_AUTH_MODES = ("enabled", "disabled")


@dataclass(eq=False)
class ExchangeSim:
    """Loopback Exchange Online: SMTP submission, IMAP, POP3, Graph sendMail and the token
    endpoint.

    Use as a context manager (or ``start()`` / ``stop()``). Records are appended from server
    threads; read them after the client under test has finished. ``reset()`` clears them.
    """

    tenant_id: str = "5b2a7c3e-0d4f-4a61-9c1e-7f00d5a1e5a1"
    client_id: str = "8c1f6a2d-3b4e-4f50-a6b7-c8d9e0f1a2b3"
    client_secret: str = field(default="sim-client-secret-not-a-real-one", repr=False)
    tenant_domain: str = "contoso.onmicrosoft.com"
    mailboxes: Sequence[str] | None = None
    """If set, XOAUTH2 ``user=`` must be one of these (case-insensitive); else any address."""
    tenant: TenantSetup = field(default_factory=TenantSetup)
    """What the admin set up for the app: a missing service principal or mailbox right makes
    a valid token fail as Exchange Online fails it (see :mod:`.tenant`)."""
    enforce_send_as: bool = True
    """Refuse ``MAIL FROM`` other than the XOAUTH2 user with ``550 5.7.60`` (as Exchange does)."""
    advertise_plain: bool = False
    """Exchange advertises ``AUTH LOGIN XOAUTH2``; True adds PLAIN (then also 535 5.7.139)."""
    imap: bool = True
    pop3: bool = True
    strict_dns: bool = True
    """In redirected processes, make every other non-loopback host name fail to resolve."""
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    """Seconds a token lives (fault: a short one catches programs that keep a token)."""
    throttle: int = 0
    """Fault: the first N SMTP sessions that try AUTH get ``421 4.7.0`` and are closed."""
    drop: int = 0
    """Fault: the first N SMTP sessions that reach MAIL FROM are cut without a reply."""
    probe_certificate: bool = False
    """Mail servers present a certificate from a CA the client was never given."""
    seed: Sequence[str | os.PathLike[str]] = ()
    """RFC 5322 files (``.eml``, or folders of them) put in the mailboxes their To and Cc
    name when the lab starts (and again on ``reset()``), for IMAP and POP3 readers."""
    smtp_auth: str = "enabled"
    """``"disabled"``: the tenant refuses SMTP AUTH altogether, OAuth included (every AUTH
    gets ``535 5.7.139 ... SmtpClientAuthentication is disabled for the Tenant``); mail
    goes through Graph sendMail or not at all."""

    def __post_init__(self) -> None:
        if self.token_lifetime < 1:
            raise ValueError("token_lifetime must be at least one second")
        if self.smtp_auth not in SMTP_AUTH_MODES:
            raise ValueError(f"smtp_auth must be one of {', '.join(SMTP_AUTH_MODES)}")
        self.recorder = Recorder()
        self._dir: Path | None = None
        self._smtp: SmtpService | None = None
        self._sockets: SocketService | None = None
        self._context: ServerContext | None = None
        self._issuer: TokenIssuer | None = None
        self.endpoint_ports: dict[Endpoint, int] = {}
        self.https_port = 0
        self.graph_port = 0
        self._last_run: tuple[tuple[str, ...], int, float] | None = None

    # ----------------------------------------------------------------- records

    @property
    def messages(self) -> list[DeliveredMessage]:
        return self.recorder.messages

    @property
    def auth_attempts(self) -> list[AuthAttempt]:
        return self.recorder.auth_attempts

    @property
    def issued_tokens(self) -> list[IssuedToken]:
        return self.recorder.issued_tokens

    @property
    def token_requests(self) -> list[TokenRequest]:
        return self.recorder.token_requests

    @property
    def connections(self) -> list[Connection]:
        return self.recorder.connections

    @property
    def mailbox_reads(self) -> list[MailboxRead]:
        return self.recorder.mailbox_reads

    @property
    def failures(self) -> list[Failure]:
        return self.recorder.failures

    @property
    def graph_requests(self) -> list[GraphRequest]:
        """Every request to the Graph endpoint, with Graph's answer."""
        return self.recorder.graph_requests

    @property
    def http_requests(self) -> list[tuple[str, str, str]]:
        """(method, Host header, path) of every HTTPS request to the token endpoint."""
        return self.recorder.http_requests

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
        self._dir = Path(tempfile.mkdtemp(prefix="authsweep-lab-"))
        try:
            certificates = Certificates(self._dir)
            write_sitecustomize(self._dir)
            self.events_path.touch()
            self._issuer = TokenIssuer(self.recorder, self.mailboxes, self.tenant)
            self._context = context = ServerContext(
                recorder=self.recorder,
                issuer=self._issuer,
                mailboxes=MailboxStore(),
                certificates=certificates,
                probe_certificate=self.probe_certificate,
                enforce_send_as=self.enforce_send_as,
                advertise_plain=self.advertise_plain,
                smtp_auth_disabled=self.smtp_auth == "disabled",
                throttle=Countdown(self.throttle),
                drop=Countdown(self.drop),
            )
            app = AppRegistration(
                self.tenant_id, self.tenant_domain, self.client_id, self.client_secret
            )
            identity = IdentityPlatform(app, self._issuer, self.recorder, self.token_lifetime)

            endpoints = mail_endpoints(imap=self.imap, pop3=self.pop3)
            self._smtp = SmtpService(context, [e for e in endpoints if e.protocol == "smtp"])
            self.endpoint_ports = dict(self._smtp.ports)
            self._sockets = SocketService("authsweep-lab")
            serve = {"imap": serve_imap, "pop3": serve_pop3}
            for endpoint in endpoints:
                if endpoint.protocol in serve:
                    handler = functools.partial(serve[endpoint.protocol], context, endpoint)
                    self.endpoint_ports[endpoint] = self._sockets.listen(handler)
            self.https_port = self._sockets.listen(
                functools.partial(serve_https, identity, certificates.server)
            )
            mailboxes = None if self.mailboxes is None else {m.lower() for m in self.mailboxes}
            graph = GraphEndpoint(context, self.tenant, mailboxes)
            self.graph_port = self._sockets.listen(
                functools.partial(serve_graph, graph, certificates.server)
            )
            self._seed_mailboxes()
            self._smtp.start()
            self._sockets.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every server, join their threads, delete the temporary files. Idempotent."""
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None
        if self._sockets is not None:
            self._sockets.stop()
            self._sockets = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def reset(self) -> None:
        """Empty every record list, the mailboxes and the resolver log (tokens already issued
        stay valid)."""
        self.recorder.clear()
        self._last_run = None
        if self._context is not None:
            self._context.mailboxes.clear()
            self._seed_mailboxes()
        if self.running:
            self.events_path.write_bytes(b"")

    # ----------------------------------------------------------------- ports

    @property
    def smtp_port(self) -> int:
        """Loopback port of ``smtp.office365.com:587``."""
        return self.endpoint_ports.get(Endpoint("smtp", SMTP_HOSTS[0], 587), 0)

    @property
    def imap_port(self) -> int:
        """Loopback port of ``outlook.office365.com:993``."""
        return self.endpoint_ports.get(Endpoint("imap", IMAP_HOSTS[0], 993), 0)

    @property
    def pop3_port(self) -> int:
        """Loopback port of ``outlook.office365.com:995``."""
        return self.endpoint_ports.get(Endpoint("pop3", POP3_HOSTS[0], 995), 0)

    # ----------------------------------------------------------------- wiring for clients

    def _workdir(self) -> Path:
        if self._dir is None:
            raise RuntimeError("ExchangeSim is not running")
        return self._dir

    @property
    def ca_pem_path(self) -> Path:
        """PEM file of the CA that signed the servers' certificate."""
        return self._workdir() / "exchange-sim-ca.pem"

    @property
    def sitecustomize_dir(self) -> Path:
        return self._workdir()

    @property
    def events_path(self) -> Path:
        """Where redirected processes report the names the lab refused (JSON lines)."""
        return self._workdir() / "resolver-events.jsonl"

    @property
    def host_map(self) -> dict[str, int]:
        """``{"host:port": loopback_port}`` for every redirected Microsoft endpoint."""
        self._workdir()
        mapping = {endpoint.key: port for endpoint, port in self.endpoint_ports.items()}
        for host in LOGIN_HOSTS:
            mapping[f"{host}:443"] = self.https_port
        for host in GRAPH_HOSTS:
            mapping[f"{host}:443"] = self.graph_port
        return mapping

    def lab_environment(self, *, authority_host: str | None = None) -> dict[str, str]:
        """The variables that point a process at the lab (without the inherited environment)."""
        ca = str(self.ca_pem_path)
        env = {
            HOSTS_ENV: json.dumps(self.host_map),
            STRICT_ENV: "1" if self.strict_dns else "0",
            EVENTS_ENV: str(self.events_path),
            "SSL_CERT_FILE": ca,
            "REQUESTS_CA_BUNDLE": ca,
            "CURL_CA_BUNDLE": ca,
            "NO_PROXY": "*",
            "no_proxy": "*",
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": self.client_id,
            "AZURE_CLIENT_SECRET": self.client_secret,
        }
        if authority_host:
            env["AZURE_AUTHORITY_HOST"] = authority_host
        return env

    def subprocess_env(
        self, base_env: Mapping[str, str] | None = None, *, authority_host: str | None = None
    ) -> dict[str, str]:
        """Environment for a Python subprocess whose mail and token traffic reaches the lab.

        Starts from ``base_env`` (default ``os.environ``); prepends the sitecustomize directory to
        ``PYTHONPATH``; adds :meth:`lab_environment`; removes proxy settings and MSAL region
        overrides; ``AZURE_AUTHORITY_HOST`` is set to ``authority_host`` or removed.
        """
        env = dict(os.environ if base_env is None else base_env)
        for key in list(env):
            if key.lower() in PROXY_VARIABLES:
                del env[key]
        for key in REMOVED_VARIABLES:
            env.pop(key, None)
        paths = [str(self.sitecustomize_dir)]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env.update(self.lab_environment(authority_host=authority_host))
        return env

    def run(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float | None = 60,
        cwd: str | os.PathLike[str] | None = None,
        base_env: Mapping[str, str] | None = None,
        capture_output: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``command`` with :meth:`subprocess_env` (``base_env``, default ``os.environ``,
        plus ``env``); by default capture its text output. :meth:`verdict` then judges its
        exit status too."""
        full_env = self.subprocess_env(base_env)
        full_env.update(env or {})
        started = time.monotonic()
        proc = subprocess.run(
            list(command),
            env=full_env,
            cwd=cwd,
            capture_output=capture_output,
            text=True,
            timeout=timeout,
            check=False,
        )
        self._last_run = (tuple(command), proc.returncode, time.monotonic() - started)
        return proc

    def run_python(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        cwd: str | os.PathLike[str] | None = None,
        base_env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``sys.executable *args`` as :meth:`run` does."""
        return self.run(
            [sys.executable, *args], env=env, timeout=timeout, cwd=cwd, base_env=base_env
        )

    @contextlib.contextmanager
    def redirect(self) -> Iterator[None]:
        """Redirect this process (``socket.getaddrinfo``, CA and proxy env vars) while active.

        Not thread-safe with respect to other code changing those globals at the same time.
        The ``AZURE_*`` variables are set too, as in :meth:`subprocess_env`.
        """
        lab = self.lab_environment()
        keys = [k for k in lab if k not in (HOSTS_ENV, STRICT_ENV, EVENTS_ENV)]
        removed = [k for k in os.environ if k.lower() in PROXY_VARIABLES or k in REMOVED_VARIABLES]
        saved = {k: os.environ.get(k) for k in [*keys, *removed]}
        original = socket.getaddrinfo
        socket.getaddrinfo = make_getaddrinfo(
            original, self.host_map, self.strict_dns, self._report
        )
        try:
            for key in removed:
                os.environ.pop(key, None)
            for key in keys:
                os.environ[key] = lab[key]
            yield
        finally:
            socket.getaddrinfo = original
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def _report(self, event: dict[str, Any]) -> None:
        with self.events_path.open("a", encoding="utf-8") as events:
            events.write(json.dumps({**event, "pid": os.getpid()}) + "\n")

    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only the lab's CA."""
        return ssl.create_default_context(cafile=str(self.ca_pem_path))

    # ----------------------------------------------------------------- tokens and mail

    def issue_token(
        self,
        scope: str = "https://outlook.office365.com/.default",
        *,
        authority_host: str = "login.microsoftonline.com",
        client_id: str | None = None,
        lifetime: int | None = None,
    ) -> str:
        """Mint a token directly (no HTTP), as the token endpoint would for ``scope``."""
        if self._issuer is None:
            raise RuntimeError("ExchangeSim is not running")
        return self._issuer.mint(
            client_id=client_id or self.client_id,
            tenant=self.tenant_id,
            scope=scope,
            resource=scope.rsplit("/.default", 1)[0].rstrip("/"),
            authority_host=authority_host,
            lifetime=self.token_lifetime if lifetime is None else lifetime,
            flow="direct",
        ).access_token

    def _seed_mailboxes(self) -> None:
        if self._context is not None and self.seed:
            self._context.mailboxes.seed([Path(path) for path in self.seed])

    def add_mailbox_message(self, mailbox: str, content: bytes) -> None:
        """Put a message (RFC 5322 bytes) into ``mailbox`` for IMAP and POP3 clients to read."""
        if self._context is None:
            raise RuntimeError("ExchangeSim is not running")
        self._context.mailboxes.add(mailbox, content)

    # ----------------------------------------------------------------- verdict

    def resolver_failures(self) -> tuple[Failure, ...]:
        """The names redirected processes asked for and the lab refused, once each."""
        if not self.running:
            return ()
        seen: set[tuple[str, str, Any]] = set()
        failures = []
        smtp_hosts = set(SMTP_HOSTS)
        for event in read_events(self.events_path):
            key = (event.get("event", ""), event["host"], event.get("port"))
            if key in seen:
                continue
            seen.add(key)
            host, port = event["host"], event.get("port")
            if key[0] == "unserved-port":
                cause = "unsupported-port" if host in smtp_hosts else "port-not-simulated"
                reply = (
                    f"{host}:{port} does not answer (the lab refused the name; Microsoft times out)"
                )
            else:
                cause = "blocked-host"
                reply = f"{host}:{port} is not simulated (the lab refused the name)"
            failures.append(Failure(cause, reply, "dns"))
        return tuple(failures)

    def snapshot(self) -> Snapshot:
        return self.recorder.snapshot(self.resolver_failures())

    def faults(self) -> dict[str, Any]:
        return {
            "token_lifetime": self.token_lifetime,
            "throttle": self.throttle,
            "drop": self.drop,
            "probe_certificate": self.probe_certificate,
            "smtp_auth": self.smtp_auth,
        }

    def settle(self, timeout: float = 2.0) -> None:
        """Wait (at most ``timeout`` seconds) until the servers have seen every connection
        close: a client that has exited is gone, but its last records land a moment later."""
        deadline = time.monotonic() + timeout
        while any(c.closed_at is None for c in list(self.connections)):
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)

    def verdict(
        self,
        *,
        command: Sequence[str] | None = None,
        exit_code: int | None = None,
        duration: float | None = None,
        timed_out: bool = False,
    ) -> Verdict:
        """Judge what happened since start (or the last ``reset()``); see ``verdict.judge``.

        Without ``command``, the last command :meth:`run` ran (if any) is judged with its
        exit status.
        """
        if command is None and self._last_run is not None:
            command, exit_code, duration = self._last_run
        self.settle()
        judged = judge(
            self.snapshot(),
            command=tuple(command) if command is not None else None,
            exit_code=exit_code,
            duration=duration,
            timed_out=timed_out,
            probe_certificate=self.probe_certificate,
            faults=self.faults(),
        )
        return shown(judged)
