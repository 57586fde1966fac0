"""The Graph client `fix --target graph` writes: the project's token module, with a client
for Microsoft Graph ``sendMail`` beside the token helper.

Every send the fix moves off SMTP calls this module: ``send_mime`` posts the message as
the program built it (MIME, base64: ``Content-Type: text/plain``) to
``POST /v1.0/users/{mailbox}/sendMail``, and ``GraphMailClient`` / ``graph_send_async``
take smtplib's and aiosmtplib's arguments so the rewritten code keeps its shape. One
module per import root (the XOAUTH2 target's token module, :mod:`.token_module`): its
``oauth2_access_token`` serves the IMAP and POP logins that stay on XOAUTH2 too. HTTP goes
through the standard library unless the project already depends on ``requests`` or
``httpx``. What Microsoft documents and how the module follows it: docs/graph.md.
"""

from __future__ import annotations

from pathlib import Path

from ..project import project_root
from ..remedies import GRAPH_MODULE
from .dependencies import declarations
from .helpers import OAUTH2_ACCESS_TOKEN

KIND = "graph-client"
CLIENT_CLASS = "GraphMailClient"
TRANSPORTS = ("urllib", "requests", "httpx")
# The import placeholder remedies name the module by: the fixer puts its dotted name in.
MODULE_PLACEHOLDER = GRAPH_MODULE

_DOCSTRING = '''"""Microsoft Graph sendMail for this project's mail, and the OAuth2 token it needs.

Written by authsweep: the tenant refuses SMTP AUTH (fix --target graph), so the code
that sent with smtplib, aiosmtplib, logging or a framework's mail backend sends through
Graph: POST /v1.0/users/{mailbox}/sendMail with the message as the program built it
(MIME, base64), so its headers, attachments, HTML parts, Reply-To and Bcc stay as they
were. Logins that stay on XOAUTH2 (IMAP, POP) get their token from oauth2_access_token
here. It needs msal, an Entra app registration with the Microsoft Graph application
permission Mail.Send and admin consent (or, scoped to the mailboxes, the Exchange Online
RBAC for Applications role "Application Mail.Send"), and AZURE_TENANT_ID,
AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (AZURE_AUTHORITY_HOST optional) in the
environment: https://learn.microsoft.com/en-us/graph/api/user-sendmail
"""
'''

_STDLIB = (
    "import asyncio",
    "import base64",
    "import io",
    "import json",
    "import random",
    "import re",
    "import smtplib",
    "import time",
    "import urllib.parse",
    "from collections.abc import Callable, Iterable",
    "from email.generator import BytesGenerator",
    "from email.message import Message",
    "from email.utils import getaddresses, parsedate_to_datetime",
)

_CONSTANTS = """
GRAPH_HOST = "graph.microsoft.com"
# The login host each cloud's Graph takes tokens from (AZURE_AUTHORITY_HOST still wins).
AUTHORITY_HOSTS = {
    "graph.microsoft.com": "login.microsoftonline.com",
    "graph.microsoft.us": "login.microsoftonline.us",
    "dod-graph.microsoft.us": "login.microsoftonline.us",
    "microsoftgraph.chinacloudapi.cn": "login.chinacloudapi.cn",
}
# Graph takes at most 4 MB in one request: the message in base64 (about 3 MB of it).
MAX_REQUEST_BYTES = 4 * 1024 * 1024
# Throttled (429) or unavailable (503, 504): retried this often, waiting what
# Retry-After says (else exponential back-off), never longer than MAX_WAIT_SECONDS.
RETRIES = 4
RETRY_STATUSES = frozenset({429, 503, 504})
MAX_WAIT_SECONDS = 120
TIMEOUT_SECONDS = 60
"""

