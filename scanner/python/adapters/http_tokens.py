"""OAuth2 token requests made by hand over HTTP, without MSAL.

``requests.post("https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
data={"grant_type": "password", ...})`` is the password flow (ROPC) that MSAL's
``acquire_token_by_username_password`` makes; ``scope=https://graph.microsoft.com/.default``
is a Graph token, refused for XOAUTH2. The same request is written with requests, httpx,
urllib3, urllib and http.client, or with requests-oauthlib/Authlib's
``fetch_token(username=..., password=...)``. Each becomes a :class:`TokenRequest` like
MSAL's, so AS106 and AS302 judge them alike.

A request counts when its URL is a Microsoft token endpoint (the host from the provider
table, the path ending in ``/token``), or, when the URL cannot be known, when its form
asks a Microsoft resource for a token. Requests to other identity providers are left
alone.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from ...model import MISSING, MailFile, SecretUse, TokenRequest, Value
from ...providers import is_microsoft_authority, lookup
from .base import Adapter, CallSite, FunctionSpec

# OAuth2 grant types and the flow names token requests use (as MSAL's adapter does).
_GRANTS = {
    "password": "username_password",
    "client_credentials": "client_credentials",
    "authorization_code": "authorization_code",
    "refresh_token": "refresh_token",
    "urn:ietf:params:oauth:grant-type:device_code": "device_code",
    "device_code": "device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer": "on_behalf_of",
}
# Fields of a token request's form that are secrets when written as literals.
_FORM_SECRETS = {
    "client_secret": "client secret",
    "refresh_token": "refresh token",
    "password": "password of the resource-owner password flow",
}
# Microsoft Graph's API, in each cloud.
_GRAPH_HOSTS = frozenset(
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
    }
)
# Where the form of each call shape is: parameters (positional names) and body keywords.
_POST = ("url", "data", "json")
_REQUEST = ("method", "url")
_BODIES = ("data", "json", "fields", "body", "content", "params")


def _form(site: CallSite) -> dict[str, Value]:
    """The fields of the request body (a dict, or a urlencoded string)."""
    for name in _BODIES:
        value = site.arg(name) if site.has(name) else site.extra_keywords.get(name, MISSING)
        if value is MISSING:
            continue
        if value.known and isinstance(value.value, dict):
            return {
                str(key): item if isinstance(item, Value) else Value.of(item)
                for key, item in value.value.items()
            }
        text = value.value if value.known else site.template(name)
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if isinstance(text, str) and "=" in text:
            return {
                key: Value.unknown(f"form field {key}") if "{" in item else Value.of(item)
                for key, item in parse_qsl(text, keep_blank_values=True)
            }
    return {}


def _text(value: Value | None) -> str | None:
    if value is None or not value.known:
        return None
    if isinstance(value.value, bytes):
        return value.value.decode("utf-8", "replace")
    return value.value if isinstance(value.value, str) else None


def _scopes(form: dict[str, Value]) -> Value:
    """``scope`` (space-separated; v2 endpoint), or ``resource`` (v1) as its ``/.default``."""
    scope = form.get("scope")
    if scope is not None:
        text = _text(scope)
        if text is None:
            return Value.unknown(scope.origin)
        return Value(True, tuple(text.split()), scope.origin)
    resource = _text(form.get("resource"))
    if resource is not None:
        return Value(True, (resource.rstrip("/") + "/.default",))
    return MISSING


def _microsoft_resource(scopes: Value) -> bool:
    if not scopes.known or not isinstance(scopes.value, tuple):
        return False
    for scope in scopes.value:
        host = urlsplit(scope).hostname if isinstance(scope, str) and "://" in scope else None
        if host and (lookup(host).microsoft or host.endswith(("microsoft.com", "office.com"))):
            return True
    return False


def _endpoint(site: CallSite, url_param: str) -> bool | None:
    """True for a Microsoft token endpoint, False for another server, None if unknown."""
    url = site.template(url_param)
    if url is None:
        url = _text(site.arg(url_param))
    if not url or "://" not in url:
        return None
    parts = urlsplit(url)
    if not parts.hostname or "{" in parts.hostname:
        return None
    return is_microsoft_authority(parts.hostname) and parts.path.rstrip("/").endswith("/token")


def _record(
    mail: MailFile,
    site: CallSite,
    endpoint: bool | None,
    flow: str | None,
    scopes: Value,
    form: dict[str, Value] | None = None,
) -> None:
    if endpoint is False:
        return
    if endpoint is None and not (flow and _microsoft_resource(scopes)):
        return
    mail.token_requests.append(TokenRequest(flow or "unknown", scopes, site.span))
    for name, what in _FORM_SECRETS.items():
        value = (form or {}).get(name)
        if value is not None and value.literal and value.literal_span is not None:
            path = ""
            if not site.span.start <= value.literal_span.start < site.span.end:
                source = value.source or ""
                named = f", as `{source}`" if source.replace(".", "_").isidentifier() else ""
                path = f" (to the token request's {name} at line {site.span.line}{named})"
            use = SecretUse(value, what, value.literal_span, needs_mail=True, path=path)
            mail.secrets.append(use)
        elif value is not None and value.written_at and value.span is not None:
            # A literal of a module that does not report it itself (imported into the form).
            path = f" written in {value.written_at} (to the token request's {name} at line "
            path += f"{site.span.line})"
            mail.secrets.append(SecretUse(value, what, value.span, needs_mail=True, path=path))


def _graph_api(site: CallSite, url_param: str) -> bool:
    """A call of Microsoft Graph's API (``https://graph.microsoft.com/v1.0/...``)."""
    url = site.template(url_param) or _text(site.arg(url_param)) or ""
    host = urlsplit(url).hostname if "://" in url else None
    return host in _GRAPH_HOSTS


