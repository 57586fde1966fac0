"""The shared settings interpreter: families, TLS modes, logins, secrets and remedies."""

from __future__ import annotations

import pytest
from authsweep.scanner.config import analyze_config
from authsweep.scanner.fixes.edits import apply_edits
from authsweep.scanner.mail_settings.interpret import interpret
from authsweep.scanner.mail_settings.keys import FAMILIES, Setting, is_setting_key
from authsweep.scanner.model import (
    Connection,
    MailFile,
    Protocol,
    Span,
    StepKind,
    Tls,
    Value,
    Verification,
)
from authsweep.scanner.python.analyze import analyze_python
from authsweep.scanner.remedies import RemedyKind
from authsweep.scanner.text import Source

SPAN = Span(1, 1, 1, 2, 0, 1)


def mail_of(text: str, path: str = "config.yaml", kind: str = "yaml") -> MailFile:
    return analyze_config(path, Source(kind, text.encode()))


def only(mail: MailFile) -> Connection:
    assert len(mail.connections) == 1, mail.connections
    return mail.connections[0]


def fixed(text: str, conn: Connection, kind: RemedyKind) -> str:
    return apply_edits(text, conn.remedies[kind].edits, "\n")


# Recognising families.


def test_families_are_data_with_unique_libraries_per_prefix() -> None:
    assert all(family.keys for family in FAMILIES)
    assert is_setting_key("email_host") and is_setting_key("DJANGO_EMAIL_HOST_PASSWORD")
    assert is_setting_key("GF_SMTP_HOST") and is_setting_key("AIRFLOW__SMTP__SMTP_SSL")
    assert not is_setting_key("DEFAULT_FROM_EMAIL") and not is_setting_key("GMAIL_THING")


@pytest.mark.parametrize(
    ("text", "library"),
    [
        ("EMAIL_HOST: smtp.office365.com\nEMAIL_PORT: 465\n", "django-settings"),
        ("email_host: smtp.office365.com\nemail_port: 465\n", "django-settings"),
        ("DJANGO_EMAIL_HOST: smtp.office365.com\nDJANGO_EMAIL_PORT: 465\n", "django-settings"),
        ("EMAIL_SERVER: smtp.office365.com\nEMAIL_PORT: 465\n", "EMAIL_* settings"),
        ("MAIL_SERVER: smtp.office365.com\nMAIL_PORT: 465\n", "flask-mail"),
        ("SMTP_HOST: smtp.office365.com\nSMTP_PORT: 465\n", "SMTP_* settings"),
        ("GF_SMTP_HOST: smtp.office365.com:465\n", "GF_SMTP_* settings"),
        (
            "AIRFLOW__SMTP__SMTP_HOST: smtp.office365.com\nAIRFLOW__SMTP__SMTP_PORT: 465\n",
            "airflow",
        ),
        ("smtp:\n  smtp_host: smtp.office365.com\n  smtp_port: 465\n", "airflow"),
        ("email:\n  host: smtp.office365.com\n  port: 465\n", "mail settings"),
        ("notifier:\n  server: smtp.office365.com\n  port: 465\n", "mail settings"),
    ],
)
def test_families_and_port(text: str, library: str) -> None:
    conn = only(mail_of(text))
    assert conn.library == library
    assert conn.port.value == 465 and conn.host.value == "smtp.office365.com"


def test_a_group_needs_a_host_hint() -> None:
    # One stray setting, a mapping of bare keys without a mail name or Microsoft host.
    assert mail_of("EMAIL_PORT: 465\n").connections == []
    assert mail_of("database:\n  host: db.internal\n  port: 5432\n").connections == []
    assert mail_of("server:\n  host: smtp.gmail.com\n  port: 465\n").connections == []
    # Two settings of a mail family are a hint of their own.
    assert only(mail_of("MAIL_PORT: 587\nMAIL_USE_SSL: true\n")).tls is Tls.IMPLICIT


def test_each_stem_is_its_own_connection() -> None:
    text = (
        "REPORTS_SMTP_HOST: smtp.office365.com\nREPORTS_SMTP_PORT: 465\n"
        "ALERTS_SMTP_HOST: smtp.gmail.com\nALERTS_SMTP_PORT: 587\n"
    )
    libraries = sorted(c.library for c in mail_of(text).connections)
    assert libraries == ["ALERTS_SMTP_* settings", "REPORTS_SMTP_* settings"]


def test_bare_group_protocol_follows_the_port() -> None:
    conn = only(mail_of("mailbox:\n  host: outlook.office365.com\n  port: 993\n"))
    assert conn.protocol is Protocol.IMAP
    assert only(mail_of("imap:\n  host: x.example\n  port: 143\n")).protocol is Protocol.IMAP


def test_non_smtp_backend_is_no_connection() -> None:
    text = (
        "EMAIL_BACKEND: django.core.mail.backends.console.EmailBackend\n"
        "EMAIL_HOST: smtp.office365.com\nEMAIL_PORT: 465\n"
    )
    assert mail_of(text).connections == []


# TLS modes and conflicts.


