"""Factories in another module of the project (issue 22): ``client = make_imap(host,
port)`` of a function that returns an IMAPClient, imaplib or smtplib client (a static
method too) opens that client at the call, with the caller's host, and the caller's
login on it is reported there; another provider's client and a factory of something that
is no mail client stay silent."""

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
    }


def test_the_message_names_the_factory_and_the_library_is_the_models() -> None:
    by_line = {f.span.line: f.message for f in findings()}
    assert "made by make_imap in " in by_line[7]
    assert "made by Factory.smtp in " in by_line[16]
    assert "no model" not in by_line[16]  # smtplib's, not the net's guess


def test_a_plain_or_flag_chosen_session_is_not_judged_at_the_caller() -> None:
    """``ssl=use_ssl``: the caller's value decides, and the analysis of the factory alone
    does not know it (no AS203 at the caller)."""
    assert not [f for f in findings() if f.rule == "AS203"]
