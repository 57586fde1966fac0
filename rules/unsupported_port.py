"""AS202 unsupported-port: a Microsoft 365 host on a port it does not serve for clients."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Confidence, Finding, Severity
from authsweep.scanner.model import Connection, MailFile, Protocol, Span, StepKind, Tls, Value
from authsweep.scanner.providers import BasicAuth
from authsweep.scanner.remedies import RemedyKind

from .base import Example, HostPolicy, Rule, describe_host, table_rows

# Exchange Online IMAP and POP: implicit TLS ports, and the STARTTLS ones.
_PORTS = {Protocol.IMAP: (993, 143), Protocol.POP: (995, 110)}


class UnsupportedPort(Rule):
    id = "AS202"
    name = "unsupported-port"
    severity = Severity.ERROR
    security_severity = "4.0"
    summary = "A Microsoft 365 mail host with a port it does not serve for client submission."
    why = (
        "`smtp.office365.com` takes SMTP AUTH client submission on 587 (recommended) or 25, "
        "both with STARTTLS. Port 465 is not served: the connection times out, and Microsoft "
        "says a device that wants 465 does not support SMTP AUTH client submission. Port 25 "
        "works but is blocked by many networks and clouds, so it is reported as a warning. "
        "A Direct Send host (`<domain>.mail.protection.outlook.com`, port 25), like Outlook.com's "
        "inbound MX (`*.olc.protection.outlook.com`, `mx4.hotmail.com`), takes mail for "
        "the tenant's own recipients without any AUTH: code that logs in there is doing "
        "client submission at a host that does not serve it. `SMTP_SSL(host)` connects to "
        "465 at once, so a later `connect(host, 587)` never runs. A port setting is reported "
        "where it is written, and once in a module that reads it from elsewhere (at the "
        "first connection that does); a port one call of a wrapper gives beside its own "
        "Microsoft host (`send('smtp-mail.outlook.com', 25)` beside "
        "`send('smtp.office365.com')`) is judged on that call's host, where the call writes "
        "it; a table's Microsoft row whose host and port a connection reads apart (`row = "
        "PROVIDERS[name]` then `SMTP(row['host'], row['port'])`) is judged on its own port, "
        "reported in the row, once for every connection that reads it; a connection opened "
        "only on an arm the project's "
        "committed settings never take (`if USE_SSL:` with `USE_SSL = False`) is never made. "
        "Settings that leave the port out get their framework's default (Django's 25), "
        "except in a config module whose host or password the project's own code imports "
        "and connects with (`from mail_config import EMAIL_HOST` then `SMTP(EMAIL_HOST, "
        "587)`): that code says the port, and is judged where it opens the connection."
    )
    fix_doc = (
        "Use port 587 with STARTTLS: `smtplib.SMTP(host, 587)` and "
        "`starttls(context=ssl.create_default_context())`. `authsweep fix` does this, also when "
        "465 came from `SMTP_SSL`'s default port."
    )
    no_fix = (
        "authsweep has no rewrite of this port here (set where a fix cannot change it, "
        "or with a TLS mode it cannot tell); use 587 with STARTTLS by hand"
    )
    fix_safety = (
        "Safe for a literal Microsoft host whose TLS mode is known (the fix switches it to "
        "STARTTLS too); unsafe when the host is only a default, or when a config file sets "
        "the port but no TLS mode (the code reading it may do implicit TLS)."
    )
    references = (
        "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365",
        "https://github.com/dani-garcia/vaultwarden/issues/1008",
    )
    bad = (
        Example(
            "import smtplib\nserver = smtplib.SMTP_SSL('smtp.office365.com', 465)\n", lines=(2,)
        ),
        Example("import smtplib\nserver = smtplib.SMTP_SSL('smtp.office365.com')\n", lines=(2,)),
        Example(
            "import smtplib\n"
            "server = smtplib.SMTP('contoso-com.mail.protection.outlook.com', 25)\n"
            "server.starttls()\n"
            "server.login(user, password)\n",
            lines=(2,),
        ),
    )
    good = (
        Example("import smtplib\nserver = smtplib.SMTP('smtp.office365.com', 587)\n"),
        Example(
            "import smtplib\n"
            "USE_SSL = False\n"
            "if USE_SSL:\n"
            "    server = smtplib.SMTP_SSL('smtp.office365.com', 465, context=context)\n"
            "else:\n"
            "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
        ),
        Example("import smtplib\nserver = smtplib.SMTP_SSL('smtp.gmail.com', 465)\n"),
        Example(
            "import smtplib\nserver = smtplib.SMTP('contoso-com.mail.protection.outlook.com', 25)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        # One setting read by several connections of the file is one problem (reported at
        # the first): a port kept in another module or a config object, with no literal
        # here a fix could change once per connection.
        checked = []
        readers: dict[tuple[object, object, str], list[int]] = {}
        for conn in mail.connections:
            if conn.unreached:
                continue  # opened only on an arm the committed settings never take
            policy = self.host_policy(conn)
            if policy is None or not policy.provider.microsoft:
                continue
            setting = _setting(conn)
            if setting is not None:
                readers.setdefault(setting, []).append(conn.opened_at.line)
            checked.append((conn, policy, setting))
        reported: set[tuple[object, object, str]] = set()
        for conn, policy, setting in checked:
            # A constructor given a host connects at once: a later connect() comes after a
            # session on the constructor's port, which has to work too.
            for port in conn.earlier_ports:
                finding = self._port(mail, conn, policy, port, earlier=True)
                if finding is not None:
                    yield finding
            read = ""
            if setting is not None:
                if setting in reported:
                    continue
                others = sorted(set(readers[setting]) - {conn.opened_at.line})
                also = f", also read at line{'s' if len(others) > 1 else ''} " if others else ""
                read = f" (from `{conn.port.source}`{also}{', '.join(map(str, others))})"
            finding = self._port(mail, conn, policy, conn.port, earlier=False, read=read)
            if finding is not None:
                if setting is not None:
                    reported.add(setting)
                yield finding
            yield from self._ports_passed_elsewhere(mail, conn)
        yield from self._table_rows(mail, checked)

    def _table_rows(
        self, mail: MailFile, checked: list[tuple[Connection, HostPolicy, object]]
    ) -> Iterator[Finding]:
        """The port of each Microsoft row of a table a connection takes host and port
        from (``preset["port"]`` beside ``preset["host"]``), judged on the row's host and
        reported where it is written, once for all the connections that read it."""
        reported: set[Span] = set()
        for conn, _, _ in checked:
            for at_row in table_rows(conn):
                policy = self.host_policy(at_row)
                span = at_row.port.span
                if policy is None or not policy.provider.microsoft or span in reported:
                    continue
                finding = self._port(mail, at_row, policy, at_row.port, earlier=False)
                if finding is not None and span is not None:
                    reported.add(span)
                    yield finding

    def _ports_passed_elsewhere(self, mail: MailFile, conn: Connection) -> Iterator[Finding]:
        """The ports other calls of a wrapper pass beside their own Microsoft host
        (``send('smtp.office365.com')`` here, ``send('smtp-mail.outlook.com', 465)``
        there): each judged on its call's host, reported where it is written, no fix (the
        fix changes the wrapper's port, which the other calls use)."""
        for port in conn.port.passed_elsewhere:
            if port.passed_with is None or port.literal_span is None:
                continue
            at_call = dataclasses.replace(conn, host=port.passed_with, remedies={})
            policy = self.host_policy(at_call)
            if policy is None or not policy.provider.microsoft:
                continue
            finding = self._port(mail, at_call, policy, port, earlier=False)
            if finding is not None:
                yield finding

    def _port(
        self,
        mail: MailFile,
        conn: Connection,
        policy: HostPolicy,
        value: Value,
        *,
        earlier: bool,
        read: str = "",
    ) -> Finding | None:
        """The finding on ``value``, the port of ``conn``; ``read``: where the port comes
        from when it is a setting read from elsewhere, as the message says it."""
        if not value.known:
            return None
        port = value.value
        provider = policy.provider
        fix = None
        severity = self.severity
        if conn.protocol is Protocol.SMTP and provider.smtp_basic_auth is BasicAuth.NOT_USED:
            if not _authenticates(conn):
                return None
            # An inbound MX (Direct Send for a tenant) takes mail for its own recipients
            # on 25, without AUTH: a login there is client submission, which only
            # smtp.office365.com serves.
            submission = (
                "smtp-mail.outlook.com" if provider.personal_accounts else "smtp.office365.com"
            )
            reason = (
                f"is {provider.name}, which offers no AUTH (it takes mail for its own "
                f"recipients only): log in to {submission} on 587 with STARTTLS, or drop "
                "the login"
            )
        elif conn.protocol is Protocol.SMTP:
            allowed = provider.submission_ports
            if not allowed or port in allowed and port not in provider.discouraged_ports:
                return None
            if port in provider.discouraged_ports:
                severity = Severity.WARNING
                reason = "works, but 587 is the recommended submission port"
            else:
                reason = "is not served for client submission (use 587 with STARTTLS)"
            # With the TLS mode unknown (a config file without a TLS setting), the code
            # reading the port may do implicit TLS: 587 alone could break it.
            safe = policy.confidence is Confidence.HIGH and conn.tls is not Tls.UNKNOWN
            if not earlier:
                fix = self.fix_from(
                    conn.remedies.get(RemedyKind.PORT_587),
                    Applicability.SAFE if safe else Applicability.UNSAFE,
                    "Use port 587 with STARTTLS",
                )
        elif conn.protocol in _PORTS:
            if port in _PORTS[conn.protocol]:
                return None
            article = "an" if conn.protocol is Protocol.IMAP else "a"
            reason = f"is not {article} {conn.protocol.value.upper()} port of Exchange Online"
        else:
            return None
        first = " (the constructor connects there before connect() opens another session)"
        return self.finding(
            mail,
            value.span or conn.opened_at,  # the port where it is written
            f"port {port}{read} of {describe_host(conn)}{first if earlier else ''} {reason}",
            severity=severity,
            confidence=policy.confidence,
            fix=fix,
        )


def _setting(conn: Connection) -> tuple[object, object, str] | None:
    """What names the port's setting, when it is read from elsewhere rather than written
    here (``EMAIL_CONFIG['smtp_port']`` of an imported dict): its text, value and host."""
    port = conn.port
    if not port.known or port.literal_span is not None or port.origin or not port.source:
        return None
    return (conn.host.value if conn.host.known else conn.host.source, port.value, port.source)


def _authenticates(conn: Connection) -> bool:
    return any(s.kind in (StepKind.LOGIN, StepKind.AUTH) for s in conn.steps)
