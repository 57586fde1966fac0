"""A Django SMTP backend subclass with its own ``open()`` makes its own connection: the
options it hands Django's ``__init__`` (a password) are no login of Django's; its own
``SMTP(...)`` is checked as any other (AS204 at its ``starttls()``). One that keeps
Django's ``open()`` logs in with the password it hands on (AS101)."""

from __future__ import annotations

from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "precision" / "backend_own_open"


def test_only_the_backend_that_keeps_djangos_open_logs_in() -> None:
    assert findings_in(FOLDER) == {
        ("backends.py", 20, "AS204", "warning"),
        ("backends.py", 28, "AS101", "error"),
    }
