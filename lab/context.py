"""What every server of one running lab shares."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

from .certs import Certificates, refused_certificate, sni_of, tls_reason
from .faults import Countdown, SubmissionSlots
from .mailboxes import MailboxStore
from .records import Connection, Failure, Recorder
from .tokens import TokenIssuer

EXCHANGE_HOSTNAME = "SIM0PR01MB0001.namprd01.prod.outlook.com"
"""The server name in greetings and replies, shaped like an Exchange Online front end."""


@dataclass
class ServerContext:
    recorder: Recorder
    issuer: TokenIssuer
    mailboxes: MailboxStore
    certificates: Certificates
    probe_certificate: bool = False
    enforce_send_as: bool = True
    advertise_plain: bool = False
    # The tenant refuses SMTP AUTH altogether, OAuth included (SmtpClientAuthenticationDisabled).
    smtp_auth_disabled: bool = False
    throttle: Countdown = field(default_factory=lambda: Countdown(0))
    drop: Countdown = field(default_factory=lambda: Countdown(0))
    slots: SubmissionSlots = field(default_factory=SubmissionSlots)

    @property
    def mail_tls(self) -> ssl.SSLContext:
        """The context the mail servers hand to clients (the probe's, when probing)."""
        return self.certificates.probe if self.probe_certificate else self.certificates.server

    def tls_established(self, connection: Connection, mode: str, ssl_object: Any) -> None:
        """Note a completed handshake; when probing, the client did not check the certificate."""
        changes: dict[str, Any] = {
            "tls": mode,
            "tls_version": ssl_object.version() if ssl_object is not None else None,
            "sni": sni_of(ssl_object),
        }
        if self.probe_certificate:
            changes["certificate"] = "not-verified"
        self.recorder.update_connection(connection, **changes)
        if self.probe_certificate:
            self.recorder.add(
                Failure(
                    "certificate-not-verified",
                    "TLS handshake completed with the lab's untrusted certificate",
                    connection.protocol,
                    connection.id,
                )
            )

    def tls_failed(self, connection: Connection, mode: str, error: BaseException | None) -> None:
        """Note a failed handshake: a refused certificate, or something else."""
        reason = tls_reason(error)
        if refused_certificate(error) and self.probe_certificate:
            self.recorder.update_connection(
                connection, tls=mode, certificate="verified", tls_error=reason
            )
            return
        self.recorder.update_connection(connection, tls=mode, tls_error=reason)
        cause = "lab-ca-not-trusted" if refused_certificate(error) else "tls-handshake-failed"
        self.recorder.add(
            Failure(cause, f"TLS handshake failed: {reason}", connection.protocol, connection.id)
        )
