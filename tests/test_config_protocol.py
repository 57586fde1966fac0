"""Which protocol a config file's bare ``host``/``port`` keys log in with: the keys that
name it, the group name, the port, then the name of the host (``imap.outlook.com``)."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source
from authsweep.scanner.providers import host_protocol


def logins(path: str, kind: str, text: str) -> set[tuple[str, str]]:
    result = check_source(path, kind, text.encode(), [r() for r in ALL_RULES])
    assert not result.errors
    return {
        (f.rule, f.message.split(" password login", 1)[0])
        for f in result.findings
        if f.rule in ("AS101", "AS102")
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The host names the protocol.
        (
            '{"e-mail": "x@hotmail.com", "password": "Sekr3t!x", "host": "imap.outlook.com"}',
            ("AS102", "IMAP"),
        ),
        (
            '{"email": "x@hotmail.com", "password": "Sekr3t!x", "server": "pop3.live.com"}',
            ("AS102", "POP3"),
        ),
        (
            '{"email": "x@hotmail.com", "password": "Sekr3t!x", "host": "smtp-mail.outlook.com"}',
            ("AS101", "SMTP"),
        ),
        # outlook.office365.com serves IMAP, POP and SMTP: the name does not say.
        (
            '{"email": "a@contoso.com", "password": "Sekr3t!x", "host": "outlook.office365.com"}',
            ("AS101", "SMTP"),
        ),
        # Keys that name the protocol decide, whatever the host is called.
        (
            '{"smtp_server": "imap.outlook.com", "smtp_user": "a", "smtp_password": "Sekr3t!x"}',
            ("AS101", "SMTP"),
        ),
        (
            '{"imap_host": "smtp.office365.com", "imap_user": "a", "imap_password": "Sekr3t!x"}',
            ("AS102", "IMAP"),
        ),
        # So do the group name and the port.
        (
            '{"imap": {"user": "a", "password": "Sekr3t!x", "host": "outlook.office365.com"}}',
            ("AS102", "IMAP"),
        ),
        (
            '{"user": "a", "password": "Sekr3t!x", "host": "smtp.office365.com", "port": 993}',
            ("AS102", "IMAP"),
        ),
        # And the group's other keys, when they name one protocol.
        (
            '{"host": "outlook.office365.com", "imap_port": 993, "login": "a@contoso.com", '
            '"password": "Sekr3t!x"}',
            ("AS102", "IMAP"),
        ),
        (
            '{"host": "outlook.office365.com", "pop3_port": 995, "user": "a", '
            '"password": "Sekr3t!x"}',
            ("AS102", "POP3"),
        ),
        (
            '{"host": "outlook.office365.com", "imap_folder": "INBOX", "smtp_port": 587, '
            '"user": "a", "password": "Sekr3t!x"}',
            ("AS101", "SMTP"),
        ),
    ],
)
def test_json_login_protocol(text: str, expected: tuple[str, str]) -> None:
    assert logins("mail.json", "json", text) == {expected}


def test_dotenv_host_names_the_protocol() -> None:
    text = "EMAIL=x@hotmail.com\nPASSWORD=Sekr3t!x\nHOST=imap.outlook.com\n"
    assert logins(".env", "dotenv", text) == {("AS102", "IMAP")}


def test_a_placeholder_password_is_still_a_password_login_but_no_secret() -> None:
    """A credentials template (``"password": "seupassword"``) says the deployed file logs
    in with a password, as a ``.env.example`` does: the login is reported, the
    placeholder is no hard-coded secret (AS105)."""
    text = '{"e-mail": "x@hotmail.com", "password": "seupassword", "host": "imap.outlook.com"}'
    result = check_source("credenciais.json", "json", text.encode(), [r() for r in ALL_RULES])
    assert {f.rule for f in result.findings} == {"AS102"}


@pytest.mark.parametrize(
    ("host", "protocol"),
    [
        ("imap.outlook.com", "imap"),
        ("imap-mail.outlook.com", "imap"),
        ("IMAPS.example.org.", "imap"),
        ("pop.gmail.com", "pop"),
        ("pop3.live.com", "pop"),
        ("smtp.office365.com", "smtp"),
        ("smtp-hve.office365.com", "smtp"),
        ("smtp2.example.org", "smtp"),
        ("outlook.office365.com", None),
        ("mail.contoso.com", None),
        ("popular.example.com", None),
        ("smtpserver.example.com", None),
    ],
)
def test_host_protocol_from_the_first_label(host: str, protocol: str | None) -> None:
    found = host_protocol(host)
    assert (found.value if found else None) == protocol
