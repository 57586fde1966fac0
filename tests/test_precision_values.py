"""Values read as the libraries mean them (issue 22, precision round 9): a configparser
parser's ``get(section, option)`` is never ``dict.get(key, default)``; a call of a name
two distributions share is read with the signature its arguments fit; a secret is a mail
one; a host one letter off a Microsoft one is Microsoft's only where that is a typo."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.providers import lookup
from authsweep.scanner.runner import check_paths

PRECISION = Path(__file__).resolve().parent.parent / "fixtures" / "precision"


def findings(path: Path) -> list[tuple[int, str, str, str]]:
    run = check_paths([str(path)], RunOptions())
    return sorted((f.span.line, f.rule, f.severity.value, f.message) for f in run.findings)


def test_a_parser_the_module_does_not_build_reads_options() -> None:
    """A parser passed in (a parameter named like a config or a parser, one annotated with a
    configparser class, ``self.config`` set from one, one the module calls
    ``has_section`` on, one given ``fallback=``): its option is the user's host, reported
    as an unknown one (it was the one-label host ``"server"``/``"outbound"`` and the
    login went unreported). A mapping's default stays the value: ``smtp.office365.com``
    is an error; ``localhost`` stands in for the server the mapping names, an unknown
    host; a parser's ``fallback=`` is its default."""
    found = findings(PRECISION / "ini_parsers" / "parameters.py")
    assert [(line, rule, severity) for line, rule, severity, _ in found] == [
        (12, "AS204", "warning"),
        (13, "AS101", "warning"),
        (18, "AS204", "warning"),
        (19, "AS101", "warning"),
        (28, "AS204", "warning"),
        (29, "AS101", "warning"),
        (36, "AS204", "warning"),
        (37, "AS101", "warning"),
        (45, "AS204", "warning"),
        (46, "AS101", "error"),
        (51, "AS101", "warning"),
        (51, "AS203", "warning"),
        (57, "AS204", "warning"),
        (58, "AS101", "error"),
        (64, "AS204", "warning"),
        (65, "AS101", "warning"),
    ]
    logins = {line: message for line, rule, _, message in found if rule == "AS101"}
    assert "INI [email] server" in logins[13]
    assert all("INI [relay] outbound" in logins[line] for line in (19, 29, 37, 65))
    assert "'smtp.office365.com' (default of config key MAIL_SERVER)" in logins[46]
    assert "'smtp.office365.com' (default of INI [relay] outbound)" in logins[58]


def test_mailer_by_position_is_read_with_the_signature_it_fits() -> None:
    """mailer 0.8.1's ``Mailer("smtp.office365.com", SMTP_PORT)`` and ``Mailer(host)``
    are not quick-mailer's ``Mailer(email, password)`` (both required, as text, the first
    an address): they connect to that host (no STARTTLS without ``use_tls``: AS203; port
    0 is smtplib's 25: AS202), and ``login()`` then sends the password. Before, both were
    read as quick-mailer's Gmail preset and nothing was reported. quick-mailer's own
    ``Mailer("me@contoso.com", "...")`` by position keeps its preset API."""
    folder = PRECISION / "mailer_signatures"
    assert [(line, rule) for line, rule, _, _ in findings(folder / "old_mailer.py")] == [
        (15, "AS101"),
        (15, "AS105"),
        (15, "AS203"),
        (19, "AS202"),
        (20, "AS101"),
        (20, "AS105"),
        (20, "AS203"),
    ]
    assert [(line, rule) for line, rule, _, _ in findings(folder / "quick_mailer.py")] == [
        (6, "AS101"),
        (6, "AS105"),
    ]


def test_another_services_password_is_no_mail_secret() -> None:
    """``DB_PASSWORD``, ``MYSQL_ROOT_PASSWORD``, ``FTP_PASS``, ``ZIP_PASSWORD`` in a mail
    script are not mail passwords (they were AS105 by their names); ``EMAIL_PASSWORD`` and
    ``NOTIFY_PASSWORD`` are, and ``DB_PASSWORD`` is once the SMTP login takes it."""
    found = findings(PRECISION / "other_secrets" / "report.py")
    assert [(line, severity) for line, rule, severity, _ in found if rule == "AS105"] == [
        (8, "error"),
        (12, "error"),
        (13, "error"),
    ]
    assert "to the SMTP login at line 19, as `DB_PASSWORD`" in found[0][3]


