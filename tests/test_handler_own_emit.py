"""An SMTPHandler subclass that calls SMTPHandler's ``__init__`` from its own and
overrides ``emit`` sends with its own code: its credentials are that code's login (AS101
there), not SMTPHandler's (no AS103 or AS203 at the ``__init__`` call). One that keeps
SMTPHandler's ``emit`` is still AS103."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "handler_own_emit"


def test_only_the_handler_that_keeps_smtphandlers_emit_is_as103() -> None:
    run = check_paths([str(FOLDER)], RunOptions())
    found = {(f.span.line, f.rule) for f in run.findings}
    assert {line for line, rule in found if rule in ("AS103", "AS203")} == {36}
    assert {(17, "AS101"), (30, "AS101")} <= found
