"""The Microsoft identity platform, as far as MSAL's client-credentials flow needs it.

Served over HTTPS on the login host names: instance discovery, OIDC discovery and the
``/oauth2/v2.0/token`` endpoint (client id and secret checked, ``<resource>/.default`` scope
required), with Entra ID's error shapes (``AADSTS...`` codes) so MSAL reports them unchanged.
``expires_in`` is the real lifetime: MSAL serves a cached token only while more than five
minutes of it are left (``msal/application.py``: ``if expires_in < 5*60``), so a lifetime
under five minutes makes MSAL fetch a new token on every call, as it does near the end of a
real one-hour token.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import ssl
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from .hosts import CLOUDS, cloud_for_login_host
from .listeners import Client
from .records import Recorder, TokenRequest
from .tokens import TokenIssuer


@dataclass(frozen=True)
class AppRegistration:
    """The tenant and the one app registration the lab knows."""

    tenant_id: str
    tenant_domain: str
    client_id: str
    client_secret: str


def _aad_error(status: int, error: str, code: int, text: str) -> tuple[int, dict[str, Any]]:
    now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    return status, {
        "error": error,
        "error_description": f"AADSTS{code}: {text} Trace ID: {uuid.uuid4()} "
        f"Correlation ID: {uuid.uuid4()} Timestamp: {now}",
        "error_codes": [code],
        "timestamp": now,
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }


class IdentityPlatform:
    """Answers the identity platform's requests; records every token request."""

    def __init__(
        self, app: AppRegistration, issuer: TokenIssuer, recorder: Recorder, token_lifetime: int
    ) -> None:
        self.app = app
        self.issuer = issuer
        self.recorder = recorder
        self.token_lifetime = token_lifetime

    def canonical_tenant(self, tenant: str) -> str | None:
        lowered = tenant.lower()
        if lowered in (self.app.tenant_id.lower(), self.app.tenant_domain.lower()):
            return self.app.tenant_id
        if lowered in ("common", "organizations"):
            return lowered
        return None

    def openid_configuration(self, host_header: str, tenant: str) -> dict[str, Any]:
        base = f"https://{host_header}/{tenant}"
        issuer_tenant = "{tenantid}" if tenant in ("common", "organizations") else tenant
        cloud = cloud_for_login_host(host_header.rsplit(":", 1)[0].lower())
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"https://{host_header}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "ver"],
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "NA",
            "cloud_instance_name": {
                "public": "microsoftonline.com",
                "usgov": "microsoftonline.us",
                "china": "partner.microsoftonline.cn",
            }[cloud.name],
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def token_request(
        self, authority_host: str, tenant: str, form: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        status, body = self._token_response(authority_host, tenant, form)
        self.recorder.add(
            TokenRequest(
                authority_host,
                tenant,
                form.get("grant_type", ""),
                form.get("client_id", ""),
                form.get("scope", ""),
                status,
                body.get("error"),
                body.get("error_description"),
            )
        )
        return status, body

    def _token_response(
        self, authority_host: str, tenant: str, form: Mapping[str, str]
    ) -> tuple[int, dict[str, Any]]:
        app = self.app
        cloud = cloud_for_login_host(authority_host)
        canonical = self.canonical_tenant(tenant)
        if canonical is None:
            return _aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        grant = form.get("grant_type", "")
        if grant != "client_credentials":
            return _aad_error(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant}'. The lab only "
                "implements the client credentials grant.",
            )
        if canonical in ("common", "organizations"):
            return _aad_error(
                400,
                "invalid_request",
                50059,
                "No tenant-identifying information found in either the request or implied by "
                "any provided credentials.",
            )
        client_id = form.get("client_id", "")
        if client_id != app.client_id:
            return _aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{app.tenant_domain}'.",
            )
        if "client_assertion" in form:
            return _aad_error(
                401,
                "invalid_client",
                700027,
                "Client assertion failed signature validation (certificate credentials are "
                "not simulated).",
            )
        if not form.get("client_secret"):
            return _aad_error(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
            )
        if not secrets.compare_digest(form["client_secret"], app.client_secret):
            return _aad_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                f"the client secret value, not the client secret ID, for a secret added to app "
                f"'{app.client_id}'.",
            )
        scopes = form.get("scope", "").split()
        resource_scopes = [s for s in scopes if s not in {"openid", "profile", "offline_access"}]
        if not resource_scopes:
            return _aad_error(
                400, "invalid_request", 90014, "The required field 'scope' is missing."
            )
        bad = [s for s in resource_scopes if not s.endswith("/.default")]
        if bad:
            return _aad_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {bad[0]} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier "
                "(application ID URI).",
            )
        if len(resource_scopes) > 1:
            return _aad_error(
                400,
                "invalid_scope",
                28000,
                "Provided value for the input parameter scope is not valid because it contains "
                "more than one resource.",
            )
        scope = resource_scopes[0]
        resource = scope[: -len("/.default")].rstrip("/")
        foreign = [c for c in CLOUDS if c is not cloud and resource in (*c.exchange, *c.other)]
        if foreign:
            return _aad_error(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{app.tenant_domain}. (It belongs to the {foreign[0].name} cloud; this "
                f"authority is {authority_host}.)",
            )
        issued = self.issuer.mint(
            client_id=client_id,
            tenant=canonical,
            scope=scope,
            resource=resource,
            authority_host=authority_host,
            lifetime=self.token_lifetime,
            flow=grant,
        )
        return 200, {
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            "ext_expires_in": self.token_lifetime,
            "access_token": issued.access_token,
        }


def _instance_discovery(host_header: str, query: Mapping[str, list[str]]) -> dict[str, Any]:
    authorize = urlsplit((query.get("authorization_endpoint") or [""])[-1])
    netloc = authorize.netloc or host_header  # the authority being validated
    path = [p for p in authorize.path.split("/") if p]
    tenant = path[0] if path else "common"
    host = netloc.rsplit(":", 1)[0]
    return {
        "tenant_discovery_endpoint": (
            f"https://{netloc}/{tenant}/v2.0/.well-known/openid-configuration"
        ),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }


class TokenHandler(BaseHTTPRequestHandler):
    """One HTTPS connection to the identity endpoint (``server`` is the IdentityPlatform)."""

    server: IdentityPlatform  # type: ignore[assignment]
    server_version = "authsweep-lab"
    sys_version = ""
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _host(self) -> tuple[str, str]:
        """(Host header as sent, host name without port, lower case)."""
        header = self.headers.get("Host") or "login.microsoftonline.com"
        name = header.rsplit(":", 1)[0] if not header.startswith("[") else header
        return header, name.lower()

    def _send_json(self, status: int, body: Mapping[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store, no-cache")
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        platform = self.server
        platform.recorder.add_http_request(self.command, self.headers.get("Host") or "", self.path)
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        header, _name = self._host()
        if parts == ["common", "discovery", "instance"]:
            self._send_json(200, _instance_discovery(header, parse_qs(url.query)))
            return
        if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            canonical = platform.canonical_tenant(parts[0])
            if canonical is None:
                self._send_json(
                    *_aad_error(
                        400,
                        "invalid_tenant",
                        90002,
                        f"Tenant '{parts[0]}' not found. Check to make sure you have the correct "
                        "tenant ID and are signing into the correct cloud.",
                    )
                )
                return
            self._send_json(200, platform.openid_configuration(header, canonical))
            return
        self.send_error(404)

    def do_POST(self) -> None:
        platform = self.server
        platform.recorder.add_http_request(self.command, self.headers.get("Host") or "", self.path)
        parts = [p for p in urlsplit(self.path).path.split("/") if p]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            self.send_error(404)
            return
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic ") and "client_secret" not in form:
            try:
                decoded = base64.b64decode(basic[6:], validate=True).decode("utf-8", "replace")
            except binascii.Error:
                decoded = ":"
            client_id, _, client_secret = decoded.partition(":")
            form.setdefault("client_id", unquote_plus(client_id))
            form["client_secret"] = unquote_plus(client_secret)
        _header, name = self._host()
        self._send_json(*platform.token_request(name, parts[0], form))


def serve_https(platform: IdentityPlatform, context: ssl.SSLContext, client: Client) -> None:
    """Handle one client of the token endpoint (called in its own thread)."""
    client.sock.settimeout(TokenHandler.timeout)
    try:
        tls = client.start_tls(context)
        TokenHandler(tls, tls.getpeername(), platform)  # type: ignore[arg-type]
    except OSError:  # includes TLS errors: a client that gives up is not the lab's problem
        pass
