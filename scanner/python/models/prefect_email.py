"""prefect-email: ``EmailServerCredentials(username=None, password=..., smtp_server=
SMTPServer.GMAIL, smtp_type=SMTPType.SSL, smtp_port=None, verify=True)`` (a Prefect block,
keywords only). ``get_server()`` (``email_send_message`` calls it) opens ``SMTP_SSL`` on
465 for ``"SSL"`` (the default), ``SMTP`` on 587 then ``starttls()`` for ``"STARTTLS"``,
plain ``SMTP`` on 25 for ``"INSECURE"`` (the text in any case; ``smtp_port`` overrides the
port), each TLS with ``ssl.create_default_context()`` unless ``verify=False``, and logs in
when a user name is given. ``smtp_server`` is a host or a preset's name (``"outlook"`` is
``smtp-mail.outlook.com``). No OAuth2. (prefect-email 0.4.3, ``credentials.py``.)"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

_MODES = (("SSL", Tls.IMPLICIT), ("STARTTLS", Tls.STARTTLS), ("INSECURE", Tls.NONE))
_PORTS = (("SSL", 465), ("STARTTLS", 587), ("INSECURE", 25))
_PRESETS = (
    ("AOL", "smtp.aol.com"),
    ("ATT", "smtp.mail.att.net"),
    ("COMCAST", "smtp.comcast.net"),
    ("ICLOUD", "smtp.mail.me.com"),
    ("GMAIL", "smtp.gmail.com"),
    ("OUTLOOK", "smtp-mail.outlook.com"),
    ("YAHOO", "smtp.mail.yahoo.com"),
)

MODEL = LibraryModel(
    library="prefect_email",
    distribution="prefect-email",
    markers=(b"prefect_email",),
    openers=(
        Opener(
            names=(
                "prefect_email.EmailServerCredentials",
                "prefect_email.credentials.EmailServerCredentials",
            ),
            params=("username", "password", "smtp_server", "smtp_type", "smtp_port", "verify"),
            protocol=Protocol.SMTP,
            tls=Tls.IMPLICIT,
            host="smtp_server",
            host_default="smtp.gmail.com",
            port="smtp_port",
            port_default=465,
            context_verifies=True,
            user="username",
            secret="password",
            hosts=_PRESETS,
            mode="smtp_type",
            # The library upper-cases the text before it looks it up.
            modes=(*_MODES, *((text.lower(), tls) for text, tls in _MODES)),
            mode_default="SSL",
            mode_ports=(*_PORTS, *((text.lower(), port) for text, port in _PORTS)),
        ),
    ),
    oauth_hint=(
        "prefect-email logs in with a password only: send through smtplib with XOAUTH2 "
        "and an MSAL token"
    ),
)