_POST = {
    "urllib": (
        ("import urllib.error", "import urllib.request"),
        (),
        '''

def _post(url: str, access_token: str, body: bytes) -> tuple[int, Message, bytes]:
    """POST ``body`` to Graph: the status, the headers and the body of the reply."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "text/plain",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()
''',
    ),
    "requests": (
        (),
        ("import requests",),
        '''

def _post(url: str, access_token: str, body: bytes):
    """POST ``body`` to Graph: the status, the headers and the body of the reply."""
    response = requests.post(
        url,
        data=body,
        headers={
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "text/plain",
        },
        timeout=TIMEOUT_SECONDS,
    )
    return response.status_code, response.headers, response.content
''',
    ),
    "httpx": (
        (),
        ("import httpx",),
        '''

def _post(url: str, access_token: str, body: bytes):
    """POST ``body`` to Graph: the status, the headers and the body of the reply."""
    response = httpx.post(
        url,
        content=body,
        headers={
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "text/plain",
        },
        timeout=TIMEOUT_SECONDS,
    )
    return response.status_code, response.headers, response.content
''',
    ),
}

_BODY = '''

class GraphMailError(smtplib.SMTPException):
    """Graph did not take a message: the HTTP status, Graph's error code and its message
    (never the token). An smtplib.SMTPException, so code that handled SMTP failures
    handles these too."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"Graph sendMail: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def send_mime(
    mailbox: str,
    message: bytes | str | Message,
    recipients: str | Iterable[str] = (),
    *,
    graph_host: str = GRAPH_HOST,
    token: Callable[[str], str] | None = None,
) -> None:
    """Send ``message`` (MIME bytes or text, or an email Message) from ``mailbox``
    through Graph sendMail. ``recipients`` are the envelope's, as smtplib's to_addrs:
    Graph delivers to the To, Cc and Bcc headers (Bcc too, hidden from the others), so
    an envelope recipient they do not name is added as Bcc. ``token(scope)`` gives an
    access token (default: oauth2_access_token). Raises GraphMailError."""
    if not mailbox:
        raise GraphMailError(400, "ErrorInvalidUser", "no mailbox to send from")
    body = base64.b64encode(mime_bytes(message, recipients))
    if len(body) > MAX_REQUEST_BYTES:
        raise GraphMailError(
            413,
            "RequestTooLarge",
            f"the message is {len(body):,} bytes in base64; Graph sendMail takes 4 MB "
            "in one request (larger messages need a draft and upload sessions, with "
            "Mail.ReadWrite, which this module does not do)",
        )
    scope = f"https://{graph_host}/.default"
    user = urllib.parse.quote(mailbox, safe="@")
    url = f"https://{graph_host}/v1.0/users/{user}/sendMail"
    for attempt in range(RETRIES + 1):
        if token is not None:
            access_token = token(scope)
        else:
            authority = AUTHORITY_HOSTS.get(graph_host, "login.microsoftonline.com")
            access_token = oauth2_access_token(scope, authority)
        status, headers, reply = _post(url, access_token, body)
        if status == 202:
            return
        if status not in RETRY_STATUSES or attempt == RETRIES:
            raise _graph_error(status, reply)
        time.sleep(_wait(headers.get("Retry-After"), attempt))


async def send_mime_async(
    mailbox: str,
    message: bytes | str | Message,
    recipients: str | Iterable[str] = (),
    *,
    graph_host: str = GRAPH_HOST,
    token: Callable[[str], str] | None = None,
) -> None:
    """send_mime in a worker thread (MSAL and the HTTP call block)."""
    await asyncio.to_thread(
        send_mime, mailbox, message, recipients, graph_host=graph_host, token=token
    )


def mime_bytes(
    message: bytes | str | Message, recipients: str | Iterable[str] = ()
) -> bytes:
    """The message as it goes to Graph: as built (text with CRLF line ends, as smtplib
    sends it), with the envelope recipients its headers do not name in a Bcc header. A
    header recipient the envelope leaves out is refused: Graph would deliver to it, SMTP
    did not."""
    if isinstance(message, Message):
        buffer = io.BytesIO()
        BytesGenerator(buffer, mangle_from_=False).flatten(message, linesep="\\r\\n")
        data = buffer.getvalue()
    elif isinstance(message, str):
        data = re.sub(r"\\r\\n|\\n|\\r", "\\r\\n", message).encode("utf-8")
    else:
        data = bytes(message)
    envelope = _addresses([recipients] if isinstance(recipients, str) else recipients)
    if not envelope:
        return data
    head, separator, rest = _split(data)
    named = _addresses(_header_values(head, (b"to", b"cc", b"bcc")))
    left_out = [address for address in named if address.lower() not in _lower(envelope)]
    if left_out:
        raise GraphMailError(
            400,
            "EnvelopeMismatch",
            "Graph delivers to every To, Cc and Bcc address of a message; the envelope "
            f"leaves out {', '.join(left_out)}, which SMTP would not have mailed",
        )
    hidden = [address for address in envelope if address.lower() not in _lower(named)]
    if not hidden:
        return data
    newline = b"\\r\\n" if b"\\r\\n" in head or not head else b"\\n"
    bcc = _addresses(_header_values(head, (b"bcc",))) + hidden
    kept = _without(head, b"bcc")
    line = b"Bcc: " + ", ".join(bcc).encode("utf-8")
    return line + newline + kept + separator + rest


def sender_of(message: bytes | str | Message) -> str | None:
    """The address a message is sent from: its Sender, else its From header."""
    if not isinstance(message, Message):
        text = message if isinstance(message, bytes) else message.encode("utf-8")
        head = _split(text)[0]
        found = _addresses(_header_values(head, (b"sender",)))
        found = found or _addresses(_header_values(head, (b"from",)))
        return found[0] if found else None
    for name in ("Sender", "From"):
        found = _addresses(message.get_all(name, []))
        if found:
            return found[0]
    return None


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    """The header block, the blank line after it and the body."""
    for separator in (b"\\r\\n\\r\\n", b"\\n\\n"):
        head, found, rest = data.partition(separator)
        if found:
            return head, separator, rest
    return data, b"", b""


def _fields(head: bytes) -> list[bytes]:
    """The header fields, each with its folded lines."""
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\\t") and fields:
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def _header_values(head: bytes, names: tuple[bytes, ...]) -> list[str]:
    values = []
    for field in _fields(head):
        name, colon, value = field.partition(b":")
        if colon and name.strip().lower() in names:
            values.append(value.decode("utf-8", "replace"))
    return values


def _without(head: bytes, name: bytes) -> bytes:
    kept = (f for f in _fields(head) if f.partition(b":")[0].strip().lower() != name)
    return b"".join(kept)


def _addresses(values: Iterable[str]) -> list[str]:
    return [address for _, address in getaddresses([str(v) for v in values]) if address]


def _lower(addresses: list[str]) -> set[str]:
    return {address.lower() for address in addresses}


def _wait(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait before a retry: Retry-After (seconds, or an HTTP date), else
    exponential back-off with jitter, as Graph's throttling guidance asks."""
    seconds = None
    if retry_after:
        try:
            seconds = float(retry_after)
        except ValueError:
            try:
                seconds = parsedate_to_datetime(retry_after).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
    if seconds is None:
        seconds = 2**attempt + random.random()
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


def _graph_error(status: int, reply: bytes) -> GraphMailError:
    """Graph's error code and message from its JSON reply (``{"error": {...}}``)."""
    try:
        error = json.loads(reply)["error"]
        return GraphMailError(status, str(error["code"]), str(error["message"]))
    except (ValueError, KeyError, TypeError):
        text = reply[:300].decode("utf-8", "replace").strip()
        return GraphMailError(status, f"HTTP{status}", text or "no error body")


class GraphMailClient:
    """What code did with smtplib.SMTP, through Graph: sendmail() and send_message()
    take smtplib's arguments and send from ``mailbox`` (set by use_mailbox() where the
    code logged in; else the message's sender). There is no SMTP session any more:
    connect, ehlo, starttls, noop and quit do nothing. Failures raise GraphMailError."""

    def __init__(
        self,
        mailbox: str | None = None,
        *,
        graph_host: str = GRAPH_HOST,
        token: Callable[[str], str] | None = None,
    ) -> None:
        self.mailbox = mailbox
        self.graph_host = graph_host
        self.token = token

    def use_mailbox(self, mailbox: str) -> None:
        """Send from this mailbox (the one the code logged in to)."""
        self.mailbox = mailbox

    def sendmail(
        self,
        from_addr: str,
        to_addrs: str | Iterable[str],
        msg: bytes | str,
        mail_options: Iterable[str] = (),
        rcpt_options: Iterable[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        mailbox = self.mailbox or from_addr
        host, token = self.graph_host, self.token
        send_mime(mailbox, msg, to_addrs, graph_host=host, token=token)
        return {}

    def send_message(
        self,
        msg: Message,
        from_addr: str | None = None,
        to_addrs: str | Iterable[str] | None = None,
        mail_options: Iterable[str] = (),
        rcpt_options: Iterable[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        mailbox = self.mailbox or from_addr or sender_of(msg) or ""
        recipients = () if to_addrs is None else to_addrs
        host, token = self.graph_host, self.token
        send_mime(mailbox, msg, recipients, graph_host=host, token=token)
        return {}

    def _no_session(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        return 250, b"no SMTP session: mail goes through Microsoft Graph"

    connect = helo = ehlo = ehlo_or_helo_if_needed = starttls = noop = _no_session

    def set_debuglevel(self, debuglevel: int) -> None:
        pass

    def has_extn(self, opt: str) -> bool:
        return False

    def quit(self) -> tuple[int, bytes]:
        return 221, b"no SMTP session"

    def close(self) -> None:
        pass

    def __enter__(self) -> GraphMailClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


async def graph_send_async(
    message: bytes | str | Message,
    sender: str | None = None,
    recipients: str | Iterable[str] | None = None,
    *,
    mailbox: str | None = None,
    graph_host: str = GRAPH_HOST,
    token: Callable[[str], str] | None = None,
) -> tuple[dict[str, tuple[int, str]], str]:
    """aiosmtplib.send(message, sender, recipients) through Graph, from ``mailbox`` (the
    user the code logged in as; else the sender). Returns what aiosmtplib.send returns
    for a message every recipient took."""
    origin = mailbox or sender or sender_of(message) or ""
    await send_mime_async(
        origin, message, recipients or (), graph_host=graph_host, token=token
    )
    return {}, "202 Accepted"
'''


