"""AS303 xoauth2-authobject-signature: an XOAUTH2 authobject that cannot be called the way
the library calls it."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Finding, Severity
from authsweep.scanner.model import MailFile
from authsweep.scanner.remedies import RemedyKind

from .base import Example, Rule


class Xoauth2AuthobjectSignature(Rule):
    id = "AS303"
    name = "xoauth2-authobject-signature"
    severity = Severity.ERROR
    summary = (
        "An authobject for `smtplib.SMTP.auth` / `imaplib.IMAP4.authenticate` that cannot take "
        "the server's challenge (`lambda: s`) or cannot be called without it (`lambda _: s` "
        "given to smtplib)."
    )
    why = (
        "smtplib first calls `authobject()` with no argument (the initial response) and, when "
        "the server answers `334` with a challenge, `authobject(challenge)`; imaplib always "
        "calls `authobject(challenge)`. `lambda: s` therefore raises `TypeError` under imaplib "
        "every time, and under smtplib whenever the server challenges (or with "
        "`initial_response_ok=False`), hiding the server's real answer. The imaplib idiom "
        "`lambda _: s` given to smtplib raises `TypeError` before anything is sent."
    )
    fix_doc = (
        "Accept an optional challenge: `lambda challenge=None: s` (a def: "
        "`def authobject(challenge=None):`). `authsweep fix` rewrites the parameters."
    )
    no_fix = (
        "the callable is not written where a fix can change its parameters; accept an "
        "optional challenge by hand"
    )
    fix_safety = "Safe: the callable then also accepts the calls it could not take."
    references = (
        "https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.auth",
        "https://docs.python.org/3/library/imaplib.html#imaplib.IMAP4.authenticate",
    )
    bad = (
        Example(
            "import imaplib\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "imap.authenticate('XOAUTH2', lambda: xoauth2_string)\n",
            lines=(3,),
            fixed=(
                "import imaplib\n"
                "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
                "imap.authenticate('XOAUTH2', lambda challenge=None: xoauth2_string)\n"
            ),
        ),
        Example(
            "import smtplib, ssl\n"
            "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
            "smtp.starttls(context=ssl.create_default_context())\n"
            "smtp.auth('XOAUTH2', lambda _: xoauth2_string)\n",
            lines=(4,),
        ),
        Example(
            "import smtplib, ssl\n"
            "def authobject():\n"
            "    return xoauth2_string\n"
            "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
            "smtp.starttls(context=ssl.create_default_context())\n"
            "smtp.auth('XOAUTH2', authobject)\n",
            lines=(2,),
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
            "smtp.starttls(context=ssl.create_default_context())\n"
            "smtp.auth('XOAUTH2', lambda challenge=None: xoauth2_string)\n"
        ),
        Example(
            "import imaplib\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "imap.authenticate('XOAUTH2', lambda _: xoauth2_string)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn in mail.connections:
            for step in conn.steps:
                facts = step.xoauth2
                if facts is None:
                    continue
                if facts.initial_response and facts.accepts_no_argument is False:
                    message = (
                        f"{conn.library} first calls the authobject with no argument, but it "
                        "requires one: TypeError before anything is sent"
                    )
                    severity = self.severity
                elif facts.accepts_challenge is False:
                    if facts.initial_response:
                        message = (
                            "the authobject takes no argument: when the server answers with a "
                            f"challenge, {conn.library} calls authobject(challenge) and raises "
                            "TypeError, hiding the server's answer"
                        )
                        severity = Severity.WARNING
                    else:
                        message = (
                            f"the authobject takes no argument, but {conn.library} always "
                            "calls it with the server's challenge: TypeError"
                        )
                        severity = self.severity
                else:
                    continue
                yield self.finding(
                    mail,
                    facts.authobject_span or step.span,
                    message + "; accept an optional challenge (challenge=None)",
                    severity=severity,
                    fix=self.fix_from(
                        step.remedies.get(RemedyKind.FIX_AUTHOBJECT),
                        Applicability.SAFE,
                        "Let the authobject take an optional challenge",
                    ),
                )
