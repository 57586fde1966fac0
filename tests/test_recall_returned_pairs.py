"""A factory that returns its client inside a tuple (``return client, "OK"``): the name the
caller unpacks at that place holds the connection (issue 22; heldout16 pymap-copy)."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PAIRS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "returned_pairs"


def findings(name: str) -> dict[tuple[int, str], str]:
    run = check_paths([str(PAIRS / name)], RunOptions())
    return {(f.span.line, f.rule): f.message for f in run.findings}


def test_a_client_returned_with_a_status_reaches_the_login_helper() -> None:
    """``source, status = connect(argv host)`` then ``login(source, user, pass)``: the
    helper's login is on the client of an unknown host."""
    found = findings("copy_tool.py")
    assert set(found) == {(26, "AS102")}
    assert "IMAP password login to the host from parameter server" in found[(26, "AS102")]


def test_a_factory_method_returning_the_client_first() -> None:
    """``return smtplib.SMTP(...), time.time()`` in a method, ``server, opened =
    self.open()`` in another."""
    found = findings("relay.py")
    assert set(found) == {(17, "AS204"), (18, "AS101")}
    assert "'smtp.office365.com'" in found[(18, "AS101")]
