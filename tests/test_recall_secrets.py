"""Secrets as fresh code holds them (issue 22, family 4): a password literal of a mail
script that no login call shows, passwords with a year, an MSAL client secret, a
committed refresh token, a password only the password flow uses; never printed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.python.secret_names import microsoft_mail_password, secret_name
from authsweep.scanner.runner import check_paths
from authsweep.scanner.secrets import is_placeholder

SECRETS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "secrets"


def secrets_in(path: Path) -> set[tuple[str, int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {
        (Path(f.path).name, f.span.line, f.confidence.value)
        for f in run.findings
        if f.rule == "AS105"
    }


def test_password_of_a_mail_script_without_a_login() -> None:
    assert secrets_in(SECRETS / "dead_code.py") == {("dead_code.py", 8, "medium")}
    assert secrets_in(SECRETS / "typo_login.py") == {("typo_login.py", 7, "medium")}
    # No mail call left at all: the module still imports the mail library.
    assert secrets_in(SECRETS / "commented_out.py") == {("commented_out.py", 6, "medium")}


def test_word_and_year_is_a_real_password() -> None:
    assert secrets_in(SECRETS / "year_password.py") == {("year_password.py", 7, "high")}


@pytest.mark.parametrize("value", ["Password2015", "Secret2024", "Summer2019!", "Passw0rd!"])
def test_real_passwords_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize("value", ["password", "password1", "password123", "secret", "test1"])
def test_placeholders_stay_placeholders(value: str) -> None:
    assert is_placeholder(value)


def test_secrets_of_the_apps_oauth2() -> None:
    assert secrets_in(SECRETS / "msal_client_secret.py") == {("msal_client_secret.py", 10, "high")}
    # A Graph mail sender: its token is for Graph, its mail a POST to /sendMail.
    assert secrets_in(SECRETS / "graph_sendmail_secret.py") == {
        ("graph_sendmail_secret.py", 9, "high")
    }
    assert secrets_in(SECRETS / "refresh_token.py") == {("refresh_token.py", 10, "high")}
    assert secrets_in(SECRETS / "ropc_literal.py") == {("ropc_literal.py", 6, "high")}


def test_look_alikes_stay_silent() -> None:
    assert secrets_in(SECRETS / "negatives") == set()
    assert secrets_in(SECRETS / "tests") == set()  # a test's fake password


@pytest.mark.parametrize(
    "name",
    ["password", "SMTP_PASSWORD", "mailPwd", "smtp_pass", "senha_email", "CLIENT_SECRET",
     "refreshToken", "email_pw", "SMTPPassword"],
)  # fmt: skip
def test_password_like_names(name: str) -> None:
    assert secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["PASSWORD_RESET_URL", "password_hash", "PASSWORD_PROMPT", "bypass", "passenger",
     "SECRET_KEY", "password_env", "access_token", "compass"],
)  # fmt: skip
def test_names_that_are_not_passwords(name: str) -> None:
    assert not secret_name(name)


@pytest.mark.slow
@pytest.mark.parametrize("output", ["full", "json", "sarif"])
def test_secrets_are_never_printed(output: str) -> None:
    """Not in messages, not in the code shown beside them, in no format."""
    option = ["--output-format", "full"] if output == "full" else ["--format", output]
    done = subprocess.run(
        ["authsweep", "check", str(SECRETS), "--no-cache", "--exit-zero", *option],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "AS105" in done.stdout
    for secret in (
        "Quartz-Lantern-77",
        "Winter-Harbour-19",
        "Password2015",
        "Qx78Q~k2PZr3mW9vT1yLs0HdE4bNcJuF5gA6iKo_",
        "Cobalt#Meadow42",
        "0.AXoAx7Qk2bV9QEuZ3kT5Xo0T4mR8a1Bc2De3Fg4Hi5Jk6Lm7No8Pq9Rs0Tu1Vw2Xy3Za4Bc5De6Fg7Hi8",
    ):
        assert secret not in done.stdout


def test_python_o365_client_secret() -> None:
    """``Account((client_id, client_secret), auth_flow_type="credentials")``: the
    secret written as the tuple's second item, through a name or inline; one from the
    environment, a public client's id alone and a template's words are not reported."""
    assert secrets_in(SECRETS / "o365_client_secret.py") == {
        ("o365_client_secret.py", 10, "high"),
        ("o365_client_secret.py", 17, "high"),
    }


def test_a_mail_secret_under_another_name_in_a_checked_settings_module() -> None:
    """``MAIL_KEY = "..."``, a ``SMTP_AUTH`` pair (spread into the login, or read by
    index), a dict entry under ``"secret"``: a settings module that is checked by itself
    reports only what its names say are passwords; these are reported where a login to a
    Microsoft host uses them, naming where they are written. ``SMTP_PASSWORD`` is the
    settings module's own (once, there); the environment, a placeholder and a Gmail login
    stay silent. The pair's password, spread into one login and read by index in the
    next, is one literal: reported once, at the first (line 32)."""
    run = check_paths([str(SECRETS / "other_names")], RunOptions())
    found = {(Path(f.path).name, f.span.line): f.message for f in run.findings if f.rule == "AS105"}
    assert set(found) == {
        ("mail_config.py", 12),
        ("notify.py", 26),
        ("notify.py", 32),
        ("notify.py", 38),
    }
    assert " written in mail_config.py:9 (to the SMTP login)" in found[("notify.py", 26)]
    assert " written in mail_config.py:10 " in found[("notify.py", 32)]


def test_a_password_of_a_plain_config_module_is_reported_where_a_login_uses_it() -> None:
    """``outlook_password = "..."`` in a config module with no mail code of its own (its
    check reports nothing) is AS105 at the Office 365 login that takes it, naming where it
    is written; it was reported nowhere. The Gmail login's literal stays silent."""
    run = check_paths([str(SECRETS / "plain_config")], RunOptions())
    found = {(Path(f.path).name, f.span.line): f.message for f in run.findings if f.rule == "AS105"}
    assert set(found) == {("notify.py", 15)}
    assert " written in accounts.py:4 (to the SMTP login)" in found[("notify.py", 15)]


