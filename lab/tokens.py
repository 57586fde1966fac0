"""Access tokens: minted by the identity endpoint, checked when a mail server sees XOAUTH2.

Tokens are JWT-shaped strings (header, claims, random signature) that only this lab accepts;
the claims carry what Entra ID puts in an app-only token (``aud``, ``roles``, ``exp``, ...).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .hosts import Cloud, cloud_for_graph_host, cloud_for_login_host
from .records import IssuedToken, Recorder, TokenUse
from .tenant import TenantSetup

_XOAUTH2_RE = re.compile(rb"user=([^\x01]+)\x01auth=Bearer ([^\x01\s]+)\x01\x01\Z")
_USER_RE = re.compile(rb"user=([^\x01]*)")


def xoauth2_string(user: str, token: str) -> str:
    """The raw SASL XOAUTH2 string (smtplib/imaplib base64-encode it themselves)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class XOAuth2Check:
    """What a mail server concludes from an XOAUTH2 response."""

    ok: bool
    user: str | None
    detail: str  # "scope ..." when ok; else token-expired, wrong-audience ..., double-base64, ...
    token: TokenUse | None = None


class TokenIssuer:
    """Mints tokens and remembers them, so the mail servers can check what they are shown."""

    def __init__(
        self, recorder: Recorder, mailboxes: Sequence[str] | None, tenant: TenantSetup
    ) -> None:
        self._recorder = recorder
        self._mailboxes = None if mailboxes is None else {m.lower() for m in mailboxes}
        self._tenant = tenant
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {}

    def mint(
        self,
        *,
        client_id: str,
        tenant: str,
        scope: str,
        resource: str,
        authority_host: str,
        lifetime: int,
        flow: str,
    ) -> IssuedToken:
        cloud: Cloud = cloud_for_login_host(authority_host)
        now = time.time()
        if resource in cloud.exchange:
            roles = ["SMTP.SendAsApp", "IMAP.AccessAsApp", "POP.AccessAsApp"]
        else:  # Graph's application permission, when Entra ID has it consented
            roles = ["Mail.Send"] if self._tenant.mail_send else []
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{tenant}/",
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now + lifetime),
            "appid": client_id,
            "app_displayname": "authsweep exchange simulator",
            "idtyp": "app",
            "oid": str(uuid.uuid4()),
            "roles": roles,
            "tid": tenant,
            "uti": b64url(secrets.token_bytes(16)),
            "ver": "1.0",
        }
        header = {"typ": "JWT", "alg": "RS256", "kid": "authsweep-lab"}
        token = ".".join(
            (
                b64url(json.dumps(header).encode()),
                b64url(json.dumps(claims).encode()),
                b64url(secrets.token_bytes(64)),
            )
        )
        issued = IssuedToken(
            access_token=token,
            client_id=client_id,
            tenant=tenant,
            scope=scope,
            resource=resource,
            authority_host=authority_host,
            cloud=cloud.name,
            issued_at=now,
            expires_at=now + lifetime,
            flow=flow,
        )
        with self._lock:
            self._tokens[token] = issued
        self._recorder.add(issued)
        return issued

    def check_xoauth2(self, raw: bytes, protocol: str) -> XOAuth2Check:
        """Check a decoded XOAUTH2 response to ``protocol`` ("smtp", "imap", "pop") as
        Exchange would; say why when it fails."""
        match = _XOAUTH2_RE.match(raw)
        if match is None:
            user_match = _USER_RE.match(raw)
            user = user_match.group(1).decode("utf-8", "replace") if user_match else None
            try:
                inner = base64.b64decode(raw, validate=True)
            except binascii.Error:
                inner = b""
            inner_user = _USER_RE.match(inner)
            if inner_user:
                return XOAuth2Check(
                    False, inner_user.group(1).decode("utf-8", "replace"), "double-base64"
                )
            return XOAuth2Check(False, user, "malformed-sasl")
        user = match.group(1).decode("utf-8", "replace")
        token = match.group(2).decode("ascii", "replace")
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            return XOAuth2Check(False, user, "token-not-issued")
        expired = issued.expires_at <= time.time()
        use = TokenUse(issued.resource, issued.scope, issued.flow, issued.client_id, expired)
        if expired:
            lived = int(issued.expires_at - issued.issued_at)
            return XOAuth2Check(False, user, f"token-expired (lifetime {lived} s)", use)
        if not issued.valid_for_exchange:
            detail = f"wrong-audience {issued.resource} (scope {issued.scope})"
            return XOAuth2Check(False, user, detail, use)
        if "@" not in user or (self._mailboxes is not None and user.lower() not in self._mailboxes):
            return XOAuth2Check(False, user, "unknown-mailbox", use)
        refusal = self._tenant.refusal(protocol, user)
        if refusal is not None:
            return XOAuth2Check(False, user, f"{refusal} ({protocol} {user})", use)
        return XOAuth2Check(True, user, f"scope {issued.scope}", use)

    def graph_token(self, token: str, graph_host: str) -> tuple[IssuedToken | None, str | None]:
        """The token a Graph request shows, and why Graph refuses it (as Graph says it), or
        None when its audience is this Graph host's cloud and it has not expired."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None:
            message = "IDX14100: JWT is not well formed." if token else "Access token is empty."
            return None, message
        if issued.expires_at <= time.time():
            return issued, "Lifetime validation failed, the token is expired."
        if issued.resource not in cloud_for_graph_host(graph_host).graph:
            return issued, "Access token validation failure. Invalid audience."
        return issued, None


def xoauth2_cause(detail: str) -> str:
    """The diagnosis cause id for a rejected XOAUTH2 ``detail``."""
    return detail.split(" ", 1)[0]
