"""Connections known by their type annotation (issue 22, round 5): a parameter, variable
or attribute annotated with a client class is a connection of that library made
elsewhere; its password login is reported with the host its callers give, or unknown."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

ANNOTATED = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "annotated"


def logins(path: Path) -> set[tuple[str, int, str, str, bool]]:
    run = check_paths([str(path)], RunOptions())
    return {
        (Path(f.path).name, f.span.line, f.rule, f.severity.value, f.fixable)
        for f in run.findings
        if f.rule in ("AS101", "AS102")
    }


def test_typed_parameters_of_each_library() -> None:
    assert logins(ANNOTATED / "parameters.py") == {
        ("parameters.py", 15, "AS102", "warning", False),  # imaplib.IMAP4
        ("parameters.py", 20, "AS102", "warning", False),  # the same, in a closure
        ("parameters.py", 27, "AS101", "warning", False),  # Optional[smtplib.SMTP]
        ("parameters.py", 31, "AS101", "warning", False),  # "MailServer | None", an alias
        ("parameters.py", 36, "AS102", "warning", False),  # poplib's pass_
        ("parameters.py", 40, "AS102", "warning", False),  # IMAPClient
        ("parameters.py", 44, "AS101", "warning", False),  # aiosmtplib.SMTP
        ("parameters.py", 48, "AS102", "warning", False),  # SASL PLAIN sends the password
    }


def test_typed_attributes_and_variables() -> None:
    assert logins(ANNOTATED / "attributes.py") == {
        ("attributes.py", 13, "AS102", "warning", False),  # class body ``imap: IMAP4_SSL``
        ("attributes.py", 21, "AS101", "warning", False),  # ``self.smtp: SMTP = connection``
        ("attributes.py", 26, "AS101", "warning", False),  # ``server: SMTP = make()``
        ("attributes.py", 36, "AS102", "warning", False),  # ``self._client = client``
    }


def test_a_caller_here_gives_the_host() -> None:
    # The Microsoft caller's host, with the fix; the Gmail caller's login is not reported.
    assert logins(ANNOTATED / "callers.py") == {("callers.py", 8, "AS102", "error", True)}


def test_a_caller_in_another_module_gives_the_host() -> None:
    found = logins(ANNOTATED / "project")
    assert found == {
        ("mail_login.py", 7, "AS102", "warning", False),
        ("reader.py", 11, "AS102", "error", False),
    }
    run = check_paths([str(ANNOTATED / "project" / "reader.py")], RunOptions())
    (finding,) = (f for f in run.findings if f.rule == "AS102")
    assert "'outlook.office365.com'" in finding.message
    assert "through sign_in in" in finding.message


@pytest.mark.slow
def test_fix_rewrites_only_the_logins_check_marks_fixable(tmp_path: Path) -> None:
    for name in ("parameters.py", "callers.py"):
        shutil.copy(ANNOTATED / name, tmp_path / name)
    before = (tmp_path / "parameters.py").read_bytes()
    subprocess.run(
        ["authsweep", "fix", "--unsafe-fixes", str(tmp_path)], check=False, capture_output=True
    )
    # Unknown hosts may be anyone's: nothing rewritten there.
    assert (tmp_path / "parameters.py").read_bytes() == before
    fixed = (tmp_path / "callers.py").read_text()
    assert 'client.authenticate("XOAUTH2"' in fixed
    assert "client.login(user, password)" in fixed  # sign_in_elsewhere, Gmail's
    remaining = logins(tmp_path)
    assert ("callers.py", 8, "AS102", "error", True) not in remaining
    assert not any(fixable for *_, fixable in remaining)