@pytest.mark.parametrize(
    "host", ["smtp.line.com", "smtp.love.com", "smtp.lives.com", "smtp.kive.com", "smtp.liv.com"]
)
def test_a_short_domain_one_letter_off_is_another_domain(host: str) -> None:
    """``live`` is too short a name for a letter changed to be a typo of it: ``line.com``
    is another company's domain, not Outlook.com's (it was "probably Outlook.com", an
    AS101 error)."""
    assert not lookup(host).microsoft


@pytest.mark.parametrize(
    ("host", "meant"),
    [
        ("smpt.live.com", "smtp.live.com"),
        ("smtp.live.con", "smtp.live.com"),
        ("smtp.hotmial.com", "smtp.hotmail.com"),
        ("outlook.ofice.com", "outlook.office.com"),
    ],
)
def test_the_nearest_misspellings_stay_microsoft(host: str, meant: str) -> None:
    """A typo in the service's label or the top-level domain of a short name, or in a
    longer domain name, is still the Microsoft host."""
    provider = lookup(host)
    assert provider.microsoft and provider.meant_host == meant


def test_a_host_the_call_does_not_give_is_said_unknown(tmp_path: Path) -> None:
    """``SMTP_SSL()`` then ``connect(host, 587)`` with ``host = ""``: the login is to "an
    unknown host" (the message said "the host from missing")."""
    script = tmp_path / "mail.py"
    script.write_text(
        "import smtplib\n"
        "mail_host = ''\n"
        "def send(user, password):\n"
        "    s = smtplib.SMTP_SSL()\n"
        "    s.connect(mail_host, 587)\n"
        "    s.login(user, password)\n"
    )
    run = check_paths([str(script)], RunOptions())
    logins = [f.message for f in run.findings if f.rule == "AS101"]
    assert len(logins) == 1 and logins[0].startswith("SMTP password login to an unknown host:")


def test_a_databases_password_in_django_settings_is_no_mail_secret() -> None:
    """``DATABASES["default"]["PASSWORD"]`` and ``CACHES[...]["OPTIONS"]["PASSWORD"]`` in
    settings that also configure Office 365 mail were AS105 by their key; the mail
    password and a password under a mail entry (``NOTIFIERS["smtp"]``) still are."""
    found = findings(PRECISION / "other_secrets" / "settings.py")
    assert [(line, rule) for line, rule, _, _ in found] == [
        (20, "AS105"),
        (25, "AS101"),
        (25, "AS105"),
    ]


def test_a_password_given_to_another_services_library_is_no_mail_secret() -> None:
    """``ftp.login(user, "...")`` of an ``ftplib.FTP``, ``pymysql.connect(password=...)``,
    ``paramiko.SSHClient().connect(password=...)`` in a mail script were AS105; the SMTP
    and IMAP logins' literals beside them are."""
    found = findings(PRECISION / "other_secrets" / "backup_job.py")
    assert [line for line, rule, _, _ in found if rule == "AS105"] == [20, 21]


def test_a_web_apis_password_is_no_mail_secret() -> None:
    """``requests.post("https://api.example.org/login", json={"password": ...})`` in a
    mail script was AS105 by its key; the password of a token form posted to Entra ID and
    the SMTP login's are mail secrets."""
    found = findings(PRECISION / "other_secrets" / "web_api.py")
    assert [line for line, rule, _, _ in found if rule == "AS105"] == [20, 26]


def test_the_applications_own_users_passwords_are_no_mail_secrets() -> None:
    """``User(password=...)`` and ``create_superuser(..., password=...)`` in a module that
    mails through Office 365 were AS105; ``MailUser(password=...)`` still is."""
    found = findings(PRECISION / "other_secrets" / "app_users.py")
    assert [line for line, rule, _, _ in found if rule == "AS105"] == [13]


def test_an_environment_variables_fallback_is_named_by_the_variable() -> None:
    """``password = os.environ.get("REPORT_ZIP_PASSWORD") or "..."`` in a mail script is
    the zip's password by the variable's name (it was AS105 by the name ``password``), so
    are python-decouple's and django-environ's defaults of ``*_ZIP_PASSWORD``;
    ``os.environ.get("SMTP_PASS") or "..."`` handed to the SMTP login still is."""
    found = findings(PRECISION / "other_secrets" / "environment_defaults.py")
    assert [(line, rule) for line, rule, _, _ in found] == [(19, "AS105"), (22, "AS101")]
