"""AS302 wrong-token-scope: an XOAUTH2 token requested for the wrong resource, or an
app-only token requested with a delegated scope."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from authsweep.scanner.findings import Confidence, Finding, Severity
from authsweep.scanner.model import MailFile, Protocol, Span, TokenRequest
from authsweep.scanner.providers import lookup

from .base import Example, Rule

# Added by MSAL itself (passing them raises), and not about any resource.
_RESERVED = {"openid", "profile", "offline_access", "email"}
_APP_ONLY_FLOWS = {"client_credentials"}


def _scopes(request: TokenRequest) -> list[str] | None:
    value = request.scopes.value if request.scopes.known else None
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not all(isinstance(s, str) for s in value):
        return None
    return [s for s in value if s.lower() not in _RESERVED]


def _resource_is_mail(scope: str) -> bool | None:
    """Whether a scope is for Exchange Online's SMTP/IMAP/POP resource (a Microsoft mail host
    in the provider table); None for a bare permission name, whose resource is implied."""
    if "://" not in scope:
        return None
    host = urlsplit(scope).hostname or ""
    return lookup(host).microsoft


class WrongTokenScope(Rule):
    id = "AS302"
    name = "wrong-token-scope"
    severity = Severity.ERROR
    summary = (
        "A token for SMTP/IMAP/POP XOAUTH2 requested for Microsoft Graph "
        "(`https://graph.microsoft.com/...`) or another resource, or for another protocol's "
        "permission (an `IMAP.AccessAsUser.All` token used for SMTP), or a client-credentials "
        "token requested with a delegated scope such as `SMTP.Send`."
    )
    why = (
        "Exchange Online accepts XOAUTH2 only with a token for its own resource "
        "(`https://outlook.office365.com` or `https://outlook.office.com`). A Graph token, "
        "even one with `Mail.Send`, is answered `535 5.7.3 Authentication unsuccessful`. The "
        "client-credentials flow takes only `<resource>/.default`: asking it for "
        "`https://outlook.office.com/SMTP.Send` fails at the token endpoint (AADSTS1002012). "
        "A delegated token carries the permissions it was asked for: one for "
        "`IMAP.AccessAsUser.All` does not let the same user send over SMTP."
    )
    fix_doc = (
        'App-only (client credentials): `scopes=["https://outlook.office365.com/.default"]` '
        "with the Office 365 Exchange Online application permission `SMTP.SendAsApp` / "
        "`IMAP.AccessAsApp` / `POP.AccessAsApp`. Delegated (device code, authorization code): "
        "`https://outlook.office.com/SMTP.Send`, `.../IMAP.AccessAsUser.All`, "
        "`.../POP.AccessAsUser.All`."
    )
    fix_safety = "No automatic fix: the app registration's permissions have to match."
    references = (
        "https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth",
        "https://learn.microsoft.com/en-us/answers/questions/1480316/",
    )
    bad = (
        Example(
            "import os, smtplib, ssl, msal\n"
            "app = msal.ConfidentialClientApplication(os.environ['CLIENT_ID'],\n"
            "    client_credential=os.environ['CLIENT_SECRET'],\n"
            "    authority='https://login.microsoftonline.com/contoso.onmicrosoft.com')\n"
            "result = app.acquire_token_for_client(scopes=['https://graph.microsoft.com/.default'])\n"
            "token = result['access_token']\n"
            "auth_string = f'user=alerts@contoso.com\\x01auth=Bearer {token}\\x01\\x01'\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
            "    smtp.starttls(context=ssl.create_default_context())\n"
            "    smtp.auth('XOAUTH2', lambda challenge=None: auth_string)\n",
            lines=(5,),
        ),
        Example(
            "import msal\n"
            "app = msal.ConfidentialClientApplication(client_id, client_credential=secret,\n"
            "    authority=authority)\n"
            "token = app.acquire_token_for_client(scopes=['https://outlook.office.com/SMTP.Send'])\n",
            lines=(4,),
        ),
        Example(
            "import smtplib, ssl\n"
            "IMAP = ['https://outlook.office.com/IMAP.AccessAsUser.All']\n"
            "result = app.acquire_token_by_refresh_token(refresh_token, scopes=IMAP)\n"
            "auth = f\"user={user}\\x01auth=Bearer {result['access_token']}\\x01\\x01\"\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
            "    smtp.starttls(context=ssl.create_default_context())\n"
            "    smtp.auth('XOAUTH2', lambda challenge=None: auth)\n",
            lines=(3,),
        ),
    )
    good = (
        Example(
            "import os, smtplib, ssl, msal\n"
            "app = msal.ConfidentialClientApplication(os.environ['CLIENT_ID'],\n"
            "    client_credential=os.environ['CLIENT_SECRET'],\n"
            "    authority='https://login.microsoftonline.com/contoso.onmicrosoft.com')\n"
            "result = app.acquire_token_for_client(scopes=['https://outlook.office365.com/.default'])\n"
            "token = result['access_token']\n"
            "auth_string = f'user=alerts@contoso.com\\x01auth=Bearer {token}\\x01\\x01'\n"
            "with smtplib.SMTP('smtp.office365.com', 587) as smtp:\n"
            "    smtp.starttls(context=ssl.create_default_context())\n"
            "    smtp.auth('XOAUTH2', lambda challenge=None: auth_string)\n"
        ),
        Example(
            "import msal\n"
            "app = msal.ConfidentialClientApplication(client_id, client_credential=secret,\n"
            "    authority=authority)\n"
            "users = app.acquire_token_for_client(scopes=['https://graph.microsoft.com/.default'])\n"
        ),
        Example(
            "import imaplib, ssl\n"
            "IMAP = ['https://outlook.office.com/IMAP.AccessAsUser.All']\n"
            "result = app.acquire_token_by_refresh_token(refresh_token, scopes=IMAP)\n"
            "auth = f\"user={user}\\x01auth=Bearer {result['access_token']}\\x01\\x01\"\n"
            "imap = imaplib.IMAP4_SSL('outlook.office365.com',\n"
            "    ssl_context=ssl.create_default_context())\n"
            "imap.authenticate('XOAUTH2', lambda _: auth)\n"
        ),
    )

    def check(self, mail: MailFile) -> Iterator[Finding]:
        yield from self._other_protocol(mail)
        untraced = any(
            step.xoauth2 is not None and not step.xoauth2.token_scopes.known
            for conn in mail.connections
            for step in conn.steps
        )
        linked = any(request.used_for_mail for request in mail.token_requests)
        # One token request in a module whose XOAUTH2 token could not be traced: most
        # likely that token, unless the module sends it to Graph's API itself.
        guess = untraced and not linked and len(mail.token_requests) == 1
        for request in mail.token_requests:
            scopes = _scopes(request)
            if not scopes:
                continue
            kinds = [_resource_is_mail(scope) for scope in scopes]
            guessed = guess and not request.used_for_graph
            if (request.used_for_mail or guessed) and all(kind is False for kind in kinds):
                yield self.finding(
                    mail,
                    request.span,
                    f"the XOAUTH2 token is requested for {', '.join(map(repr, scopes))}, not for "
                    "Exchange Online: the server refuses it (535 5.7.3); ask for "
                    "'https://outlook.office365.com/.default' (app-only) or "
                    "'https://outlook.office.com/SMTP.Send' (delegated)",
                    confidence=Confidence.HIGH if request.used_for_mail else Confidence.MEDIUM,
                )
            elif request.flow in _APP_ONLY_FLOWS:
                delegated = [
                    scope
                    for scope, kind in zip(scopes, kinds, strict=True)
                    if kind and not scope.endswith("/.default")
                ]
                if delegated:
                    yield self.finding(
                        mail,
                        request.span,
                        f"the client-credentials flow is asked for the delegated scope "
                        f"{delegated[0]!r}: it takes only '<resource>/.default' "
                        "(AADSTS1002012); ask for 'https://outlook.office365.com/.default' with "
                        "the SMTP.SendAsApp / IMAP.AccessAsApp application permission",
                    )

    def _other_protocol(self, mail: MailFile) -> Iterator[Finding]:
        """A token whose scopes name another protocol's permission than the one its
        XOAUTH2 authentication speaks (an ``IMAP.AccessAsUser.All`` token for SMTP)."""
        requests = {request.span: request for request in mail.token_requests}
        reported: set[tuple[Span, Protocol]] = set()
        for conn in mail.connections:
            for step in conn.steps:
                facts = step.xoauth2
                if facts is None or not facts.token_scopes.known:
                    continue
                scopes = _scopes(TokenRequest("", facts.token_scopes, step.span)) or []
                protocols = {_PERMISSIONS.get(_permission(s)) for s in scopes if _mail(s)}
                if not protocols or None in protocols or conn.protocol in protocols:
                    continue  # .default, no mail scope, or a permission of this protocol
                source = next((s for s in facts.token_sources if s in requests), step.span)
                if (source, conn.protocol) in reported:
                    continue
                reported.add((source, conn.protocol))
                wanted = _SCOPE_FOR.get(conn.protocol, "https://outlook.office365.com/.default")
                yield self.finding(
                    mail,
                    source,
                    f"the token for {conn.protocol.value.upper()} XOAUTH2 is requested for "
                    f"{', '.join(map(repr, scopes))}, a permission of "
                    f"{', '.join(sorted(p.value.upper() for p in protocols if p))}: Exchange "
                    f"Online refuses it (535 5.7.3, or NO AUTHENTICATE failed); ask for "
                    f"{wanted!r} (delegated) or 'https://outlook.office365.com/.default' "
                    "(app-only)",
                )


# Exchange Online's delegated permissions, by the protocol each lets a token speak.
_PERMISSIONS = {
    "smtp.send": Protocol.SMTP,
    "smtp.sendasapp": Protocol.SMTP,
    "imap.accessasuser.all": Protocol.IMAP,
    "imap.accessasapp": Protocol.IMAP,
    "pop.accessasuser.all": Protocol.POP,
    "pop.accessasapp": Protocol.POP,
    "ews.accessasuser.all": Protocol.EWS,
}
_SCOPE_FOR = {
    Protocol.SMTP: "https://outlook.office.com/SMTP.Send",
    Protocol.IMAP: "https://outlook.office.com/IMAP.AccessAsUser.All",
    Protocol.POP: "https://outlook.office.com/POP.AccessAsUser.All",
}


def _permission(scope: str) -> str:
    return scope.rstrip("/").rsplit("/", 1)[-1].lower()


def _mail(scope: str) -> bool:
    """A scope of Exchange Online's resource, or a bare permission name of it."""
    resource = _resource_is_mail(scope)
    return resource is True or (resource is None and _permission(scope) in _PERMISSIONS)
