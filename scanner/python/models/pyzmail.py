"""pyzmail (and pyzmail36, the same ``pyzmail`` package): ``pyzmail.send_mail(payload,
mail_from, rcpt_to, smtp_host, smtp_port=25, smtp_mode='normal', smtp_login=None,
smtp_password=None)`` connects, logs in when a login and a password are given, sends and
quits in one call. ``smtp_mode`` picks the TLS: ``'ssl'`` is ``smtplib.SMTP_SSL`` (on the
given port: 25 unless told), ``'tls'`` is ``SMTP`` then ``starttls()``, ``'normal'`` plain;
neither passes a context (no certificate check, FACTS 4.9). ``send_mail2`` is the same
call that raises instead of returning the error. No OAuth2. (pyzmail36 1.0.5,
``pyzmail/generate.py``.)"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import LibraryModel, Opener

_PARAMS = (
    "payload",
    "mail_from",
    "rcpt_to",
    "smtp_host",
    "smtp_port",
    "smtp_mode",
    "smtp_login",
    "smtp_password",
)
_NAMES = (
    "pyzmail.send_mail",
    "pyzmail.send_mail2",
    "pyzmail.generate.send_mail",
    "pyzmail.generate.send_mail2",
)

MODEL = LibraryModel(
    library="pyzmail",
    distribution="pyzmail36",
    # No marker of its own: "pyzmail" holds the pre-check's "mail" (see spec.py).
    markers=(),
    openers=(
        Opener(
            names=_NAMES,
            params=_PARAMS,
            protocol=Protocol.SMTP,
            tls=Tls.NONE,
            host="smtp_host",
            port="smtp_port",
            port_default=25,
            user="smtp_login",
            secret="smtp_password",
            mode="smtp_mode",
            modes=(("normal", Tls.NONE), ("ssl", Tls.IMPLICIT), ("tls", Tls.STARTTLS)),
            mode_default="normal",
            standalone=True,
        ),
    ),
    oauth_hint="pyzmail has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
