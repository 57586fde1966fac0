"""mailsuite (2.3; parsedmarc's mail library): three callables that log in by themselves.

``mailsuite.smtp.send_email(host, message_from, message_to=None, ..., port=0,
require_encryption=False, verify=True, username=None, password=None, oauth2_token=None,
..., starttls=None)`` opens ``smtplib.SMTP_SSL`` with ``require_encryption``, else
``smtplib.SMTP`` and upgrades with STARTTLS when the server offers it (unless
``starttls=False``), both with ``ssl.create_default_context()``; port 0 is smtplib's
default (465 or 25). It logs in with the username and password, or authenticates with
XOAUTH2 when given an OAuth2 token instead, then sends.

``mailsuite.imap.IMAPClient(host, username=None, password=None, port=993, ssl=True,
ssl_context=None, verify=True, ..., starttls=None)`` (an IMAPClient subclass) and
``mailsuite.mailbox.IMAPConnection(host, user, password=None, port=993, ssl=True,
verify=True, ..., starttls=None)`` connect with implicit TLS (a default context unless
one is given), or plain with ``ssl=False`` and then STARTTLS when offered, and log in in
the constructor. ``verify=False`` turns certificate checks off (not read by the model).
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

_OAUTH = ("oauth2_token", "oauth2_token_provider", "oauth2_mechanism", "oauth2_vendor")
_IMAP = {
    "protocol": Protocol.IMAP,
    "tls": Tls.NONE,
    "port_default": 993,
    "implicit_flag": "ssl",
    "implicit_default": True,
    "starttls_flag": "starttls",
    "starttls_default": True,
    "context_verifies": True,
    "secret": "password",
    "oauth2_params": _OAUTH[:2],
}

MODEL = LibraryModel(
    library="mailsuite",
    distribution="mailsuite",
    # Its own marker (the pre-check's "mail" is in it: looked for only where that is).
    markers=(b"mailsuite",),
    openers=(
        Opener(
            names=("mailsuite.smtp.send_email",),
            params=(
                "host",
                "message_from",
                "message_to",
                "message_cc",
                "message_bcc",
                "port",
                "require_encryption",
                "verify",
                "username",
                "password",
                *_OAUTH,
                "envelope_from",
                "subject",
                "message_headers",
                "attachments",
                "plain_message",
                "html_message",
                "dkim_private_key",
                "dkim_selector",
                "dkim_domain",
                "dkim_additional_headers",
                "starttls",
            ),
            protocol=Protocol.SMTP,
            tls=Tls.NONE,
            port_default=25,
            implicit_flag="require_encryption",
            implicit_port=465,
            starttls_flag="starttls",
            starttls_default=True,
            context_verifies=True,
            user="username",
            secret="password",
            oauth2_params=_OAUTH[:2],
            standalone=True,
        ),
        Opener(
            names=("mailsuite.imap.IMAPClient",),
            params=(
                "host",
                "username",
                "password",
                "port",
                "ssl",
                "ssl_context",
                "verify",
                "timeout",
                "max_retries",
                "initial_folder",
                "idle_callback",
                "idle_timeout",
                *_OAUTH,
                "config_reloading",
                "starttls",
            ),
            context="ssl_context",
            user="username",
            **_IMAP,
        ),
        Opener(
            names=("mailsuite.mailbox.IMAPConnection", "mailsuite.mailbox.imap.IMAPConnection"),
            params=(
                "host",
                "user",
                "password",
                "port",
                "ssl",
                "verify",
                "timeout",
                "max_retries",
                *_OAUTH,
                "starttls",
            ),
            user="user",
            **_IMAP,
        ),
    ),
    oauth_hint=(
        "mailsuite takes an OAuth2 token instead of the password: oauth2_token_provider="
        "a function returning an MSAL token (XOAUTH2)"
    ),
)