@pytest.mark.parametrize(
    ("text", "tls"),
    [
        ("EMAIL_HOST: h\nEMAIL_USE_SSL: 'True'\n", Tls.IMPLICIT),
        ("EMAIL_HOST: h\nEMAIL_USE_TLS: yes\nEMAIL_USE_SSL: no\n", Tls.STARTTLS),
        ("EMAIL_HOST: h\nEMAIL_USE_TLS: 0\nEMAIL_USE_SSL: 0\n", Tls.NONE),
        ("EMAIL_HOST: h\nEMAIL_USE_TLS: true\n", Tls.UNKNOWN),  # SSL may be set elsewhere
        ("smtp:\n  smtp_host: h\n", Tls.STARTTLS),  # Airflow's defaults
        ("n:\n  - platform: smtp\n    server: h\n", Tls.STARTTLS),  # Home Assistant's
        ("n:\n  - platform: smtp\n    server: h\n    encryption: tls\n", Tls.IMPLICIT),
        ("n:\n  - platform: smtp\n    server: h\n    encryption: none\n", Tls.NONE),
    ],
)
def test_tls_modes(text: str, tls: Tls) -> None:
    assert only(mail_of(text)).tls is tls


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("EMAIL_HOST: h\nEMAIL_USE_TLS: True\nEMAIL_USE_SSL: True\n", 3),
        ("MAIL_SERVER: h\nMAIL_USE_SSL: 1\nMAIL_USE_TLS: 1\n", 2),
        ("smtp:\n  smtp_host: h\n  smtp_ssl: True\n", 3),  # smtp_starttls defaults to True
    ],
)
def test_conflicting_flags(text: str, line: int) -> None:
    conn = only(mail_of(text))
    assert conn.tls_conflict is not None and conn.tls_conflict.line == line
    assert conn.tls is Tls.UNKNOWN  # neither works; AS205 reports it, not AS201
    after = fixed(text, conn, RemedyKind.RESOLVE_TLS_CONFLICT)
    assert only(mail_of(after)).tls_conflict is None


def test_airflow_connection_defaults_to_implicit_tls_without_conflict() -> None:
    text = '{"c": {"conn_type": "smtp", "host": "smtp.office365.com", "port": 587}}'
    conn = only(mail_of(text, "c.json", "json"))
    assert conn.tls is Tls.IMPLICIT and conn.tls_conflict is None
    assert RemedyKind.USE_STARTTLS not in conn.remedies  # disable_ssl would have to be added
    text = (
        '{"c": {"conn_type": "smtp", "host": "smtp.office365.com", "port": 587,'
        ' "extra": {"disable_ssl": false, "disable_tls": true}}}'
    )
    conn = only(mail_of(text, "c.json", "json"))
    after = fixed(text, conn, RemedyKind.USE_STARTTLS)
    assert '"disable_ssl": true, "disable_tls": false' in after
    assert only(mail_of(after, "c.json", "json")).tls is Tls.STARTTLS
    default_port = '{"c": {"conn_type": "smtp", "host": "smtp.office365.com"}}'
    assert only(mail_of(default_port, "c.json", "json")).port.value == 465


# Remedies keep the file's own style.


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "EMAIL_HOST=h\nEMAIL_USE_SSL=True\nEMAIL_USE_TLS=False\n",
            "False",
        ),
        ("EMAIL_HOST=h\nEMAIL_USE_SSL=yes\nEMAIL_USE_TLS=no\n", "no"),
        ("EMAIL_HOST=h\nEMAIL_USE_SSL=1\nEMAIL_USE_TLS=0\n", "0"),
        ("EMAIL_HOST=h\nEMAIL_USE_SSL=TRUE\nEMAIL_USE_TLS=FALSE\n", "FALSE"),
        ("EMAIL_HOST=h\nEMAIL_USE_SSL='on'\nEMAIL_USE_TLS=\n", "'off'"),
    ],
)
def test_use_starttls_keeps_the_style(before: str, after: str) -> None:
    conn = only(mail_of(before, ".env", "dotenv"))
    text = fixed(before, conn, RemedyKind.USE_STARTTLS)
    assert text.splitlines()[1] == f"EMAIL_USE_SSL={after}"
    assert only(mail_of(text, ".env", "dotenv")).tls is Tls.STARTTLS


def test_use_starttls_adds_the_starttls_key_unless_it_defaults_on() -> None:
    # Django: EMAIL_USE_TLS is off unless set, so dropping SSL alone would send in plain
    # text: the fix adds the key right after the SSL flag.
    text = "EMAIL_HOST=h\nEMAIL_PORT=587\nEMAIL_USE_SSL=True\n"
    conn = only(mail_of(text, ".env", "dotenv"))
    assert conn.tls is Tls.IMPLICIT
    after = fixed(text, conn, RemedyKind.USE_STARTTLS)
    assert after == "EMAIL_HOST=h\nEMAIL_PORT=587\nEMAIL_USE_SSL=False\nEMAIL_USE_TLS=True\n"
    # Without the file's text (interpret() called directly) only values can be edited.
    settings = [
        Setting("EMAIL_HOST", Value.of("h", SPAN), SPAN, "g"),
        Setting("EMAIL_USE_SSL", Value.of(True, SPAN), SPAN, "g", SPAN, "True"),
    ]
    (direct,) = interpret(settings, complete=True).connections
    assert RemedyKind.USE_STARTTLS not in direct.remedies
    # Airflow: smtp_starttls defaults to True, so turning smtp_ssl off is enough.
    text = "[smtp]\nsmtp_host = h\nsmtp_port = 587\nsmtp_ssl = True\n"
    conn = only(mail_of(text, "airflow.cfg", "ini"))
    assert fixed(text, conn, RemedyKind.USE_STARTTLS).endswith("smtp_ssl = False\n")