def _used_for_graph(mail: MailFile, site: CallSite) -> None:
    """The token requests whose token this Graph call sends (its ``Authorization``
    header): their Graph scope is right, whatever XOAUTH2 the module also does."""
    sent = set(site.sources("headers"))
    for request in mail.token_requests:
        if request.span in sent:
            request.used_for_graph = True


def _post(url_param: str):
    def record(mail: MailFile, site: CallSite) -> None:
        if _graph_api(site, url_param):
            _used_for_graph(mail, site)
            return
        if url_param == "url" and site.has("method"):
            method = _text(site.arg("method"))
            if method is not None and method.upper() != "POST":
                return
        form = _form(site)
        grant = _text(form.get("grant_type"))
        flow = _GRANTS.get(grant, "unknown") if grant else None
        _record(mail, site, _endpoint(site, url_param), flow, _scopes(form), form)

    return record


def _fetch_token(mail: MailFile, site: CallSite) -> None:
    """``OAuth2Session.fetch_token(token_url, username=..., password=...)``: the password
    flow when a password is given (requests-oauthlib's LegacyApplicationClient, Authlib)."""
    password = site.arg("password") if site.has("password") else MISSING
    flow = "username_password" if password is not MISSING else None
    scope = site.extra_keywords.get("scope", MISSING)
    # A scope set on several arms (``self.scope = [...] if v2 else None``): a Microsoft
    # resource among them names the service asked.
    written = [_scope_list(c) for c in (scope.choices or (scope,))]
    known = [scopes for scopes in written if scopes is not MISSING]
    scopes = next((s for s in known if _microsoft_resource(s)), known[0] if known else MISSING)
    endpoint = _endpoint(site, "token_url")
    if flow is None and endpoint is None:
        return
    if flow is None:
        flow = "unknown"
    if endpoint is None and not _microsoft_resource(scopes):
        return
    _record(mail, site, endpoint, flow, scopes)


def _scope_list(scope: Value) -> Value:
    """The scopes a ``scope=`` value asks for, as a tuple (a space-separated text or a
    list); MISSING when not known."""
    if scope.known and isinstance(scope.value, str):
        return Value(True, tuple(scope.value.split()))
    if scope.known and isinstance(scope.value, (tuple, list)):
        return Value(True, tuple(str(s) for s in scope.value))
    return MISSING


_FETCH_TOKEN = ("token_url", "code", "authorization_response", "body", "auth", "username")
_FETCH_TOKEN_PARAMS = (*_FETCH_TOKEN, "password")

HTTP_TOKENS = Adapter(
    library="http",
    functions={
        **{
            name: FunctionSpec(_POST, _post("url"))
            for name in ("requests.post", "requests.api.post", "httpx.post")
        },
        **{
            name: FunctionSpec(_REQUEST, _post("url"))
            for name in ("requests.request", "requests.api.request", "httpx.request")
        },
        "urllib3.request": FunctionSpec((*_REQUEST, "body", "fields"), _post("url")),
        "urllib.request.Request": FunctionSpec(("url", "data"), _post("url")),
        "urllib.request.urlopen": FunctionSpec(("url", "data"), _post("url")),
    },
    object_methods={
        "post": FunctionSpec(_POST, _post("url")),
        # http.client's ``HTTPSConnection.request(method, url, body, headers)`` too.
        "request": FunctionSpec((*_REQUEST, "body"), _post("url")),
        "request_encode_body": FunctionSpec((*_REQUEST, "fields"), _post("url")),
        "fetch_token": FunctionSpec(_FETCH_TOKEN_PARAMS, _fetch_token),
    },
    # Token endpoints of every Microsoft cloud but two contain it; a form for a Microsoft
    # resource names outlook or graph, which other markers find.
    markers=(b"microsoftonline",),
    # ``post`` and ``request`` are everywhere (test clients, REST calls): a module is worth
    # analysing for them only when it names an OAuth2 endpoint or grant.
    object_methods_if=(b"oauth2", b"fetch_token", b"grant_type"),
)
