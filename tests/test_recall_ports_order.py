"""Ports and order as fresh code writes them (issue 22, family 6): a constructor's own
session before a later connect(), ports written as text, settings whose protocol comes
from the module's library, the order of a class's methods as they are called, and a
login to a Direct Send host."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PORTS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "ports_order"


def found(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(PORTS / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def test_ssl_constructor_connects_before_connect_to_587() -> None:
    got = found("ssl_then_connect.py")
    # 465 first, then implicit TLS on 587; the plain client connected once is right.
    assert {(11, "AS202", "error"), (11, "AS201", "error")} <= got
    assert not {rule for line, rule, _ in got if line >= 17 and rule in ("AS201", "AS202")}
    run = check_paths([str(PORTS / "ssl_then_connect.py")], RunOptions())
    (earlier,) = [f for f in run.findings if f.rule == "AS202"]
    assert "port 465" in earlier.message and "before connect()" in earlier.message
    assert earlier.fix is None  # the constructor's session goes with the switch to STARTTLS


def test_ports_written_as_text() -> None:
    got = found("string_ports.py")
    assert {(line, rule) for line, rule, _ in got if rule == "AS202"} == {(33, "AS202")}


def test_settings_of_an_imap_module_are_its_imap_connection() -> None:
    got = found("imap_settings.py")
    assert not {rule for _, rule, _ in got if rule in ("AS101", "AS202", "AS203")}
    assert "AS102" in {rule for _, rule, _ in got}


def test_settings_of_an_smtp_module_stay_smtp() -> None:
    assert {(8, "AS202", "error"), (10, "AS101", "error")} <= found("smtp_settings.py")


def test_order_of_methods_is_the_order_they_are_called() -> None:
    got = found("handler_flush.py")
    assert (22, "AS203", "warning") in got  # _authenticate() runs before _secure()
    assert not [line for line, rule, _ in got if rule == "AS203" and line > 30]


def test_login_to_a_direct_send_host() -> None:
    got = found("direct_send_login.py")
    assert {(11, "AS202", "error"), (13, "AS101", "error")} <= got


def test_direct_send_without_login_is_right() -> None:
    negative = PORTS.parent.parent / "negatives" / "direct_send.py"
    assert check_paths([str(negative)], RunOptions()).findings == []


def test_a_login_after_a_refused_starttls_is_not_before_starttls() -> None:
    """A STARTTLS that raises was tried: the path through its handler runs on a server
    without STARTTLS, never Microsoft 365's; an EHLO that raises upgrades nothing."""
    got = found("starttls_refused.py")
    assert {(line, rule) for line, rule, _ in got if rule in ("AS101", "AS203")} == {
        (19, "AS101"),
        (29, "AS101"),
        (29, "AS203"),
        (32, "AS101"),
    }


def test_a_login_reached_from_two_connections_is_reported_once() -> None:
    """``pass_`` after either of two ``POP3_SSL(...)``: one login, one AS102; with a
    Microsoft host among them, the report is the Microsoft one (an error)."""
    got = found("one_login_two_opens.py")
    logins = sorted((line, rule, severity) for line, rule, severity in got if rule < "AS103")
    assert logins == [(16, "AS102", "warning"), (25, "AS101", "error")]


def test_login_to_an_inbound_mx_of_outlook_com() -> None:
    got = found("mx_login.py")
    assert {(10, "AS202", "error"), (12, "AS101", "error")} <= got
    run = check_paths([str(PORTS / "mx_login.py")], RunOptions())
    (port,) = [f for f in run.findings if f.rule == "AS202"]
    assert "Outlook.com's inbound mail exchanger" in port.message
    assert "log in to smtp-mail.outlook.com" in port.message


def test_an_inbound_mx_asked_without_login_is_right() -> None:
    # mx4.hotmail.com was a near miss of Outlook.com's submission host: AS202 on port 25.
    negative = PORTS.parent.parent / "negatives" / "mx_probe.py"
    assert check_paths([str(negative)], RunOptions()).findings == []


def test_a_settings_object_s_defaults_are_its_attributes() -> None:
    """``from config.settings import settings`` (``settings = get_settings()``, a cached
    ``Settings()`` of pydantic-style class attributes) then ``aiosmtplib.SMTP(port=
    settings.SMTP_PORT, use_tls=settings.SMTP_USE_TLS)``: the defaults pick implicit TLS
    on 587 (AS201); another instance's 465 with implicit TLS is right."""
    run = check_paths([str(PORTS / "settings_object")], RunOptions())
    assert {(Path(f.path).name, f.span.line, f.rule) for f in run.findings} == {
        ("sender.py", 16, "AS201"),
        ("sender.py", 19, "AS101"),
        ("sender.py", 27, "AS101"),
    }
