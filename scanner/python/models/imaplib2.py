"""imaplib2: a threaded IMAP4 client with imaplib's calls. ``IMAP4(host=None, port=None,
...)`` is plain on 143, ``IMAP4_SSL(host=None, port=None, keyfile=None, certfile=None,
ca_certs=None, ...)`` implicit TLS on 993, ``starttls(keyfile=None, certfile=None,
ca_certs=None, ...)`` upgrades; certificates are checked only when ``ca_certs`` names a
CA file (``CERT_REQUIRED``), else not at all (``CERT_NONE``). ``login(user, password)``
and ``login_cram_md5`` send the password; ``authenticate("XOAUTH2", ...)`` is its OAuth2,
as imaplib's, with no method of its own to rewrite to. (imaplib2 3.6.)"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

_TAIL = ("debug", "debug_file", "identifier", "timeout", "debug_buf_lvl")
_LOGIN = ("user", "password")

MODEL = LibraryModel(
    library="imaplib2",
    distribution="imaplib2",
    markers=(b"imaplib2",),
    openers=(
        Opener(
            names=("imaplib2.IMAP4", "imaplib2.imaplib2.IMAP4"),
            params=("host", "port", *_TAIL),
            protocol=Protocol.IMAP,
            tls=Tls.NONE,
            port_default=143,
        ),
        Opener(
            names=("imaplib2.IMAP4_SSL", "imaplib2.imaplib2.IMAP4_SSL"),
            params=(
                "host",
                "port",
                "keyfile",
                "certfile",
                "ca_certs",
                "cert_verify_cb",
                "ssl_version",
                *_TAIL,
                "tls_level",
            ),
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            port_default=993,
            verify_with="ca_certs",
        ),
    ),
    methods=(
        Method("login", _LOGIN, Effect.LOGIN, user="user", secret="password"),
        Method("login_cram_md5", _LOGIN, Effect.LOGIN, user="user", secret="password"),
        Method(
            "starttls",
            ("keyfile", "certfile", "ca_certs", "cert_verify_cb", "ssl_version", "tls_level"),
            Effect.STARTTLS,
            verify_with="ca_certs",
        ),
    ),
    methods_of=("imaplib2.IMAP4",),
    bundled=True,
    oauth_hint=(
        "imaplib2 authenticates with XOAUTH2 through"
        " .authenticate('XOAUTH2', lambda _: auth_string), as imaplib"
    ),
)