def test_port_587_switches_to_starttls_in_the_same_edit() -> None:
    text = "mail:\n  host: smtp.office365.com\n  port: 465  # SMTPS\n  ssl: true\n  tls: false\n"
    conn = only(mail_of(text))
    after = fixed(text, conn, RemedyKind.PORT_587)
    assert after == (
        "mail:\n  host: smtp.office365.com\n  port: 587  # SMTPS\n  ssl: false\n  tls: true\n"
    )


def test_port_587_edits_the_default_of_a_reference() -> None:
    text = "SMTP_HOST=smtp.office365.com\nSMTP_PORT=${SMTP_PORT:-465}\n"
    conn = only(mail_of(text, ".env", "dotenv"))
    assert conn.port.value == 465 and conn.port.origin == "env SMTP_PORT"
    assert fixed(text, conn, RemedyKind.PORT_587).endswith("SMTP_PORT=${SMTP_PORT:-587}\n")


def test_home_assistant_encryption_and_verification() -> None:
    text = (
        "notify:\n  - platform: smtp\n    server: smtp.office365.com\n    port: 587\n"
        "    encryption: tls\n    verify_ssl: false\n    username: a@contoso.com\n"
        "    password: !secret pw\n"
    )
    conn = only(mail_of(text, "configuration.yaml"))
    assert conn.tls is Tls.IMPLICIT and conn.verification is Verification.UNVERIFIED
    after = fixed(text, conn, RemedyKind.USE_STARTTLS)
    assert "encryption: starttls\n" in after
    conn = only(mail_of(after, "configuration.yaml"))
    starttls = conn.first(StepKind.STARTTLS)
    assert starttls is not None and starttls.verification is Verification.UNVERIFIED
    assert starttls.span.line == 6
    verified = apply_edits(after, starttls.remedies[RemedyKind.VERIFY_TLS].edits, "\n")
    assert "verify_ssl: true\n" in verified


# Logins and secrets.


def test_login_needs_a_password_and_points_at_it() -> None:
    conn = only(mail_of("EMAIL_HOST: smtp.office365.com\nEMAIL_HOST_PASSWORD: Winter2016\n"))
    (login,) = conn.logins()
    assert login.span.line == 2 and login.secret.literal
    none = only(mail_of("EMAIL_HOST: smtp.office365.com\nEMAIL_HOST_PASSWORD: ''\nEMAIL_PORT: 1\n"))
    assert none.logins() == []
    no_user = "EMAIL_HOST: smtp.office365.com\nEMAIL_HOST_USER: ''\nEMAIL_HOST_PASSWORD: p\n"
    assert only(mail_of(no_user)).logins() == []  # the libraries skip login() then


def test_oauth_settings_mean_no_password_login() -> None:
    text = "mail:\n  host: smtp.office365.com\n  password: x\n  auth_type: oauth2\n"
    assert only(mail_of(text)).logins() == []


def test_dotenv_logins_only_for_microsoft_hosts() -> None:
    unknown = "EMAIL_HOST=${EMAIL_HOST}\nEMAIL_HOST_PASSWORD=Lit3ral!\n"
    mail = mail_of(unknown, ".env", "dotenv")
    assert only(mail).logins() == []
    # ... but a literal password for a host that may be Microsoft's is still a secret.
    assert [use.what for use in mail.secrets] == ["EMAIL_HOST_PASSWORD"]
    other = "EMAIL_HOST=smtp.sendgrid.net\nEMAIL_HOST_PASSWORD=Lit3ral!\n"
    mail = mail_of(other, ".env", "dotenv")
    assert only(mail).logins() == [] and mail.secrets == []
    microsoft = "EMAIL_HOST=smtp.office365.com\nEMAIL_HOST_PASSWORD=${PW}\n"
    assert len(only(mail_of(microsoft, ".env", "dotenv")).logins()) == 1
    # The same unknown host in YAML (a compose file wires it to a program) is a login.
    assert len(only(mail_of(unknown.replace("=", ": "))).logins()) == 1


def test_secrets_are_literals_only() -> None:
    for value in ("${PW}", "'%(pw)s'", "'{{ vault_pw }}'", "changeme", "<password>", "''"):
        text = f"EMAIL_HOST: smtp.office365.com\nEMAIL_HOST_PASSWORD: {value}\n"
        assert mail_of(text).secrets == [], value
    vault = "EMAIL_HOST: smtp.office365.com\nEMAIL_HOST_PASSWORD: !vault |\n  $ANSIBLE_VAULT;1.1\n"
    assert mail_of(vault).secrets == []
    gmail = "EMAIL_HOST: smtp.gmail.com\nEMAIL_HOST_PASSWORD: Lit3ral!\n"
    assert mail_of(gmail).secrets == []


def test_interpret_directly() -> None:
    settings = [
        Setting("EMAIL_HOST", Value.of("smtp.office365.com", SPAN), SPAN, "g"),
        Setting("EMAIL_PORT", Value.of(465, SPAN), SPAN, "g", SPAN, "465"),
    ]
    partial = interpret(settings)
    assert only(MailFile("x", "x", partial.connections)).tls is Tls.UNKNOWN
    complete = interpret(settings, complete=True)
    assert complete.connections[0].tls is Tls.NONE  # Django's flags default to False
    assert complete.connections[0].remedies[RemedyKind.PORT_587].edits[0].replacement == "587"


# Python settings modules.


