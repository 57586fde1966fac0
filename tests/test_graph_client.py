"""The Graph client module `fix --target graph` writes, run: the message it hands to Graph
(as built, envelope-only recipients as Bcc), its retries of 429/503/504 as Retry-After says
(bounded), its errors (Graph's code and message, never the token), the 4 MB limit, and each
HTTP library it can be written for, against the lab's Graph endpoint."""

from __future__ import annotations

import base64
import datetime
import importlib.util
import smtplib
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType

import pytest
from authsweep.lab import ExchangeSim
from authsweep.scanner.fixes.graph_client import TRANSPORTS, render_client

USER = "reports@contoso.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def _client(tmp_path: Path, transport: str = "urllib") -> ModuleType:
    """The module as the fix writes it, imported from a file."""
    path = tmp_path / f"client_{transport}.py"
    path.write_text(render_client(transport, None), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def client(tmp_path: Path) -> ModuleType:
    return _client(tmp_path)


RAW = (
    b"From: reports@contoso.com\r\n"
    b"To: team@contoso.com,\r\n"
    b" lead@contoso.com\r\n"
    b"Subject: Status\r\n"
    b"\r\n"
    b"From the desk of reports.\r\n"
)


def test_the_message_goes_as_built(client: ModuleType) -> None:
    assert client.mime_bytes(RAW) == RAW
    assert client.mime_bytes(RAW, ["team@contoso.com", "Lead <LEAD@contoso.com>"]) == RAW
    text = RAW.decode().replace("\r\n", "\n")
    assert client.mime_bytes(text) == RAW  # text gets CRLF line ends, as smtplib sends it
    message = EmailMessage()
    message["To"] = "team@contoso.com"
    message.set_content("From the desk of reports.")  # not mangled to ">From"
    assert b"\r\n\r\nFrom the desk of reports.\r\n" in client.mime_bytes(message)


def test_envelope_only_recipients_become_bcc(client: ModuleType) -> None:
    sent = client.mime_bytes(RAW, ["team@contoso.com", "lead@contoso.com", "archive@contoso.com"])
    assert sent == b"Bcc: archive@contoso.com\r\n" + RAW  # every other byte as built
    with_bcc = RAW.replace(b"Subject", b"Bcc: audit@contoso.com\r\nSubject")
    everyone = ["team@contoso.com", "lead@contoso.com", "audit@contoso.com", "legal@contoso.com"]
    merged = client.mime_bytes(with_bcc, everyone)
    assert merged.startswith(b"Bcc: audit@contoso.com, legal@contoso.com\r\nFrom:")
    assert merged.count(b"Bcc:") == 1


def test_a_header_recipient_the_envelope_leaves_out_is_refused(client: ModuleType) -> None:
    with pytest.raises(client.GraphMailError) as raised:
        client.mime_bytes(RAW, ["team@contoso.com"])  # SMTP would not mail lead@
    assert raised.value.code == "EnvelopeMismatch" and "lead@contoso.com" in str(raised.value)
    assert isinstance(raised.value, smtplib.SMTPException)


class _Graph:
    """Stands in for the HTTP call: the replies to give, and what was asked."""

    def __init__(self, *replies: tuple[int, dict[str, str], bytes]) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[str, str, bytes]] = []

    def __call__(self, url: str, token: str, body: bytes):
        self.requests.append((url, token, body))
        return self.replies.pop(0)


def _sending(client: ModuleType, monkeypatch, graph: _Graph) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(client, "_post", graph)
    monkeypatch.setattr(client.time, "sleep", waits.append)
    return waits


def test_retries_wait_as_retry_after_says(client: ModuleType, monkeypatch) -> None:
    later = format_datetime(
        datetime.datetime.fromtimestamp(time.time() + 30, datetime.timezone.utc), usegmt=True
    )
    graph = _Graph(
        (429, {"Retry-After": "7"}, b""),
        (503, {}, b""),
        (504, {"Retry-After": later}, b""),
        (429, {"Retry-After": "3600"}, b""),
        (202, {}, b""),
    )
    waits = _sending(client, monkeypatch, graph)
    client.send_mime(USER, RAW, token=lambda scope: "secret-token")
    assert waits[0] == 7
    assert 2 <= waits[1] < 3  # no Retry-After: exponential back-off with jitter
    assert 25 < waits[2] <= 30  # an HTTP date
    assert waits[3] == client.MAX_WAIT_SECONDS  # never longer than that at a time
    url, token, body = graph.requests[-1]
    assert url == "https://graph.microsoft.com/v1.0/users/reports@contoso.com/sendMail"
    assert token == "secret-token" and base64.b64decode(body) == RAW


