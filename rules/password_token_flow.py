"""AS106 password-token-flow: an OAuth2 token requested with the user's password (ROPC)."""

from __future__ import annotations

from collections.abc import Iterator

from authsweep.scanner.findings import Confidence, Finding, Severity
from authsweep.scanner.model import MailFile

from .base import Example, Rule


class PasswordTokenFlow(Rule):
    id = "AS106"
    name = "password-token-flow"
    severity = Severity.ERROR
    security_severity = "6.5"
    summary = (
        "MSAL `acquire_token_by_username_password` (and the other resource-owner password "
        "flows: azure-identity `UsernamePasswordCredential`, exchangelib "
        "`OAuth2LegacyCredentials`)."
    )
    why = (
        "The resource owner password credentials (ROPC) flow sends the user's password to "
        "Entra ID. It fails for any account with multi-factor authentication or a "
        "Conditional Access policy that asks for it, does not work for personal Microsoft "
        "accounts, and MSAL deprecated it for public clients in 2025. Code that moved from "
        "`smtp.login(user, password)` to ROPC still depends on a password and breaks the day "
        "MFA is enforced: it is not a migration."
    )
    fix_doc = (
        "For a service that sends or reads mail unattended, use the client-credentials flow: "
        "`ConfidentialClientApplication(...).acquire_token_for_client(scopes=["
        '"https://outlook.office365.com/.default"])` with the Office 365 Exchange Online '
        "application permission (`SMTP.SendAsApp`, `IMAP.AccessAsApp`) and the service "
        "principal registered in Exchange. For a user at a keyboard, use the device code or "
        "authorization code flow with a delegated scope such as "
        "`https://outlook.office.com/SMTP.Send`."
    )
    fix_safety = "No automatic fix: the app registration and its permissions change."
    references = (
        "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth-ropc",
        "https://github.com/AzureAD/microsoft-authentication-library-for-python/pull/855",
        "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
    )
    bad = (
        Example(
            "import os, msal\n"
            "app = msal.PublicClientApplication(os.environ['CLIENT_ID'],\n"
            "    authority='https://login.microsoftonline.com/contoso.onmicrosoft.com')\n"
            "result = app.acquire_token_by_username_password(\n"
            "    'alerts@contoso.com', os.environ['MAILBOX_PASSWORD'],\n"
            "    scopes=['https://outlook.office.com/SMTP.Send'])\n",
            lines=(4,),
        ),
    )
    good = (
        Example(
            "import os, msal\n"
            "app = msal.ConfidentialClientApplication(os.environ['CLIENT_ID'],\n"
            "    client_credential=os.environ['CLIENT_SECRET'],\n"
            "    authority='https://login.microsoftonline.com/contoso.onmicrosoft.com')\n"
            "result = app.acquire_token_for_client(\n"
            "    scopes=['https://outlook.office365.com/.default'])\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for request in mail.token_requests:
            if request.flow != "username_password":
                continue
            yield self.finding(
                mail,
                request.span,
                "OAuth2 token requested with the user's password (ROPC): it fails once MFA "
                "or Conditional Access applies to the account and is deprecated; use the "
                "client-credentials flow (app-only) or the device code flow",
                confidence=Confidence.LOW if request.inferred else Confidence.HIGH,
            )
