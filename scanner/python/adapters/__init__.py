"""Library adapters of the Python front end, one module per library family.

``HAND_WRITTEN`` are imported with the front end. The adapters of the libraries declared
as data (scanner/python/models) are made one model at a time, when a module names one of
its callables (:mod:`authsweep.scanner.python.frontend`); ``ADAPTERS`` (the tests, the
markers' script) is every adapter, those made from every model included.
"""

from __future__ import annotations

from .aiosmtplib import AIOSMTPLIB
from .base import Adapter
from .django_mail import DJANGO
from .exchangelib import EXCHANGELIB
from .http_tokens import HTTP_TOKENS
from .imapclient import IMAPCLIENT
from .logging_handlers import SMTP_HANDLER
from .redmail import REDMAIL
from .stdlib import IMAPLIB, POPLIB, SMTPLIB
from .tokens import TOKENS
from .yagmail import YAGMAIL

HAND_WRITTEN: tuple[Adapter, ...] = (
    SMTPLIB,
    IMAPLIB,
    POPLIB,
    AIOSMTPLIB,
    SMTP_HANDLER,
    DJANGO,
    YAGMAIL,
    REDMAIL,
    IMAPCLIENT,
    EXCHANGELIB,
    TOKENS,
    HTTP_TOKENS,
)


def __getattr__(name: str) -> tuple[Adapter, ...]:
    """``ADAPTERS``: the hand-written adapters, then those of every library model."""
    if name != "ADAPTERS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # start-up: every model, for the tests and the scripts only
    from ..models import MODELS
    from .declared import adapters

    return (*HAND_WRITTEN, *adapters(MODELS))
