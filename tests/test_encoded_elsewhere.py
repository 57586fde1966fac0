"""An XOAUTH2 string built by a function of another module of the project that returns
it base64-encoded (issue 22): imaplib encodes it again (AS301). The function is read in
its module, never run; a helper that returns the raw string is no finding."""

from __future__ import annotations

from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "encoded_elsewhere"


def test_imported_encoders_are_read_in_their_module() -> None:
    found = {f for f in findings_in(FOLDER) if f[2] == "AS301"}
    assert found == {
        ("connector.py", 13, "AS301", "error"),
        ("connector.py", 19, "AS301", "error"),
    }
