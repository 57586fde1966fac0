"""OAuth2 token requests: MSAL's ``acquire_token_*`` / ``initiate_*_flow`` methods and
azure-identity credentials.

MSAL method names are distinctive, so they are recognised on any object (the
application is often made elsewhere and passed in). azure-identity's ``get_token``
is a generic name: it counts only on a credential made in this module. Each
request becomes a :class:`TokenRequest` with its flow and scopes; the front end
marks those whose token reaches an XOAUTH2 authentication. A client secret, refresh
token or password handed to these calls as a literal is a secret of the module.
"""

from __future__ import annotations

from ...model import MISSING, MailFile, TokenRequest, Value
from . import common
from .base import Adapter, CallSite, FunctionSpec

# MSAL methods: (flow, parameters up to the scopes).
_MSAL = {
    "acquire_token_by_username_password": ("username_password", ("username", "password", "scopes")),
    "acquire_token_for_client": ("client_credentials", ("scopes",)),
    "initiate_device_flow": ("device_code", ("scopes",)),
    "acquire_token_silent": ("silent", ("scopes", "account")),
    "acquire_token_silent_with_error": ("silent", ("scopes", "account")),
    "acquire_token_interactive": ("interactive", ("scopes",)),
    "acquire_token_by_authorization_code": ("authorization_code", ("code", "scopes")),
    "initiate_auth_code_flow": ("authorization_code", ("scopes",)),
    "acquire_token_by_refresh_token": ("refresh_token", ("refresh_token", "scopes")),
    "acquire_token_on_behalf_of": ("on_behalf_of", ("user_assertion", "scopes")),
}
# azure-identity credential classes, by the flow their get_token uses.
_AZURE_FLOWS = {
    "ClientSecretCredential": "client_credentials",
    "CertificateCredential": "client_credentials",
    "ClientAssertionCredential": "client_credentials",
    "ManagedIdentityCredential": "client_credentials",
    "WorkloadIdentityCredential": "client_credentials",
    "DefaultAzureCredential": "default",
    "DeviceCodeCredential": "device_code",
    "InteractiveBrowserCredential": "interactive",
    "AuthorizationCodeCredential": "authorization_code",
    "UsernamePasswordCredential": "username_password_credential",
}
_GET_TOKEN_SCOPES = ("scope1", "scope2", "scope3", "scope4")


# Arguments of token calls that are secrets when written as literals, and what they are.
_SECRET_ARGUMENTS = {
    "password": "password of the resource-owner password flow",
    "refresh_token": "refresh token",
    "client_credential": "client secret",
    "client_secret": "client secret",
}


def _msal(flow: str, params: tuple[str, ...]) -> FunctionSpec:
    def record(mail: MailFile, site: CallSite) -> None:
        mail.token_requests.append(TokenRequest(flow, site.arg("scopes"), site.span))
        secrets(mail, site)

    return FunctionSpec(params, record)


def secrets(mail: MailFile, site: CallSite) -> None:
    """The literal secrets a token call is handed (a client secret, a refresh token, the
    user's password): mail secrets in a module that does mail."""
    for name, what in _SECRET_ARGUMENTS.items():
        use = common.app_secret(site, name, what)
        if use is not None:
            mail.secrets.append(use)


def _application(mail: MailFile, site: CallSite) -> None:
    """``ConfidentialClientApplication(client_id, client_credential="...")``."""
    secrets(mail, site)


def _azure_class(receiver: Value) -> str | None:
    origin = receiver.origin or ""
    for prefix in ("call azure.identity.", "call azure.identity.aio."):
        if origin.startswith(prefix):
            return origin.removeprefix(prefix)
    return None


def _get_token(mail: MailFile, site: CallSite) -> None:
    """``credential.get_token(*scopes)`` on an azure-identity credential of this module."""
    klass = _azure_class(site.receiver_value)
    if klass is None:
        return
    scopes = tuple(site.arg(name) for name in _GET_TOKEN_SCOPES if site.has(name))
    known = bool(scopes) and all(scope.known for scope in scopes)
    value = Value(known, tuple(s.value for s in scopes) if known else None, items=scopes)
    flow = _AZURE_FLOWS.get(klass, "azure_identity")
    mail.token_requests.append(TokenRequest(flow, value, site.span))


def _password_credential(mail: MailFile, site: CallSite) -> None:
    """``UsernamePasswordCredential(client_id, username, password)``: ROPC, whatever the
    scopes it is later asked for."""
    mail.token_requests.append(TokenRequest("username_password", MISSING, site.span))
    secrets(mail, site)


TOKENS = Adapter(
    library="msal",
    object_methods={
        **{name: _msal(flow, params) for name, (flow, params) in _MSAL.items()},
        "get_token": FunctionSpec(_GET_TOKEN_SCOPES, _get_token),
    },
    functions={
        **{
            f"azure.identity.{module}UsernamePasswordCredential": FunctionSpec(
                ("client_id", "username", "password"), _password_credential
            )
            for module in ("", "aio.")
        },
        **{
            f"azure.identity.{module}ClientSecretCredential": FunctionSpec(
                ("tenant_id", "client_id", "client_secret"), _application
            )
            for module in ("", "aio.")
        },
        **{
            name: FunctionSpec(("client_id", "client_credential"), _application)
            for name in (
                "msal.ConfidentialClientApplication",
                "msal.application.ConfidentialClientApplication",
            )
        },
    },
    markers=(b"msal", b"azure.identity", b"acquire_token"),
)