def python_mail(code: str, path: str = "settings.py") -> MailFile:
    return analyze_python(path, Source("python", code.encode()))


def settings_connections(mail: MailFile) -> list[Connection]:
    return [c for c in mail.connections if c.library in ("django-settings", "flask-mail")]


def test_django_settings_with_environ_and_decouple() -> None:
    code = (
        "import environ\nfrom decouple import config\n"
        "env = environ.Env()\n"
        "EMAIL_HOST = env('EMAIL_HOST', default='smtp.office365.com')\n"
        "EMAIL_PORT = config('EMAIL_PORT', default='465', cast=int)\n"
        "EMAIL_USE_SSL = env.bool('EMAIL_USE_SSL', default=True)\n"
        "EMAIL_USE_TLS = config('EMAIL_USE_TLS', default='False', cast=bool)\n"
        "EMAIL_HOST_PASSWORD = env.str('EMAIL_HOST_PASSWORD', default='')\n"
    )
    (conn,) = settings_connections(python_mail(code))
    assert conn.host.value == "smtp.office365.com" and conn.host.origin == "env EMAIL_HOST"
    assert conn.port.value == 465 and conn.tls is Tls.IMPLICIT
    (login,) = conn.logins()  # an empty default: the environment has the password
    assert not login.secret.known and login.secret.origin == "env EMAIL_HOST_PASSWORD"
    after = apply_edits(code, conn.remedies[RemedyKind.PORT_587].edits, "\n")
    assert "default='587', cast=int" in after
    assert "env.bool('EMAIL_USE_SSL', default=False)" in after
    assert "config('EMAIL_USE_TLS', default='True', cast=bool)" in after


def test_flask_config_forms() -> None:
    code = (
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "app.config['MAIL_SERVER'] = 'smtp.office365.com'\n"
        "app.config['MAIL_PORT'] = 465\n"
        "def create_app():\n"
        "    other = Flask(__name__)\n"
        "    other.config.from_mapping({'MAIL_SERVER': 'smtp.office365.com', 'MAIL_PORT': 25})\n"
        "    other.config.update(dict(MAIL_USE_TLS=True, MAIL_USE_SSL=True))\n"
        "    return other\n"
    )
    connections = settings_connections(python_mail(code, "app.py"))
    assert sorted((c.port.value, c.tls_conflict is not None) for c in connections) == [
        (25, True),
        (465, False),
    ]


def test_config_classes_and_star_imports() -> None:
    code = (
        "class Config:\n    MAIL_SERVER = 'smtp.office365.com'\n    MAIL_USE_TLS = True\n"
        "class Production(Config):\n    MAIL_PORT = 465\n    MAIL_USE_SSL = False\n"
    )
    base, production = settings_connections(python_mail(code, "config.py"))
    assert base.port.value == 25 and base.tls is Tls.STARTTLS  # Flask-Mail's defaults
    # A subclass holds overrides only: its host stays unknown, no defaults fill in.
    assert not production.host.known and production.port.value == 465
    star = "from .base import *\nEMAIL_HOST = 'smtp.office365.com'\nEMAIL_USE_TLS = True\n"
    (conn,) = settings_connections(python_mail(star))
    assert not conn.port.known and conn.tls is Tls.UNKNOWN  # the base module may set them


def test_modules_without_settings_names_are_not_read() -> None:
    code = "import smtplib\nHOST = 'smtp.office365.com'\nPORT = 465\n"
    assert settings_connections(python_mail(code, "m.py")) == []


def test_login_on_a_plain_connection_can_turn_starttls_on() -> None:
    text = (
        "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=587\nEMAIL_USE_TLS=False\n"
        "EMAIL_USE_SSL=False\nEMAIL_HOST_PASSWORD=${PW}\n"
    )
    conn = only(mail_of(text, ".env", "dotenv"))
    (login,) = conn.logins()
    assert conn.tls is Tls.NONE
    after = apply_edits(text, login.remedies[RemedyKind.ADD_STARTTLS].edits, "\n")
    assert "EMAIL_USE_TLS=True\n" in after and only(mail_of(after, ".env", "dotenv")).upgraded


def test_smtphandler_without_secure_logs_in_on_plain_smtp() -> None:
    text = (
        "handlers:\n  mail:\n    class: logging.handlers.SMTPHandler\n"
        "    mailhost: [smtp.office365.com, 587]\n    credentials: [a@contoso.com, Pw-1234!]\n"
    )
    conn = only(mail_of(text, "logging.yaml"))
    assert conn.log_handler and conn.tls is Tls.NONE and conn.port.value == 587
    (login,) = conn.logins()
    assert login.span.line == 5 and login.secret.value == "Pw-1234!"


# Generic SMTP_* settings, dicts and keyword settings in Python.


