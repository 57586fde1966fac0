"""Flask-Mailman (Django's mail code ported to Flask): ``EmailBackend(host=None,
port=None, username=None, password=None, use_tls=None, fail_silently=False,
use_ssl=None, timeout=None, ssl_keyfile=None, ssl_certfile=None, **kwargs)``; what is
not given comes from the app's ``MAIL_*`` settings (read by the settings front end).
``open()`` makes ``SMTP_SSL`` with ``use_ssl``, else ``SMTP`` and ``starttls()``
without a context with ``use_tls``, then logs in when both user name and password are
set. No OAuth2 short of a backend of one's own.
"""

from __future__ import annotations

from ...model import Protocol, Tls
from .spec import Effect, LibraryModel, Method, Opener

_PARAMS = (
    "host",
    "port",
    "username",
    "password",
    "use_tls",
    "fail_silently",
    "use_ssl",
    "timeout",
    "ssl_keyfile",
    "ssl_certfile",
)

MODEL = LibraryModel(
    library="flask_mailman",
    distribution="Flask-Mailman",
    markers=(b"flask_mailman",),
    openers=(
        Opener(
            names=("flask_mailman.backends.smtp.EmailBackend",),
            params=_PARAMS,
            protocol=Protocol.SMTP,
            tls=Tls.NONE,
            implicit_flag="use_ssl",
            implicit_port=465,
            port_default=25,
            starttls_flag="use_tls",
            user="username",
            secret="password",
            takes_kwargs=True,
        ),
    ),
    methods=(
        Method("open", (), Effect.SEND),
        Method("send_messages", ("email_messages",), Effect.SEND),
    ),
    methods_of=("flask_mailman.backends.smtp.EmailBackend",),
    oauth_hint=(
        "Flask-Mailman's SMTP backend cannot do OAuth2: use a backend of your own that "
        "authenticates with XOAUTH2 and an MSAL token (MAIL_BACKEND)"
    ),
)
