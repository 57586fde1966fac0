"""AS101 smtp-basic-auth: a password login to an SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Finding, Severity
from authsweep.scanner.model import Connection, MailFile, Protocol
from authsweep.scanner.providers import BasicAuth

from .base import (
    PERSONAL_ACCOUNT_NOTE,
    Example,
    Rule,
    describe_host,
    personal_account,
    tried_mechanisms,
    xoauth2_fix_message,
)

_WHEN = {
    BasicAuth.RETIRING: (
        "Exchange Online turns basic auth for SMTP AUTH off by default at the end of "
        "December 2026 (535 5.7.139) and will remove it"
    ),
    BasicAuth.RETIRED: "this service already refuses basic auth (535 5.7.139)",
    BasicAuth.ALLOWED_UNTIL_2028: "High Volume Email keeps basic auth only until September 2028",
    BasicAuth.NOT_USED: (
        "an inbound mail exchanger (Direct Send) does not authenticate at all; drop the login "
        "or use SMTP AUTH"
    ),
}


def _plain_smtp(conn: Connection) -> bool:
    return conn.protocol is Protocol.SMTP and not conn.log_handler


class SmtpBasicAuth(Rule):
    id = "AS101"
    name = "smtp-basic-auth"
    severity = Severity.ERROR
    security_severity = "7.5"  # the password is sent, and the login stops working on a set date
    summary = "Password login to an SMTP server that is, or may be, Microsoft 365."
    why = (
        "Exchange Online is retiring basic authentication for SMTP AUTH client submission: "
        "off by default for existing tenants at the end of December 2026, then removed. From "
        "then on `login(user, password)` fails with `535 5.7.139 Authentication unsuccessful, "
        "basic authentication is disabled` (later `550 5.7.30`). App passwords go through the "
        "same path and stop too. Outlook.com already refuses basic auth. A connection that "
        "tries password SASL mechanisms in turn (`auth('PLAIN', ...)`, then `login()`) makes "
        "one password login: reported once, at its plain login, with the others named. "
        "Settings in a config module with no mail code of its own are an SMTP login only "
        "when the project's code that connects with them speaks SMTP (an `imaplib` script's "
        "settings are its IMAP login, AS102; exchangelib's make none here). When that code, "
        "in a module importing a mail library, hands the module's password to a call "
        "(directly or through a name or `self` attribute set from it), the login is "
        "reported there, once, and the config module reports only a written password "
        "(AS105); Django and Flask settings (`EMAIL_*`, `MAIL_*`) keep their login, which "
        "the framework makes. A loopback host that is only the last resort of an `or` after "
        "settings (`cfg.get('host') or os.environ.get('MAIL_HOST') or 'localhost'`), or only "
        "a default (`os.environ.get('SMTP_HOST', 'localhost')`, a config key's, a "
        "parameter's `host='localhost'`), stands in for the server the settings or the "
        "callers name: an unknown host, reported as a warning; so does another server's "
        'host that only the module\'s `if __name__ == "__main__":` demo hands a function. '
        "A loopback written as the host is a local relay."
    )
    fix_doc = (
        "Authenticate with OAuth2: SASL XOAUTH2 with an access token from MSAL's "
        "client-credentials flow for `https://outlook.office365.com/.default`. "
        "`authsweep fix --unsafe-fixes` rewrites `smtp.login(user, password)` to "
        '`smtp.auth("XOAUTH2", lambda challenge=None: f"user={user}\\x01auth=Bearer '
        "{oauth2_access_token('https://outlook.office365.com/.default')}\\x01\\x01\")` "
        "and adds a small MSAL helper to the module (or "
        "imports your own token function, `token-provider` in `[tool.authsweep]`). The new code "
        "needs `msal` installed, an app registration with the Office 365 Exchange Online "
        "application permission `SMTP.SendAsApp` and admin consent, the app's service principal "
        "registered in Exchange (`New-ServicePrincipal`) and mailbox permission for it, and the "
        "`AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` environment variables. "
        "Framework settings get a small module of the project instead: Django and "
        "Flask-Mailman an email backend named by `EMAIL_BACKEND`/`MAIL_BACKEND`, Flask-Mail an "
        "`XOAuth2Mail` that the code making the app's `Mail()` is switched to (in its own "
        "file, with the settings or not at all); the password setting becomes the app "
        "registration's `*_OAUTH2_TENANT_ID`, `_CLIENT_ID`, `_CLIENT_SECRET`. A password a "
        "config file of the project sets (`.env`, a compose file) is named in the message, "
        "and taken out of that file once no code reads it. With `--target graph` (or "
        '`target = "graph"`), for tenants that refuse SMTP AUTH altogether, the sends go '
        "through Microsoft Graph sendMail instead (`GraphMailClient`, `graph_send_async`, "
        "`GraphEmailBackend`, `GraphMail`; application permission `Mail.Send`; "
        "docs/graph.md)."
    )
    fix_safety = (
        "Unsafe: the program then needs an app registration and new settings to run. Applied "
        "only with `--unsafe-fixes`. Never rewritten to the username/password (ROPC) token flow."
    )
    references = (
        "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835",
        "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
        "https://docs.python.org/3/library/smtplib.html#smtplib.SMTP.auth",
    )
    bad = (
        Example(
            "import smtplib, ssl\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
            "    s.starttls(context=ssl.create_default_context())\n"
            "    s.login(user, password)\n",
            lines=(4,),
        ),
        # A mechanism tried before the plain login on one connection: one password login.
        Example(
            "import smtplib, ssl\n"
            "server = smtplib.SMTP('smtp.office365.com', 587)\n"
            "server.starttls(context=ssl.create_default_context())\n"
            "try:\n"
            "    server.auth('CRAM-MD5', server.auth_cram_md5)\n"
            "except smtplib.SMTPException:\n"
            "    server.login(user, password)\n",
            lines=(7,),
        ),
        Example(
            "import os\nfrom smtplib import SMTP\n"
            "server = SMTP(os.environ['SMTP_HOST'], 587)\n"
            "server.starttls()\n"
            "server.login(os.environ['SMTP_USER'], os.environ['SMTP_PASSWORD'])\n",
            lines=(5,),
        ),
    )
    good = (
        Example(
            "import smtplib, ssl\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
            "    s.starttls(context=ssl.create_default_context())\n"
            "    s.auth('XOAUTH2', lambda challenge=None: xoauth2_string)\n"
        ),
        Example(
            "import smtplib\n"
            "with smtplib.SMTP_SSL('smtp.gmail.com', 465) as s:\n"
            "    s.login(user, app_password)\n"
        ),
        Example(
            "import smtplib\n"
            "with smtplib.SMTP('contoso-com.mail.protection.outlook.com', 25) as s:\n"
            "    s.send_message(msg)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        # A logging handler's password is reported once, as handler credentials (AS103).
        for conn, login, policy in self.password_logins(mail, _plain_smtp):
            status = policy.provider.smtp_basic_auth
            severity = policy.severity
            if status is BasicAuth.ALLOWED_UNTIL_2028:
                severity = Severity.INFO
            reason = _WHEN.get(status, _WHEN[BasicAuth.RETIRING])
            if not policy.provider.microsoft:
                reason = (
                    f"if it is Microsoft 365: {reason}"
                    if not policy.host_known
                    else "basic auth (reported because all providers were asked for)"
                )
            # Start-up: the config readers load when a login is reported, not for every run.
            from authsweep.scanner.config.feeds import set_in

            where = set_in(login.secret.origin, mail.path)
            set_at = f" (password set in {where})" if where else ""
            message = (
                f"SMTP password login to {describe_host(conn, login)}{set_at}"
                f"{tried_mechanisms(conn, login)}: {reason}"
            )
            personal = personal_account(policy, login.user)
            if personal:
                message += f"; {PERSONAL_ACCOUNT_NOTE}"
            elif conn.oauth_hint:
                message += f"; {conn.oauth_hint}"
            fix = self.login_fix(conn, policy, login, xoauth2_fix_message(login))
            yield self.finding(
                mail,
                login.span,
                message,
                severity=severity,
                confidence=policy.confidence,
                fix=fix if status is not BasicAuth.NOT_USED else None,
                no_fix=(
                    "an inbound mail exchanger (Direct Send) takes no login at all: drop the "
                    "login, or send through "
                    "smtp.office365.com on 587"
                    if status is BasicAuth.NOT_USED
                    else self.login_no_fix(mail, conn, policy, login)
                ),
            )
