"""imbox: a reader whose constructor logs in. Two shapes, as its releases have them.

Up to 0.9: ``Imbox(hostname, username=None, password=None, ssl=True, port=None,
ssl_context=None, policy=None, starttls=False, vendor=None)`` opens ``IMAP4_SSL`` (993)
with ``ssl``, else plain ``IMAP4`` (143), upgrades with ``starttls()`` when asked, and logs
in with the user and password at once. Without a context the implicit TLS uses
``ssl.create_default_context()`` (it verifies); the STARTTLS upgrade is called with no
context, so imaplib's default, which verifies nothing (FACTS 4.9).

From 0.10: ``Imbox(config, policy=None, vendor=None)`` with the settings in a
``Config(username, password, imap_url, ssl, ssl_context, starttls, port=993)`` dataclass
(``imbox.settings``), whose values the constructor uses the same way (it passes no
context: the default verifying one). The ``Config`` is where the host and the password
are written, so it is read as the login; ``Imbox(config)`` alone names no server.

imbox has no OAuth2 login: nothing to rewrite to.
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

MODEL = LibraryModel(
    library="imbox",
    distribution="imbox",
    # Worth its pass over every file (see the note on markers in spec.py): a host from
    # the environment leaves no mail word in the call.
    markers=(b"imbox",),
    openers=(
        Opener(
            names=("imbox.Imbox", "imbox.imbox.Imbox"),
            params=(
                "hostname",
                "username",
                "password",
                "ssl",
                "port",
                "ssl_context",
                "policy",
                "starttls",
                "vendor",
            ),
            protocol=Protocol.IMAP,
            tls=Tls.NONE,
            host="hostname",
            port_default=143,
            implicit_flag="ssl",
            implicit_default=True,
            implicit_port=993,
            starttls_flag="starttls",
            context="ssl_context",
            context_verifies=True,
            starttls_verifies=False,
            user="username",
            secret="password",
        ),
        Opener(
            names=("imbox.settings.Config",),
            params=("username", "password", "imap_url", "ssl", "ssl_context", "starttls", "port"),
            protocol=Protocol.IMAP,
            tls=Tls.NONE,
            host="imap_url",
            port_default=993,
            implicit_flag="ssl",
            implicit_if=True,
            implicit_port=993,
            starttls_flag="starttls",
            # The 0.10 constructor hands ImapTransport no context: the verifying default.
            context=None,
            context_verifies=True,
            starttls_verifies=False,
            user="username",
            secret="password",
        ),
    ),
    oauth_hint="imbox has no OAuth2 login; imap_tools' MailBox(...).xoauth2(user, token) has",
)
