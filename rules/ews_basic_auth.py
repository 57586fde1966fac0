"""AS104 ews-basic-auth: Exchange Web Services with a password (basic, NTLM, digest)."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Finding, Severity
from authsweep.scanner.model import MISSING, Connection, MailFile, Protocol, Tls

from .base import Example, Rule, describe

_PASSWORD_AUTH = {"basic": "basic", "ntlm": "NTLM", "digest": "digest"}


class EwsBasicAuth(Rule):
    id = "AS104"
    name = "ews-basic-auth"
    severity = Severity.ERROR
    security_severity = "7.5"
    summary = (
        "exchangelib `Credentials(username, password)`, or a `BASIC`/`NTLM` auth type, "
        "against Exchange Online (a named password auth type even with no password given; "
        "an empty password is one blanked out before a commit)."
    )
    why = (
        "Exchange Online turned basic authentication off for EWS in every tenant by the end "
        "of 2022 and nobody can turn it back on: a password gets `401 Unauthorized`. EWS "
        "itself is being retired in Exchange Online (announced 2023; blocking starts on "
        "1 October 2026), so moving exchangelib to OAuth2 only buys time. Without a "
        "`Configuration(server=...)` the server is the one autodiscover finds: Exchange "
        "Online for a login at a personal Microsoft domain (`@outlook.com`, `@hotmail.com`) "
        "or a tenant's `onmicrosoft.com` domain, an unknown server (a warning) for any other."
    )
    fix_doc = (
        "Move the code to Microsoft Graph (for example `msgraph-sdk` with an app registration "
        "that has the Graph `Mail.*` permissions). Until then, exchangelib can use "
        "`OAuth2Credentials(client_id, client_secret, tenant_id, identity=Identity(...))` with "
        "`Configuration(..., auth_type=OAUTH2)` and the `full_access_as_app` EWS permission. "
        "Exchange Server on premises still takes passwords: a host known to be another "
        "server is not reported."
    )
    fix_safety = (
        "No automatic fix: EWS is being shut off for Exchange Online, and moving to Microsoft "
        "Graph changes the API the code calls, not a login."
    )
    references = (
        "https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online",
        "https://learn.microsoft.com/en-us/graph/api/resources/mail-api-overview",
        "https://ecederstrand.github.io/exchangelib/exchangelib/credentials.html",
        "https://github.com/ecederstrand/exchangelib/issues/735",
    )
    bad = (
        Example(
            "import os\n"
            "from exchangelib import DELEGATE, Account, Configuration, Credentials\n"
            "credentials = Credentials('svc@contoso.com', os.environ['EWS_PASSWORD'])\n"
            "config = Configuration(server='outlook.office365.com', credentials=credentials)\n"
            "account = Account('svc@contoso.com', config=config, access_type=DELEGATE)\n",
            lines=(3,),
        ),
        Example(
            "from exchangelib import Account, Credentials\n"
            "account = Account('svc@contoso.com', credentials=Credentials(user, password),\n"
            "                  autodiscover=True)\n",
            lines=(2,),
        ),
        Example(
            "from exchangelib import NTLM, Configuration, Credentials\n"
            "config = Configuration(server='outlook.office365.com',\n"
            "                       credentials=Credentials(user, password=None),\n"
            "                       auth_type=NTLM)\n",
            lines=(3,),
        ),
        Example(
            "from exchangelib import DELEGATE, Account, Credentials\n"
            "credentials = Credentials(username='', password='')  # filled in before a run\n"
            "account = Account(primary_smtp_address='', credentials=credentials,\n"
            "                  autodiscover=True, access_type=DELEGATE)\n",
            lines=(2,),
        ),
    )
    good = (
        Example(
            "import os\n"
            "from exchangelib import OAUTH2, Configuration, Identity, OAuth2Credentials\n"
            "credentials = OAuth2Credentials(\n"
            "    client_id=os.environ['AZURE_CLIENT_ID'],\n"
            "    client_secret=os.environ['AZURE_CLIENT_SECRET'],\n"
            "    tenant_id=os.environ['AZURE_TENANT_ID'],\n"
            "    identity=Identity(primary_smtp_address='svc@contoso.com'),\n"
            ")\n"
            "config = Configuration(server='outlook.office365.com', credentials=credentials,\n"
            "                       auth_type=OAUTH2)\n"
        ),
        Example(
            "from exchangelib import NTLM, Configuration, Credentials\n"
            "config = Configuration(server='mail.contoso.local',\n"
            "                       credentials=Credentials('CONTOSO\\\\svc', password),\n"
            "                       auth_type=NTLM)\n"
        ),
        Example(
            "from exchangelib import Account, Credentials\n"
            "credentials = Credentials(username='svc@contoso.com', password=None)\n"
            "account = Account('svc@contoso.com', credentials=credentials, autodiscover=True)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for account in mail.ews:
            kind = _PASSWORD_AUTH.get(account.auth)
            # A password auth type the code names is refused by Exchange Online whatever
            # the password (``Credentials(user, None)`` with ``auth_type=NTLM``); left to
            # exchangelib's guess, credentials without a password send none. An empty one
            # is a password blanked out before a commit, as for AS101.
            if kind is None or not (account.password_given or account.auth_named):
                continue
            # Host policy as for a mail connection to the EWS server.
            view = Connection(
                Protocol.EWS,
                "exchangelib",
                account.host,
                MISSING,
                Tls.IMPLICIT,
                account.span,
                inferred=account.inferred,
                test_code=account.test_code,
            )
            policy = self.host_policy(view)
            if policy is None:
                continue
            reason = (
                "Exchange Online refuses basic auth for EWS since the end of 2022, and EWS "
                "itself is being shut off for Exchange Online (blocked from 1 October 2026): "
                "move to the Microsoft Graph mail API (application permissions Mail.Read / "
                "Mail.Send, for example with msgraph-sdk); OAuth2Credentials only buys time, "
                "so `fix` writes no rewrite"
            )
            if not policy.host_known:
                # As for SMTP and IMAP: a server only the run knows may be Exchange Online.
                reason = f"the server's provider is not known; if it is Exchange Online: {reason}"
            yield self.finding(
                mail,
                account.span,
                f"EWS {kind} login{' with a password' if account.secret.present else ''} to "
                f"{describe(account.host, 'the EWS server')}: "
                f"{reason}",
                severity=policy.severity,
                confidence=policy.confidence,
            )
