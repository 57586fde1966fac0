"""Two distributions import as ``mailer``; a call is read with the one whose signature
accepts it (quick-mailer's first).

quick-mailer: ``Mailer(email, password)`` logs in to ``smtp.gmail.com`` on 587 with
STARTTLS and ``ssl.create_default_context()``, unless ``settings(provider=...)`` names
another host; ``mail.MICROSOFT`` is ``smtp.office365.com``, ``mail.GMAIL`` Gmail. The
login happens on ``send``.

mailer (0.8.1, the older distribution): ``Mailer(host="localhost", port=0,
use_tls=False, usr=None, pwd=None, use_ssl=False, ...)``; ``login(usr, pwd)`` only keeps
the credentials. ``send`` opens ``smtplib.SMTP_SSL(host, port)`` with ``use_ssl``, else
``smtplib.SMTP(host, port)`` (port 0: smtplib's default, 465 or 25), calls
``starttls()`` with ``use_tls=True``, neither with a context (no certificate check), and
logs in with the credentials when both are set.

A call is quick-mailer's when it fits that signature: both arguments given (neither has
a default), as text (both are annotated ``str``), the first an address. So
``Mailer("me@contoso.com", password)`` is quick-mailer's, and ``Mailer("smtp.office365.com",
587)`` or ``Mailer(host)`` is mailer's; two arguments known only at run time are read as
quick-mailer's.

Neither has OAuth2."""

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
            required=("email", "password"),
            texts=("email", "password"),
            addresses=("email",),
        ),
        Opener(
            names=("mailer.Mailer",),
            params=(
                "host",
                "port",
                "use_tls",
                "usr",
                "pwd",
                "use_ssl",
                "use_plain_auth",
                "timeout",
            ),
            protocol=Protocol.SMTP,
            tls=Tls.NONE,
            host_default="localhost",
            port_default=25,
            implicit_flag="use_ssl",
            implicit_port=465,
            starttls_flag="use_tls",
            user="usr",
            secret="pwd",
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
        Method("login", ("usr", "pwd"), Effect.LOGIN, user="usr", secret="pwd"),
    ),
    methods_of=("mailer.Mailer",),
    oauth_hint="mailer has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
