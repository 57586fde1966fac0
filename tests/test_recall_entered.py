"""A client entered by hand (issue 22): ``client = cm.__enter__()`` and an ``ExitStack``'s
``stack.enter_context(cm)`` give what the library's ``__enter__`` returns, the client
itself for smtplib, imaplib and IMAPClient, as ``with cm as client:`` does."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

ENTERED = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "entered"


def pinned(name: str) -> set[tuple[int, str, str]]:
    run = check_paths([str(ENTERED / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def test_enter_called_by_hand() -> None:
    assert pinned("by_hand.py") == {
        (17, "AS102", "warning"),
        (27, "AS204", "warning"),
        (28, "AS101", "error"),
    }


def test_an_exit_stack_enters_the_client() -> None:
    assert pinned("exit_stack.py") == {
        (10, "AS204", "warning"),
        (11, "AS101", "error"),
        (19, "AS102", "error"),
    }


def test_another_providers_client_or_no_client_entered_is_silent() -> None:
    assert pinned("negatives.py") == set()
