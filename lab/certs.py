"""The lab's throw-away certificate authority and the servers' TLS settings.

One ``trustme`` CA signs a certificate valid for every simulated Microsoft host name; the
program under test trusts that CA through ``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE``, so code
that verifies certificates with ``ssl.create_default_context()`` keeps doing so.

A second CA, never handed to the client, signs the *probe* certificate that the mail servers
present with ``probe_certificate``: a client that checks certificates refuses it (the server
sees a TLS ``unknown ca`` alert), one that does not check goes on. That is the only way a
server can tell: a completed handshake looks the same either way.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import trustme

from .hosts import CERT_HOSTNAMES

_SNI_ATTRIBUTE = "_authsweep_lab_sni"

# OpenSSL's names for the alerts a client sends when it refuses the server's certificate.
_REFUSAL_REASONS = frozenset(
    {
        "TLSV1_ALERT_UNKNOWN_CA",
        "SSLV3_ALERT_BAD_CERTIFICATE",
        "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        "TLSV1_ALERT_DECRYPT_ERROR",
    }
)


def _remember_sni(ssl_object: Any, server_name: str | None, _context: ssl.SSLContext) -> None:
    setattr(ssl_object, _SNI_ATTRIBUTE, server_name)


def sni_of(ssl_object: Any) -> str | None:
    """The host name a client sent in its TLS hello (None: it sent none, e.g. for an IP)."""
    return getattr(ssl_object, _SNI_ATTRIBUTE, None)


def refused_certificate(error: BaseException | None) -> bool:
    """Whether a server-side handshake error is the client refusing the certificate."""
    return isinstance(error, ssl.SSLError) and error.reason in _REFUSAL_REASONS


def tls_reason(error: BaseException | None) -> str:
    """A short name for a handshake error: OpenSSL's reason, else the exception's text."""
    if isinstance(error, ssl.SSLError) and error.reason:
        return str(error.reason)
    return f"{type(error).__name__}: {error}" if error is not None else "connection closed"


class Certificates:
    """The CA file for clients and the server-side TLS contexts."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA(organization_name="authsweep Exchange simulator")
        self.ca_pem_path = directory / "exchange-sim-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem_path))
        self.server = self._context(self.ca)
        self._probe: ssl.SSLContext | None = None

    @property
    def probe(self) -> ssl.SSLContext:
        """A server context whose certificate comes from a CA the client was never given."""
        if self._probe is None:
            self._probe = self._context(trustme.CA(organization_name="authsweep lab probe"))
        return self._probe

    @staticmethod
    def _context(ca: trustme.CA) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2  # Exchange refuses TLS 1.0/1.1
        ca.issue_cert(*CERT_HOSTNAMES).configure_cert(context)
        context.sni_callback = _remember_sni
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only the lab's CA."""
        return ssl.create_default_context(cafile=str(self.ca_pem_path))
