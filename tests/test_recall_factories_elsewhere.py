"""Factories in another module of the project (issue 22): ``client = make_imap(host,
port)`` of a function that returns an IMAPClient, imaplib or smtplib client (a static
method too), and a client subclass there (``Box(host)`` without an ``__init__``: the
client's parameters; ``Relay(host)`` whose ``__init__`` calls the client's), open that
client at the call, with the caller's host, and the caller's login on it is reported
there; another provider's client and a factory of something that is no mail client stay
silent."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FACTORIES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "factories_elsewhere"


def findings() -> list:
    return check_paths([str(FACTORIES)], RunOptions()).findings


def test_logins_on_what_a_factory_elsewhere_returns() -> None:
    got = {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in findings()}
    assert got == {
        ("reader.py", 7, "AS102", "warning"),
        ("reader.py", 11, "AS102", "error"),
        ("reader.py", 16, "AS101", "error"),
        ("boxes_used.py", 9, "AS102", "warning"),
        ("boxes_used.py", 17, "AS101", "error"),
    }


def test_the_message_names_the_factory_and_the_library_is_the_models() -> None:
    by_line = {(Path(f.path).name, f.span.line): f.message for f in findings()}
    assert "made by make_imap in " in by_line["reader.py", 7]
    assert "made by Factory.smtp in " in by_line["reader.py", 16]
    assert "made by Relay in " in by_line["boxes_used.py", 17]
    # smtplib's and IMAPClient's, not the net's guess at a library without a model
    assert not any("no model" in message for message in by_line.values())


def test_a_plain_or_flag_chosen_session_is_not_judged_at_the_caller() -> None:
    """``ssl=use_ssl``: the caller's value decides, and the analysis of the factory alone
    does not know it (no AS203 at the caller)."""
    assert not [f for f in findings() if f.rule == "AS203"]
