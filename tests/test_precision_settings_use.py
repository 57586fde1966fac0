"""Settings as the program uses them (issue 22, seventh set after its first run): module
constants a script run as ``__main__`` never reads are no connection; a settings module,
a script whose login reads them and Flask's ``from_object(__name__)`` stay settings."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PRECISION = Path(__file__).resolve().parent.parent / "fixtures" / "precision"


def found(path: Path, rules: tuple[str, ...]) -> set[tuple[str, int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule) for f in run.findings if f.rule in rules}


def test_constants_a_script_never_reads_are_no_login() -> None:
    """``SMTP_SERVER = "smtp.office365.com"`` ... ``SMTP_PASSWORD = os.getenv(...)`` in a
    relay that sends through Graph and reads none of them: no AS101 (it was one at the
    password). The script whose login reads a settings module's constants (that
    module's own login is then the script's, see ``test_a_config_modules_login_...``)
    and a Flask script that loads its own names keep theirs."""
    assert found(PRECISION / "unused_settings", ("AS101",)) == {
        ("sender.py", 9, "AS101"),
        ("app.py", 13, "AS101"),
        ("script_login.py", 15, "AS101"),
    }
    assert found(PRECISION / "unused_settings" / "relay_literal.py", ("AS101", "AS105")) == {
        ("relay_literal.py", 16, "AS105")
    }


def test_constants_the_projects_code_connects_with_get_no_guessed_defaults() -> None:
    """A config module of Django- or Flask-style constants whose host or password a
    script of the project imports and connects with (EWS ``Credentials``, ``SMTP(host,
    587)`` then ``starttls()``) is no framework's settings: its port and TLS are the
    code's, so no AS202 (port 25 guessed) or AS203 (no STARTTLS guessed) there; its AS101
    stays, as for ``config_module``. A module with no mail code of its own speaks the
    protocol of the code that connects with it: IMAP for ``imaplib`` (AS102, not AS101),
    no connection of its own for exchangelib (the job's AS104 is the finding). A Django
    settings module a script also imports, and
    a module imported only for its sender address, keep the framework's defaults."""
    base = PRECISION / "settings_left_to_code"
    folders = ("ews_job", "smtp_script", "imap_script", "django_site", "from_address")
    rules = ("AS101", "AS102", "AS202", "AS203", "AS104")
    assert set().union(*(found(base / f, rules) for f in folders)) == {
        ("calendar_job.py", 5, "AS104"),
        ("mailbox_settings.py", 5, "AS102"),
        ("fetch.py", 9, "AS102"),
        ("mail_defaults.py", 5, "AS101"),
        ("send_report.py", 10, "AS101"),
        ("settings.py", 7, "AS202"),
        ("settings.py", 9, "AS101"),
        ("settings.py", 9, "AS203"),
        ("check_mail.py", 8, "AS101"),
        ("mail_identity.py", 3, "AS202"),
        ("mail_identity.py", 5, "AS101"),
        ("mail_identity.py", 5, "AS203"),
    }


def test_a_framework_setting_imported_by_name_into_settings_is_judged_there() -> None:
    """``EMAIL_HOST`` alone in a module that Django settings import by name (``from
    mail_host import EMAIL_HOST`` beside ``EMAIL_PORT = 587``, ``EMAIL_USE_TLS = True``):
    the importing settings are the group, with their port and TLS, so no port 25 is
    guessed where the host is written (an AS202 warning before). Base settings that
    production star-imports keep Django's defaults: production overrides only what it
    writes."""
    base = PRECISION / "settings_left_to_code"
    rules = ("AS101", "AS202", "AS203")
    assert found(base / "settings_fragment", rules) == {("email_settings.py", 7, "AS101")}
    assert found(base / "star_base", rules) == {
        ("base_mail.py", 5, "AS202"),
        ("base_mail.py", 6, "AS101"),
        ("base_mail.py", 6, "AS203"),
    }


def test_a_password_of_another_module_is_one_report_per_module() -> None:
    """A config module's password taken by two logins of one module (SMTP and IMAP of
    one account) is one hard-coded secret: one AS105, at the first login (it was two, one
    problem counted twice). A second password of that module, taken by a third login, is
    its own AS105."""
    assert found(PRECISION / "imported_secret_once", ("AS105",)) == {
        ("mailer.py", 14, "AS105"),
        ("mailer.py", 26, "AS105"),
    }


def test_bare_constants_speak_the_protocol_of_the_code_that_connects_with_them() -> None:
    """``SERVER = "outlook.office365.com"``, ``EMAIL``, ``PASSWORD`` in a module with no
    mail code of its own, read by an ``imaplib`` script: an IMAP login there (AS102), not
    an SMTP one (AS101 before). The same constants read by an ``smtplib`` script stay an
    SMTP login. The constants' own login is the script's (reported once, there); the
    protocol a module takes from its code shows in ``mailbox_settings.py`` (Flask-Mail's
    keys, which keep their login)."""
    base = PRECISION / "settings_left_to_code"
    rules = ("AS101", "AS102")
    assert found(base / "bare_constants", rules) == {("poll.py", 9, "AS102")}
    assert found(base / "bare_constants_smtp", rules) == {("notify.py", 10, "AS101")}


def test_a_config_modules_login_is_reported_where_code_logs_in_with_it() -> None:
    """A plain config module (``smtp_host = "smtp.office365.com"``, ``smtp_passwd = ...``;
    no framework's keys) whose password a module importing a mail library hands to a call,
    here through ``self.smtp_passwd`` set from it in ``__init__``: one AS101, at that
    login (the module's own AS101 before, the same problem reported twice); its literal
    password stays AS105. Settings whose password code only prints, or hands to the
    project's own sender from a file that imports no mail library, keep their AS101."""
    base = PRECISION / "settings_left_to_code"
    rules = ("AS101", "AS102", "AS105")
    assert found(base / "stored_on_self", rules) == {
        ("config.py", 8, "AS105"),
        ("report.py", 17, "AS101"),
    }
    assert found(base / "printed_only", rules) == {("mail_config.py", 10, "AS101")}
    assert found(base / "through_wrapper", rules) == {("settings.py", 10, "AS101")}
