"""Envelopes: ``SMTP(host=None, port=25, login=None, password=None, tls=False,
timeout=None)`` wraps ``smtplib.SMTP``: ``starttls()`` without a context when ``tls``,
then ``login(login, password or '')`` when a login is given, on the first ``send``.
``Envelope(...).send(*args, **kwargs)`` makes that ``SMTP`` and sends at once;
``GMailSMTP(login, password)`` is the Gmail preset. No OAuth2.
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

_PARAMS = ("host", "port", "login", "password", "tls", "timeout")
_SMTP = {
    "params": _PARAMS,
    "protocol": Protocol.SMTP,
    "tls": Tls.NONE,
    "port_default": 25,
    "starttls_flag": "tls",
    "user": "login",
    "secret": "password",
}

MODEL = LibraryModel(
    library="envelopes",
    distribution="Envelopes",
    # No marker of its own: see the note on markers in spec.py.
    markers=(),
    openers=(
        Opener(names=("envelopes.SMTP", "envelopes.conn.SMTP"), **_SMTP),
        Opener(
            names=("envelopes.Envelope.send",),
            on_object_of=("envelopes.Envelope", "envelopes.envelope.Envelope"),
            standalone=True,
            forwards_to="envelopes.SMTP",
            **_SMTP,
        ),
        Opener(
            names=("envelopes.GMailSMTP", "envelopes.conn.GMailSMTP"),
            params=("login", "password"),
            protocol=Protocol.SMTP,
            tls=Tls.STARTTLS,
            host=None,
            host_default="smtp.googlemail.com",
            port=None,
            port_default=25,
            user="login",
            secret="password",
        ),
    ),
    methods=(Method("send", ("envelope",), Effect.SEND),),
    methods_of=("envelopes.SMTP",),
    oauth_hint="Envelopes has no OAuth2: send through smtplib with XOAUTH2 and an MSAL token",
)
