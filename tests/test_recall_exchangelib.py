"""exchangelib password logins (AS104) of the shapes fresh code has: a password auth type
named with no password given, and servers only the user's configuration knows."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source
from authsweep.scanner.findings import Finding


def as104(code: str) -> list[Finding]:
    result = check_source("module.py", "python", code.encode(), [r() for r in ALL_RULES])
    assert not result.errors
    return [f for f in result.findings if f.rule == "AS104"]


NO_PASSWORD = (
    "{imports}\n"
    "{constant}\n"
    "def conectar_outlook(usuario_windows, email, server='outlook.office365.com'):\n"
    "    credentials = Credentials(username=usuario_windows, password=None)\n"
    "    config = Configuration(server={server}, credentials=credentials, auth_type={auth})\n"
    "    return Account(primary_smtp_address=email, config=config, autodiscover=False)\n"
    "conectar_outlook('DOM\\\\me', 'me@contoso.com')\n"
)


@pytest.mark.parametrize(
    ("imports", "auth", "server", "constant"),
    [
        ("from exchangelib import NTLM, Account, Configuration, Credentials", "NTLM", "server", ""),
        (
            "from exchangelib import BASIC, Account, Configuration, Credentials",
            "BASIC",
            "server",
            "",
        ),
        (
            "import exchangelib\nfrom exchangelib import Account, Configuration, Credentials",
            "exchangelib.NTLM",
            "server",
            "",
        ),
        (
            "from exchangelib import NTLM, Account, Configuration, Credentials",
            "NTLM",
            "'outlook.office365.com'",
            "",
        ),
        (
            "from exchangelib import NTLM, Account, Configuration, Credentials",
            "NTLM",
            "EWS_SERVER",
            "EWS_SERVER = 'outlook.office365.com'",
        ),
    ],
)
def test_a_named_password_auth_type_without_a_password(
    imports: str, auth: str, server: str, constant: str
) -> None:
    """``auth_type=NTLM``/``BASIC`` to Exchange Online is refused whatever the password:
    ``Credentials(user, password=None)`` is still a basic/NTLM login (AS104, an error)."""
    code = NO_PASSWORD.format(imports=imports, auth=auth, server=server, constant=constant)
    (finding,) = as104(code)
    assert finding.severity.value == "error"
    assert "outlook.office365.com" in finding.message
    assert "with a password" not in finding.message


def test_credentials_without_a_password_left_to_exchangelib_are_not_reported() -> None:
    """No auth type named and no password: exchangelib sends no password to guess with."""
    code = (
        "from exchangelib import Account, Credentials\n"
        "credentials = Credentials(username=user, password=None)\n"
        "account = Account('me@contoso.com', credentials=credentials, autodiscover=True)\n"
    )
    assert as104(code) == []


def test_oauth2_auth_type_without_a_password_is_not_reported() -> None:
    code = (
        "from exchangelib import OAUTH2, Configuration, OAuth2Credentials\n"
        "credentials = OAuth2Credentials(client_id=c, client_secret=s, tenant_id=t)\n"
        "config = Configuration(server='outlook.office365.com', credentials=credentials,\n"
        "                       auth_type=OAUTH2)\n"
    )
    assert as104(code) == []
