"""Dmail (1.3): ``Email(mail_server, mail_port, sender_email=None, sender_credentials=None,
mail_use_tls=True, mail_use_ssl=False, **kwargs)`` sends Markdown, HTML or text mail over
smtplib. Its server is opened on ``start()`` (``with Email(...) as mail:``):
``smtplib.SMTP_SSL(host, port, context=ssl.create_default_context())`` with
``mail_use_ssl``, else ``smtplib.SMTP(host, port)`` then ``starttls()`` without a context
(no certificate check) with ``mail_use_tls``; then ``login(sender_email,
sender_credentials)`` when credentials are given. ``send`` and ``send_from_file`` send on
that session.

The providers' presets in ``Dmail.esp`` take ``(sender_email, sender_credentials,
mail_port=587)`` and name the server: ``Hotmail`` ``smtp.live.com`` (Outlook.com),
``Office365`` ``smtp.office365.com`` (its ``mail_server`` may be given), ``Gmail``
``smtp.gmail.com``, ``Yahoo`` ``smtp.mail.yahoo.com``; STARTTLS on 587 (implicit TLS only
when the port given is 465, which the model does not read: a preset is read as STARTTLS).
No OAuth2 (its Gmail API client is another class)."""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

# The SMTP_SSL side is given ``ssl.create_default_context()``; ``starttls()`` nothing.
_SESSION = {
    "protocol": Protocol.SMTP,
    "port": "mail_port",
    "port_default": 587,
    "context_verifies": True,
    "starttls_verifies": False,
    "user": "sender_email",
    "secret": "sender_credentials",
    "takes_kwargs": True,
}
_PRESET = ("sender_email", "sender_credentials")
_PRESETS = (
    ("Hotmail", "hotmail", None, "smtp.live.com"),
    ("Office365", "office365", "mail_server", "smtp.office365.com"),
    ("Gmail", "gmail", None, "smtp.gmail.com"),
    ("Yahoo", "yahoo", "mail_server", "smtp.mail.yahoo.com"),
)
_CLASSES = (
    "Dmail.Email",
    "Dmail.email_.Email",
    *(f"Dmail.esp.{name}" for name, _, _, _ in _PRESETS),
    *(f"Dmail.esp.{module}.{name}" for name, module, _, _ in _PRESETS),
)

MODEL = LibraryModel(
    library="Dmail",
    distribution="Dmail",
    # Its own marker (the pre-check's "mail" is in it: looked for only where that is).
    markers=(b"dmail",),
    openers=(
        Opener(
            names=("Dmail.Email", "Dmail.email_.Email"),
            params=(
                "mail_server",
                "mail_port",
                "sender_email",
                "sender_credentials",
                "mail_use_tls",
                "mail_use_ssl",
            ),
            tls=Tls.NONE,
            host="mail_server",
            implicit_flag="mail_use_ssl",
            starttls_flag="mail_use_tls",
            starttls_default=True,
            required=("mail_server", "mail_port"),
            **_SESSION,
        ),
        *(
            Opener(
                names=(f"Dmail.esp.{name}", f"Dmail.esp.{module}.{name}"),
                params=(*_PRESET, "mail_port")
                if server is None
                else (*_PRESET, server, "mail_port"),
                tls=Tls.STARTTLS,
                host=server,
                host_default=host,
                required=_PRESET,
                **_SESSION,
            )
            for name, module, server, host in _PRESETS
        ),
    ),
    methods=(
        Method("start", (), Effect.SEND),
        Method(
            "send",
            ("email_text", "to", "subject", "cc", "bcc", "subtype", "attachments", "sender"),
            Effect.SEND,
        ),
        Method(
            "send_from_file",
            ("txt_file", "to", "subject", "cc", "bcc", "subtype", "attachments"),
            Effect.SEND,
        ),
    ),
    methods_of=_CLASSES,
    oauth_hint="Dmail has no OAuth2 for SMTP: send through smtplib with XOAUTH2 and an MSAL token",
)