@pytest.mark.parametrize(
    "code",
    [
        # pydantic BaseSettings (full-stack FastAPI template shape)
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
        '    SMTP_HOST: str = "smtp.office365.com"\n    SMTP_PORT: int = 465\n'
        '    SMTP_USER: str = "reports@contoso.com"\n    SMTP_PASSWORD: str = "S3cr3t-Pa55"\n',
        # a plain config class
        'class Config:\n    SMTP_SERVER = "smtp.office365.com"\n    SMTP_PORT = 465\n'
        '    SMTP_USERNAME = "reports@contoso.com"\n    SMTP_PASSWORD = "S3cr3t-Pa55"\n',
        # config.py module constants
        'SMTP_HOST = "smtp.office365.com"\nSMTP_PORT = 465\n'
        'SMTP_USER = "reports@contoso.com"\nSMTP_PASSWORD = "S3cr3t-Pa55"\n',
        # a dict of settings
        "SMTP_CONFIG = {\n    'SMTP_HOST': 'smtp.office365.com',\n    'SMTP_PORT': 465,\n"
        "    'SMTP_USERNAME': 'reports@contoso.com',\n    'SMTP_PASSWORD': 'S3cr3t-Pa55',\n}\n",
        'EMAIL = {\n    "host": "smtp.office365.com",\n    "port": 465,\n'
        '    "user": "reports@contoso.com",\n    "password": "S3cr3t-Pa55",\n}\n',
    ],
)
def test_generic_smtp_settings_in_python(code: str) -> None:
    mail = python_mail(code, "config.py")
    conn = only(mail)
    assert conn.host.value == "smtp.office365.com" and conn.port.value == 465
    port_line = code[: code.index("465")].count("\n") + 1
    assert conn.port.span is not None and conn.port.span.line == port_line
    (login,) = conn.logins()
    password_line = code[: code.index("S3cr3t")].count("\n") + 1
    assert login.span.line == password_line
    (secret,) = mail.secrets
    assert secret.value.value == "S3cr3t-Pa55" and secret.value.literal_span is not None
    assert secret.value.literal_span.line == password_line


def test_generic_settings_in_python_need_a_host_hint() -> None:
    # Bare names are no settings outside a mapping: module constants of any program.
    bare = "HOST = 'smtp.office365.com'\nPORT = 465\nPASSWORD = 'S3cr3t-Pa55'\n"
    assert python_mail(bare, "m.py").connections == []
    # A dict of bare keys needs a mail name or a Microsoft host.
    database = "DATABASE = {'host': 'db.internal', 'port': 5432, 'password': 'Pg-Pass-1'}\n"
    assert python_mail(database, "m.py").connections == []
    # An unknown host: the literal password is a secret, but nothing proves a login (the
    # code that uses the constants may authenticate with OAuth2).
    unknown = "import os\nSMTP_HOST = os.environ['SMTP_HOST']\nSMTP_PASSWORD = 'S3cr3t-Pa55'\n"
    mail = python_mail(unknown, "m.py")
    assert only(mail).logins() == [] and [s.what for s in mail.secrets] == ["SMTP_PASSWORD"]
    gmail = "SMTP_HOST = 'smtp.gmail.com'\nSMTP_PORT = 465\nSMTP_PASSWORD = 'S3cr3t-Pa55'\n"
    mail = python_mail(gmail, "m.py")
    assert only(mail).logins() == [] and mail.secrets == []


def test_settings_the_module_itself_connects_with_are_reported_once() -> None:
    code = (
        "import os, smtplib\n"
        "SMTP_HOST = 'smtp.office365.com'\nSMTP_PORT = 587\nSMTP_USER = 'bot@contoso.com'\n"
        "SMTP_PASSWORD = os.environ['SMTP_PASSWORD']\n\n"
        "with smtplib.SMTP(SMTP_HOST, SMTP_PORT) as smtp:\n"
        "    smtp.starttls()\n    smtp.login(SMTP_USER, SMTP_PASSWORD)\n"
    )
    (conn,) = python_mail(code, "script.py").connections
    assert conn.library == "smtplib" and len(conn.logins()) == 1


# FastAPI-Mail and keyword settings of any call.


def test_fastapi_mail_connection_config() -> None:
    code = (
        "from fastapi_mail import ConnectionConfig\n\nconf = ConnectionConfig(\n"
        '    MAIL_USERNAME="u@outlook.com",\n    MAIL_PASSWORD="Valtech-2026",\n'
        '    MAIL_PORT=587,\n    MAIL_SERVER="smtp.office365.com",\n'
        "    MAIL_STARTTLS=False,\n    MAIL_SSL_TLS=True,\n    VALIDATE_CERTS=False,\n)\n"
    )
    mail = python_mail(code, "email_config.py")
    conn = only(mail)
    assert conn.library == "fastapi-mail" and conn.oauth_hint.startswith("FastAPI-Mail")
    assert conn.tls is Tls.IMPLICIT and conn.verification is Verification.UNVERIFIED
    assert conn.opened_at.line == 7 and conn.logins()[0].span.line == 5
    assert [s.value.value for s in mail.secrets] == ["Valtech-2026"]
    after = fixed(code, conn, RemedyKind.USE_STARTTLS)
    assert "    MAIL_STARTTLS=True,\n    MAIL_SSL_TLS=False,\n" in after
    assert fixed(code, conn, RemedyKind.VERIFY_TLS).endswith("    VALIDATE_CERTS=True,\n)\n")
    # USE_CREDENTIALS=False: FastAPI-Mail never calls login().
    relay = code.replace("VALIDATE_CERTS=False", "USE_CREDENTIALS=False")
    assert only(python_mail(relay, "email_config.py")).logins() == []


