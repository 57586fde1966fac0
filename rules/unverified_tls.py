"""AS204 unverified-tls: TLS without certificate verification."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Finding, Severity
from authsweep.scanner.model import Connection, MailFile, OptOut, Span, StepKind, Tls, Verification
from authsweep.scanner.remedies import Remedy, RemedyKind

from .base import Example, Rule, describe_host, loudness


class UnverifiedTls(Rule):
    id = "AS204"
    name = "unverified-tls"
    severity = Severity.WARNING
    security_severity = "7.4"  # anyone on the path can read the credentials or the token
    every_host = True
    summary = (
        "STARTTLS, `SMTP_SSL`, `IMAP4_SSL` or `POP3_SSL` without a verifying SSL context, "
        "or with verification turned off."
    )
    why = (
        "Without `context=`, smtplib, imaplib and poplib use `ssl._create_stdlib_context()`, "
        "which checks neither the certificate nor the host name (CPython gh-91826 is still "
        "open). Anyone on the path can present any certificate and read the credentials or "
        "the OAuth2 token. A hand-made `ssl.SSLContext(...)` verifies only with "
        "`PROTOCOL_TLS_CLIENT`; any other protocol starts with `CERT_NONE` and host-name "
        "checks off, and loading a CA file does not turn them on. A call written without a "
        "verifying context is reported also on an arm the project's committed settings never "
        "take: its fix is right on every arm. `SMTPHandler(secure=secure)` with `secure` "
        "given by the caller (a parameter) is the caller's choice: whether it upgrades at "
        "all is not known there, and a caller in another module that passes `secure=()` "
        "is reported at that argument. An unverified context made once and used by several "
        "connections is reported once, at its first use, naming the others: the fix "
        "changes it where it is made. A STARTTLS on a session already encrypted on every "
        "path that takes it (`SMTP_SSL(...)` then `starttls()`) raises before any handshake: "
        "it is AS206's, not reported here (the implicit TLS's own handshake still is). "
        "A connection check is not reported: a client that asks the server something "
        "(`ehlo()`, `noop()`, `capability()`, `has_extn()`) and is used only for commands "
        "that carry no credentials, no mail and no mailbox content (those, `starttls()`, "
        "`quit()`, `logout()`) and never leaves the function that opens it (not "
        "returned, passed on, stored, aliased or a module's name another module may "
        "import) has nothing for anyone on the path to "
        "read or change; the same client with a login, a send, a `docmd()` or handed "
        "elsewhere is reported. Both arms of a conditional expression that open the "
        "connection without a verifying context (`IMAP4_SSL(h, port) if port else "
        "IMAP4_SSL(h)`) are one connection: one finding over the expression, whose fix "
        "edits both arms (an arm that verifies leaves the other its own finding). A "
        "context handed to a client whose TLS a flag known only at run time turns on "
        "(`IMAPClient(host, ssl=config['ssl'], ssl_context=ctx)`) is what every run with "
        "TLS gets: reported when it does not verify, also when it is made and loosened on "
        "the arm that asks for TLS (`if config['ssl']: ctx = ...; ctx.verify_mode = "
        "ssl.CERT_NONE`), which is no option of the program's user; `None` there is the "
        "library's own default. The check is missing whatever the server: a host the "
        "environment or a parameter only defaults to another provider's "
        "(`os.getenv('SMTP_HOST', 'smtp.gmail.com')`) is reported as an unknown host, a "
        "warning; the deployment picks the server."
    )
    fix_doc = (
        "Pass `context=ssl.create_default_context()` (imaplib: `ssl_context=`). The message "
        "names the parameter of the library at hand (aiosmtplib's `tls_context=`, or dropping "
        "its `validate_certs=False`; imaplib2's `ca_certs=`), or says that the library takes "
        "no context (mailer, pyramid_mailer, SMTPHandler's `secure`). `authsweep fix` "
        "adds it where no context is passed; a context the code builds under a name is fixed "
        "where it is built (`ssl._create_unverified_context()` becomes "
        "`ssl.create_default_context()`, `ctx.check_hostname = False` and "
        "`ctx.verify_mode = ssl.CERT_NONE` are deleted), so that object and what else it "
        "carries (a CA file, a client certificate) stay. A context that verifies unless an "
        "option of the program turns the checks off (`if not verify: ctx.verify_mode = "
        "ssl.CERT_NONE`, or `if insecure: ctx = ssl._create_unverified_context()` after "
        "`ctx = ssl.create_default_context()`), or a handshake without a context on the "
        "other arm of one that verifies (`if verify: starttls(context="
        "ssl.create_default_context()) else: starttls()`), or a context picked as "
        "`ctx if verify else None`, is the user's "
        "choice: reported once as info, at the statement or arm that turns the checks off, "
        "naming the option, and left alone (an info does not fail the run unless "
        "`--fail-on info` is given). A value the project commits picks the arm "
        "(`VERIFY_SSL = False`: a warning), and `None` is the library's own context: "
        "unverified for smtplib, imaplib and poplib, verifying for aiosmtplib. Every "
        "binding of the context that may reach the handshake counts (three or more, one in "
        "an `except` handler, `self.ctx` set in `__init__` and in another method, which is "
        "an option of the class's user: `relax()` runs); an unverified fallback in an "
        "`except` handler is no option: a warning, fixed in the handler. Checks turned off "
        "only for named hosts of other providers (`if host in ('imap.126.com', "
        "'imap.163.com'):`) never apply to Microsoft 365: not reported."
    )
    no_fix = (
        "the context is not built where a fix can make it verify (passed in from "
        "elsewhere, made by a library authsweep has no model of, or in a file it leaves "
        "alone); verify certificates by hand"
    )
    fix_safety = (
        "Safe for public mail services with real certificates; a server with a self-signed "
        "certificate then needs its CA in the context."
    )
    references = (
        "https://github.com/python/cpython/issues/91826",
        "https://docs.python.org/3/library/ssl.html#ssl-security",
    )
    bad = (
        Example(
            "import smtplib\nserver = smtplib.SMTP('smtp.office365.com', 587)\nserver.starttls()\n",
            lines=(3,),
        ),
        Example(
            "import imaplib, ssl\n"
            "ctx = ssl.create_default_context()\n"
            "ctx.check_hostname = False\n"
            "ctx.verify_mode = ssl.CERT_NONE\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com', ssl_context=ctx)\n",
            lines=(5,),
            fixed="import imaplib, ssl\n"
            "ctx = ssl.create_default_context()\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com', ssl_context=ctx)\n",
        ),
        Example(
            "import smtplib, ssl\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)  # starts with CERT_NONE\n"
            "ctx.load_verify_locations('ca.pem')\n"
            "server = smtplib.SMTP_SSL('smtp.office365.com', 465, context=ctx)\n",
            lines=(4,),
        ),
        # Reported as info (the program's option) where it turns the checks off, no fix.
        Example(
            "import smtplib, ssl\n"
            "def send(msg, verify=True):\n"
            "    ctx = ssl.create_default_context()\n"
            "    if not verify:\n"
            "        ctx.check_hostname = False\n"
            "        ctx.verify_mode = ssl.CERT_NONE\n"
            "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "    server.starttls(context=ctx)\n"
            "    server.send_message(msg)\n",
            lines=(5,),
        ),
        # The same option as a rebinding: info at the rebinding, no fix.
        Example(
            "import smtplib, ssl\n"
            "def send(msg, insecure=False):\n"
            "    ctx = ssl.create_default_context()\n"
            "    if insecure:\n"
            "        ctx = ssl._create_unverified_context()\n"
            "    server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "    server.starttls(context=ctx)\n"
            "    server.send_message(msg)\n",
            lines=(5,),
        ),
        # Rebound on every path: a warning at the handshake, fixed where it is rebound.
        Example(
            "import smtplib, ssl\n"
            "ctx = ssl.create_default_context()\n"
            "ctx = ssl._create_unverified_context()\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ctx)\n",
            lines=(5,),
            fixed="import smtplib, ssl\n"
            "ctx = ssl.create_default_context()\n"
            "ctx = ssl.create_default_context()\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ctx)\n",
        ),
        # Both arms of a conditional expression: one connection, one finding, both fixed.
        Example(
            "import imaplib\n"
            "def connect(port=None):\n"
            "    return (imaplib.IMAP4_SSL('outlook.office365.com', port) if port\n"
            "            else imaplib.IMAP4_SSL('outlook.office365.com'))\n",
            lines=(3,),
            fixed="import imaplib\n"
            "import ssl\n"
            "def connect(port=None):\n"
            "    return (imaplib.IMAP4_SSL('outlook.office365.com', port, "
            "ssl_context=ssl.create_default_context()) if port\n"
            "            else imaplib.IMAP4_SSL('outlook.office365.com', "
            "ssl_context=ssl.create_default_context()))\n",
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
        ),
        Example(
            "import imaplib, ssl\n"
            "ctx = ssl.create_default_context()\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com', ssl_context=ctx)\n"
        ),
        Example(
            "import smtplib, ssl\n"
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
            "server = smtplib.SMTP_SSL('smtp.office365.com', 465, context=ctx)\n"
        ),
        # A connection check: nothing but a greeting and a keep-alive goes over it.
        Example(
            "import smtplib\n"
            "def reachable(host):\n"
            "    with smtplib.SMTP_SSL(host, 465, timeout=5) as server:\n"
            "        return server.noop()[0] == 250\n"
        ),
        Example(
            "import logging.handlers\n"
            "def mail_handler(credentials, secure=None):\n"
            "    return logging.handlers.SMTPHandler(\n"
            "        ('smtp.office365.com', 587), 'a@contoso.com', ['b@contoso.com'], 'Errors',\n"
            "        credentials=credentials, secure=secure)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        options_said: set[tuple[int, int]] = set()
        # One unverified context made once and used by several connections is one problem:
        # reported at its first use, naming the others (its fix is where it is made).
        uses: dict[tuple[tuple[int, int], ...], list[int]] = {}
        reported: set[tuple[tuple[int, int], ...]] = set()
        # One handshake reached by several connections (a ``starttls()`` after a client
        # picked per provider) is one problem: said once, for the loudest of its hosts.
        # (the first of the loudest, so that the message names the same host every run)
        loudest: dict[tuple[int, int], tuple[tuple[int, int], int]] = {}
        for index, (conn, span, _, _, remedy, _) in enumerate(self._targets(mail)):
            policy = self.host_policy(conn)
            if policy is None:
                continue
            shared = _shared_context(span, remedy)
            if shared is not None:
                uses.setdefault(shared, []).append(span.line)
            rank = (loudness(policy), -index)
            loudest[(span.start, span.end)] = max(loudest.get((span.start, span.end), rank), rank)
        targets = enumerate(self._targets(mail))
        for index, (conn, span, verification, opt_out, remedy, verify_with) in targets:
            policy = self.host_policy(conn)
            if policy is None or loudest[(span.start, span.end)][1] != -index:
                continue
            if verification is Verification.OPTIONAL:
                # The program's own option: the user decides, nothing to fix. Said
                # once, where the option turns the checks off, for every use.
                where = opt_out.span if opt_out is not None else span
                if (where.start, where.end) in options_said:
                    continue
                options_said.add((where.start, where.end))
                yield self.finding(
                    mail,
                    where,
                    _option_message(describe_host(conn), span, opt_out),
                    severity=Severity.INFO,
                    confidence=policy.confidence,
                )
                continue
            shared = _shared_context(span, remedy)
            also = ""
            if shared is not None:
                if shared in reported:
                    continue
                reported.add(shared)
                others = sorted(set(uses[shared]) - {span.line})
                if others:
                    lines = ", ".join(map(str, others))
                    also = f" (the same context at line{'s' if len(others) > 1 else ''} {lines})"
            yield self.finding(
                mail,
                span,
                f"TLS to {describe_host(conn)} without certificate verification{also}: "
                f"{verify_with or _STANDARD_REMEDY}",
                severity=policy.severity,
                confidence=policy.confidence,
                fix=self.fix_from(remedy, Applicability.SAFE, "Verify the server certificate"),
            )

    def _targets(
        self, mail: MailFile
    ) -> Iterator[tuple[Connection, Span, Verification, OptOut | None, Remedy | None, str]]:
        """Each TLS handshake of the file that does not verify, or verifies unless an
        option says not to: implicit TLS at the constructor, STARTTLS at its call; with
        what makes the library verify, in its own terms (its context parameter). A
        STARTTLS on a session already encrypted on every path that takes it raises before
        any handshake (AS206): nothing to verify, one problem, one report."""
        for conn in mail.connections:
            if conn.carries_nothing:
                continue  # a connection check: nothing travels over its handshake
            if conn.tls in _MAYBE_IMPLICIT and conn.verification in _REPORTED:
                remedy = conn.remedies.get(RemedyKind.VERIFY_TLS)
                yield (
                    conn,
                    conn.opened_at,
                    conn.verification,
                    conn.opt_out,
                    remedy,
                    conn.verify_with,
                )
            for step in conn.steps:
                if step.kind is not StepKind.STARTTLS or step.verification not in _REPORTED:
                    continue
                if not conn.always_repeated(step):  # one that always raises is AS206's
                    remedy = step.remedies.get(RemedyKind.VERIFY_TLS)
                    yield conn, step.span, step.verification, step.opt_out, remedy, step.verify_with


_REPORTED = (Verification.UNVERIFIED, Verification.OPTIONAL)
# Implicit TLS, or TLS chosen by a flag known only at run time: a connection of the second
# kind carries a verification only where the code gives it a context for the runs with TLS
# (``IMAPClient(host, ssl=config["ssl"], ssl_context=ctx)``).
_MAYBE_IMPLICIT = (Tls.IMPLICIT, Tls.UNKNOWN)
# The remedy where the library's adapter names none: the standard library's ``context=``.
_STANDARD_REMEDY = "pass context=ssl.create_default_context()"


def _shared_context(used: Span, remedy: Remedy | None) -> tuple[tuple[int, int], ...] | None:
    """Where the fix edits, when it edits only outside the handshake's own call: the
    context is made elsewhere (``CTX = ssl._create_unverified_context()``), and every
    connection that uses it is fixed there at once."""
    if remedy is None or not remedy.edits:
        return None
    if any(used.start <= edit.start < used.end for edit in remedy.edits):
        return None
    return tuple(sorted((edit.start, edit.end) for edit in remedy.edits))


def _option_message(host: str, used: Span, opt_out: OptOut | None) -> str:
    """What an info on a context that verifies unless the program is told not to says."""
    if opt_out is None:
        return (
            f"TLS to {host} checks the certificate unless the program is told not to (an "
            "option of the program turns the checks off)"
        )
    return (
        f"the SSL context of TLS to {host} (line {used.line}) checks the certificate "
        f"unless {opt_out.condition}, which turns the checks off here: an option of the "
        "program, left as it is"
    )
