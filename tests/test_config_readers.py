"""The config readers: exact positions, quoting, references, and refusing what they must."""

from __future__ import annotations

import pytest
from authsweep.rules import ALL_RULES
from authsweep.scanner.config import analyze_config, read_settings, yaml_file
from authsweep.scanner.engine import check_source
from authsweep.scanner.errors import ParseError
from authsweep.scanner.mail_settings.keys import Setting
from authsweep.scanner.text import Source


def settings_of(path: str, kind: str, text: str) -> dict[str, Setting]:
    return {s.key: s for s in read_settings(path, kind, text)}


def at(text: str, setting: Setting) -> str:
    """The text under the value's span."""
    span = setting.value.span
    assert span is not None
    return text[span.start : span.end]


def token(text: str, setting: Setting) -> str:
    assert setting.token is not None, f"{setting.key} has no editable token"
    assert text[setting.token.start : setting.token.end] == setting.token_text
    return setting.token_text


# dotenv


DOTENV = (
    "# mail\n"
    "export EMAIL_HOST=smtp.office365.com\n"
    "EMAIL_PORT = 465   # implicit TLS\n"
    'EMAIL_HOST_PASSWORD="pa\\"ss"\n'
    "EMAIL_HOST_USER='me@contoso.com'  # comment\n"
    "SMTP_PASSWORD=${SMTP_PASSWORD}\n"
    "SMTP_PORT=${SMTP_PORT:-587}\n"
    'MAIL_PASSWORD="line one\n'
    'line two"\n'
    "MAIL_SERVER=smtp.${DOMAIN}\n"
    "not a setting line\n"
    "MAIL_PORT=\n"
)


def test_dotenv_values_and_positions() -> None:
    found = settings_of(".env", "dotenv", DOTENV)
    host = found["EMAIL_HOST"]
    assert host.value.value == "smtp.office365.com" and host.value.literal
    assert (host.span.line, host.span.column) == (2, 8)
    assert token(DOTENV, host) == "smtp.office365.com"
    port = found["EMAIL_PORT"]
    assert port.value.value == "465" and token(DOTENV, port) == "465"
    assert (port.value.span.line, port.value.span.column) == (3, 14)
    # Escapes: decoded value, no token to edit in place.
    password = found["EMAIL_HOST_PASSWORD"]
    assert password.value.value == 'pa"ss' and password.token is None
    user = found["EMAIL_HOST_USER"]
    assert user.value.value == "me@contoso.com" and token(DOTENV, user) == "me@contoso.com"


def test_dotenv_references_are_not_literals() -> None:
    found = settings_of(".env", "dotenv", DOTENV)
    reference = found["SMTP_PASSWORD"].value
    assert not reference.known and reference.origin == "env SMTP_PASSWORD"
    default = found["SMTP_PORT"]
    assert default.value.known and default.value.value == "587"
    assert default.value.origin == "env SMTP_PORT"
    assert token(DOTENV, default) == "587"  # a fix edits the default inside ${...}
    assert not found["MAIL_SERVER"].value.known  # partly interpolated
    assert found["MAIL_PASSWORD"].value.value == "line one\nline two"
    assert found["MAIL_PORT"].value.value == ""


def test_dotenv_crlf_and_bom_offsets() -> None:
    text = "EMAIL_HOST=smtp.office365.com\r\nEMAIL_PORT=465\r\n"
    data = b"\xef\xbb\xbf" + text.encode()
    mail = analyze_config(".env", Source("dotenv", data))
    (conn,) = mail.connections
    assert conn.port.value == 465
    span = conn.port.span
    assert span is not None and (span.line, span.column, span.start) == (2, 12, 42)
    assert text[span.start : span.end] == "465"


# INI


INI = (
    "[smtp]\n"
    "; Airflow\n"
    "smtp_host = smtp.office365.com\n"
    "smtp_ssl: True ; inline comment\n"
    "smtp_password = %(SMTP_PASSWORD)s\n"
    'smtp_user = "airflow@contoso.com"\n'
    "smtp_port = 587\n"
    "smtp_mail_from = a@contoso.com\n"
    "    continued@contoso.com\n"
)


