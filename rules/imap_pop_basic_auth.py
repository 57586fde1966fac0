"""AS102 imap-pop-basic-auth: a password login over IMAP or POP3."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Finding, Severity
from authsweep.scanner.model import Connection, MailFile, Protocol

from .base import (
    PERSONAL_ACCOUNT_NOTE,
    Example,
    Rule,
    describe_host,
    personal_account,
    tried_mechanisms,
    xoauth2_fix_message,
)


def _imap_or_pop(conn: Connection) -> bool:
    return conn.protocol in (Protocol.IMAP, Protocol.POP)


class ImapPopBasicAuth(Rule):
    id = "AS102"
    name = "imap-pop-basic-auth"
    severity = Severity.ERROR
    security_severity = "7.5"
    summary = "imaplib `login` or poplib `user`/`pass_` with a password against Microsoft 365."
    why = (
        "Exchange Online turned basic authentication off for IMAP and POP in all tenants by "
        "the end of 2022, and nobody can turn it back on; Outlook.com followed in September "
        "2024. A password login answers `NO LOGIN failed.` (IMAP) or `-ERR Authentication "
        "failure` (POP3), whatever the password. Every password mechanism is basic auth "
        "(PLAIN, LOGIN, CRAM-MD5, APOP), also beside an XOAUTH2 attempt: a connection that "
        "tries several in turn (or logs in by whichever of the module's authenticators its "
        "user plugs in; IMAPClient's `plain_login` is SASL PLAIN) is one password login, "
        "reported once at its plain login (else its first mechanism) with the others "
        "named. A plain config module's "
        "settings that the project's IMAP code logs in with are reported at that login, "
        "not again in the config module (as for AS101). A single-file library the project "
        "bundles as a module of its own (`import app.common.imaplib2 as imaplib`) is that "
        "library."
    )
    fix_doc = (
        "Authenticate with XOAUTH2 and a token for `https://outlook.office365.com/.default` "
        "(application permission `IMAP.AccessAsApp` / `POP.AccessAsApp`, service principal and "
        "mailbox permission in Exchange). `authsweep fix --unsafe-fixes` rewrites "
        '`imap.login(user, password)` to `imap.authenticate("XOAUTH2", lambda _: '
        'f"user={user}\\x01auth=Bearer '
        "{oauth2_access_token('https://outlook.office365.com/.default')}\\x01\\x01\")`. "
        "poplib has no AUTH method: `pop.user(u)` + `pop.pass_(p)` (or `pop.apop(u, p)`) "
        "becomes `pop3_xoauth2(pop, u, oauth2_access_token(...))`, a small helper added to "
        "the module that sends Microsoft's two-line exchange (`AUTH XOAUTH2`, the server's "
        "`+`, then the base64 string) with poplib's `_shortcmd`."
    )
    fix_safety = "Unsafe (needs an app registration); applied with `--unsafe-fixes`."
    references = (
        "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online",
        "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
    )
    bad = (
        Example(
            "import imaplib\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "imap.login('reports@contoso.com', password)\n",
            lines=(3,),
        ),
        Example(
            "import poplib\n"
            "pop = poplib.POP3_SSL('outlook.office365.com', 995)\n"
            "pop.user(user)\n"
            "pop.pass_(password)\n",
            lines=(4,),
        ),
        # Mechanisms tried in turn on one connection: one password login.
        Example(
            "import imaplib\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "try:\n"
            "    imap.authenticate('CRAM-MD5', cram_md5(user, password))\n"
            "except imaplib.IMAP4.error:\n"
            "    imap.login(user, password)\n",
            lines=(6,),
        ),
    )
    good = (
        Example(
            "import imaplib\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
            "imap.authenticate('XOAUTH2', lambda _: xoauth2_string)\n"
        ),
        Example("import imaplib\nimap = imaplib.IMAP4_SSL('imap.gmail.com')\nimap.login(u, p)\n"),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn, login, policy in self.password_logins(mail, _imap_or_pop):
            protocol = "IMAP" if conn.protocol is Protocol.IMAP else "POP3"
            reason = (
                "Exchange Online and Outlook.com refuse basic auth for IMAP and POP"
                if policy.provider.microsoft or not policy.host_known
                else "basic auth (reported because all providers were asked for)"
            )
            if not policy.host_known:
                reason = f"if it is Microsoft 365: {reason}"
            personal = personal_account(policy, login.user)
            if personal:
                reason += f"; {PERSONAL_ACCOUNT_NOTE}"
            yield self.finding(
                mail,
                login.span,
                f"{protocol} password login to {describe_host(conn, login)}"
                f"{tried_mechanisms(conn, login)}: {reason}",
                severity=policy.severity,
                confidence=policy.confidence,
                fix=self.login_fix(conn, policy, login, xoauth2_fix_message(login)),
                no_fix=self.login_no_fix(mail, conn, policy, login),
            )
