"""aioimaplib (asyncio IMAP): ``IMAP4_SSL(host="127.0.0.1", port=993, loop, timeout,
ssl_context=None)`` connects with implicit TLS and, without a context,
``ssl.create_default_context()`` (it verifies); ``IMAP4(host, port=143, ...)`` is plain
IMAP (TLS only with an ``ssl_context``; the client has no ``starttls``). ``await
client.login(user, password)`` is a password login, ``await client.xoauth2(user, token)``
the library's OAuth2.
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, OAuth2, Opener

_SSL = ("aioimaplib.IMAP4_SSL", "aioimaplib.aioimaplib.IMAP4_SSL")
_PLAIN = ("aioimaplib.IMAP4", "aioimaplib.aioimaplib.IMAP4")

MODEL = LibraryModel(
    library="aioimaplib",
    distribution="aioimaplib",
    markers=(b"aioimaplib",),
    openers=(
        Opener(
            names=_SSL,
            params=("host", "port", "loop", "timeout", "ssl_context"),
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            host_default="127.0.0.1",
            port_default=993,
            context="ssl_context",
            context_verifies=True,
        ),
        Opener(
            names=_PLAIN,
            params=("host", "port", "loop", "timeout", "conn_lost_cb", "ssl_context"),
            protocol=Protocol.IMAP,
            tls=Tls.NONE,
            host_default="127.0.0.1",
            port_default=143,
            tls_client=("IMAP4_SSL", 993),
        ),
    ),
    methods=(
        Method(
            "login",
            ("user", "password"),
            Effect.LOGIN,
            user="user",
            secret="password",
            oauth2=OAuth2(method="xoauth2", token="token"),
        ),
        Method("xoauth2", ("user", "token"), Effect.XOAUTH2, token="token"),
    ),
    methods_of=(_SSL[0], _PLAIN[0]),
)
