"""rpaframework's mail keywords used from Python (``from RPA.Email.ImapSmtp import
ImapSmtp``): ``ImapSmtp(smtp_server=None, smtp_port=587, imap_server=None, imap_port=993,
account=None, password=None, ...)`` keeps the servers and credentials; ``authorize``,
``authorize_smtp`` and ``authorize_imap`` log in with the credentials they are given (or
the constructor's), the SMTP side after ``starttls()`` without a context, the IMAP side
on ``IMAP4_SSL`` without an ``ssl_context`` (neither verifies the certificate). With
``is_oauth=True`` the password is an OAuth2 string sent with XOAUTH2. The keywords'
server parameters are read when the constructor names none. ``Exchange().authorize(
username, password, autodiscover=True, server=None, is_oauth=False, ...)`` logs in to
EWS (exchangelib) with the password unless ``is_oauth`` is true.
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, EwsLogin, LibraryModel, Method, Opener

_AUTHORIZE = ("account", "password")
_PARAMS = (
    "smtp_server", "smtp_port", "imap_server", "imap_port", "account", "password",
    "encoding", "provider", "tenant",
)  # fmt: skip

MODEL = LibraryModel(
    library="rpaframework",
    distribution="rpaframework",
    markers=(b"rpa.email",),
    openers=(
        Opener(
            names=("RPA.Email.ImapSmtp.ImapSmtp",),
            params=(
                "smtp_server",
                "smtp_port",
                "imap_server",
                "imap_port",
                "account",
                "password",
                "encoding",
                "provider",
                "tenant",
            ),
            protocol=Protocol.SMTP,
            tls=Tls.STARTTLS,
            host="smtp_server",
            port="smtp_port",
            port_default=587,
            user="account",
            secret="password",
        ),
        # Only an IMAP server named: the object's first connection is the IMAP one.
        Opener(
            names=("RPA.Email.ImapSmtp.ImapSmtp",),
            params=_PARAMS,
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            host="imap_server",
            port="imap_port",
            port_default=993,
            user="account",
            secret="password",
        ),
    ),
    methods=(
        Method(
            "authorize",
            (*_AUTHORIZE, "smtp_server", "imap_server", "smtp_port", "imap_port", "is_oauth"),
            Effect.LOGIN,
            user="account",
            secret="password",
            host="smtp_server",
            oauth_flag="is_oauth",
        ),
        Method(
            "authorize_smtp",
            (*_AUTHORIZE, "smtp_server", "smtp_port", "is_oauth"),
            Effect.LOGIN,
            user="account",
            secret="password",
            host="smtp_server",
            port="smtp_port",
            protocol=Protocol.SMTP,
            oauth_flag="is_oauth",
        ),
        Method(
            "authorize_imap",
            (*_AUTHORIZE, "imap_server", "imap_port", "is_oauth"),
            Effect.LOGIN,
            user="account",
            secret="password",
            host="imap_server",
            port="imap_port",
            port_default=993,
            protocol=Protocol.IMAP,
            tls=Tls.IMPLICIT,
            oauth_flag="is_oauth",
        ),
        Method("send_message", ("sender", "recipients", "subject", "body"), Effect.SEND),
    ),
    methods_of=("RPA.Email.ImapSmtp.ImapSmtp",),
    ews=(
        EwsLogin(
            names=("RPA.Email.Exchange.Exchange.authorize",),
            params=(
                "username",
                "password",
                "autodiscover",
                "access_type",
                "server",
                "primary_smtp_address",
                "is_oauth",
                "client_id",
                "client_secret",
                "token",
            ),
            user="username",
            secret="password",
            url="server",
            oauth_flag="is_oauth",
            on_object_of=("RPA.Email.Exchange.Exchange",),
        ),
    ),  # fmt: skip
    oauth_hint=(
        "rpaframework's ImapSmtp takes an OAuth2 token with is_oauth=True (its OAuth2 keywords "
        "or an MSAL token for https://outlook.office365.com/.default)"
    ),
)
