"""Connection checks, conditional arms and Django's ``tests.py`` (issue 22, precision
on code nobody has seen; the two label questions the tenth set left):

- AS204 is not reported on a client that asks the server something and carries nothing
  (only greetings, keep-alives, the upgrade, capability questions and goodbyes, and it
  never leaves the function that opens it): nothing travels over its handshake. A client
  that only upgrades and says goodbye is not taken for a check. The nearest variants that carry
  something, or whose client may reach code the analysis does not see, keep it.
- Both arms of a conditional expression that open the connection without a verifying
  context are one finding over the expression, whose fix edits both arms.
- A Django app's ``tests.py`` is test code: an unknown host there is a fake server.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths
from authsweep.scanner.test_paths import is_test_module, is_test_path
from cli_support import invoke

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "precision"
CHECKS = FIXTURES / "connection_checks"


def found(path: Path, rules: tuple[str, ...] = ("AS204",)) -> set[tuple[int, int, str, str]]:
    run = check_paths([str(path)], RunOptions())
    return {
        (f.span.line, f.span.column, f.rule, f.severity.value)
        for f in run.findings
        if f.rule in rules
    }


def test_a_connection_check_has_no_unverified_tls_finding() -> None:
    """A ``with`` whose client only says ``noop()``, the same name bound on both arms of
    an option, a STARTTLS probe with ``CERT_NONE``, ``IMAP4_SSL(host).noop()``, a
    capability question and a POP3 welcome: nothing to read or change on the path."""
    assert found(CHECKS / "checks.py") == set()


def test_a_client_that_carries_something_or_leaves_keeps_its_finding() -> None:
    """A module-level client (another module may import it), a check followed by a
    login or a send, a raw ``docmd``, a client returned, handed to a function, aliased or
    stored on ``self``, one that only upgrades and quits: AS204 on each."""
    lines = {line for line, _, _, _ in found(CHECKS / "carriers.py")}
    assert lines == {8, 13, 19, 25, 31, 37, 43, 50, 57}


def test_both_arms_of_a_conditional_expression_are_one_finding() -> None:
    """``IMAP4_SSL(host, port) if port else IMAP4_SSL(host)``: one warning at the
    expression (column of its first arm); an arm with a verifying context leaves the
    other arm's own finding (the program's option: info); two connections on one line
    (``a, b = IMAP4_SSL(x), IMAP4_SSL(y)``) are two findings."""
    assert found(CHECKS / "arms.py") == {
        (10, 12, "AS204", "warning"),
        (17, 72, "AS204", "info"),
        (23, 12, "AS204", "warning"),
        (23, 38, "AS204", "warning"),
    }
    run = check_paths([str(CHECKS / "arms.py")], RunOptions())
    (folded,) = [f for f in run.findings if f.span.line == 10 and f.rule == "AS204"]
    assert folded.message.endswith("(both arms of the conditional expression)")
    assert folded.span.end_column > 70  # the whole expression


def test_the_folded_finding_fixes_both_arms(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(CHECKS, tree)
    invoke("fix", "arms.py", cwd=tree)
    fixed = (tree / "arms.py").read_text(encoding="utf-8")
    line = fixed.splitlines()[9]
    assert line.count("ssl_context=ssl.create_default_context()") == 2, line
    assert (10, 12, "AS204", "warning") not in found(tree / "arms.py")


def test_a_django_apps_tests_module_is_test_code() -> None:
    """``shop/tests.py``: a login to a host the test does not name is to a fake server;
    the app's ``mailer.py`` beside it keeps its findings."""
    assert is_test_path("shop/tests.py") and is_test_path("tests.py")
    assert not is_test_path("shop/testsuite_mailer.py")
    shop = FIXTURES / "django_tests" / "shop"
    rules = ("AS101", "AS203", "AS204", "AS105")
    assert found(shop / "tests.py", rules) == set()
    assert {rule for _, _, rule, _ in found(shop / "mailer.py", rules)} == {"AS101", "AS204"}


def test_a_module_written_as_tests_is_test_code() -> None:
    """``smtp_checks.py`` imports unittest and holds a ``TestCase``: test code wherever it
    lies. ``mailer.py``'s own ``test_connection()`` method, with no test framework
    imported, is the program's code and keeps its findings."""
    folder = FIXTURES / "test_modules"
    rules = ("AS101", "AS203", "AS204", "AS105")
    assert found(folder / "smtp_checks.py", rules) == set()
    assert {rule for _, _, rule, _ in found(folder / "mailer.py", rules)} == {"AS101", "AS204"}
    assert is_test_module(b"import pytest\n\ndef test_send(smtp):\n    pass\n")
    assert not is_test_module(b"import smtplib\n\nclass M:\n    def test_connection(self):\n")
    assert not is_test_module(b"import unittest.mock\n\ndef send():\n    pass\n")


def test_a_login_after_alike_arms_is_one_finding() -> None:
    """``IMAP4(host, port) if port else IMAP4(host)`` then ``login()``: the arms call the
    same client, so the test picks no kind of connection; one AS203 at the login, and its
    message does not name the test (it named `port` true and false: two findings)."""
    run = check_paths([str(CHECKS / "arms.py")], RunOptions())
    plain = [f for f in run.findings if f.rule == "AS203" and f.span.line == 32]
    assert len(plain) == 1
    assert "`port`" not in plain[0].message
