"""``from mailer import Mailer``: two distributions share the import name.

quick-mailer: ``Mailer(email, password)`` logs in to ``smtp.gmail.com`` on 587 with
STARTTLS and ``ssl.create_default_context()``, unless ``settings(provider=...)`` names
another host; ``mail.MICROSOFT`` is ``smtp.office365.com``, ``mail.GMAIL`` Gmail.
mailer (0.8): ``Mailer(host='localhost', port=25, use_tls=False, usr=None, pwd=None,
use_ssl=False, use_plain_auth=False)``: ``SMTP_SSL`` with ``use_ssl`` (default
context), else ``SMTP`` and ``starttls()`` without a context with ``use_tls``; a login
with ``usr``/``pwd`` on ``send``. Neither has OAuth2.
"""

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
        Opener(
            names=("mailer.Mailer", "mailer.mailer.Mailer"),
            params=("host", "port", "use_tls", "usr", "pwd", "use_ssl", "use_plain_auth"),
            protocol=Protocol.SMTP,
            tls=Tls.NONE,
            host_default="localhost",
            port_default=25,
            implicit_flag="use_ssl",
            starttls_flag="use_tls",
            user="usr",
            secret="pwd",
            distribution="mailer",
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
        Method("send", ("receiver", "cc", "bcc", "subject", "message"), Effect.SEND),
    ),
    oauth_hint="this Mailer has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
