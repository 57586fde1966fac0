"""email-to (0.1): ``EmailServer(url, port, email, password)`` keeps the server and the
credentials; each ``quick_email(...)`` or ``send_message(...)`` opens
``smtplib.SMTP(url, port)``, calls ``starttls()`` without a context (no certificate
check) and logs in with the address and password, then sends. No OAuth2."""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

_SERVER = ("email_to.EmailServer", "email_to.email_to.EmailServer")

MODEL = LibraryModel(
    library="email_to",
    distribution="email-to",
    markers=(b"email_to",),
    openers=(
        Opener(
            names=_SERVER,
            params=("url", "port", "email", "password"),
            protocol=Protocol.SMTP,
            tls=Tls.STARTTLS,
            host="url",
            user="email",
            secret="password",
            starttls_verifies=False,
        ),
    ),
    methods=(
        Method("quick_email", ("send_to", "subject", "body", "style"), Effect.SEND),
        Method("send_message", ("message", "send_to", "subject"), Effect.SEND),
    ),
    methods_of=_SERVER,
    oauth_hint="email-to has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
