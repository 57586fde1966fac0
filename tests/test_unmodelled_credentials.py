"""A client of a library authsweep has no model of, given a Microsoft mail host by
position and the credentials beside it: by name (``password=``, read with the host and
port as one settings group, :mod:`authsweep.scanner.python.positional_servers`) or by
position right after the user's address (the net's paired secret). A probe given a host
and options, an address followed by a recipient, a subject or a file name, and other
providers' hosts are not logins."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "unmodelled_credentials"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_keyword_credentials_beside_a_positional_host(found) -> None:
    assert ("keyword_credentials.py", 16, "AS101", "error") in found
    assert ("keyword_credentials.py", 22, "AS102", "error") in found


def test_a_host_without_its_port_and_a_literal_password(found) -> None:
    assert ("keyword_credentials.py", 28, "AS101", "error") in found
    assert ("keyword_credentials.py", 28, "AS105", "error") in found
    assert len([f for f in found if f[:2] == ("keyword_credentials.py", 28)]) == 2


def test_the_port_by_name_beside_a_positional_host(found) -> None:
    assert ("keyword_credentials.py", 37, "AS101", "error") in found
    assert ("keyword_credentials.py", 43, "AS102", "error") in found


def test_a_password_written_after_the_address(found) -> None:
    assert ("positional_credentials.py", 9, "AS101", "error") in found
    assert ("positional_credentials.py", 9, "AS105", "error") in found
    assert ("positional_credentials.py", 16, "AS102", "error") in found
    assert ("positional_credentials.py", 16, "AS105", "error") in found


def test_no_credentials_or_other_providers(found) -> None:
    assert {f for f in found if f[0] == "negatives.py"} == set()


def test_a_password_handed_by_the_keywords_own_name(found) -> None:
    """``sender_password=`` beside ``smtp_address=``; ``email_password=`` (a framework's
    key, an argument here) beside ``smtp_host=``; ``auth=(user, password)``."""
    assert ("named_keywords.py", 12, "AS101", "error") in found
    assert ("named_keywords.py", 22, "AS101", "error") in found
    assert ("named_keywords.py", 31, "AS101", "error") in found
    assert ("named_keywords.py", 31, "AS105", "error") in found


def test_no_password_by_name_or_other_providers(found) -> None:
    assert {f for f in found if f[0] == "named_keywords_negatives.py"} == set()