def test_ini_values_and_positions() -> None:
    found = settings_of("airflow.cfg", "ini", INI)
    assert {s.group for s in found.values()} == {"smtp"}
    assert token(INI, found["smtp_host"]) == "smtp.office365.com"
    ssl = found["smtp_ssl"]
    assert ssl.value.value == "True" and token(INI, ssl) == "True"
    assert (ssl.span.line, ssl.span.column, ssl.value.span.column) == (4, 1, 11)
    # configparser interpolation syntax is a reference, never an error.
    assert not found["smtp_password"].value.known
    assert token(INI, found["smtp_user"]) == "airflow@contoso.com"  # quotes kept out


def test_ini_continuation_has_no_token() -> None:
    text = "[smtp]\nsmtp_host = smtp.office365.com\nsmtp_password = abc\n  def\n"
    found = settings_of("a.ini", "ini", text)
    assert found["smtp_password"].value.value == "abc\ndef"
    assert found["smtp_password"].token is None


def test_conf_that_is_not_ini_is_skipped_silently() -> None:
    text = "mail {\n    smtp_auth login;\n    server { listen 587; protocol smtp; }\n}\n"
    assert read_settings("nginx.conf", "ini", text) == []
    result = check_source("nginx.conf", "ini", text.encode(), [r() for r in ALL_RULES])
    assert not result.errors and not result.findings
    # The same text in an .ini is read leniently: no error either.
    assert read_settings("mail.ini", "ini", text) == []


def test_conf_that_is_ini_is_read() -> None:
    text = "[smtp]\nsmtp_host = smtp.office365.com\nsmtp_port = 465\n"
    assert {s.key for s in read_settings("airflow.conf", "ini", text)} == {
        "smtp_host",
        "smtp_port",
    }


def test_logging_fileconfig_smtphandler_arguments() -> None:
    line = (
        "args=(('smtp.office365.com', 25), 'from@contoso.com', ['to@contoso.com'], "
        "'Subject', ('user@contoso.com', 'Pässword1'), ())\n"
    )
    text = "[handler_mail]\nclass=logging.handlers.SMTPHandler\nlevel=ERROR\n" + line
    found = settings_of("logging.ini", "ini", text)
    assert token(text, found["mailhost.0"]) == "smtp.office365.com"
    assert token(text, found["mailhost.1"]) == "25"
    assert found["mailhost.1"].value.value == 25
    assert at(text, found["credentials.1"]) == "Pässword1"
    assert found["credentials.1"].value.literal
    assert found["secure"].value.known
    # Columns count characters, not the UTF-8 bytes ast reports.
    after = found["credentials.1"].value.span
    assert after is not None and text[after.end] == "'"
    mail = analyze_config("logging.ini", Source("ini", text.encode()))
    (conn,) = mail.connections
    assert conn.library == "logging.handlers.SMTPHandler" and conn.log_handler
    assert conn.tls.value == "starttls" and conn.port.value == 25
    (login,) = conn.logins()
    assert login.secret.value == "Pässword1"


def test_smtphandler_args_are_parsed_never_evaluated() -> None:
    text = (
        "[handler_mail]\nclass=handlers.SMTPHandler\n"
        "args=(__import__('os').system('echo pwned'), 'a', ['b'], 'c')\n"
    )
    found = settings_of("logging.ini", "ini", text)
    assert not found["mailhost"].value.known


# YAML


COMPOSE = (
    "services:\n"
    "  web:\n"
    "    environment:\n"
    "      - EMAIL_HOST=smtp.office365.com\n"
    "      - 'EMAIL_PORT=465'\n"
    "      - EMAIL_HOST_USER\n"
    "  worker:\n"
    "    environment:\n"
    "      SMTP_HOST: smtp.office365.com\n"
    '      SMTP_PORT: "465"\n'
    "      SMTP_PASSWORD: ${SMTP_PASSWORD:?required}\n"
)


