"""Dmail's model (``scanner/python/models/dmail.py``): the ``Dmail.esp`` presets name the
server (``Office365`` Microsoft 365, ``Hotmail`` Outlook.com, ``Gmail`` and ``Yahoo``
other providers), ``Email`` takes it; STARTTLS without a context unless implicit TLS,
which verifies; the login runs when the session starts (``with``, ``start()``)."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "dmail"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_the_office365_and_hotmail_presets(found) -> None:
    for line in (12, 17, 22):
        assert ("presets.py", line, "AS101", "error") in found
        assert ("presets.py", line, "AS204", "warning") in found
    assert ("presets.py", 17, "AS105", "error") in found


def test_email_given_the_server(found) -> None:
    assert ("generic.py", 8, "AS101", "warning") in found
    assert ("generic.py", 8, "AS204", "warning") in found
    assert ("generic.py", 13, "AS101", "error") in found
    assert ("generic.py", 15, "AS202", "error") in found
    # Implicit TLS is given a verifying context by the library.
    assert not {f for f in found if f[0] == "generic.py" and f[1] >= 13 and f[2] == "AS204"}


def test_other_providers_and_a_relay_without_credentials(found) -> None:
    assert {f for f in found if f[0] == "negatives.py"} == set()