@pytest.mark.parametrize(
    ("text", "path", "kind", "tls"),
    [
        # FastAPI-Mail before 1.2: MAIL_TLS / MAIL_SSL
        (
            "c = ConnectionConfig(MAIL_SERVER='smtp.office365.com', MAIL_PORT=587,"
            " MAIL_TLS=True, MAIL_SSL=False)\n",
            "mail.py",
            "python",
            Tls.STARTTLS,
        ),
        # a pydantic class that subclasses ConnectionConfig
        (
            "class EmailConfig(ConnectionConfig):\n    MAIL_SERVER: str = 'smtp.office365.com'\n"
            "    MAIL_PORT: int = 465\n    MAIL_SSL_TLS: bool = True\n",
            "mail.py",
            "python",
            Tls.IMPLICIT,
        ),
        # the .env pydantic reads those settings from
        (
            "MAIL_SERVER=smtp.office365.com\nMAIL_PORT=587\nMAIL_STARTTLS=True\n"
            "MAIL_SSL_TLS=False\n",
            ".env",
            "dotenv",
            Tls.STARTTLS,
        ),
    ],
)
def test_fastapi_mail_shapes(text: str, path: str, kind: str, tls: Tls) -> None:
    mail = python_mail(text, path) if kind == "python" else mail_of(text, path, kind)
    conn = only(mail)
    assert conn.library == "fastapi-mail" and conn.tls is tls


def test_keyword_settings_of_any_call() -> None:
    code = (
        "import os\nfrom django.conf import settings\n\nsettings.configure(\n"
        "    EMAIL_HOST='smtp.office365.com',\n    EMAIL_PORT=465,\n"
        "    EMAIL_HOST_USER='u@contoso.com',\n    EMAIL_HOST_PASSWORD='Hunter2Secret!',\n"
        "    EMAIL_USE_SSL=True)\n"
    )
    mail = python_mail(code, "manage_mail.py")
    conn = only(mail)
    assert conn.library == "django-settings" and conn.tls is Tls.IMPLICIT
    assert conn.port.span is not None and conn.port.span.line == 6
    assert [s.value.value for s in mail.secrets] == ["Hunter2Secret!"]
    # The last keyword has no comma after it: no flag is added there, the fix stays off.
    assert RemedyKind.PORT_587 not in conn.remedies
    with_comma = code.replace("EMAIL_USE_SSL=True)", "EMAIL_USE_SSL=True,\n)")
    conn = only(python_mail(with_comma, "manage_mail.py"))
    assert fixed(with_comma, conn, RemedyKind.PORT_587) == with_comma.replace("465", "587").replace(
        "    EMAIL_USE_SSL=True,\n", "    EMAIL_USE_SSL=False,\n    EMAIL_USE_TLS=True,\n"
    )
    # Lower-case keywords are arguments, not settings; ``**more`` may set anything.
    assert python_mail("send(email_host='smtp.office365.com', email_port=465)\n").connections == []
    partial = "configure(EMAIL_HOST='smtp.office365.com', **more)\n"
    assert only(python_mail(partial)).tls is Tls.UNKNOWN


# Adding the STARTTLS flag a file does not have.


@pytest.mark.parametrize(
    ("path", "kind", "before", "after"),
    [
        (
            "settings.py",
            "python",
            "EMAIL_HOST = 'smtp.office365.com'\nEMAIL_PORT = 465  # SSL\nEMAIL_USE_SSL = True\n",
            "EMAIL_HOST = 'smtp.office365.com'\nEMAIL_PORT = 587  # SSL\nEMAIL_USE_SSL = False\n"
            "EMAIL_USE_TLS = True\n",
        ),
        (
            "config.py",
            "python",
            "class Config:\n    MAIL_SERVER = 'smtp.office365.com'\n    MAIL_PORT = 465\n"
            "    MAIL_USE_SSL: bool = True  # implicit TLS\n    MAIL_DEBUG = False\n",
            "class Config:\n    MAIL_SERVER = 'smtp.office365.com'\n    MAIL_PORT = 587\n"
            "    MAIL_USE_SSL: bool = False  # implicit TLS\n    MAIL_USE_TLS: bool = True\n"
            "    MAIL_DEBUG = False\n",
        ),
        (
            ".env",
            "dotenv",
            "export EMAIL_HOST=smtp.office365.com\nexport EMAIL_PORT=465\n"
            "export EMAIL_USE_SSL=yes\n",
            "export EMAIL_HOST=smtp.office365.com\nexport EMAIL_PORT=587\n"
            "export EMAIL_USE_SSL=no\nexport EMAIL_USE_TLS=yes\n",
        ),
        (
            "config.yaml",
            "yaml",
            'mail:\n  MAIL_SERVER: smtp.office365.com\n  MAIL_PORT: "465"\n'
            '  MAIL_USE_SSL: "True"\n',
            'mail:\n  MAIL_SERVER: smtp.office365.com\n  MAIL_PORT: "587"\n'
            '  MAIL_USE_SSL: "False"\n  MAIL_USE_TLS: "True"\n',
        ),
        (
            "docker-compose.yml",
            "yaml",
            "services:\n  web:\n    environment:\n      - email_host=smtp.office365.com\n"
            "      - email_port=465\n      - email_use_ssl=1\n",
            "services:\n  web:\n    environment:\n      - email_host=smtp.office365.com\n"
            "      - email_port=587\n      - email_use_ssl=0\n      - email_use_tls=1\n",
        ),
        (
            "docker-compose.yml",
            "yaml",
            "services:\n  web:\n    environment:\n      - EMAIL_HOST=smtp.office365.com\n"
            "      - EMAIL_USE_SSL=True\n      - EMAIL_PORT=465\n",
            "services:\n  web:\n    environment:\n      - EMAIL_HOST=smtp.office365.com\n"
            "      - EMAIL_USE_SSL=False\n      - EMAIL_USE_TLS=True\n      - EMAIL_PORT=587\n",
        ),
        (
            "settings.yaml",
            "yaml",
            "EMAIL_HOST: smtp.office365.com\nEMAIL_PORT: 465\nEMAIL_USE_SSL: true\n",
            "EMAIL_HOST: smtp.office365.com\nEMAIL_PORT: 587\nEMAIL_USE_SSL: false\n"
            "EMAIL_USE_TLS: true\n",
        ),
        (
            "mail.json",
            "json",
            '{\n  "EMAIL_HOST": "smtp.office365.com",\n  "EMAIL_USE_SSL": true,\n'
            '  "EMAIL_PORT": 465\n}\n',
            '{\n  "EMAIL_HOST": "smtp.office365.com",\n  "EMAIL_USE_SSL": false,\n'
            '  "EMAIL_USE_TLS": true,\n  "EMAIL_PORT": 587\n}\n',
        ),
    ],
)
def test_port_587_adds_the_missing_starttls_flag(
    path: str, kind: str, before: str, after: str
) -> None:
    mail = python_mail(before, path) if kind == "python" else mail_of(before, path, kind)
    conn = only(mail)
    assert fixed(before, conn, RemedyKind.PORT_587) == after
    again = python_mail(after, path) if kind == "python" else mail_of(after, path, kind)
    assert only(again).tls is Tls.STARTTLS


