"""What the front end learns about XOAUTH2 authentications: the authobject's signature,
base64 before a library that encodes, and where the token comes from."""

from __future__ import annotations

import pytest
from authsweep.scanner.model import XOAuth2
from authsweep.scanner.python.analyze import analyze_python
from authsweep.scanner.text import Source

SMTP = "import base64, smtplib\ns = smtplib.SMTP('smtp.office365.com', 587)\n"
IMAP = "import base64, imaplib\ni = imaplib.IMAP4_SSL('outlook.office365.com')\n"


def facts(code: str) -> XOAuth2:
    mail = analyze_python("module.py", Source("python", code.encode()))
    steps = [s for c in mail.connections for s in c.steps if s.xoauth2 is not None]
    assert len(steps) == 1
    assert steps[0].xoauth2 is not None
    return steps[0].xoauth2


@pytest.mark.parametrize(
    ("authobject", "no_argument", "challenge"),
    [
        ("lambda: s", True, False),
        ("lambda _: s", False, True),
        ("lambda challenge=None: s", True, True),
        ("lambda *args: s", True, True),
        ("lambda a, b: s", False, False),
    ],
)
def test_authobject_signature(authobject: str, no_argument: bool, challenge: bool) -> None:
    found = facts(SMTP + f"s.auth('XOAUTH2', {authobject})\n")
    assert (found.accepts_no_argument, found.accepts_challenge) == (no_argument, challenge)
    assert found.initial_response is True


def test_initial_response_off_and_imaplib_never_call_without_argument() -> None:
    assert not facts(SMTP + "s.auth('XOAUTH2', f, initial_response_ok=False)\n").initial_response
    assert not facts(IMAP + "i.authenticate('XOAUTH2', lambda _: s)\n").initial_response


@pytest.mark.parametrize(
    "code",
    [
        "s.auth('XOAUTH2', lambda: base64.b64encode(raw.encode()).decode())\n",
        "enc = base64.b64encode(raw.encode()).decode()\ns.auth('XOAUTH2', lambda: enc)\n",
        "def build():\n    return base64.b64encode(raw.encode('ascii')).decode('ascii')\n"
        "s.auth('XOAUTH2', lambda: build())\n",
        "from base64 import b64encode as enc\ns.auth('XOAUTH2', lambda: enc(raw.encode()))\n",
        "class M:\n    def auth(self):\n        return base64.b64encode(raw.encode()).decode()\n"
        "    def go(self):\n        s.auth('XOAUTH2', self.auth)\n",
    ],
)
def test_base64_is_seen_through_names_functions_and_methods(code: str) -> None:
    assert facts(SMTP + code).base64_encoded is True


def test_raw_strings_are_not_base64() -> None:
    found = facts(SMTP + "s.auth('XOAUTH2', lambda c=None: f'user={u}\\x01auth=Bearer {t}')\n")
    assert found.base64_encoded is False


def test_encoded_value_used_through_a_method_has_no_rewrite() -> None:
    code = SMTP + "b = base64.b64encode(raw.encode())\ns.auth('XOAUTH2', lambda: b.decode())\n"
    mail = analyze_python("m.py", Source("python", code.encode()))
    step = mail.connections[0].steps[0]
    assert step.xoauth2 is not None and step.xoauth2.base64_encoded
    assert step.xoauth2.encoding_span is None  # rewriting b would break b.decode()


def test_docmd_auth_is_an_xoauth2_that_the_caller_encodes() -> None:
    found = facts(SMTP + "s.docmd('AUTH', 'XOAUTH2 ' + base64.b64encode(raw.encode()).decode())\n")
    assert found.encodes is False


def test_token_scopes_follow_the_token_through_functions_and_attributes() -> None:
    code = (
        "import msal, smtplib\n"
        "class Mailer:\n"
        "    def __init__(self):\n"
        "        self.app = msal.ConfidentialClientApplication(c, client_credential=s)\n"
        "    def token(self):\n"
        "        result = self.app.acquire_token_for_client(scopes=[SCOPE])\n"
        "        return result['access_token']\n"
        "    def send(self):\n"
        "        raw = 'user=%s\\x01auth=Bearer %s\\x01\\x01' % (self.user, self.token())\n"
        "        s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "        s.auth('XOAUTH2', lambda challenge=None: raw)\n"
        "SCOPE = 'https://graph.microsoft.com/.default'\n"
    )
    assert facts(code).token_scopes.value == ("https://graph.microsoft.com/.default",)
