"""imap_tools: ``MailBox(host, port=993, ...)`` (IMAP4_SSL), ``MailBoxUnencrypted``
(plain IMAP4), ``MailBoxStartTls`` (IMAP4 + ``starttls``; ``MailBoxTls`` before 1.0), each
logging in with ``.login(username, password)`` and returning itself, so calls chain:
``MailBox(host).login(user, pw, "INBOX")``. ``.xoauth2(username, access_token)`` is the
library's OAuth2. The SSL context defaults to imaplib's, which does not verify
certificates (FACTS 4.9).
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, OAuth2, Opener

_LOGIN_PARAMS = ("username", "password", "initial_folder")
_TO_XOAUTH2 = OAuth2(method="xoauth2", token="access_token")

MODEL = LibraryModel(
    library="imap_tools",
    distribution="imap-tools",
    markers=(b"imap_tools",),
    openers=(
        Opener(
            names=("imap_tools.MailBox", "imap_tools.mailbox.MailBox"),
            params=("host", "port", "timeout", "keyfile", "certfile", "ssl_context"),
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            host_default="",
            port_default=993,
            context="ssl_context",
        ),
        Opener(
            names=("imap_tools.MailBoxUnencrypted", "imap_tools.mailbox.MailBoxUnencrypted"),
            params=("host", "port", "timeout"),
            protocol=Protocol.IMAP,
            tls=Tls.NONE,
            host_default="",
            port_default=143,
            tls_client=("MailBox", 993),
        ),
        Opener(
            names=(
                "imap_tools.MailBoxStartTls",
                "imap_tools.mailbox.MailBoxStartTls",
                "imap_tools.MailBoxTls",
                "imap_tools.mailbox.MailBoxTls",
            ),
            params=("host", "port", "timeout", "ssl_context"),
            protocol=Protocol.IMAP,
            tls=Tls.STARTTLS,
            host_default="",
            port_default=143,
            context="ssl_context",
        ),
    ),
    methods=(
        Method("login", _LOGIN_PARAMS, Effect.LOGIN, "username", "password", oauth2=_TO_XOAUTH2),
        Method(
            "login_utf8", _LOGIN_PARAMS, Effect.LOGIN, "username", "password", oauth2=_TO_XOAUTH2
        ),
        Method(
            "xoauth2",
            ("username", "access_token", "initial_folder"),
            Effect.XOAUTH2,
            user="username",
            token="access_token",
        ),
    ),
    methods_of=(
        "imap_tools.MailBox",
        "imap_tools.MailBoxStartTls",
        "imap_tools.MailBoxUnencrypted",
    ),
    oauth_hint="imap_tools authenticates with XOAUTH2 through .xoauth2(username, access_token)",
)