def test_a_python2_config_module_is_read_for_its_constants() -> None:
    """config.py is Python 2 (a print statement): its constants were not read, so the
    logins that import them had unknown secrets. Read in its Python 3 translation, as its
    own check reads it: ``work_password`` (a plain config module's) is AS105 at the
    Office 365 login naming config.py:6; ``outlook_password`` says by its name it is a
    Microsoft mail account's, so config.py's own check reports it at line 4 (and the
    login does not again); the Gmail login's stays silent."""
    run = check_paths([str(SECRETS / "python2_config")], RunOptions())
    found = {(Path(f.path).name, f.span.line): f.message for f in run.findings if f.rule == "AS105"}
    assert set(found) == {("config.py", 4), ("report.py", 24), ("check_inbox.py", 8)}
    assert " written in config.py:6 (to the SMTP login)" in found[("report.py", 24)]
    # Handed to the wrapper of outlook_client.py by a script that calls no mail library.
    assert (
        " written in config.py:6 (to the IMAP login through Outlook.login in"
        in (found[("check_inbox.py", 8)])
    )


def test_a_password_named_for_a_microsoft_mail_service_is_a_mail_secret() -> None:
    assert microsoft_mail_password("outlook_password")
    assert microsoft_mail_password("O365_PASS")
    assert microsoft_mail_password("office365Password")
    assert not microsoft_mail_password("gmail_password")
    assert not microsoft_mail_password("outlook_email")
    assert not microsoft_mail_password("password")


def test_a_guid_handed_to_msal_as_the_client_secret() -> None:
    """A GUID given as MSAL's ``client_credential`` is committed as the app's secret; the
    app's and the tenant's ids and a placeholder GUID handed alike are not."""
    assert secrets_in(SECRETS / "entra_guid_secret.py") == {("entra_guid_secret.py", 9, "high")}
