"""Shapes of real code (issue 14): client classes chosen at run time, tables, tokens
fetched without MSAL, Python 2, hosts and secrets as people write them. Findings pinned
by file, line and rule; the negatives stay silent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions, check_source
from authsweep.scanner.findings import Confidence
from authsweep.scanner.providers import lookup
from authsweep.scanner.python.python2 import LineMap, translate
from authsweep.scanner.runner import check_paths
from authsweep.scanner.secrets import is_placeholder

SHAPES = Path(__file__).resolve().parent.parent / "fixtures" / "real_shapes"


def pinned(folder: str) -> set[tuple[str, int, str]]:
    run = check_paths([str(SHAPES / folder)], RunOptions())
    return {
        (Path(f.path).resolve().relative_to(SHAPES / folder).as_posix(), f.span.line, f.rule)
        for f in run.findings
    }


def test_client_class_chosen_at_run_time() -> None:
    assert pinned("transport_choice") == {
        # by a helper, by port: one connection, its TLS unknown, so no AS206 on starttls();
        # plain and never upgraded for a port other than 465 and 587 (AS203)
        ("by_port.py", 16, "AS204"),
        ("by_port.py", 17, "AS101"),
        ("by_port.py", 17, "AS203"),
        # an alias, and getattr(smtplib, "SMTP_SSL" if ... else "SMTP"): plain when
        # use_ssl is false
        ("alias.py", 9, "AS101"),
        ("alias.py", 9, "AS203"),
        ("alias.py", 14, "AS101"),
        ("alias.py", 14, "AS203"),
        # a class attribute a subclass overrides: the base class's objects are plain
        ("base_transport.py", 15, "AS101"),
        ("base_transport.py", 15, "AS203"),
        # ``A(...) if ssl else B(...)``: the login is reported once, AS203 for the plain arm;
        # the port's default (587, from the environment) serves the plain arm, and the user
        # who picks implicit TLS sets the port: no AS201
        ("conditional.py", 10, "AS204"),
        ("conditional.py", 11, "AS101"),
        ("conditional.py", 11, "AS203"),
    }


def test_one_finding_per_login_on_alternative_connections() -> None:
    run = check_paths([str(SHAPES / "transport_choice" / "conditional.py")], RunOptions())
    assert [f.rule for f in run.findings if f.span.line == 11].count("AS101") == 1


def test_values_from_tables() -> None:
    assert pinned("tables") == {
        # the Microsoft row of the table: its host and its own port stay together
        ("servers.py", 18, "AS202"),
        ("servers.py", 19, "AS204"),
        ("servers.py", 20, "AS101"),
        ("servers.py", 31, "AS204"),
        ("servers.py", 32, "AS102"),
        # AUTH[1] is the literal; dict(...) spread; .get on a dict of the module
        ("settings_values.py", 6, "AS105"),
        ("settings_values.py", 12, "AS101"),
        ("settings_values.py", 14, "AS202"),
    }


def test_loop_row_keeps_host_and_port_together() -> None:
    code = (
        "import smtplib\n"
        "SERVERS = [('smtp.office365.com', 587), ('smtp.gmail.com', 465)]\n"
        "for host, port in SERVERS:\n"
        "    smtplib.SMTP_SSL(host, port).login('u', PASSWORD)\n"
    )
    rules = {f.rule for f in check_source("m.py", "python", code.encode(), _rules()).findings}
    assert "AS201" in rules and "AS202" not in rules


@pytest.mark.slow
def test_token_requests_without_msal() -> None:
    assert pinned("http_tokens") == {
        ("ropc_requests.py", 19, "AS106"),
        ("graph_scope.py", 9, "AS302"),
        ("urllib_ropc.py", 19, "AS106"),
        ("oauthlib_ropc.py", 9, "AS106"),
    }


def test_python2_at_full_depth_low_confidence_no_fix() -> None:
    run = check_paths([str(SHAPES / "python2")], RunOptions())
    found = {(f.span.line, f.span.column, f.rule) for f in run.findings}
    assert found == {
        (5, 12, "AS105"),  # the literal, at its column in the file
        (8, 11, "AS204"),  # POP3_SSL without a context
        (10, 5, "AS102"),
        (16, 9, "AS204"),
        (17, 9, "AS101"),
    }
    assert all(f.confidence is Confidence.LOW and f.fix is None for f in run.findings)
    # Still not Python 3: reported, so a gate does not pass it silently.
    assert len(run.errors) == 1 and "Python 3 translation" in run.errors[0].message
    frames = [text for f in run.findings for _, text in f.frame]
    assert not any("Autumn!2019x" in text for text in frames)


def test_python2_without_fissix_falls_back_to_token_scan(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "fissix.refactor", None)
    assert translate("print 'x'\n") is None
    data = (SHAPES / "python2" / "legacy_report.py").read_bytes()
    result = check_source("legacy_report.py", "python", data, _rules())
    assert result.errors and all(f.confidence is Confidence.LOW for f in result.findings)
    assert "AS101" in {f.rule for f in result.findings}


def test_line_map_takes_columns_back() -> None:
    original = "print 'sent', x\nif x:\n\tserver.login(u, p)\n"
    translated = translate(original)
    assert translated is not None and translated.count("\n") == 3
    lines = LineMap(original, translated)
    # ``x`` moved right by the added parenthesis; the tab became eight spaces.
    assert lines.column(1, translated.splitlines()[0].index("x") + 1) == original.index("x") + 1
    assert lines.column(3, 9) == 2


def test_misspelt_hosts_are_probably_microsoft() -> None:
    assert pinned("hosts") == {("typo_host.py", 9, "AS101"), ("typo_host.py", 13, "AS101")}
    run = check_paths([str(SHAPES / "hosts")], RunOptions())
    assert all("misspelling" in f.message for f in run.findings)
    assert all(f.confidence is Confidence.MEDIUM for f in run.findings)


@pytest.mark.parametrize(
    ("host", "meant"),
    [
        ("smpt-mail.outlook.com", "smtp-mail.outlook.com"),
        ("smtp.office365.con", "smtp.office365.com"),
        ("smtp.ofice365.com", "smtp.office365.com"),
        ("Outlook.com", "smtp-mail.outlook.com"),
        ("imap.outlok.com", "imap.outlook.com"),
    ],
)
def test_near_misses(host: str, meant: str) -> None:
    provider = lookup(host)
    assert provider.microsoft and provider.meant_host == meant


@pytest.mark.parametrize(
    "host",
    ["smtp.gmail.com", "smtp.gmx.com", "smtp.mail.com", "smtp.office.com", "mail.contoso.com"],
)
def test_other_hosts_stay_other(host: str) -> None:
    assert not lookup(host).microsoft


def test_table_hosts_are_not_near_misses() -> None:
    assert not lookup("SMTP.Office365.com").probable
    assert lookup("autodiscover-s.outlook.com").microsoft


@pytest.mark.parametrize(
    "value",
    [
        "senha", "sua_senha", "contraseña", "passwort", "mot_de_passe", "pw", "test", "testpass",
        # a few words that say what goes there
        "AD credentials", "gmail app password", "Office365 password", "email senha",
    ],
)  # fmt: skip
def test_placeholders_in_other_languages_and_tests(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    ["Winter2026!", "xq123456", "hunter2", "P@ssw0rd", "qwerty", "correct horse battery staple"],
)
def test_real_looking_passwords_are_secrets(value: str) -> None:
    assert not is_placeholder(value)


def test_negatives_stay_silent() -> None:
    assert pinned("negatives") == set()


def _rules():
    from authsweep.rules import ALL_RULES

    return [rule() for rule in ALL_RULES]


def test_dotenv_value_read_by_code_names_both_places(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / ".env").write_text("# mail\nSMTP_HOST=smtp.office365.com\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "mailer.py").write_text(
        "import os, smtplib, ssl\n"
        "s = smtplib.SMTP(os.environ['SMTP_HOST'], 587)\n"
        "s.starttls(context=ssl.create_default_context())\n"
        "s.login(os.getenv('SMTP_USER'), os.getenv('SMTP_PASSWORD'))\n"
    )
    run = check_paths([str(tmp_path / "app")], RunOptions())
    (finding,) = run.findings
    assert finding.rule == "AS101" and finding.severity.value == "error"
    assert "env SMTP_HOST, set in ../.env line 2" in finding.message


def test_dotenv_above_the_project_root_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SMTP_HOST=smtp.office365.com\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("")
    (project / ".env.example").write_text("SMTP_HOST=smtp.office365.com\n")
    (project / "mailer.py").write_text(
        "import os, smtplib\ns = smtplib.SMTP(os.environ['SMTP_HOST'], 587)\ns.starttls()\n"
        "s.login(u, p)\n"
    )
    run = check_paths([str(project / "mailer.py")], RunOptions())
    assert {f.severity.value for f in run.findings} == {"warning"}


def test_settings_module_values_of_any_shape(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "settings.py").write_text(
        "DOMAIN = 'office365.com'\n"
        "SMTP = {'host': f'smtp.{DOMAIN}', 'port': 465}\n"
        "class Config:\n"
        "    IMAP_HOST = 'outlook.office365.com'\n"
    )
    (package / "mailer.py").write_text(
        "import imaplib, smtplib\n"
        "from .settings import SMTP, Config\n"
        "s = smtplib.SMTP_SSL(SMTP['host'], SMTP['port'])\n"
        "s.login(u, p)\n"
        "i = imaplib.IMAP4_SSL(Config.IMAP_HOST)\n"
        "i.login(u, p)\n"
    )
    run = check_paths([str(package / "mailer.py")], RunOptions())
    assert {(f.span.line, f.rule) for f in run.findings} == {
        (3, "AS202"),
        (3, "AS204"),
        (4, "AS101"),
        (5, "AS204"),
        (6, "AS102"),
    }


def test_project_wrappers_take_their_callers_values() -> None:
    assert pinned("wrappers") == {
        # super().__init__("smtp.office365.com", 587, user, password) of a preset subclass
        ("presets.py", 11, "AS101"),
        ("presets.py", 27, "AS105"),  # the password handed to the preset, where written
        # client.configure_smtp("smtp.office365.com", 465) then client.login(...)
        ("presets.py", 21, "AS202"),
        ("presets.py", 24, "AS101"),
        ("presets.py", 24, "AS203"),
        ("presets.py", 30, "AS105"),
        # connect() called for Gmail and Office 365: the Office 365 call's port (587)
        ("helpers.py", 11, "AS101"),
    }
