"""exchangelib password logins (AS104) of the shapes fresh code has: a password auth type
named with no password given, and servers only the user's configuration knows."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source
from authsweep.scanner.findings import Finding


def as104(code: str, path: str = "module.py") -> list[Finding]:
    result = check_source(path, "python", code.encode(), [r() for r in ALL_RULES])
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


CONFIGURED = (
    "{imports}\n"
    "class Mailbox:\n"
    "    def __init__(self, config):\n"
    "        self.domain, self.user = config['domain'], config['user']\n"
    "        self.password, self.email = config['password'], config['email']\n"
    "        self.server = config.get('server', {default})\n"
    "    def connect(self):\n"
    "        self.credentials = Credentials(\n"
    "            username='{{0}}\\\\{{1}}'.format(self.domain, self.user),\n"
    "            password=self.password)\n"
    "        self.config = Configuration(server=self.server, credentials=self.credentials,\n"
    "                                    auth_type=NTLM)\n"
    "        self.account = Account(primary_smtp_address=self.email, config=self.config,\n"
    "                               autodiscover=False, access_type=DELEGATE)\n"
)
NAMED = "from exchangelib import DELEGATE, NTLM, Account, Configuration, Credentials"


@pytest.mark.parametrize("imports", [NAMED, "from exchangelib import *"])
def test_a_server_from_the_users_config_is_reported_as_not_known(imports: str) -> None:
    """As for SMTP and IMAP logins: a password to a server only the run knows is a warning
    that says the server is not known (``from exchangelib import *`` names the same)."""
    (finding,) = as104(CONFIGURED.format(imports=imports, default="None"))
    assert (finding.span.line, finding.severity.value) == (8, "warning")
    assert "provider is not known; if it is Exchange Online" in finding.message


@pytest.mark.parametrize(
    ("default", "found"),
    [
        ("'outlook.office365.com'", ("error", "'outlook.office365.com'")),
        ("'mail.contoso.local'", None),  # a name only a private network has
        # Reserved for documentation: no server, only a stand-in for the configured one.
        ("'mail.example.com'", ("warning", "'mail.example.com'")),
    ],
)
def test_a_configured_server_with_a_known_default(
    default: str, found: tuple[str, str] | None
) -> None:
    findings = as104(CONFIGURED.format(imports=NAMED, default=default))
    assert [
        (f.severity.value, f.message.split(" to ", 1)[1][: len(found[1])]) for f in findings
    ] == ([found] if found else [])


def test_in_a_test_module_only_a_microsoft_server_is_reported() -> None:
    """Tests talk to fake servers, as for SMTP and IMAP; Exchange Online in a test is not."""
    unknown = CONFIGURED.format(imports=NAMED, default="None")
    assert as104(unknown, "tests/test_mailbox.py") == []
    online = CONFIGURED.format(imports=NAMED, default="'outlook.office365.com'")
    assert len(as104(online, "tests/test_mailbox.py")) == 1


def test_autodiscover_with_a_password_is_an_unknown_server() -> None:
    code = (
        "from exchangelib import Account, Credentials\n"
        "account = Account('me@contoso.com', credentials=Credentials(user, password),\n"
        "                  autodiscover=True)\n"
    )
    (finding,) = as104(code)
    assert finding.severity.value == "warning"
    assert "from exchangelib autodiscover: the server's provider is not known" in finding.message
