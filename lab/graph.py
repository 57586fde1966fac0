"""Microsoft Graph ``sendMail`` as Exchange Online answers it (``fix --target graph``).

Served over HTTPS on the Graph host names (``graph.microsoft.com`` and the national clouds',
port 443): ``POST /v1.0/users/{id | userPrincipalName}/sendMail`` with the message in MIME
form (``Content-Type: text/plain``, base64) or as JSON. The token must be one the lab's
identity endpoint issued for this cloud's Graph (an Outlook-scoped one is refused, as a
Graph token is refused by the SMTP server), the app must hold Mail.Send for the mailbox
(:class:`~authsweep.lab.tenant.TenantSetup`), and the message needs a recipient; the reply
is ``202 Accepted`` and the message is delivered to its To, Cc and Bcc recipients (without
its Bcc header) and recorded, so the same assertions apply as to SMTP. Errors have Graph's
shape (``{"error": {"code", "message"}}``) and codes: docs/graph.md lists them with their
sources. ``throttle`` answers the first requests ``429`` with ``Retry-After: 1``.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from .context import ServerContext
from .listeners import Client
from .records import DeliveredMessage, Failure, GraphRequest
from .tenant import TenantSetup

MAX_REQUEST_BYTES = 4 * 1024 * 1024  # Graph's limit on a request body
RETRY_AFTER_SECONDS = 1  # what a throttled request is told to wait

ACCESS_DENIED = "Access is denied. Check credentials and try again."
SEND_AS_DENIED = (
    "The user account which was used to submit this request does not have the right to send "
    "mail on behalf of the specified sending account., Cannot submit message."
)
ME_APP_ONLY = "/me request is only valid with delegated authentication flow."
NO_RECIPIENTS = "At least one recipient is required, but none were found."
BAD_BASE64 = "Invalid base64 string for MIME content."
TOO_LARGE = "The maximum request length supported is 4MB."
THROTTLED = "Application is over its MailboxConcurrency limit."


@dataclass(frozen=True)
class Refusal:
    """Graph's answer to a request it does not take, and the lab's cause id for it."""

    status: int
    code: str
    message: str
    cause: str


class GraphEndpoint:
    """Decides each request; records every one, its failures and the messages it takes."""

    def __init__(
        self, context: ServerContext, tenant: TenantSetup, mailboxes: set[str] | None
    ) -> None:
        self.context = context
        self.tenant = tenant
        self.mailboxes = mailboxes

    def send_mail(
        self, host: str, path: str, headers: Mapping[str, str], body: bytes, tls: str | None
    ) -> tuple[int, dict[str, str], dict[str, Any] | None]:
        """The status, extra headers and JSON body of Graph's reply."""
        mailbox, audience = None, None
        outcome = self._refusal_of_path(path)
        if outcome is None:
            mailbox = unquote(path.split("/")[3])
            if self.context.throttle.take():
                outcome = Refusal(429, "ApplicationThrottled", THROTTLED, "graph-throttled")
            else:
                outcome, audience = self._authorize(host, headers.get("Authorization", ""))
            if outcome is None:
                outcome = self._mailbox_refusal(mailbox)
            if outcome is None:
                outcome = self._deliver(mailbox, headers, body, tls)
        self.context.recorder.add(
            GraphRequest(
                "POST",
                host,
                path,
                mailbox,
                outcome.status if outcome else 202,
                outcome.code if outcome else None,
                outcome.message if outcome else None,
                audience,
            )
        )
        if outcome is None:
            return 202, {}, None
        reply = f"HTTP {outcome.status} {outcome.code}: {outcome.message}"
        self.context.recorder.add(Failure(outcome.cause, reply, "graph", detail=f"POST {path}"))
        extra = {"Retry-After": str(RETRY_AFTER_SECONDS)} if outcome.status == 429 else {}
        error = {"code": outcome.code, "message": outcome.message}
        return outcome.status, extra, {"error": error}

    @staticmethod
    def _refusal_of_path(path: str) -> Refusal | None:
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[1].lower() == "me":
            return Refusal(400, "BadRequest", ME_APP_ONLY, "graph-me-app-only")
        shaped = len(parts) == 4 and parts[0] in ("v1.0", "beta") and parts[1].lower() == "users"
        if not shaped or parts[3].lower() != "sendmail":
            segment = parts[-1] if parts else ""
            message = f"Resource not found for the segment '{segment}'."
            return Refusal(400, "BadRequest", message, "graph-bad-request")
        return None

    def _authorize(self, host: str, header: str) -> tuple[Refusal | None, str | None]:
        scheme, _, token = header.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        issued, problem = self.context.issuer.graph_token(token, host)
        audience = issued.resource if issued is not None else None
        if problem is None:
            return None, audience
        if issued is None:
            cause = "token-not-issued"
        elif "expired" in problem:
            cause = "token-expired"
        else:
            cause = "graph-wrong-audience"
        return Refusal(401, "InvalidAuthenticationToken", problem, cause), audience

    def _mailbox_refusal(self, mailbox: str) -> Refusal | None:
        if self.mailboxes is not None and mailbox.lower() not in self.mailboxes:
            message = f"The requested user '{mailbox}' is invalid."
            return Refusal(404, "ErrorInvalidUser", message, "graph-unknown-user")
        cause = self.tenant.graph_refusal(mailbox)
        if cause is not None:
            return Refusal(403, "ErrorAccessDenied", ACCESS_DENIED, cause)
        return None

    def _deliver(
        self, mailbox: str, headers: Mapping[str, str], body: bytes, tls: str | None
    ) -> Refusal | None:
        if len(body) > MAX_REQUEST_BYTES:
            return Refusal(413, "RequestEntityTooLarge", TOO_LARGE, "graph-too-large")
        kind = headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if kind == "application/json":
            content = _from_json(body)
            if content is None:
                message = "The request body is not a sendMail JSON object with a message."
                return Refusal(400, "ErrorInvalidRequest", message, "graph-bad-request")
        else:
            try:
                content = base64.b64decode(b"".join(body.split()), validate=True)
            except (binascii.Error, ValueError):
                return Refusal(
                    400, "ErrorMimeContentInvalidBase64String", BAD_BASE64, "graph-bad-mime"
                )
        message = email.message_from_bytes(content, policy=email.policy.default)
        recipients = _addresses(message, ("To", "Cc", "Bcc"))
        if not recipients:
            return Refusal(400, "ErrorInvalidRecipients", NO_RECIPIENTS, "graph-no-recipients")
        senders = _addresses(message, ("From",))
        if self.context.enforce_send_as and senders and senders[0].lower() != mailbox.lower():
            return Refusal(403, "ErrorSendAsDenied", SEND_AS_DENIED, "graph-send-as-denied")
        delivered = _without_bcc(content)
        if not senders:  # Exchange sends from the mailbox whose sendMail was called
            delivered = f"From: {mailbox}\r\n".encode() + delivered
        record = DeliveredMessage(mailbox, tuple(recipients), delivered, mailbox, tls, via="graph")
        self.context.recorder.add(record)
        for recipient in recipients:
            self.context.mailboxes.add(recipient, delivered)
        return None


