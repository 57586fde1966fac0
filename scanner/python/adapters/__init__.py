"""Library adapters of the Python front end, one module per library family."""

from __future__ import annotations

from ..models import MODELS
from .aiosmtplib import AIOSMTPLIB
from .base import Adapter
from .declared import adapters
from .django_mail import DJANGO
from .exchangelib import EXCHANGELIB
from .http_tokens import HTTP_TOKENS
from .imapclient import IMAPCLIENT
from .logging_handlers import SMTP_HANDLER
from .redmail import REDMAIL
from .stdlib import IMAPLIB, POPLIB, SMTPLIB
from .tokens import TOKENS
from .yagmail import YAGMAIL

ADAPTERS: tuple[Adapter, ...] = (
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
    # The libraries declared as data (scanner/python/models), read by one interpreter.
    *adapters(MODELS),
)
