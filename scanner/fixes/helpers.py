"""Module-level helpers that fixes add to a module once, and reuse at every call site."""

from __future__ import annotations

from ..records import record


@record
class Helper:
    name: str
    source: str  # the definition, with "\n" newlines and four-space indents
    imports: tuple[str, ...]
    # Module-level names the definition creates besides ``name``.
    also_defines: tuple[str, ...] = ()


OAUTH2_ACCESS_TOKEN = Helper(
    name="oauth2_access_token",
    imports=("os", "threading", "msal"),
    also_defines=("_MSAL_APPS", "_MSAL_APPS_LOCK"),
    source='''\
_MSAL_APPS = {}
_MSAL_APPS_LOCK = threading.Lock()


def oauth2_access_token(
    scope="https://outlook.office365.com/.default",
    authority_host="login.microsoftonline.com",
):
    """An app-only OAuth2 token for SMTP/IMAP/POP XOAUTH2 (MSAL client credentials).

    Added by authsweep. Needs an Entra app registration with the Office 365 Exchange
    Online application permission (SMTP.SendAsApp, IMAP.AccessAsApp or POP.AccessAsApp),
    its service principal registered in Exchange Online, and the environment variables
    AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (and AZURE_AUTHORITY_HOST,
    optional).
    """
    host = os.environ.get("AZURE_AUTHORITY_HOST") or authority_host
    if host.startswith("https://"):
        host = host[len("https://") :]
    host = host.rstrip("/")
    authority = f"https://{host}/{os.environ['AZURE_TENANT_ID']}"
    with _MSAL_APPS_LOCK:
        app = _MSAL_APPS.get(authority)
        if app is None:
            # One application object per authority, shared by every thread of the
            # process, so MSAL's token cache is reused.
            app = _MSAL_APPS[authority] = msal.ConfidentialClientApplication(
                os.environ["AZURE_CLIENT_ID"],
                client_credential=os.environ["AZURE_CLIENT_SECRET"],
                authority=authority,
            )
    result = app.acquire_token_for_client(scopes=[scope])
    if "access_token" not in result:
        raise RuntimeError(
            f"OAuth2 token request failed: {result.get('error')}: "
            f"{result.get('error_description')}"
        )
    return result["access_token"]
''',
)

POP3_XOAUTH2 = Helper(
    name="pop3_xoauth2",
    imports=("base64",),
    source='''\
def pop3_xoauth2(pop, user, access_token):
    """Sign in to a POP3 server with SASL XOAUTH2, as Exchange Online documents it.

    Added by authsweep. poplib has no AUTH command: send ``AUTH XOAUTH2`` alone, wait
    for the server's ``+``, then send the base64 XOAUTH2 string (Exchange closes the
    connection when the string comes on the AUTH line itself).
    """
    pop._shortcmd("AUTH XOAUTH2")
    xoauth2 = f"user={user}\\x01auth=Bearer {access_token}\\x01\\x01"
    return pop._shortcmd(base64.b64encode(xoauth2.encode()).decode())
''',
)

HELPERS = {helper.name: helper for helper in (OAUTH2_ACCESS_TOKEN, POP3_XOAUTH2)}