def _addresses(message: email.message.Message, names: tuple[str, ...]) -> list[str]:
    values = [str(v) for name in names for v in message.get_all(name, [])]
    return [address for _, address in getaddresses(values) if address]


def _without_bcc(content: bytes) -> bytes:
    """The message as its recipients get it: the Bcc header (and its folded lines) gone,
    every other byte as sent."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, rest = content.partition(separator)
        if found:
            break
    else:
        head, found, rest = content, b"", b""
    kept: list[bytes] = []
    dropping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = line.split(b":", 1)[0].strip().lower() == b"bcc"
        if not dropping:
            kept.append(line)
    return b"".join(kept) + found + rest


def _from_json(body: bytes) -> bytes | None:
    """The MIME of a sendMail JSON body (``{"message": {...}}``): subject, body, To, Cc,
    Bcc, Reply-To, From and file attachments, as Exchange builds the message."""
    try:
        found = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(found, dict):
        return None
    message = EmailMessage()
    for header, key in (
        ("From", "from"),
        ("To", "toRecipients"),
        ("Cc", "ccRecipients"),
        ("Bcc", "bccRecipients"),
        ("Reply-To", "replyTo"),
    ):
        entries = found.get(key) or []
        entries = [entries] if isinstance(entries, dict) else entries
        addresses = [
            e["emailAddress"]["address"]
            for e in entries
            if isinstance(e, dict) and isinstance(e.get("emailAddress"), dict)
        ]
        if addresses:
            message[header] = ", ".join(str(a) for a in addresses)
    message["Subject"] = str(found.get("subject") or "")
    text = found.get("body") if isinstance(found.get("body"), dict) else {}
    html = str(text.get("contentType", "")).lower() == "html"
    message.set_content(str(text.get("content", "")), subtype="html" if html else "plain")
    for attachment in found.get("attachments") or []:
        if isinstance(attachment, dict) and "contentBytes" in attachment:
            data = base64.b64decode(str(attachment["contentBytes"]))
            maintype, _, subtype = str(
                attachment.get("contentType") or "application/octet-stream"
            ).partition("/")
            name = str(attachment.get("name") or "attachment")
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=email.policy.SMTP)


class GraphHandler(BaseHTTPRequestHandler):
    """One HTTPS connection to Graph (``server`` is the GraphEndpoint)."""

    server: GraphEndpoint  # type: ignore[assignment]
    server_version = "authsweep-lab"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(
        self, status: int, headers: Mapping[str, str], body: Mapping[str, Any] | None
    ) -> None:
        payload = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        host = (self.headers.get("Host") or "graph.microsoft.com").rsplit(":", 1)[0].lower()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_REQUEST_BYTES + 1))
        left = length - len(body)
        while left > 0:  # what is over the limit is read, so the client hears the refusal
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)
        ssl_object = self.connection if isinstance(self.connection, ssl.SSLSocket) else None
        tls = ssl_object.version() if ssl_object is not None else None
        path = urlsplit(self.path).path
        self._reply(*self.server.send_mail(host, path, self.headers, body, tls))

    def do_GET(self) -> None:
        error = {"code": "BadRequest", "message": "The lab's Graph serves sendMail only."}
        self._reply(400, {}, {"error": error})


def serve_graph(endpoint: GraphEndpoint, context: ssl.SSLContext, client: Client) -> None:
    """Handle one client of the Graph endpoint (called in its own thread)."""
    client.sock.settimeout(GraphHandler.timeout)
    try:
        tls = client.start_tls(context)
        GraphHandler(tls, tls.getpeername(), endpoint)  # type: ignore[arg-type]
    except OSError:  # includes TLS errors: a client that gives up is not the lab's problem
        pass
