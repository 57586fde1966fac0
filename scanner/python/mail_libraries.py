"""Mail libraries by the module a program imports, and the protocol each speaks.

Settings named like a framework's (``MAIL_SERVER``) take their protocol from the
library the module really uses, and a module that imports one of these is a mail
script, whose password literals are mail secrets.
"""

from __future__ import annotations

from ..model import Protocol

# The standard mail modules a package hands on under their names (``from . import smtplib``
# where its ``__init__`` imports it, or a shim module of that name): the standard module.
STANDARD_MAIL_MODULES = frozenset(("smtplib", "imaplib", "poplib"))

LIBRARIES: dict[str, Protocol] = {
    **dict.fromkeys(("imaplib", "imaplib2", "imap_tools", "imapclient"), Protocol.IMAP),
    "poplib": Protocol.POP,
    **dict.fromkeys(("exchangelib", "O365", "pyews"), Protocol.EWS),
    **dict.fromkeys(
        (
            "smtplib",
            "aiosmtplib",
            "yagmail",
            "redmail",
            "envelopes",
            "emails",
            "flask_mail",
            "flask_mailman",
            "fastapi_mail",
            "zmail",
            "pyzmail",
        ),
        Protocol.SMTP,
    ),
}
# Web frameworks that send mail over SMTP from their settings.
FRAMEWORKS: dict[str, Protocol] = {"flask": Protocol.SMTP, "django": Protocol.SMTP}
