"""exchangelib (EWS): ``Credentials(username, password)``, the OAuth2 credential
classes, and ``Configuration(server=..., credentials=..., auth_type=...)``.

``Credentials`` is a password, sent with basic, NTLM or digest authentication
(exchangelib guesses which unless ``auth_type`` says). ``OAuth2Credentials`` and
``OAuth2AuthorizationCodeCredentials`` are OAuth2; ``OAuth2LegacyCredentials`` is
OAuth2 through the resource owner password flow (a password again, FACTS 3.2).
A ``Configuration`` names the server and the auth type of the credentials it is
given; without one the server comes from autodiscover, which for an address at a
personal Microsoft domain (``@outlook.com``) or a tenant's ``onmicrosoft.com`` domain finds
Exchange Online.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ...model import EwsAccount, MailFile, SecretUse, TokenRequest, Value
from ...providers import PERSONAL_DOMAINS
from .base import Adapter, CallSite, FunctionSpec

# exchangelib's auth type constants, by their lower-cased name or value.
_AUTH_TYPES = {
    "basic": "basic",
    "ntlm": "ntlm",
    "digest": "digest",
    "oauth2": "oauth2",
    "oauth 2.0": "oauth2",
    # No password sent: Kerberos (the process's ticket), a client certificate, none.
    "gssapi": "kerberos",
    "sspi": "kerberos",
    "cba": "certificate",
    "certificate": "certificate",
    "noauth": "none",
    "no authentication": "none",
}
_EWS_DELEGATED_SCOPE = "https://outlook.office365.com/EWS.AccessAsUser.All"


def _literal_secret(mail: MailFile, site: CallSite, name: str, what: str) -> None:
    """A password or client secret written in the code (reported as a hard-coded secret)."""
    value = site.arg(name)
    if value.literal and isinstance(value.value, str) and value.value:
        mail.secrets.append(SecretUse(value, what, value.literal_span or site.span))


def _password(mail: MailFile, site: CallSite) -> None:
    _literal_secret(mail, site, "password", "EWS password")
    mail.ews.append(
        EwsAccount(
            auth="basic",
            span=site.span,
            user=site.arg("username"),
            secret=site.arg("password"),
            host=autodiscovered(site.arg("username")),
        )
    )


def autodiscovered(user: Value) -> Value:
    """The EWS server exchangelib's autodiscover finds for an account: Exchange Online
    for an address at a personal Microsoft domain or at a tenant's ``onmicrosoft.com``
    domain (both hosted there, whatever their DNS); else not known."""
    if user.known and isinstance(user.value, str) and "@" in user.value:
        domain = user.value.rsplit("@", 1)[1].strip().lower()
        if domain in PERSONAL_DOMAINS or domain.endswith(".onmicrosoft.com"):
            origin = f"found by exchangelib autodiscover for an address at {domain}"
            return Value(True, "outlook.office365.com", origin)
    return Value.unknown("exchangelib autodiscover")


def _oauth2(mail: MailFile, site: CallSite) -> None:
    _literal_secret(mail, site, "client_secret", "EWS OAuth2 client secret")
    mail.ews.append(EwsAccount(auth="oauth2", span=site.span))


def _legacy_oauth2(mail: MailFile, site: CallSite) -> None:
    """OAuth2LegacyCredentials: the token comes from the user's password (ROPC)."""
    _literal_secret(mail, site, "password", "EWS password")
    mail.ews.append(EwsAccount(auth="oauth2", span=site.span))
    mail.token_requests.append(
        TokenRequest("username_password", Value(True, (_EWS_DELEGATED_SCOPE,)), site.span)
    )


def _auth_type(site: CallSite) -> str | None:
    value = site.arg("auth_type")
    if value.known and isinstance(value.value, str):
        return _AUTH_TYPES.get(value.value.lower(), "unknown")
    if value.choices:
        # ``OAUTH2 if is_oauth else None``: on the runs that give password credentials
        # exchangelib guesses a password auth type, so the credentials say which it is.
        chosen = {_chosen_auth_type(choice) for choice in value.choices}
        if chosen & {None, "basic", "ntlm", "digest"}:
            return next((c for c in ("basic", "ntlm", "digest") if c in chosen), None)
    if (value.origin or "").startswith("import exchangelib."):
        return _chosen_auth_type(value)  # a name bound to one (``for auth_type in [NTLM, ...]``)
    for name in site.qualified("auth_type"):  # exchangelib.NTLM, exchangelib.transport.BASIC
        found = _AUTH_TYPES.get(name.rsplit(".", 1)[-1].lower())
        if found:
            return found
    return "unknown" if site.has("auth_type") else None


def _chosen_auth_type(choice: Value) -> str | None:
    """The auth type one arm of a choice names: None for exchangelib's guess."""
    if choice.known:
        if not isinstance(choice.value, str):
            return None if choice.value is None else "unknown"
        return _AUTH_TYPES.get(choice.value.lower(), "unknown") if choice.value else None
    origin = choice.origin or ""
    if origin.startswith("import exchangelib."):
        return _AUTH_TYPES.get(origin.rsplit(".", 1)[-1].lower(), "unknown")
    return "unknown"


def _server(site: CallSite) -> Value | None:
    if site.has("server") and site.arg("server").present:
        return site.arg("server")
    endpoint = site.arg("service_endpoint")
    if endpoint.known and isinstance(endpoint.value, str):
        host = urlsplit(endpoint.value).hostname
        if host:
            return Value(True, host, endpoint.origin, endpoint.span, source=endpoint.source)
    return None


def _configuration(mail: MailFile, site: CallSite) -> None:
    """Give the credentials a Configuration is made with its server and auth type."""
    server = _server(site)
    auth = _auth_type(site)
    sources = set(site.sources("credentials"))
    linked = [account for account in mail.ews if account.span in sources]
    for account in linked:
        if server is not None:
            account.host = server
        # An auth type not known here (``auth_type=account.protocol.auth_type``, what
        # autodiscover found) leaves the credentials saying which it is: a password is
        # sent with a password auth type, OAuth2 credentials need OAUTH2.
        if auth not in (None, "unknown") and account.auth != "oauth2":
            account.auth = auth
            account.auth_named = True
    if not linked and auth in ("basic", "ntlm", "digest") and site.has("credentials"):
        # Credentials made elsewhere, with a password auth type asked for here.
        mail.ews.append(
            EwsAccount(
                auth=auth,
                span=site.span,
                secret=Value.unknown("exchangelib credentials"),
                auth_named=True,
                host=server or Value.unknown("exchangelib autodiscover"),
            )
        )


def _specs(record, params: tuple[str, ...], *names: str) -> dict[str, FunctionSpec]:
    spec = FunctionSpec(params, record)
    return {
        qualified: spec
        for name in names
        for qualified in (f"exchangelib.{name}", f"exchangelib.credentials.{name}")
    }


EXCHANGELIB = Adapter(
    library="exchangelib",
    functions={
        **_specs(_password, ("username", "password"), "Credentials", "ServiceAccount"),
        **_specs(
            _oauth2,
            ("client_id", "client_secret", "tenant_id", "identity", "access_token"),
            "OAuth2Credentials",
            "OAuth2AuthorizationCodeCredentials",
            "O365InteractiveCredentials",
        ),
        **_specs(_legacy_oauth2, ("username", "password"), "OAuth2LegacyCredentials"),
        **{
            name: FunctionSpec(
                ("credentials", "server", "service_endpoint", "auth_type"), _configuration
            )
            for name in ("exchangelib.Configuration", "exchangelib.configuration.Configuration")
        },
    },
    markers=(b"exchangelib",),
)
