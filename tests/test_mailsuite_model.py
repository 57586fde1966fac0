"""mailsuite's model (``scanner/python/models/mailsuite.py``): ``send_email`` and the two
IMAP clients log in by themselves with the password they are given; an OAuth2 token
provider given instead is no password login; implicit TLS and STARTTLS verify by
default."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "mailsuite"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_the_imap_clients_log_in_in_their_constructor(found) -> None:
    assert ("reports.py", 13, "AS102", "error") in found
    assert ("reports.py", 19, "AS102", "warning") in found


def test_send_email_logs_in_and_sends(found) -> None:
    assert ("reports.py", 24, "AS101", "error") in found
    assert ("reports.py", 37, "AS101", "error") in found
    assert ("reports.py", 41, "AS202", "error") in found


def test_verifying_defaults_and_opportunistic_starttls(found) -> None:
    assert not {f for f in found if f[2] in ("AS203", "AS204")}


def test_oauth2_another_provider_and_a_relay(found) -> None:
    assert {f for f in found if f[0] == "negatives.py"} == set()
