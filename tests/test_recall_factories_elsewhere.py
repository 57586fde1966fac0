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
        ("reader.py", 7, "AS203", "warning"),
        ("reader.py", 11, "AS102", "error"),
        ("reader.py", 16, "AS101", "error"),
        ("reader.py", 29, "AS102", "warning"),
        ("reader.py", 33, "AS102", "warning"),
        ("reader.py", 33, "AS203", "warning"),
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


def test_a_flag_chosen_session_is_plain_on_the_runs_the_callers_value_is_false() -> None:
    """``make_imap(host, port, use_ssl=ssl)`` of ``IMAPClient(host, port, ssl=use_ssl)``:
    the caller's ``ssl`` decides, so the runs where it is false log in on a plain session
    (AS203, no fix), as the same code written in one module is reported; a literal
    decides the session (``use_ssl=True`` is not plain, ``use_ssl=False`` always is)."""
    plain = sorted((f for f in findings() if f.rule == "AS203"), key=lambda f: f.span.line)
    assert [(Path(f.path).name, f.span.line) for f in plain] == [
        ("reader.py", 7),
        ("reader.py", 33),
    ]
    assert "when `ssl` is false" in plain[0].message
    assert "when" not in plain[1].message.split("before STARTTLS")[1].split(":")[0]