def render_client(transport: str, token_provider: str | None) -> str:
    """The module's source (Black's style, before the project's style is applied):
    ``transport`` is urllib, requests or httpx; ``token_provider`` is the project's own
    token function (``pkg.tokens:get_token``), imported instead of the MSAL helper."""
    stdlib, third_party, post = _POST[transport]
    plain = sorted({*(line for line in _STDLIB if line.startswith("import ")), *stdlib})
    froms = [line for line in _STDLIB if line.startswith("from ")]
    helper = ""
    own: list[str] = []
    if token_provider:
        module, _, function = token_provider.partition(":")
        alias = "" if function == OAUTH2_ACCESS_TOKEN.name else f" as {OAUTH2_ACCESS_TOKEN.name}"
        own = [f"from {module} import {function}{alias}"]
        third = sorted(third_party)
    else:
        plain = sorted({*plain, "import os", "import threading"})
        third = sorted({*third_party, "import msal"})
        helper = "\n\n" + OAUTH2_ACCESS_TOKEN.source
    blocks = ["\n".join([*plain, *froms])]
    if third:
        blocks.append("\n".join(third))
    if own:
        blocks.append("\n".join(own))
    imports = "\n\n".join(blocks)
    return (
        _DOCSTRING
        + "\nfrom __future__ import annotations\n\n"
        + imports
        + "\n"
        + _CONSTANTS
        + helper
        + post
        + _BODY
    )


def transport_for(location: Path | None) -> str:
    """The HTTP library the project of ``location`` already declares: httpx, else
    requests, else the standard library's urllib."""
    if location is None:
        return "urllib"
    names = {
        declared.name
        for file in declarations(project_root(location.resolve()))
        for declared in file.declared
    }
    for name in ("httpx", "requests"):
        if name in names:
            return name
    return "urllib"
