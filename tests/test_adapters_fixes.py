"""Fixes the library adapters prepare, applied by the fixer: the exact text they produce,
that it parses, and that a second run changes nothing."""

from __future__ import annotations

import ast

import pytest
from authsweep.rules import ALL_RULES, rule_by_id
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixes.rounds import fix_source

OWN_RULES = ("AS103", "AS104", "AS106", "AS205", "AS301", "AS302", "AS303")


def fixed(code: str, *rules: str, unsafe: bool = False) -> str:
    chosen = [rule_by_id(r)() for r in rules] if rules else [r() for r in ALL_RULES]
    result = fix_source(
        "module.py", "python", code.encode(), RunOptions(), unsafe=unsafe, rules=chosen
    )
    assert result.error is None, result.error
    ast.parse(result.after)
    again = fix_source(
        "module.py", "python", result.after.encode(), RunOptions(), unsafe=unsafe, rules=chosen
    )
    assert again.after == result.after, "a second fix run changed the file"
    return result.after


@pytest.mark.parametrize(
    ("rule", "example"),
    [
        pytest.param(rule, example, id=f"{rule.id}-{index}")
        for rule in ALL_RULES
        if rule.id in OWN_RULES
        for index, example in enumerate(rule.bad)
        if example.fixed is not None
    ],
)
def test_rule_examples_fix_to_their_fixed_text(rule, example) -> None:
    assert fixed(example.code, rule.id, unsafe=True) == example.fixed


def test_aiosmtplib_implicit_tls_on_587_becomes_start_tls() -> None:
    code = (
        "import aiosmtplib\n"
        "smtp = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, use_tls=True)\n"
    )
    assert fixed(code, "AS201") == code.replace("use_tls=True", "start_tls=True")


def test_aiosmtplib_465_becomes_587_with_start_tls() -> None:
    code = (
        "import aiosmtplib\n"
        "async def f(m):\n"
        "    await aiosmtplib.send(m, hostname='smtp.office365.com', use_tls=True)\n"
    )
    assert fixed(code, "AS202") == code.replace("use_tls=True", "start_tls=True")


def test_aiosmtplib_password_becomes_a_token_generator() -> None:
    code = (
        "import os, aiosmtplib\n"
        "smtp = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, start_tls=True,\n"
        "                       username='a@contoso.com', password=os.environ['PW'])\n"
    )
    after = fixed(code, "AS101", unsafe=True)
    assert (
        "oauth_token_generator=lambda: asyncio.to_thread("
        'oauth2_access_token, "https://outlook.office365.com/.default")' in after
    )
    assert "import asyncio" in after and "def oauth2_access_token(" in after


def test_yagmail_on_microsoft_365_moves_to_starttls_on_587() -> None:
    code = (
        "import yagmail\n"
        "yag = yagmail.SMTP(\n"
        "    'reports@contoso.com',\n"
        "    host='smtp.office365.com',\n"
        ")\n"
    )
    assert fixed(code, "AS202") == (
        "import yagmail\n"
        "yag = yagmail.SMTP(\n"
        "    'reports@contoso.com',\n"
        "    host='smtp.office365.com',\n"
        "    smtp_ssl=False,\n"
        ")\n"
    )


def test_yagmail_starttls_gets_a_verifying_context() -> None:
    code = (
        "import yagmail\n"
        "yag = yagmail.SMTP('a@contoso.com', host='smtp.office365.com', port=587, smtp_ssl=False)\n"
    )
    after = fixed(code, "AS204")
    assert 'smtp_starttls={"context": ssl.create_default_context()})' in after
    assert "import ssl" in after


def test_smtphandler_host_string_gets_port_587() -> None:
    code = (
        "from logging.handlers import SMTPHandler\n"
        "h = SMTPHandler('smtp.office365.com', 'a@contoso.com', ['b@contoso.com'], 'Error')\n"
    )
    assert fixed(code, "AS202") == code.replace(
        "'smtp.office365.com'", "('smtp.office365.com', 587)"
    )


def test_django_use_ssl_on_587_becomes_use_tls() -> None:
    code = (
        "from django.core.mail import get_connection\n"
        "c = get_connection(host='smtp.office365.com', port=587, use_ssl=True)\n"
    )
    assert fixed(code, "AS201") == code.replace("use_ssl=True", "use_tls=True")


def test_django_conflict_keeps_starttls_on_587() -> None:
    code = (
        "from django.core.mail import get_connection\n"
        "c = get_connection(host='smtp.office365.com', port=587, use_tls=True, use_ssl=True)\n"
    )
    assert fixed(code, "AS205") == code.replace(", use_ssl=True", "")