def test_compose_environment_list_and_map() -> None:
    settings = read_settings("docker-compose.yml", "yaml", COMPOSE)
    found = {(s.group, s.key): s for s in settings}
    host = found[("services/web/environment", "EMAIL_HOST")]
    assert (host.span.line, host.span.column, host.span.end_column) == (4, 9, 19)
    assert token(COMPOSE, host) == "smtp.office365.com"
    port = found[("services/web/environment", "EMAIL_PORT")]
    assert port.value.value == "465" and token(COMPOSE, port) == "465"
    assert ("services/web/environment", "EMAIL_HOST_USER") not in found
    worker = found[("services/worker/environment", "SMTP_PORT")]
    assert token(COMPOSE, worker) == "465"
    assert not found[("services/worker/environment", "SMTP_PASSWORD")].value.known


def test_kubernetes_env_list() -> None:
    text = (
        "spec:\n  containers:\n    - name: app\n      env:\n"
        "        - name: SMTP_HOST\n          value: smtp.office365.com\n"
        "        - name: SMTP_PORT\n          value: '465'\n"
        "        - name: SMTP_PASSWORD\n          valueFrom:\n"
        "            secretKeyRef: {name: smtp, key: password}\n"
    )
    found = {s.key: s for s in read_settings("deploy.yaml", "yaml", text)}
    assert found["SMTP_HOST"].group == "spec/containers/0/env"
    assert found["SMTP_HOST"].span.line == 5  # the name
    assert token(text, found["SMTP_PORT"]) == "465"
    password = found["SMTP_PASSWORD"].value
    assert not password.known and password.origin == "valueFrom"


def test_yaml_types_tags_and_merge_keys() -> None:
    text = (
        "defaults: &mail\n  host: smtp.office365.com\n  port: 465\n"
        "email:\n  <<: *mail\n  ssl: yes\n  password: !secret mail_password\n  user:\n"
    )
    found = {(s.group, s.key): s for s in read_settings("c.yaml", "yaml", text)}
    assert found[("email", "port")].value.value == 465  # merged from the anchor
    assert found[("email", "port")].span.line == 3  # where it is written
    assert found[("email", "ssl")].value.value is True
    secret = found[("email", "password")].value
    assert not secret.known and secret.origin == "secret mail_password"
    assert found[("email", "user")].value.value is None


def test_yaml_multiple_documents() -> None:
    text = "mail:\n  host: a.example\n---\nmail:\n  host: smtp.office365.com\n"
    groups = [s.group for s in read_settings("m.yaml", "yaml", text)]
    assert groups == ["mail", "1/mail"]


def test_billion_laughs_is_linear() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append("smtp:\n  host: smtp.office365.com\n  laughs: *a11")
    text = "\n".join(lines) + "\n"
    converter = yaml_file._Converter(text)
    import yaml

    converter.convert(yaml.compose(text, Loader=yaml_file._Loader))
    assert converter.count < 100  # 9**12 nodes if aliases were expanded
    settings = read_settings("bomb.yaml", "yaml", text)
    assert [s.key for s in settings] == ["host"]


def test_recursive_alias_terminates() -> None:
    text = "smtp: &s\n  host: smtp.office365.com\n  self: *s\n"
    assert [s.key for s in read_settings("r.yaml", "yaml", text)] == ["host"]


def test_huge_yaml_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_file, "MAX_CHARS", 100)
    with pytest.raises(ParseError, match="not read"):
        read_settings("big.yaml", "yaml", "smtp_host: x\n" * 20)
    monkeypatch.setattr(yaml_file, "MAX_NODES", 10)
    monkeypatch.setattr(yaml_file, "MAX_CHARS", 10_000)
    with pytest.raises(ParseError, match="nodes"):
        read_settings("many.yaml", "yaml", "smtp: [" + ", ".join(["1"] * 20) + "]\n")


def test_helm_template_is_skipped_not_an_error() -> None:
    text = "env:\n{{- if .Values.smtp.enabled }}\n  - name: SMTP_HOST\n{{- end }}\n"
    assert read_settings("templates/deployment.yaml", "yaml", text) == []


@pytest.mark.parametrize(
    ("path", "kind", "text"),
    [
        ("api.yaml", "yaml", "# generated\nopenapi: 3.1.0\ninfo:\n  title: x\n"),
        ("api.json", "json", '{\n  "swagger": "2.0",\n  "info": {"title": "x"}\n}'),
    ],
)
def test_api_descriptions_are_not_settings(path: str, kind: str, text: str) -> None:
    example = "\nexample:\n  smtp_host: smtp.office365.com\n  smtp_password: hunter2\n"
    body = text + example if kind == "yaml" else text
    assert read_settings(path, kind, body) == []
    config = "smtp:\n  openapi_spec: docs/api.yaml\n  host: smtp.office365.com\n"
    assert read_settings("app.yaml", "yaml", config) != []


