"""What each library adapter puts in the mail model: hosts, ports and TLS from the
library's defaults, the steps it takes on the caller's behalf, and conflicts."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.engine import check_source
from authsweep.scanner.model import Connection, MailFile, StepKind, Tls, Verification
from authsweep.scanner.python.analyze import analyze_python
from authsweep.scanner.text import Source


def model(code: str) -> MailFile:
    return analyze_python("module.py", Source("python", code.encode()))


def only(code: str) -> Connection:
    connections = model(code).connections
    assert len(connections) == 1, connections
    return connections[0]


def findings(code: str) -> set[tuple[int, str]]:
    result = check_source("module.py", "python", code.encode(), [r() for r in ALL_RULES])
    assert not result.errors
    return {(f.span.line, f.rule) for f in result.findings}


def kinds(conn: Connection) -> list[str]:
    return [step.kind.value for step in conn.steps]


# aiosmtplib


@pytest.mark.parametrize(
    ("arguments", "port", "tls"),
    [
        ("", 25, Tls.NONE),
        ("use_tls=True", 465, Tls.IMPLICIT),
        ("start_tls=True", 587, Tls.NONE),
        ("start_tls=False", 25, Tls.NONE),
        ("use_tls=flag", None, Tls.UNKNOWN),
    ],
)
def test_aiosmtplib_default_ports(arguments: str, port: int | None, tls: Tls) -> None:
    conn = only(
        f"import aiosmtplib\ns = aiosmtplib.SMTP(hostname='smtp.office365.com', {arguments})\n"
    )
    assert conn.port.value == port
    assert conn.tls is tls


def test_aiosmtplib_upgrades_on_connect_unless_told_not_to() -> None:
    opportunistic = only("import aiosmtplib\ns = aiosmtplib.SMTP(hostname='h', port=587)\n")
    assert kinds(opportunistic) == ["starttls"]
    assert opportunistic.steps[0].verification is Verification.VERIFIED
    plain = only("import aiosmtplib\ns = aiosmtplib.SMTP(hostname='h', start_tls=False)\n")
    assert kinds(plain) == []
    unverified = only(
        "import aiosmtplib\ns = aiosmtplib.SMTP(hostname='h', port=587, validate_certs=False)\n"
    )
    assert unverified.steps[0].verification is Verification.UNVERIFIED


def test_aiosmtplib_credentials_log_in_after_the_upgrade() -> None:
    conn = only(
        "import aiosmtplib\n"
        "async def f(m):\n"
        "    await aiosmtplib.send(m, hostname='smtp.office365.com', port=587, start_tls=True,\n"
        "                          username='a@contoso.com', password=pw)\n"
    )
    assert kinds(conn) == ["starttls", "login", "send"]
    assert conn.steps[1].user.value == "a@contoso.com"


def test_aiosmtplib_oauth_token_generator_is_xoauth2() -> None:
    conn = only(
        "import aiosmtplib\n"
        "s = aiosmtplib.SMTP(hostname='smtp.office365.com', port=587, username='a',\n"
        "                    oauth_token_generator=get_token)\n"
    )
    assert kinds(conn) == ["starttls", "auth"]
    assert conn.steps[1].mechanism == "XOAUTH2"


def test_aiosmtplib_password_beside_a_generator_that_may_be_none() -> None:
    """aiosmtplib refuses ``password`` and ``oauth_token_generator`` together: a
    generator read from configuration may be None, and then the password logs in."""
    configured = only(
        "import aiosmtplib\n"
        "async def f(m, account):\n"
        "    await aiosmtplib.send(m, hostname='smtp.office365.com', port=587,\n"
        "                          username=account.address, password=account.password,\n"
        "                          oauth_token_generator=account.token_generator)\n"
    )
    assert kinds(configured) == ["starttls", "auth", "login", "send"]
    for generator in ("lambda: fetch_token()", "get_token"):
        given = only(
            "import aiosmtplib\n"
            "async def get_token():\n"
            "    return await fetch_token()\n"
            "async def f(m, account):\n"
            "    await aiosmtplib.send(m, hostname='smtp.office365.com', port=587,\n"
            "                          username=account.address, password=account.password,\n"
            f"                          oauth_token_generator={generator})\n"
        )
        assert kinds(given) == ["starttls", "auth", "send"], generator


def test_aiosmtplib_connect_and_methods() -> None:
    conn = only(
        "import aiosmtplib\n"
        "async def f(m):\n"
        "    s = aiosmtplib.SMTP()\n"
        "    await s.connect(hostname='smtp.office365.com', port=465, use_tls=True)\n"
        "    await s.login('a@contoso.com', pw)\n"
        "    await s.send_message(m)\n"
    )
    assert conn.host.value == "smtp.office365.com"
    assert (conn.port.value, conn.tls) == (465, Tls.IMPLICIT)
    assert kinds(conn) == ["login", "send"]
    assert findings(
        "import aiosmtplib\n"
        "async def f(m):\n"
        "    s = aiosmtplib.SMTP()\n"
        "    await s.connect(hostname='smtp.office365.com', port=465, use_tls=True)\n"
        "    await s.login('a@contoso.com', pw)\n"
    ) == {(4, "AS202"), (5, "AS101")}


def test_aiosmtplib_both_tls_flags_conflict() -> None:
    conn = only(
        "import aiosmtplib\ns = aiosmtplib.SMTP(hostname='h', use_tls=True, start_tls=True)\n"
    )
    assert conn.tls_conflict is not None and conn.tls_conflict.line == 2


# logging.handlers.SMTPHandler


def test_smtphandler_host_string_is_port_25_and_tuple_gives_the_port() -> None:
    text = only(
        "from logging.handlers import SMTPHandler\n"
        "h = SMTPHandler('mx.contoso.com', 'a', ['b'], 's')\n"
    )
    assert (text.host.value, text.port.value, text.tls) == ("mx.contoso.com", 25, Tls.NONE)
    pair = only(
        "import logging.handlers\n"
        "h = logging.handlers.SMTPHandler(('smtp.office365.com', 587), 'a', ['b'], 's')\n"
    )
    assert (pair.host.value, pair.port.value) == ("smtp.office365.com", 587)
    assert pair.log_handler and kinds(pair) == []


def test_smtphandler_secure_is_an_unverified_starttls_before_the_login() -> None:
    conn = only(
        "import os\nfrom logging.handlers import SMTPHandler\n"
        "h = SMTPHandler(('smtp.office365.com', 587), 'a', ['b'], 's',\n"
        "                credentials=('alerts@contoso.com', os.environ['PW']), secure=())\n"
    )
    assert kinds(conn) == ["starttls", "login"]
    assert conn.steps[0].verification is Verification.UNVERIFIED
    assert conn.steps[1].user.value == "alerts@contoso.com"
    assert conn.steps[1].secret.origin == "env PW"


def test_smtphandler_is_reported_by_as103_not_as101() -> None:
    code = (
        "from logging.handlers import SMTPHandler\n"
        "h = SMTPHandler(('smtp.office365.com', 587), 'a', ['b'], 's', credentials=(u, p),\n"
        "                secure=())\n"
    )
    assert {rule for _, rule in findings(code)} == {"AS103", "AS204"}


def test_smtphandler_subclass_without_emit_is_a_handler_too() -> None:
    code = (
        "from logging.handlers import SMTPHandler\n"
        "class TitledHandler(SMTPHandler):\n"
        "    def getSubject(self, record):\n"
        "        return record.levelname\n"
        "h = TitledHandler(('smtp.office365.com', 587), 'a', ['b'], 's', credentials=(u, p))\n"
    )
    assert (5, "AS103") in findings(code)


def test_dictconfig_from_a_module_constant() -> None:
    mail = model(
        "import logging.config\n"
        "MAILHOST = ['smtp.office365.com', 587]\n"
        "CONFIG = {'version': 1, 'handlers': {'m': {\n"
        "    'class': 'logging.handlers.SMTPHandler', 'mailhost': MAILHOST,\n"
        "    'fromaddr': 'a', 'toaddrs': ['b'], 'subject': 's', 'credentials': (user, pw)}}}\n"
        "logging.config.dictConfig(CONFIG)\n"
    )
    (conn,) = mail.connections
    assert (conn.host.value, conn.port.value, conn.opened_at.line) == ("smtp.office365.com", 587, 4)
    assert kinds(conn) == ["login"]


# Django


def test_django_values_left_out_come_from_settings() -> None:
    conn = only("from django.core.mail import get_connection\nc = get_connection(password=pw)\n")
    assert conn.host.origin == "Django EMAIL_HOST setting"
    assert conn.port.origin == "Django EMAIL_PORT setting"
    assert conn.tls is Tls.UNKNOWN
    assert conn.steps[0].user.origin == "Django EMAIL_HOST_USER setting"


def test_django_other_backends_are_not_smtp() -> None:
    mail = model(
        "from django.core.mail import get_connection\n"
        "c = get_connection('django.core.mail.backends.locmem.EmailBackend', password=pw)\n"
    )
    assert mail.connections == []


def test_django_send_mail_with_a_connection_uses_that_connection() -> None:
    code = (
        "from django.core.mail import send_mail\n"
        "send_mail('s', 'm', 'a', ['b'], auth_user='u', auth_password=pw, connection=c)\n"
    )
    assert model(code).connections == []


def test_django_backend_subclass_is_a_backend() -> None:
    code = (
        "from django.core.mail.backends.smtp import EmailBackend\n"
        "class AuditedBackend(EmailBackend):\n"
        "    def send_messages(self, messages):\n"
        "        return super().send_messages(messages)\n"
        "b = AuditedBackend(host='smtp.office365.com', port=587, use_ssl=True)\n"
    )
    assert (5, "AS201") in findings(code)


# yagmail


@pytest.mark.parametrize(
    ("arguments", "port", "tls", "steps"),
    [
        ("", 465, Tls.IMPLICIT, ["login"]),
        ("port=587", 587, Tls.IMPLICIT, ["login"]),
        ("smtp_ssl=False", 587, Tls.NONE, ["starttls", "login"]),
        ("smtp_ssl=False, smtp_starttls=False", 587, Tls.NONE, ["login"]),
        ("smtp_skip_login=True", 465, Tls.IMPLICIT, []),
    ],
)
def test_yagmail_defaults(arguments: str, port: int, tls: Tls, steps: list[str]) -> None:
    conn = only(
        "import yagmail\n"
        f"y = yagmail.SMTP('a@contoso.com', host='smtp.office365.com', {arguments})\n"
    )
    assert (conn.port.value, conn.tls, kinds(conn)) == (port, tls, steps)


def test_yagmail_host_defaults_to_gmail_and_password_to_the_keyring() -> None:
    conn = only("import yagmail\ny = yagmail.Client('me@gmail.com')\n")
    assert conn.host.value == "smtp.gmail.com"
    assert conn.logins()[0].secret.origin == "keyring"


def test_yagmail_context_keyword_verifies_implicit_tls() -> None:
    conn = only(
        "import ssl, yagmail\n"
        "y = yagmail.SMTP('a', 'p', host='h', context=ssl.create_default_context())\n"
    )
    assert conn.verification is Verification.VERIFIED


# Red Mail


def test_redmail_preset_with_assigned_credentials() -> None:
    conn = only(
        "import redmail\n"
        "redmail.outlook.username = 'a@contoso.com'\n"
        "redmail.outlook.password = pw\n"
        "redmail.outlook.send(subject='s', receivers=['b'])\n"
    )
    assert (conn.host.value, conn.port.value) == ("smtp.office365.com", 587)
    assert kinds(conn) == ["starttls", "login", "send"]
    login = conn.logins()[0]
    assert (login.user.value, login.span.line) == ("a@contoso.com", 3)


def test_redmail_class_of_its_own_is_left_alone() -> None:
    code = (
        "from redmail import EmailSender\n"
        "s = EmailSender(host='smtp.office365.com', port=587, cls_smtp=XOAuthSMTP,\n"
        "                username='u', password=p)\n"
    )
    assert model(code).connections == []


def test_redmail_ssl_without_starttls_is_implicit() -> None:
    conn = only(
        "import smtplib\nfrom redmail import EmailSender\n"
        "s = EmailSender(host='smtp.office365.com', port=465, cls_smtp=smtplib.SMTP_SSL,\n"
        "                use_starttls=False)\n"
    )
    assert (conn.tls, conn.tls_conflict) == (Tls.IMPLICIT, None)


# IMAPClient


def test_imapclient_defaults_verify() -> None:
    conn = only("from imapclient import IMAPClient\nc = IMAPClient('outlook.office365.com')\n")
    assert (conn.port.value, conn.tls, conn.verification) == (
        993,
        Tls.IMPLICIT,
        Verification.VERIFIED,
    )
    plain = only(
        "from imapclient import IMAPClient\nc = IMAPClient('h', ssl=False)\nc.starttls()\n"
    )
    assert (plain.port.value, plain.tls) == (143, Tls.NONE)
    assert plain.steps[0].verification is Verification.VERIFIED


def test_imapclient_oauth2_login_is_xoauth2() -> None:
    conn = only(
        "from imapclient import IMAPClient\n"
        "c = IMAPClient('outlook.office365.com')\nc.oauth2_login(user, token)\n"
    )
    assert conn.steps[0].kind is StepKind.AUTH and conn.steps[0].mechanism == "XOAUTH2"


# exchangelib


def test_exchangelib_configuration_names_server_and_auth_type() -> None:
    mail = model(
        "from exchangelib import BASIC, Configuration, Credentials\n"
        "c = Configuration(service_endpoint='https://outlook.office365.com/EWS/Exchange.asmx',\n"
        "                  credentials=Credentials(u, p), auth_type=BASIC)\n"
    )
    (account,) = mail.ews
    assert (account.auth, account.host.value, account.span.line) == (
        "basic",
        "outlook.office365.com",
        3,
    )


def test_exchangelib_legacy_oauth2_is_a_password_flow() -> None:
    code = (
        "from exchangelib import OAuth2LegacyCredentials\n"
        "c = OAuth2LegacyCredentials(username=u, password=p, client_id=i, client_secret=s,\n"
        "                            tenant_id=t)\n"
    )
    assert findings(code) == {(2, "AS106")}


def test_exchangelib_auth_type_without_visible_credentials() -> None:
    code = (
        "from exchangelib import NTLM, Configuration\n"
        "def config(credentials):\n"
        "    return Configuration(server='outlook.office365.com', credentials=credentials,\n"
        "                         auth_type=NTLM)\n"
    )
    assert findings(code) == {(3, "AS104")}


# Token requests


def test_token_requests_and_their_use_for_mail() -> None:
    mail = model(
        "import imaplib, msal\n"
        "app = msal.ConfidentialClientApplication(cid, client_credential=s, authority=a)\n"
        "def token():\n"
        "    return app.acquire_token_for_client(scopes=SCOPES)['access_token']\n"
        "SCOPES = ['https://outlook.office365.com/.default']\n"
        "other = app.acquire_token_for_client(scopes=['https://graph.microsoft.com/.default'])\n"
        "imap = imaplib.IMAP4_SSL('outlook.office365.com')\n"
        "imap.authenticate('XOAUTH2', lambda _: f'user=a\\x01auth=Bearer {token()}\\x01\\x01')\n"
    )
    used = {r.span.line: r.used_for_mail for r in mail.token_requests}
    assert used == {4: True, 6: False}
    step = mail.connections[0].steps[0]
    assert step.xoauth2 is not None
    assert step.xoauth2.token_scopes.value == ("https://outlook.office365.com/.default",)


def test_azure_identity_get_token_needs_a_credential_of_this_module() -> None:
    mail = model(
        "from azure.identity import ClientSecretCredential, UsernamePasswordCredential\n"
        "cred = ClientSecretCredential(t, c, s)\n"
        "a = cred.get_token('https://outlook.office365.com/.default')\n"
        "b = session.get_token('x')\n"
        "ropc = UsernamePasswordCredential(c, u, p)\n"
    )
    flows = {(r.span.line, r.flow) for r in mail.token_requests}
    assert flows == {(3, "client_credentials"), (5, "username_password")}


def test_a_file_without_mail_libraries_is_not_parsed() -> None:
    result = check_source(
        "m.py", "python", b"import requests\nrequests.get('https://outlook.office365.com')\n", []
    )
    assert not result.parsed


def test_exchangelib_literal_secrets_are_hard_coded_secrets() -> None:
    code = (
        "from exchangelib import Credentials, OAuth2Credentials\n"
        "a = Credentials('svc@contoso.com', 'Autumn2026!')\n"
        "b = OAuth2Credentials(client_id='c', client_secret='k3y~Secret.Value', tenant_id='t')\n"
    )
    assert findings(code) == {(2, "AS104"), (2, "AS105"), (3, "AS105")}
    result = check_source("module.py", "python", code.encode(), [r() for r in ALL_RULES])
    assert all("Autumn2026" not in text for f in result.findings for _, text in f.frame)


def test_contextlib_closing_binds_the_connection_it_wraps() -> None:
    conn = only(
        "import contextlib, smtplib\n"
        "with contextlib.closing(smtplib.SMTP('smtp.office365.com', 587)) as s:\n"
        "    s.starttls()\n"
        "    s.login(user, password)\n"
    )
    assert kinds(conn) == ["starttls", "login"]


def test_imap_tools_login_becomes_its_xoauth2_method() -> None:
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.fixes.rounds import fix_source

    code = (
        "from imap_tools import MailBox\n"
        "with MailBox('outlook.office365.com').login('a@contoso.com', pw, 'INBOX') as box:\n"
        "    box.fetch()\n"
    )
    fixed = fix_source("m.py", "python", code.encode(), RunOptions(), unsafe=True).after
    assert "MailBox('outlook.office365.com', ssl_context=ssl.create_default_context())" in fixed
    assert ".xoauth2('a@contoso.com', oauth2_access_token(" in fixed
    assert findings(fixed) == set()


def test_a_call_that_does_not_fit_the_signature_is_not_that_library() -> None:
    """Two distributions import as ``mailer``: each call is read with the one whose
    signature accepts it, and one that fits neither is not read as either's."""
    quick = only("from mailer import Mailer\nm = Mailer(email='a@contoso.com', password=p)\n")
    assert quick.host.value == "smtp.gmail.com"
    classic = only("from mailer import Mailer\nm = Mailer(host='smtp.office365.com', usr=u)\n")
    assert (classic.host.value, classic.port.value) == ("smtp.office365.com", 25)
    neither = model("from mailer import Mailer\nm = Mailer(server='smtp.office365.com', user=u)\n")
    assert all(conn.library != "mailer" for conn in neither.connections)


@pytest.mark.parametrize(
    ("settings", "verification"),
    [
        ("    ctx.check_hostname = False\n    ctx.verify_mode = ssl.CERT_NONE\n", "unverified"),
        ("", "verified"),
    ],
)
def test_an_ssl_context_kept_on_the_class(settings: str, verification: str) -> None:
    conn = only(
        "import ssl\nfrom imapclient import IMAPClient\n"
        "class Reader:\n"
        "    ctx = ssl.create_default_context()\n"
        f"{settings}"
        "    def run(self):\n"
        "        return IMAPClient('outlook.office365.com', ssl_context=self.ctx)\n"
    )
    assert conn.verification.value == verification


def test_an_ssl_context_set_in_init() -> None:
    conn = only(
        "import ssl, imaplib\n"
        "class Reader:\n"
        "    def __init__(self):\n"
        "        self.ctx = ssl.create_default_context()\n"
        "        self.ctx.verify_mode = ssl.CERT_NONE\n"
        "    def run(self):\n"
        "        return imaplib.IMAP4_SSL('outlook.office365.com', ssl_context=self.ctx)\n"
    )
    assert conn.verification is Verification.UNVERIFIED
