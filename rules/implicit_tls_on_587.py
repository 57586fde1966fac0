"""AS201 implicit-tls-on-587: implicit TLS on the STARTTLS submission port."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Confidence, Finding, Severity
from authsweep.scanner.model import Connection, MailFile, Protocol, Tls

from .base import Example, Rule, describe_host, set_by_user, starttls_switch, table_rows


class ImplicitTlsOn587(Rule):
    id = "AS201"
    name = "implicit-tls-on-587"
    severity = Severity.ERROR
    security_severity = "4.0"  # fails to connect; no exposure
    summary = (
        "Implicit TLS (`SMTP_SSL`, `use_tls=True`, `EMAIL_USE_SSL`, `MAIL_USE_SSL`) on port 587."
    )
    why = (
        "Port 587 greets in plain text and expects STARTTLS. A client that starts with a TLS "
        "hello gets `ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number` (or hangs "
        "until the timeout), on Microsoft 365 and on every other submission server. Where "
        "the code's user picks implicit TLS by an option (`if use_ssl: SMTP_SSL(host, "
        "port) else: SMTP(host, port)`, or an `if use_ssl:` arm that returns before the "
        "plain connection) and the port is a parameter, a setting or an environment "
        "variable whose default (587) serves the other arm, the user who picks implicit "
        "TLS gives its port: not reported for a host not known to be Microsoft's. A port "
        "parameter tested around the client (`if port == 465: SMTP_SSL(host, port)`) is "
        "the tested port on that arm, whatever its default; so is a port read from the "
        'environment or a setting and tested as written at the call (`if c["port"] == '
        "465:`). Host and port read apart from one row of a table picked at run time "
        "(`preset = PRESETS.get(domain, {})`, then `preset['host']` and `preset['port']`) stay "
        "together: a Microsoft row's 587 under implicit TLS is reported, with no fix (the "
        "other rows may need implicit TLS); a row with a flag of its own (`'ssl': False`) "
        "may choose the client, and is not judged so."
    )
    fix_doc = (
        "Connect in plain text and upgrade: `smtplib.SMTP(host, 587)` then "
        "`starttls(context=ssl.create_default_context())` (the `context=` of `SMTP_SSL` moves "
        "to `starttls`); in settings, the STARTTLS flag of the same family (`EMAIL_USE_TLS`, "
        "`MAIL_USE_TLS`, `start_tls=True`)."
    )
    no_fix = (
        "authsweep has no rewrite of this TLS setting here (set where a fix cannot "
        "change it, by a library it has no model of, or in a file it leaves alone); "
        "switch to STARTTLS on 587 by hand"
    )
    fix_safety = (
        "Safe when the host is a known Microsoft host (it only speaks STARTTLS on 587); unsafe "
        "otherwise, since a server of your own might really speak TLS on 587."
    )
    references = (
        "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365",
        "https://github.com/paperless-ngx/paperless-ngx/issues/13950",
    )
    bad = (
        Example(
            "import smtplib\n"
            "server = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
            "server.login(user, password)\n",
            lines=(2,),
            fixed=None,
        ),
        Example(
            "import smtplib\n"
            "SERVERS = {'gmail': ('smtp.gmail.com', 465),\n"
            "           'outlook': ('smtp-mail.outlook.com', 587)}\n"
            "host, port = SERVERS[provider]\n"
            "server = smtplib.SMTP_SSL(host, port)\n",
            lines=(5,),
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
        ),
        Example("import smtplib\nserver = smtplib.SMTP_SSL('smtp.gmail.com', 465)\n"),
        # Another provider's host, as every rule: reported with --all-providers.
        Example(
            "import os, smtplib\n"
            "HOST = os.environ.get('EMAIL_HOST', 'smtp.gmail.com')\n"
            "server = smtplib.SMTP_SSL(HOST, 587)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn in mail.connections:
            if conn.protocol is not Protocol.SMTP or conn.tls is not Tls.IMPLICIT:
                continue
            if conn.unreached:
                continue  # opened only on an arm the committed settings never take
            if conn.port.known:
                on_587 = [conn] if conn.port.value == 587 else []
            else:
                # Host and port of one row of a table (``preset["host"]``, ``preset["port"]``).
                on_587 = [row for row in table_rows(conn) if row.port.value == 587]
            for at_587 in on_587:
                finding = self._on_587(mail, at_587, row=at_587 is not conn)
                if finding is not None:
                    yield finding
                    break

    def _on_587(self, mail: MailFile, conn: Connection, *, row: bool) -> Finding | None:
        policy = self.host_policy(conn)
        if policy is None:
            return None  # another provider's host (reported with --all-providers), or a test's
        microsoft = policy.provider.microsoft
        if not microsoft and conn.tls_option and (row or set_by_user(conn.port)):
            # ``if use_ssl: SMTP_SSL(host, port)`` with ``port=587`` a parameter's default
            # (or a table's) for the other arm: the caller who picks implicit TLS gives its
            # port. Microsoft 365 serves no implicit TLS on any port.
            return None
        safe = microsoft and policy.confidence is Confidence.HIGH
        where = f" (the table row at line {conn.port.span.line})" if row and conn.port.span else ""
        return self.finding(
            mail,
            conn.opened_at,
            f"{conn.library} uses implicit TLS on port 587{where} of {describe_host(conn)}, "
            "which speaks STARTTLS: the TLS handshake fails (WRONG_VERSION_NUMBER)",
            confidence=policy.confidence,
            fix=self.fix_from(
                starttls_switch(conn),
                Applicability.SAFE if safe else Applicability.UNSAFE,
                "Connect in plain text and upgrade with STARTTLS",
            ),
        )
