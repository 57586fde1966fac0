"""AS205 conflicting-tls-flags: implicit TLS and STARTTLS asked for at once."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Finding, Severity
from authsweep.scanner.model import MailFile
from authsweep.scanner.remedies import RemedyKind

from .base import Example, Rule


class ConflictingTlsFlags(Rule):
    id = "AS205"
    name = "conflicting-tls-flags"
    severity = Severity.ERROR
    security_severity = "4.0"
    summary = (
        "Both implicit TLS and STARTTLS asked for: `EMAIL_USE_TLS` and `EMAIL_USE_SSL`, "
        "`MAIL_USE_TLS` and `MAIL_USE_SSL`, aiosmtplib `use_tls` and `start_tls`, Red Mail "
        "`cls_smtp=SMTP_SSL` with STARTTLS, yagmail `smtp_ssl` with `smtp_starttls`."
    )
    why = (
        "A connection is either TLS from the first byte (port 465) or plain and then upgraded "
        "with STARTTLS (port 587), never both. Django raises `ValueError: EMAIL_USE_TLS/"
        "EMAIL_USE_SSL are mutually exclusive`, aiosmtplib raises `ValueError`, and the "
        "libraries that do not check (Flask-Mail, Red Mail, yagmail) send STARTTLS over the TLS "
        "connection, which the server no longer offers: `SMTPNotSupportedError`. No mail is "
        "sent either way."
    )
    fix_doc = (
        "Keep one: STARTTLS (`EMAIL_USE_TLS`, `start_tls=True`, ...) for port 587, which "
        "Microsoft 365 wants; implicit TLS only for a server on port 465. `authsweep fix` drops "
        "the flag that does not match the port."
    )
    no_fix = (
        "authsweep cannot drop one of the two flags here (the port is not known, or the "
        "flags are set where a fix cannot change them); keep STARTTLS for 587 by hand"
    )
    fix_safety = (
        "Safe when the port is known (the flag kept is the one that port speaks); unsafe "
        "otherwise, as the port decides which flag is right."
    )
    references = (
        "https://docs.djangoproject.com/en/stable/ref/settings/#email-use-ssl",
        "https://aiosmtplib.readthedocs.io/en/latest/encryption.html",
    )
    bad = (
        Example(
            "import aiosmtplib\n"
            "smtp = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587,\n"
            "                       use_tls=True, start_tls=True)\n",
            lines=(3,),
            fixed=(
                "import aiosmtplib\n"
                "smtp = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587,\n"
                "                       start_tls=True)\n"
            ),
        ),
        Example(
            "from django.core.mail import get_connection\n"
            "connection = get_connection(host='smtp.office365.com', port=587,\n"
            "                            use_tls=True, use_ssl=True)\n",
            lines=(3,),
        ),
        Example(
            "EMAIL_HOST = 'smtp.office365.com'\n"
            "EMAIL_PORT = 587\n"
            "EMAIL_USE_TLS = True\n"
            "EMAIL_USE_SSL = True\n",
            path="settings.py",
        ),
    )
    good = (
        Example(
            "import aiosmtplib\n"
            "smtp = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, start_tls=True)\n"
        ),
        Example(
            "from django.core.mail import get_connection\n"
            "connection = get_connection(host='smtp.office365.com', port=587, use_tls=True)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn in mail.connections:
            if conn.tls_conflict is None:
                continue
            if conn.test_code and self.host_policy(conn) is None:
                continue  # a test that checks the library refuses the combination
            fix = self.fix_from(
                conn.remedies.get(RemedyKind.RESOLVE_TLS_CONFLICT),
                Applicability.SAFE if conn.port.known else Applicability.UNSAFE,
                "Keep the TLS mode the port speaks",
            )
            yield self.finding(
                mail,
                conn.tls_conflict,
                f"{conn.library} is asked for both implicit TLS and STARTTLS: it refuses to "
                "connect, or sends STARTTLS over TLS and fails; keep STARTTLS on 587 "
                "(implicit TLS only on 465)",
                fix=fix,
            )
