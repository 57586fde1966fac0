"""A statement that rebinds the names it passes to a helper returning them all
(``host, port, ... = merge(host, port, ...)``) is evaluated once per helper: reading an
argument reaches the same call again, which ends there instead of growing with every
name (the analysis used to hit its 60 s limit on a 148-line module of this shape and
report nothing)."""

from __future__ import annotations

from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "rebound_by_call"


def test_the_login_after_the_rebinding_helper_is_reported() -> None:
    found = findings_in(FOLDER)
    assert ("settings_update.py", 35, "AS101", "warning") in found
    assert ("settings_update.py", 34, "AS204", "warning") in found
