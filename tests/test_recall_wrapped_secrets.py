"""A literal password handed to a project's function whose parameter reaches a login
(issue 22): a hard-coded mail secret (AS105) at the caller's literal, in the same module
or another, the message naming the way to the login."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

WRAPPED = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "wrapped_secrets"


def findings(name: str) -> dict[tuple[str, int, str], str]:
    run = check_paths([str(WRAPPED / name)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule): f.message for f in run.findings}


def test_a_literal_given_to_a_wrapper_in_another_module() -> None:
    """pkg/form.py: ``outlook.get_otp("someone@hotmail.com", "Sup3rSecret!")``, a module
    that names no mail library or host, imports the wrapper's module from its package."""
    found = findings("project")
    message = found[("form.py", 5, "AS105")]
    assert "'Su**" in message and "Sup3rSecret" not in message
    assert "to the IMAP login through get_otp in " in message and "pkg/outlook.py" in message


def test_a_keyword_literal_given_through_a_relative_import() -> None:
    found = findings("project")
    assert "to the SMTP login through send_mail in " in found[("jobs.py", 5, "AS105")]


def test_a_placeholder_or_another_providers_password_stays_with_the_wrapper() -> None:
    """``"your_password_here"`` is the wrapper file's to report (its login is); a password
    a Gmail wrapper gets is not a Microsoft mail secret."""
    found = findings("project")
    assert {key for key in found if key[0] == "jobs.py" and key[1] < 16} == {
        ("jobs.py", 5, "AS105"),
    }


def test_a_login_is_reported_once_where_its_host_is_written() -> None:
    """The wrapper opens the connection with a host of its own (a literal, a default): its
    file reports the login with that host, and the caller that gives only the password gets
    the hard-coded secret, not a second report of the same login. A caller that gives the
    host too is where the login's host is written: reported there."""
    found = findings("project")
    assert ("outlook.py", 6, "AS102") in found and ("mailer.py", 7, "AS101") in found
    assert {key for key in found if key[0] == "form.py"} == {("form.py", 5, "AS105")}
    assert ("jobs.py", 5, "AS101") not in found
    assert {key for key in found if key[0] == "jobs.py" and key[1] >= 16} == {
        ("jobs.py", 17, "AS101"),
        ("jobs.py", 17, "AS105"),
    }
    assert "'smtp-mail.outlook.com' (through send_mail in " in found[("jobs.py", 17, "AS101")]


def test_a_literal_given_to_a_function_of_the_same_module_names_the_login() -> None:
    found = findings("same_module.py")
    assert found[("same_module.py", 11, "AS105")].startswith(
        "hard-coded mail password 'Su**********' (to the IMAP login at line 6, as `password`);"
    )


def test_a_literal_given_to_a_wrapper_in_a_python2_module() -> None:
    """python2/: the wrapper modules are Python 2 with tabs and spaces mixed (heldout8,
    sfe434003/outlook.py), read through their Python 3 translation as their own check
    reads them; the Gmail twin's password stays silent."""
    found = findings("python2")
    assert {key for key in found if key[0] == "mail2chat.py"} == {("mail2chat.py", 8, "AS105")}
    assert "to the IMAP login through Outlook.login in " in found[("mail2chat.py", 8, "AS105")]


def test_a_password_held_by_a_name_and_given_to_a_wrapper() -> None:
    """The caller hands the wrapper a name the module binds to a literal, not the literal:
    a constructor's default kept on ``self`` (``def __init__(self, pwsd="...")`` then
    ``outlook.Outlook().login(self.email, self.pwsd)``, heldout15 be_email_parser), a
    module constant. Reported where the literal is written; a Gmail wrapper's stays silent."""
    found = findings("project")
    extract = found[("extract.py", 5, "AS105")]
    assert "to the IMAP login through Outlook.login in " in extract and "pkg/outlook.py" in extract
    assert "to the SMTP login through send_mail in " in found[("nightly.py", 3, "AS105")]
    assert {key for key in found if key[0] in ("extract.py", "nightly.py")} == {
        ("extract.py", 5, "AS105"),
        ("nightly.py", 3, "AS105"),
    }
