"""AS301 xoauth2-double-encoding: an XOAUTH2 string base64-encoded before a library that
encodes it again."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Finding, Severity
from authsweep.scanner.model import MailFile
from authsweep.scanner.remedies import RemedyKind

from .base import Example, Rule


class Xoauth2DoubleEncoding(Rule):
    id = "AS301"
    name = "xoauth2-double-encoding"
    severity = Severity.ERROR
    summary = (
        "An XOAUTH2 string base64-encoded before `smtplib.SMTP.auth` or "
        "`imaplib.IMAP4.authenticate`, which base64-encode what the authobject returns."
    )
    why = (
        "smtplib and imaplib encode the authobject's answer themselves. Code that returns "
        '`base64.b64encode(raw).decode()` (as the pre-3.5 `docmd("AUTH", "XOAUTH2 ...")` '
        "recipes, which had to) sends the token encoded twice, and Exchange Online answers "
        "`535 5.7.3 Authentication unsuccessful` (IMAP: `AUTHENTICATE failed`) although the "
        "token is fine: a migration to OAuth2 that looks right and never works."
    )
    fix_doc = (
        'Return the raw string: `lambda challenge=None: f"user={user}\\x01auth=Bearer '
        '{token}\\x01\\x01"`. `authsweep fix` replaces `base64.b64encode(raw.encode()).decode()` '
        "with `raw`."
    )
    no_fix = (
        "the encoding is not written where a fix can take it out; return the raw "
        "XOAUTH2 string by hand"
    )
    fix_safety = (
        "Safe when the encoding is inside the authobject; unsafe when it is in a helper or a "
        "variable that other code may use (a hand-made `docmd` AUTH needs the base64)."
    )
    references = (
        "https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.auth",
        "https://docs.python.org/3/library/imaplib.html#imaplib.IMAP4.authenticate",
        "https://github.com/seanthegeek/mailsuite/pull/33",
    )
    bad = (
        Example(
            "import base64, smtplib, ssl\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
            "    smtp.starttls(context=ssl.create_default_context())\n"
            "    auth_string = f'user={user}\\x01auth=Bearer {token}\\x01\\x01'\n"
            "    smtp.auth('XOAUTH2', lambda challenge=None: "
            "base64.b64encode(auth_string.encode()).decode())\n",
            lines=(5,),
            fixed=(
                "import smtplib, ssl\n"
                "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
                "    smtp.starttls(context=ssl.create_default_context())\n"
                "    auth_string = f'user={user}\\x01auth=Bearer {token}\\x01\\x01'\n"
                "    smtp.auth('XOAUTH2', lambda challenge=None: auth_string)\n"
            ),
        ),
        Example(
            "import base64, imaplib\n"
            "def xoauth2(user, token):\n"
            "    raw = f'user={user}\\x01auth=Bearer {token}\\x01\\x01'\n"
            "    return base64.b64encode(raw.encode('ascii')).decode('ascii')\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "imap.authenticate('XOAUTH2', lambda _: xoauth2(user, token))\n",
            lines=(6,),
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
            "    smtp.starttls(context=ssl.create_default_context())\n"
            "    auth_string = f'user={user}\\x01auth=Bearer {token}\\x01\\x01'\n"
            "    smtp.auth('XOAUTH2', lambda challenge=None: auth_string)\n"
        ),
        Example(
            "import base64, smtplib, ssl\n"
            "smtp = smtplib.SMTP('smtp.office365.com', 587)\n"
            "smtp.starttls(context=ssl.create_default_context())\n"
            "raw = f'user={user}\\x01auth=Bearer {token}\\x01\\x01'\n"
            "smtp.docmd('AUTH', 'XOAUTH2 ' + base64.b64encode(raw.encode()).decode())\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn in mail.connections:
            for step in conn.steps:
                facts = step.xoauth2
                if facts is None or not facts.base64_encoded or not facts.encodes:
                    continue
                encoding, authobject = facts.encoding_span, facts.authobject_span
                inside = (
                    encoding is not None
                    and authobject is not None
                    and authobject.start <= encoding.start
                    and encoding.end <= authobject.end
                )
                where = f" (line {encoding.line})" if encoding and not inside else ""
                yield self.finding(
                    mail,
                    step.span,
                    f"the XOAUTH2 string is already base64-encoded{where} and {conn.library} "
                    "encodes it again: the server gets it double-encoded and refuses the token "
                    "(535 5.7.3); return the raw string",
                    fix=self.fix_from(
                        step.remedies.get(RemedyKind.RAW_XOAUTH2),
                        Applicability.SAFE if inside else Applicability.UNSAFE,
                        "Hand over the raw XOAUTH2 string",
                    ),
                )
