"""email-to's model (``scanner/python/models/email_to.py``): ``EmailServer(url, port,
email, password)`` logs in on each send after ``starttls()`` without a context."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "email_to"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_office365_and_a_callers_host(found) -> None:
    assert ("sender.py", 8, "AS101", "error") in found
    assert ("sender.py", 8, "AS204", "warning") in found
    assert ("sender.py", 15, "AS101", "warning") in found
    assert ("sender.py", 15, "AS204", "warning") in found


def test_another_provider(found) -> None:
    assert {f for f in found if f[0] == "negatives.py"} == set()
