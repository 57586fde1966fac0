"""A settings switch that says whether the code logs in at all (``email_authentication
= false``, ``SMTP_AUTH = False``, FastAPI-Mail's ``USE_CREDENTIALS``): written false, the
group's password is no login (a literal one is still a hard-coded secret)."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source


def rules(path: str, kind: str, text: str) -> set[str]:
    result = check_source(path, kind, text.encode(), [r() for r in ALL_RULES])
    assert not result.errors
    return {f.rule for f in result.findings}


INI = (
    "[SMTP]\nemail_server = smtp.office365.com\nemail_port = 587\n"
    "email_username = a@contoso.com\nemail_password = Winter2023!x\n"
)


@pytest.mark.parametrize("switch", ["email_authentication = false", "email_use_auth = no"])
def test_an_ini_switch_written_false(switch: str) -> None:
    assert rules("app.ini", "ini", INI + switch + "\n") == {"AS105"}


def test_an_ini_switch_written_true_or_absent() -> None:
    assert rules("app.ini", "ini", INI + "email_authentication = true\n") == {"AS101", "AS105"}
    assert rules("app.ini", "ini", INI) == {"AS101", "AS105"}


def test_python_constants() -> None:
    code = (
        'SMTP_HOST = "smtp.office365.com"\nSMTP_USER = "a@contoso.com"\n'
        'SMTP_PASSWORD = "Winter2023!x"\n'
    )
    assert "AS101" in rules("settings.py", "python", code)
    assert "AS101" not in rules("settings.py", "python", code + "SMTP_AUTH = False\n")


def test_none_is_no_switch() -> None:
    """``"auth": None`` is a credentials key left empty, not a switch turned off."""
    code = (
        'cfg = {"host": "smtp.office365.com", "user": "a@contoso.com", '
        '"password": "Winter2023!x", "auth": None}\n'
    )
    assert "AS101" in rules("mail.py", "python", code)
