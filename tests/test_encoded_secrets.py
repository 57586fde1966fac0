"""A mail password written encoded and decoded at run time (``base64.b64decode``,
``codecs.decode(..., "rot13")``) is hard-coded all the same: AS105 where the encoded
literal is. Encoded data that reaches no login, and a password read from the
environment and then decoded, are not."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "encoded_secrets"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_base64_password(found) -> None:
    assert ("base64_password.py", 7, "AS105", "error") in found


def test_a_rot13_password(found) -> None:
    assert ("rot13_password.py", 6, "AS105", "error") in found


def test_encoded_data_and_decoded_environment_values(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py" and f[2] == "AS105"}