@pytest.mark.parametrize(
    ("path", "kind", "text"),
    [
        # Kubernetes env lists: key and value on different lines.
        (
            "deploy.yaml",
            "yaml",
            "env:\n  - name: EMAIL_HOST\n    value: smtp.office365.com\n"
            '  - name: EMAIL_PORT\n    value: "465"\n  - name: EMAIL_USE_SSL\n    value: "True"\n',
        ),
        # The last member of a JSON object: the line before would need a comma.
        (
            "mail.json",
            "json",
            '{"m": {\n  "EMAIL_HOST": "smtp.office365.com",\n  "EMAIL_PORT": 465,\n'
            '  "EMAIL_USE_SSL": true\n}}\n',
        ),
        # A value read through a call: copying the line would copy the call's key too.
        (
            "settings.py",
            "python",
            "import environ\nenv = environ.Env()\nEMAIL_HOST = 'smtp.office365.com'\n"
            "EMAIL_PORT = 465\nEMAIL_USE_SSL = env.bool('EMAIL_USE_SSL', default=True)\n",
        ),
        # Whether implicit TLS is on is not known here (an override of unseen settings).
        (".env", "dotenv", "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=465\n"),
    ],
)
def test_no_flag_is_added_where_a_copy_would_not_be_right(path: str, kind: str, text: str) -> None:
    mail = python_mail(text, path) if kind == "python" else mail_of(text, path, kind)
    remedy = only(mail).remedies.get(RemedyKind.PORT_587)
    assert remedy is None or all(edit.start != edit.end for edit in remedy.edits)


def test_flask_mail_port_465_without_flags_gets_port_587_and_starttls() -> None:
    code = (
        "class Settings:\n"
        '    MAIL_SERVER: str = "smtp.office365.com"\n    MAIL_PORT: int = 465\n'
        '    MAIL_USERNAME: str = "reports@contoso.com"\n'
    )
    conn = only(python_mail(code, "settings.py"))
    assert conn.tls is Tls.NONE  # Flask-Mail's defaults: neither flag
    after = fixed(code, conn, RemedyKind.PORT_587)
    assert after == code.replace(
        "    MAIL_PORT: int = 465\n", "    MAIL_PORT: int = 587\n    MAIL_USE_TLS: bool = True\n"
    )
    assert only(python_mail(after, "settings.py")).tls is Tls.STARTTLS  # no AS203 left


# Django's LOGGING setting.


def test_logging_setting_with_smtp_handler() -> None:
    code = (
        "import os\n\nEMAIL_HOST = 'smtp.office365.com'\n\nLOGGING = {\n    'version': 1,\n"
        "    'handlers': {\n        'mail': {\n"
        "            'class': 'logging.handlers.SMTPHandler',\n"
        "            'mailhost': ('smtp.office365.com', 465),\n"
        "            'credentials': ('alerts@contoso.com', os.environ['ALERT_PW']),\n"
        "            'secure': (),\n        },\n    },\n}\n"
    )
    handlers = [c for c in python_mail(code).connections if c.log_handler]
    (conn,) = handlers
    assert conn.port.value == 465 and conn.port.span is not None and conn.port.span.line == 10
    (login,) = conn.logins()
    assert login.span.line == 11
    # With a dictConfig call in the module the adapter reads it: still one connection.
    called = code + "\nimport logging.config\nlogging.config.dictConfig(LOGGING)\n"
    assert len([c for c in python_mail(called).connections if c.log_handler]) == 1


# Mail URLs.


