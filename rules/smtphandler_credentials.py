"""AS103 smtphandler-credentials: a logging handler that mails records with a password."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Applicability, Finding, Fix, Severity
from authsweep.scanner.model import MailFile
from authsweep.scanner.providers import BasicAuth
from authsweep.scanner.remedies import RemedyKind

from .base import STAYS_ON_XOAUTH2, Example, Rule, describe_host, personal_account
from .smtp_basic_auth import _WHEN


class SmtpHandlerCredentials(Rule):
    id = "AS103"
    name = "smtphandler-credentials"
    severity = Severity.ERROR
    security_severity = "7.5"
    summary = (
        "`logging.handlers.SMTPHandler(credentials=...)`, in code or in a `dictConfig` "
        "dictionary: a password login for every log record it mails."
    )
    why = (
        "SMTPHandler calls `smtp.login(user, password)` each time it mails a record. Exchange "
        "Online is retiring basic authentication for SMTP AUTH (off by default for existing "
        "tenants at the end of December 2026, then removed); from then on every `emit()` fails "
        "with `535 5.7.139`, logging prints the traceback to stderr and goes on, and the alert "
        "mails silently stop. SMTPHandler cannot authenticate any other way, and its `secure=()` "
        "STARTTLS does not verify the server certificate. A subclass whose `__init__` passes "
        "its own `credentials` parameter on to `SMTPHandler.__init__` is reported where its "
        "module makes it with credentials (the `(user, password)` argument), as a wrapper's "
        "login is reported at its caller; at the base-class call only when no call in the "
        "module gives them."
    )
    fix_doc = (
        "Subclass `SMTPHandler` and override `emit()` to send with smtplib: `starttls(context="
        'ssl.create_default_context())`, then `auth("XOAUTH2", lambda challenge=None: '
        'f"user={user}\\x01auth=Bearer {token}\\x01\\x01")` with a token from MSAL\'s '
        "client-credentials flow for `https://outlook.office365.com/.default`; use that class in "
        "code and in `dictConfig`. `authsweep fix --unsafe-fixes` does this for a Microsoft 365 "
        "host: it writes `XOAuth2SMTPHandler` once, in `mail_oauth2_handler.py` beside the file "
        "(the name follows `oauth2-module` in `[tool.authsweep]`), switches the handler to it "
        "(the constructor in code, `class` in a `dictConfig` dictionary or a `fileConfig` INI "
        "file) and reduces `credentials` to the user. With `--target graph` it writes "
        "`GraphSMTPHandler` there instead, which mails each record through Microsoft Graph "
        "`sendMail` (docs/graph.md). A subclass that overrides `emit()` is not reported "
        "here; its own smtplib code is checked by the other rules."
    )
    fix_safety = (
        "Unsafe: the program then needs an app registration and the AZURE_TENANT_ID, "
        "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET environment variables. Applied with "
        "`--unsafe-fixes`, only for a Microsoft 365 host."
    )
    references = (
        "https://docs.python.org/3/library/logging.handlers.html#smtphandler",
        "https://techcommunity.microsoft.com/blog/exchange/updated-exchange-online-smtp-auth-basic-authentication-deprecation-timeline/4489835",
        "https://github.com/python/cpython/issues/127712",
    )
    bad = (
        Example(
            "import os\n"
            "from logging.handlers import SMTPHandler\n"
            "handler = SMTPHandler(\n"
            "    mailhost=('smtp.office365.com', 587),\n"
            "    fromaddr='alerts@contoso.com',\n"
            "    toaddrs=['ops@contoso.com'],\n"
            "    subject='Application error',\n"
            "    credentials=('alerts@contoso.com', os.environ['SMTP_PASSWORD']),\n"
            "    secure=(),\n"
            ")\n",
            lines=(8,),
        ),
        Example(
            "import logging.config, os\n"
            "logging.config.dictConfig({\n"
            "    'version': 1,\n"
            "    'handlers': {\n"
            "        'mail': {\n"
            "            'class': 'logging.handlers.SMTPHandler',\n"
            "            'mailhost': ['smtp.office365.com', 587],\n"
            "            'fromaddr': 'alerts@contoso.com',\n"
            "            'toaddrs': ['ops@contoso.com'],\n"
            "            'subject': 'Error',\n"
            "            'credentials': ['alerts@contoso.com', os.environ['SMTP_PASSWORD']],\n"
            "            'secure': [],\n"
            "        },\n"
            "    },\n"
            "})\n",
            lines=(11,),
        ),
    )
    good = (
        Example(
            "from logging.handlers import SMTPHandler\n"
            "handler = SMTPHandler(\n"
            "    ('contoso-com.mail.protection.outlook.com', 25),\n"
            "    'alerts@contoso.com', ['ops@contoso.com'], 'Application error',\n"
            ")\n"
        ),
        Example(
            "import smtplib, ssl\n"
            "from logging.handlers import SMTPHandler\n"
            "class OAuthSMTPHandler(SMTPHandler):\n"
            "    def emit(self, record):\n"
            "        with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
            "            smtp.starttls(context=ssl.create_default_context())\n"
            "            smtp.auth('XOAUTH2', lambda challenge=None: xoauth2_string())\n"
            "            smtp.send_message(self.build(record))\n"
            "handler = OAuthSMTPHandler(('smtp.office365.com', 587), 'alerts@contoso.com',\n"
            "                           ['ops@contoso.com'], 'Error',\n"
            "                           credentials=('alerts@contoso.com', 'unused'))\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn, login, policy in self.password_logins(mail, lambda conn: conn.log_handler):
            status = policy.provider.smtp_basic_auth
            reason = _WHEN.get(status, _WHEN[BasicAuth.RETIRING])
            if not policy.host_known:
                reason = f"if it is Microsoft 365: {reason}"
            # Start-up: the config readers load when a login is reported, not for every run.
            from authsweep.scanner.config.feeds import set_in

            where = set_in(login.secret.origin, mail.path)
            set_at = f" (set in {where})" if where else ""
            message = (
                f"logging handler logs in to {describe_host(conn)} with a password{set_at} for "
                f"every log mail: {reason}"
            )
            remedy = login.remedies.get(RemedyKind.XOAUTH2)
            if personal_account(policy, login.user):
                remedy = None  # no tenant: no app-only token (a delegated flow is needed)
            if remedy is None and conn.oauth_hint:
                message += f"; {conn.oauth_hint}"
            severity = policy.severity
            if status is BasicAuth.ALLOWED_UNTIL_2028:
                severity = Severity.INFO
            fix = self.fix_from(
                remedy,
                Applicability.UNSAFE,
                "Send with XOAuth2SMTPHandler (a module added beside this file): STARTTLS with "
                "a verifying context and XOAUTH2 with an MSAL client-credentials token",
            )
            graph = login.remedies.get(RemedyKind.GRAPH)
            if fix is not None and self.options.target == "graph":
                if graph is not None and policy.provider.graph_host:
                    fix = Fix(
                        Applicability.UNSAFE,
                        "Send with GraphSMTPHandler (a module added beside this file): "
                        "Microsoft Graph sendMail with an MSAL client-credentials token",
                        graph,
                    )
                else:
                    why = f"{policy.provider.name} mail cannot go through Graph sendMail here"
                    fix = Fix(fix.applicability, f"{fix.message} ({STAYS_ON_XOAUTH2}{why})", remedy)
            yield self.finding(
                mail,
                login.span,
                message,
                severity=severity,
                confidence=policy.confidence,
                fix=fix if status is not BasicAuth.ALLOWED_UNTIL_2028 else None,
                no_fix=(
                    "the High Volume Email host takes basic auth until September 2028"
                    if status is BasicAuth.ALLOWED_UNTIL_2028
                    else self.login_no_fix(mail, conn, policy, login)
                ),
            )