@pytest.mark.parametrize(
    ("path", "kind", "text", "found"),
    [
        ("api.yaml", "yaml", "openapi: 3.1.0\nexample:\n  smtp_host: smtp.office365.com\n", False),
        ("app.yaml", "yaml", "smtp:\n  host: smtp.office365.com\n  port: 25\n", True),
    ],
)
def test_an_api_description_is_passed_over_before_its_line_index(
    path: str, kind: str, text: str, found: bool
) -> None:
    """A generated spec of 16,000 lines cost 55 M instructions of line index alone; a
    config file's settings still have theirs (positions)."""
    source = Source(kind, text.encode())
    mail = analyze_config(path, source)
    assert bool(mail.connections) is found
    assert ("lines" in vars(source)) is found


@pytest.mark.parametrize(
    ("path", "kind", "text", "message"),
    [
        ("bad.yaml", "yaml", "smtp:\n  host: [unclosed\n", "invalid YAML at line"),
        ("bad.toml", "toml", "[smtp]\nhost = \n", "invalid TOML"),
        ("bad.json", "json", '{"smtp": {"host": }}', "invalid JSON at line 1"),
        ("deep.json", "json", "[" * 100_000 + '"smtp"' + "]" * 100_000, "nested too deeply"),
    ],
)
def test_invalid_files_are_error_entries(path: str, kind: str, text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        analyze_config(path, Source(kind, text.encode()))
    result = check_source(path, kind, text.encode(), [r() for r in ALL_RULES])
    assert result.findings == []
    assert [e.kind for e in result.errors] == ["unparsable"]


def test_undecodable_file_is_an_error_entry() -> None:
    result = check_source("a.yaml", "yaml", b"smtp_host: caf\xe9\n", [r() for r in ALL_RULES])
    assert [e.kind for e in result.errors] == ["unparsable"]
    assert analyze_config("a.conf", Source("ini", b"smtp_host = caf\xe9\n")).connections == []


# TOML


TOML = (
    "[tool.reports.mail]\n"
    'host = "smtp.office365.com"\n'
    "port = 465 # implicit\n"
    "ssl = true\n"
    "password = 'literal\\path'\n"
    'username = "a\\u0040contoso.com"\n'
    "[[mailers]]\n"
    "smtp = { host = 'smtp.office365.com', port = 25 }\n"
)


def test_toml_values_and_positions() -> None:
    found = {(s.group, s.key): s for s in read_settings("pyproject.toml", "toml", TOML)}
    port = found[("tool/reports/mail", "port")]
    assert port.value.value == 465 and token(TOML, port) == "465"
    assert (port.span.line, port.value.span.column) == (3, 8)
    assert found[("tool/reports/mail", "ssl")].value.value is True
    assert token(TOML, found[("tool/reports/mail", "password")]) == "literal\\path"
    username = found[("tool/reports/mail", "username")]
    assert username.value.value == "a@contoso.com" and username.token is None
    inline = found[("mailers/0/smtp", "port")]
    assert inline.value.value == 25 and token(TOML, inline) == "25"


# JSON


def test_json_values_and_positions() -> None:
    text = (
        '{"conn": {"conn_type": "smtp", "host": "smtp.office365.com",\n'
        ' "password": "p\\u00e4ss", "port": 465,\n'
        ' "extra": {"disable_ssl": false}, "nested": [{"smtp_host": "é"}]}}'
    )
    found = {(s.group, s.key): s for s in read_settings("c.json", "json", text)}
    assert token(text, found[("conn", "host")]) == "smtp.office365.com"
    port = found[("conn", "port")]
    assert port.value.value == 465 and (port.span.line, port.value.span.column) == (2, 35)
    assert found[("conn", "password")].value.value == "päss"
    assert found[("conn", "password")].token is None
    assert found[("conn", "extra.disable_ssl")].value.value is False
    assert token(text, found[("conn/nested/0", "smtp_host")]) == "é"
