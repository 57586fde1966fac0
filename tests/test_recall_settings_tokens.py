"""Settings and tokens as fresh code writes them (issue 22, family 7): settings under a
branch (the production branch of ``if DEBUG:``), a token asked for another protocol's
permission, a Graph token fetched over raw HTTP for IMAP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.python.settings_branches import branches
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "settings_tokens"


def found(name: str) -> set[tuple[int, str]]:
    run = check_paths([str(FIXTURES / name)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings}


def test_django_settings_in_the_production_branch() -> None:
    assert found("production_else/settings.py") == {(16, "AS101")}
    assert found("production_not_debug/settings.py") == {(9, "AS202"), (12, "AS101")}
    # Microsoft 365 only while debugging: production sends through SES.
    assert found("development_only/settings.py") == set()


@pytest.mark.parametrize(
    ("test", "read"),
    [
        ("DEBUG", "else"),
        ("settings.DEBUG", "else"),
        ("not DEBUG", "body"),
        ("os.environ.get('DEBUG')", "else"),
        ("'test' in sys.argv", "else"),
        ("ENV == 'production'", "body"),
        ("ENV != 'production'", "else"),
        ("ENVIRONMENT == 'local'", "else"),
        ("DEBUG and USE_CONSOLE", "else"),
        ("USE_SES", "both"),
        ("__name__ == '__main__'", "both"),
    ],
)
def test_which_branch_is_production(test: str, read: str) -> None:
    statement = ast.parse(f"if {test}:\n    A = 1\nelse:\n    B = 2\n").body[0]
    assert isinstance(statement, ast.If)
    chosen = branches(statement)
    expected = {
        "body": [statement.body],
        "else": [statement.orelse],
        "both": [statement.body, statement.orelse],
    }[read]
    assert chosen == expected


def test_a_token_for_another_protocols_permission() -> None:
    got = found("imap_token_for_smtp.py")
    assert (28, "AS302") in got  # the IMAP token, handed to SMTP too
    assert [rule for _, rule in got].count("AS302") == 1  # the SMTP.Send token is right


def test_a_graph_token_posted_by_hand_for_imap() -> None:
    # Two token requests in the module: only tracing the token tells which one IMAP gets.
    assert found("graph_http_for_imap.py") == {(20, "AS302")}


def test_a_graph_token_sent_to_graph_is_not_the_xoauth2_token() -> None:
    assert found("graph_sendmail_beside_smtp.py") == set()
    # Nothing else uses it: still most likely the XOAUTH2 token.
    assert found("graph_token_guessed.py") == {(19, "AS302")}