@pytest.mark.parametrize(
    ("url", "tls", "port"),
    [
        ("smtp://u:p@smtp.office365.com:587", Tls.NONE, 587),
        ("smtps://u:p@smtp.office365.com:587", Tls.STARTTLS, 587),  # dj-email-url's smtps
        ("smtp+tls://u:p@smtp.office365.com:587", Tls.STARTTLS, 587),
        ("smtp+ssl://u:p@smtp.office365.com:465", Tls.IMPLICIT, 465),
        ("submission://u:p@smtp.office365.com", Tls.STARTTLS, 587),
        ("smtp://u:p@smtp.office365.com", Tls.NONE, 25),  # Django's default port
        ("smtp://u:p@smtp.office365.com:465?ssl=True", Tls.IMPLICIT, 465),
        ("smtp+ssl://u:p@smtp.office365.com:587?tls=1", Tls.STARTTLS, 587),
    ],
)
def test_email_url_schemes(url: str, tls: Tls, port: int) -> None:
    conn = only(mail_of(f"EMAIL_URL={url}\n", ".env", "dotenv"))
    assert conn.library == "django-settings" and conn.tls is tls and conn.port.value == port


def test_email_url_parts_have_their_own_spans() -> None:
    text = "EMAIL_URL=smtp+tls://reports%40contoso.com:S3cr%2Ft@smtp.office365.com:465\n"
    mail = mail_of(text, ".env", "dotenv")
    conn = only(mail)
    assert conn.host.value == "smtp.office365.com"
    assert conn.port.span is not None and text[conn.port.span.start : conn.port.span.end] == "465"
    (login,) = conn.logins()
    assert login.user.value == "reports@contoso.com" and login.secret.value == "S3cr/t"
    (secret,) = mail.secrets
    assert secret.value.literal_span is not None
    assert text[secret.value.literal_span.start : secret.value.literal_span.end] == "S3cr%2Ft"
    assert fixed(text, conn, RemedyKind.PORT_587).endswith("@smtp.office365.com:587\n")
    # In Python, through django-environ with the URL as the default.
    code = (
        "import environ\nenv = environ.Env()\n"
        "EMAIL_URL = env('EMAIL_URL', default='smtp+ssl://u:Url-Pass-26@smtp.office365.com:465')\n"
    )
    mail = python_mail(code)
    conn = only(mail)
    assert conn.tls is Tls.IMPLICIT and conn.host.origin == "env EMAIL_URL"
    (secret,) = mail.secrets
    assert secret.value.literal_span is not None
    assert code[secret.value.literal_span.start : secret.value.literal_span.end] == "Url-Pass-26"
    # Other schemes are other backends.
    assert mail_of("EMAIL_URL=console://\n", ".env", "dotenv").connections == []


def test_airflow_connection_uris() -> None:
    text = (
        "AIRFLOW_CONN_SMTP_DEFAULT=smtp://a%40contoso.com:Pw-Airflow-1@smtp.office365.com:587\n"
        "AIRFLOW_CONN_SMTP_OK=smtp://a%40contoso.com:Pw-Airflow-1@smtp.office365.com:587"
        "?disable_ssl=true\n"
        "AIRFLOW_CONN_PG=postgres://u:p@db:5432/x\n"
    )
    default, ok = mail_of(text, ".env", "dotenv").connections
    assert default.library == "airflow-smtp-connection" and default.tls is Tls.IMPLICIT
    assert ok.tls is Tls.STARTTLS
    assert default.logins()[0].user.value == "a@contoso.com"


# Where unknown values come from (the evaluator).


@pytest.mark.parametrize(
    ("wrapper", "call"),
    [
        (
            "def get_env_variable(var_name):\n    try:\n        return os.environ[var_name]\n"
            "    except KeyError:\n        raise ImproperlyConfigured(var_name)\n",
            "get_env_variable('EMAIL_HOST')",
        ),
        (
            "def env(name, default=None):\n    return os.environ.get(name, default)\n",
            "env('EMAIL_HOST')",
        ),
        ("def setting(key):\n    return os.getenv(key)\n", "setting(key='EMAIL_HOST')"),
    ],
)
def test_local_environment_wrappers_name_the_variable(wrapper: str, call: str) -> None:
    code = f"import os\n\n{wrapper}\n\nEMAIL_HOST = {call}\nEMAIL_HOST_PASSWORD = 'x-Pa55'\n"
    (conn,) = settings_connections(python_mail(code))
    assert not conn.host.known and conn.host.origin == "env EMAIL_HOST"


def test_wrapper_defaults_and_other_functions() -> None:
    code = (
        "import os\n\ndef env(name, default=None):\n    return os.environ.get(name, default)\n\n"
        "def host():\n    return compute()\n\n"
        "EMAIL_HOST = env('EMAIL_HOST', 'smtp.office365.com')\nEMAIL_PORT = env('P', 465)\n"
        "MAIL_SERVER = host()\nMAIL_PORT = 25\n"
    )
    django, flask = sorted(settings_connections(python_mail(code)), key=lambda c: c.library)
    assert django.host.value == "smtp.office365.com" and django.host.origin == "env EMAIL_HOST"
    assert django.port.value == 465
    # Not a read of the environment: the call stays a call.
    assert flask.host.origin == "call host"


def test_config_lookups_name_the_key() -> None:
    code = (
        "import smtplib\n\ndef send(app, current_app):\n"
        "    smtp = smtplib.SMTP(app.config['MAIL_SERVER'], 587)\n"
        "    other = smtplib.SMTP(current_app.config.get('SMTP_HOST', 'smtp.office365.com'))\n"
    )
    first, second = python_mail(code, "mailer.py").connections
    assert first.host.origin == "config key MAIL_SERVER" and not first.host.known
    assert second.host.value == "smtp.office365.com"
    assert second.host.origin == "config key SMTP_HOST"
