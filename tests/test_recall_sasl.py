"""Passwords sent through SASL mechanisms (issue 22, round 4): ``PLAIN``, ``LOGIN``,
``CRAM-MD5`` given to ``auth``/``authenticate``/``sasl_login`` or written in a hand-made
``AUTH`` command are password logins (AS101/AS102); XOAUTH2 is not."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

SASL = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "sasl"


def test_password_mechanisms_are_password_logins() -> None:
    run = check_paths([str(SASL / "password_mechanisms.py")], RunOptions())
    logins = {(f.span.line, f.rule) for f in run.findings if f.rule in ("AS101", "AS102")}
    assert logins == {(17, "AS101"), (21, "AS101"), (25, "AS102"), (28, "AS102")}
