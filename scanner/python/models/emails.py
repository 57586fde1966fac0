"""emails: ``emails.html(...)`` / ``emails.Message(...)`` then ``.send(to=...,
smtp={"host": ..., "port": ..., "ssl": ..., "tls": ..., "user": ..., "password": ...})``:
``SMTP_SSL`` with ``ssl`` (default context), else ``SMTP`` and ``starttls()`` without a
context with ``tls``; a login when ``user`` is set. Without ``smtp`` it sends to
localhost:25. No OAuth2.
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

_MAKERS = (
    "emails.html",
    "emails.Message",
    "emails.message.Message",
    "emails.message.html",
)

MODEL = LibraryModel(
    library="emails",
    distribution="emails",
    markers=(b"import emails", b"from emails"),
    openers=(
        Opener(
            names=("emails.Message.send",),
            params=(
                "to",
                "set_mail_to",
                "mail_from",
                "set_mail_from",
                "render",
                "smtp_mail_options",
                "smtp_rcpt_options",
                "smtp",
            ),
            protocol=Protocol.SMTP,
            tls=Tls.NONE,
            host="host",
            port="port",
            port_default=25,
            implicit_flag="ssl",
            starttls_flag="tls",
            user="user",
            secret="password",
            settings="smtp",
            keys=(
                ("host", "host"),
                ("port", "port"),
                ("ssl", "ssl"),
                ("tls", "tls"),
                ("user", "user"),
                ("password", "password"),
            ),
            on_object_of=_MAKERS,
            standalone=True,
        ),
    ),
    oauth_hint="emails has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
