"""The lab's POP3 server answers poplib as outlook.office365.com does (995, and 110 + STLS)."""

from __future__ import annotations

import base64
import poplib
import ssl
import time
from collections.abc import Callable, Iterator

import pytest
from authsweep.lab import ExchangeSim, xoauth2_string

USER = "reports@contoso.com"
MESSAGE = (
    b"From: billing@contoso.com\r\nTo: reports@contoso.com\r\nSubject: Invoice 7\r\n\r\n"
    b"Paid in full.\r\n.A line that starts with a dot\r\n"
)


@pytest.fixture(scope="module")
def _running_lab() -> Iterator[ExchangeSim]:
    with ExchangeSim() as lab:
        yield lab


@pytest.fixture
def lab(_running_lab: ExchangeSim) -> Iterator[ExchangeSim]:
    _running_lab.reset()
    with _running_lab.redirect():
        yield _running_lab


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Server threads record after the client hangs up; wait briefly."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def _xoauth2(token: str) -> str:
    return base64.b64encode(xoauth2_string(USER, token).encode()).decode()


def test_995_refuses_a_password_and_reads_the_mailbox_with_xoauth2(lab: ExchangeSim) -> None:
    lab.add_mailbox_message(USER, MESSAGE)
    pop = poplib.POP3_SSL("outlook.office365.com", 995, context=ssl.create_default_context())
    try:
        assert pop.getwelcome().startswith(b"+OK The Microsoft Exchange POP3 service is ready. [")
        capabilities = pop.capa()
        assert capabilities["SASL"] == ["PLAIN", "XOAUTH2"] and "STLS" not in capabilities
        assert pop.user(USER) == b"+OK"
        with pytest.raises(poplib.error_proto, match="Logon failure: unknown user name"):
            pop.pass_("Winter2024!")
        # Microsoft's documented exchange: AUTH XOAUTH2 alone, "+", then the base64 string
        assert pop._shortcmd("AUTH XOAUTH2").startswith(b"+")
        reply = pop._shortcmd(_xoauth2(lab.issue_token()))
        assert reply == b"+OK User successfully authenticated."
        assert pop.stat() == (1, len(MESSAGE))
        assert pop.list()[1] == [f"1 {len(MESSAGE)}".encode()]
        uid = pop.uidl(1).split()[-1]
        _, lines, _ = pop.retr(1)
        assert lines[2] == b"Subject: Invoice 7"
        assert lines[-1] == b".A line that starts with a dot"  # dot-stuffed on the wire
        assert pop.top(1, 0)[1][-1] == b""  # headers and the blank line, no body
        pop.dele(1)
        assert pop.stat() == (0, 0)
        pop.rset()
        assert pop.stat()[0] == 1
        pop.dele(1)
        assert pop.quit().startswith(b"+OK")
    finally:
        pop.close()

    again = poplib.POP3_SSL("outlook.office365.com", 995, context=ssl.create_default_context())
    try:
        again._shortcmd("AUTH XOAUTH2")
        again._shortcmd(_xoauth2(lab.issue_token()))
        assert again.stat() == (0, 0)  # deleted at QUIT
        assert uid not in b" ".join(again.uidl()[1])
        again.quit()
    finally:
        again.close()

    _wait_for(lambda: all(c.closed_at for c in lab.connections))
    verdict = lab.verdict()
    assert [(a.mechanism, a.outcome) for a in lab.auth_attempts] == [
        ("USER/PASS", "basic-auth-disabled"),
        ("XOAUTH2", "accepted"),
        ("XOAUTH2", "accepted"),
    ]
    assert [(r.command, r.messages) for r in lab.mailbox_reads] == [("STAT", 1), ("STAT", 0)]
    assert [(f.failure.cause, f.cause.rule and f.cause.rule.id) for f in verdict.failures] == [
        ("pop-login-refused", "AS102")
    ]
    assert "Winter2024!" not in repr(lab.auth_attempts) + repr(lab.failures)
    assert [(c.port, c.tls, c.ended) for c in lab.connections] == [
        (995, "implicit", "quit"),
        (995, "implicit", "quit"),
    ]


def test_110_wants_stls_before_any_login(lab: ExchangeSim) -> None:
    pop = poplib.POP3("outlook.office365.com", 110, timeout=10)
    try:
        capabilities = pop.capa()
        assert "STLS" in capabilities and "SASL" not in capabilities
        with pytest.raises(poplib.error_proto, match="not valid in this state"):
            pop.user(USER)
        pop.stls(context=ssl.create_default_context())
        assert pop.capa()["SASL"] == ["PLAIN", "XOAUTH2"]
        pop._shortcmd("AUTH XOAUTH2")
        assert pop._shortcmd(_xoauth2(lab.issue_token())).startswith(b"+OK")
        assert pop.stat() == (0, 0)
        pop.quit()
    finally:
        pop.close()
    _wait_for(lambda: all(c.closed_at for c in lab.connections))
    [connection] = lab.connections
    assert (connection.port, connection.tls, connection.sni) == (
        110,
        "starttls",
        "outlook.office365.com",
    )
    assert [(f.cause, f.reply) for f in lab.failures] == [
        ("auth-before-starttls", "-ERR Command is not valid in this state.")
    ]


def test_xoauth2_on_the_auth_line_is_refused_and_the_connection_closed(lab: ExchangeSim) -> None:
    """Exchange wants the two-line form; a SASL initial response gets a protocol error."""
    pop = poplib.POP3_SSL("outlook.office365.com", 995, context=ssl.create_default_context())
    try:
        with pytest.raises(poplib.error_proto, match="Protocol error. Connection is closed."):
            pop._shortcmd("AUTH XOAUTH2 " + _xoauth2(lab.issue_token()))
        with pytest.raises((poplib.error_proto, OSError)):
            pop.noop()
    finally:
        pop.close()
    _wait_for(lambda: all(c.closed_at for c in lab.connections))
    assert [f.cause for f in lab.failures] == ["pop3-auth-one-line"]
    assert lab.connections[0].ended == "closed by the server"


def test_expired_and_graph_tokens_are_refused(lab: ExchangeSim) -> None:
    refused = []
    for token in (
        lab.issue_token(lifetime=0),
        lab.issue_token("https://graph.microsoft.com/.default"),
    ):
        pop = poplib.POP3_SSL("outlook.office365.com", 995, context=ssl.create_default_context())
        try:
            pop._shortcmd("AUTH XOAUTH2")
            with pytest.raises(poplib.error_proto) as caught:
                pop._shortcmd(_xoauth2(token))
            refused.append(caught.value.args[0])
            pop.quit()
        finally:
            pop.close()
    assert refused == [b"-ERR Authentication failure: unknown user name or bad password."] * 2
    assert [f.cause for f in lab.failures] == ["token-expired", "wrong-audience"]