def test_redmail_conflict_drops_the_ssl_class_line() -> None:
    code = (
        "import smtplib\n"
        "from redmail import EmailSender\n"
        "sender = EmailSender(\n"
        "    host='smtp.office365.com',\n"
        "    port=587,\n"
        "    cls_smtp=smtplib.SMTP_SSL,\n"
        ")\n"
    )
    # smtplib was only there for the class the fix drops: its import goes with it.
    expected = code.replace("    cls_smtp=smtplib.SMTP_SSL,\n", "").replace("import smtplib\n", "")
    assert fixed(code, "AS205") == expected


def test_redmail_conflict_on_465_turns_starttls_off() -> None:
    code = (
        "import smtplib\n"
        "from redmail import EmailSender\n"
        "s = EmailSender(host='mail.example.net', port=465, cls_smtp=smtplib.SMTP_SSL)\n"
    )
    assert fixed(code, "AS205") == code.replace("SMTP_SSL)", "SMTP_SSL, use_starttls=False)")


def test_imapclient_login_becomes_oauth2_login() -> None:
    code = (
        "from imapclient import IMAPClient\n"
        "client = IMAPClient('outlook.office365.com')\n"
        "client.login('support@contoso.com', password)\n"
    )
    after = fixed(code, "AS102", unsafe=True)
    assert (
        "client.oauth2_login('support@contoso.com', "
        'oauth2_access_token("https://outlook.office365.com/.default"))' in after
    )


def test_authobject_def_and_method_get_an_optional_challenge() -> None:
    code = (
        "import imaplib\n"
        "def authobject():\n"
        "    return xoauth2\n"
        "class Reader:\n"
        "    def xoauth2(self):\n"
        "        return raw\n"
        "    def open(self):\n"
        "        imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
        "        imap.authenticate('XOAUTH2', self.xoauth2)\n"
        "        imap.authenticate('XOAUTH2', authobject)\n"
    )
    after = fixed(code, "AS303")
    assert "def authobject(challenge=None):" in after
    assert "def xoauth2(self, challenge=None):" in after


def test_double_encoding_in_a_shared_helper_is_only_an_unsafe_fix() -> None:
    code = (
        "import base64, smtplib\n"
        "def xoauth2(user, token):\n"
        "    raw = f'user={user}\\x01auth=Bearer {token}\\x01\\x01'\n"
        "    return base64.b64encode(raw.encode()).decode()\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.auth('XOAUTH2', lambda challenge=None: xoauth2(u, t))\n"
    )
    assert fixed(code, "AS301") == code
    assert "    return raw\n" in fixed(code, "AS301", unsafe=True)


def test_implicit_to_starttls_never_writes_a_keyword_twice() -> None:
    code = (
        "import aiosmtplib\n"
        "s = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, use_tls=True,\n"
        "                    start_tls=False)\n"
    )
    assert fixed(code, "AS201") == (
        "import aiosmtplib\n"
        "s = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, start_tls=True)\n"
    )
    django = (
        "from django.core.mail import get_connection\n"
        "c = get_connection(host='smtp.office365.com', port=587, use_ssl=True, use_tls=False)\n"
    )
    assert fixed(django, "AS201") == django.replace("use_ssl=True, use_tls=False", "use_tls=True")


@pytest.mark.parametrize(
    ("call", "after"),
    [
        (
            "SMTP(hostname=h, port=587, use_tls=True, start_tls=True)",
            "SMTP(hostname=h, port=587, start_tls=True)",
        ),
        (
            "SMTP(hostname=h, port=587, start_tls=True, use_tls=True)",
            "SMTP(hostname=h, port=587, start_tls=True)",
        ),
        (
            "SMTP(\n    hostname=h,\n    port=587,\n    use_tls=True,\n    start_tls=True,\n)",
            "SMTP(\n    hostname=h,\n    port=587,\n    start_tls=True,\n)",
        ),
        (
            "SMTP(hostname=h, port=587, start_tls=True, use_tls=True,\n)",
            "SMTP(hostname=h, port=587, start_tls=True,\n)",
        ),
    ],
)
def test_dropping_a_keyword_keeps_the_layout(call: str, after: str) -> None:
    code = f"from aiosmtplib import SMTP\ns = {call}\n"
    assert fixed(code, "AS205") == f"from aiosmtplib import SMTP\ns = {after}\n"
