"""quick-mailer (``from mailer import Mailer``): ``Mailer(email, password)`` logs in to
``smtp.gmail.com`` on 587 with STARTTLS and ``ssl.create_default_context()``, unless
``settings(provider=...)`` names another host; ``mail.MICROSOFT`` is
``smtp.office365.com``, ``mail.GMAIL`` Gmail. The login happens on ``send``. No OAuth2.
(The older ``mailer`` distribution uses the same import name with another signature; a
call that does not fit this one is not read as quick-mailer's.)"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

_PRESETS = (("MICROSOFT", "smtp.office365.com"), ("GMAIL", "smtp.gmail.com"))

MODEL = LibraryModel(
    library="mailer",
    distribution="quick-mailer",
    markers=(b"mailer import", b"import mailer"),
    openers=(
        Opener(
            names=("mailer.Mailer", "mailer.mailer.Mailer"),
            params=("email", "password"),
            protocol=Protocol.SMTP,
            tls=Tls.STARTTLS,
            host=None,
            host_default="smtp.gmail.com",
            port=None,
            port_default=587,
            context_verifies=True,
            user="email",
            secret="password",
        ),
    ),
    methods=(
        Method(
            "settings",
            ("repeat", "sleep", "provider", "multi"),
            Effect.CONFIGURE,
            host="provider",
            hosts=_PRESETS,
        ),
        Method("send", ("receiver", "receiver_name", "sender_name", "cc", "bcc"), Effect.SEND),
    ),
    methods_of=("mailer.Mailer",),
    oauth_hint="quick-mailer has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
