"""pyramid_mailer (0.15): ``Mailer(**kw)`` takes its server by keyword (``host='localhost'``,
``port=25``, ``username``, ``password``, ``tls=False``, ``ssl=False``, ...; any other
keyword raises) and hands it to repoze.sendmail's ``SMTPMailer``, or ``SMTP_SSLMailer``
with ``ssl``: ``smtplib.SMTP_SSL(host, port)`` without a context (on port 25 unless one
is given), else ``smtplib.SMTP(host, port)`` then, with ``tls``, ``starttls()`` without a
context; it logs in when both user name and password are set. The login happens on
``send``/``send_immediately``. ``Mailer.from_settings(settings, prefix='mail.')`` and
``mailer_factory_from_settings`` read the same from a settings dict's ``mail.host``,
``mail.port``, ``mail.username``, ``mail.password``, ``mail.tls``, ``mail.ssl`` (a
Pyramid app's ``.ini`` settings; the dict is read when the module writes it). No
OAuth2."""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

# What both ways of making one say about the server, by ``Mailer``'s keywords.
_SERVER: dict[str, Any] = {
    "protocol": Protocol.SMTP,
    "tls": Tls.NONE,
    "host_default": "localhost",
    "port_default": 25,
    "implicit_flag": "ssl",
    "starttls_flag": "tls",
    "user": "username",
    "secret": "password",
}

MODEL = LibraryModel(
    library="pyramid_mailer",
    distribution="pyramid_mailer",
    markers=(b"pyramid_mailer",),
    openers=(
        Opener(
            names=("pyramid_mailer.Mailer", "pyramid_mailer.mailer.Mailer"),
            # The keys ``__init__`` pops from ``**kw``, in its order (keyword-only).
            params=(
                "smtp_mailer",
                "host",
                "port",
                "username",
                "password",
                "tls",
                "ssl",
                "keyfile",
                "certfile",
                "debug",
                "sendmail_mailer",
                "sendmail_app",
                "sendmail_template",
                "queue_path",
                "default_sender",
                "transaction_manager",
            ),
            **_SERVER,
        ),
        Opener(
            names=(
                "pyramid_mailer.Mailer.from_settings",
                "pyramid_mailer.mailer.Mailer.from_settings",
                "pyramid_mailer.mailer_factory_from_settings",
            ),
            params=("settings", "prefix"),
            settings="settings",
            keys=(
                ("mail.host", "host"),
                ("mail.port", "port"),
                ("mail.username", "username"),
                ("mail.password", "password"),
                ("mail.tls", "tls"),
                ("mail.ssl", "ssl"),
            ),
            **_SERVER,
        ),
    ),
    oauth_hint="pyramid_mailer has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