def test_retries_are_bounded_and_errors_carry_graph_s_code(client, monkeypatch) -> None:
    busy = (
        429,
        {"Retry-After": "1"},
        b'{"error": {"code": "ApplicationThrottled", "message": "m"}}',
    )
    graph = _Graph(*[busy] * (client.RETRIES + 1))
    _sending(client, monkeypatch, graph)
    with pytest.raises(client.GraphMailError) as raised:
        client.send_mime(USER, RAW, token=lambda scope: "secret-token")
    assert len(graph.requests) == client.RETRIES + 1
    assert (raised.value.status, raised.value.code) == (429, "ApplicationThrottled")

    denied = b'{"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}'
    graph = _Graph((403, {}, denied))
    _sending(client, monkeypatch, graph)
    with pytest.raises(client.GraphMailError) as raised:
        client.send_mime(USER, RAW, token=lambda scope: "secret-token")
    assert len(graph.requests) == 1  # not retried
    assert str(raised.value) == "Graph sendMail: HTTP 403 ErrorAccessDenied: Access is denied."
    assert "secret-token" not in repr(raised.value.args)

    graph = _Graph((502, {}, b"<html>Bad gateway</html>"))
    _sending(client, monkeypatch, graph)
    with pytest.raises(client.GraphMailError, match="HTTP 502 HTTP502: <html>Bad gateway"):
        client.send_mime(USER, RAW, token=lambda scope: "secret-token")


def test_a_message_over_the_request_limit_is_not_sent(client: ModuleType, monkeypatch) -> None:
    graph = _Graph()
    _sending(client, monkeypatch, graph)
    big = RAW + b"x" * (3 * 1024 * 1024 + 1)  # over 4 MB once base64-encoded
    with pytest.raises(client.GraphMailError) as raised:
        client.send_mime(USER, big, token=lambda scope: "t")
    assert raised.value.status == 413 and "upload sessions" in raised.value.message
    assert graph.requests == []


def test_smtplib_shapes_of_the_client(client: ModuleType, monkeypatch) -> None:
    sent: list[tuple] = []
    monkeypatch.setattr(client, "send_mime", lambda *a, **k: sent.append((a, k)))
    with client.GraphMailClient() as smtp:
        assert smtp.starttls()[0] == 250 and smtp.ehlo()[0] == 250 and not smtp.has_extn("auth")
        assert smtp.sendmail("from@contoso.com", "to@contoso.com", RAW) == {}
        smtp.use_mailbox(USER)
        message = EmailMessage()
        message["From"] = "Other <other@contoso.com>"
        smtp.send_message(message)
        smtp.quit()
    assert sent[0][0] == ("from@contoso.com", RAW, "to@contoso.com")  # no mailbox yet
    assert sent[1][0][0] == USER and sent[1][0][2] == ()
    assert client.sender_of(message) == "other@contoso.com"
    assert client.sender_of(RAW) == "reports@contoso.com"


@pytest.mark.exchange_online(throttle=2, mailboxes=[USER])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_http_library_against_the_lab(
    exchange_online: ExchangeSim, tmp_path: Path, transport: str, monkeypatch
) -> None:
    """Two 429s with Retry-After: 1, then 202: the message arrives once, and MSAL's cache
    gave the one token every attempt showed."""
    client = _client(tmp_path, transport)
    monkeypatch.setattr(client.time, "sleep", lambda seconds: None)
    with exchange_online.redirect():
        client.send_mime(USER, RAW, ["team@contoso.com", "lead@contoso.com"])
    requests = exchange_online.graph_requests
    assert [r.status for r in requests] == [429, 429, 202]
    assert [t.scope for t in exchange_online.token_requests] == [GRAPH_SCOPE]
    (message,) = exchange_online.messages
    assert message.via == "graph" and message.content == RAW
    assert message.rcpt_tos == ("team@contoso.com", "lead@contoso.com")
