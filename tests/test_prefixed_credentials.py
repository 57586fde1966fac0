"""In one mapping or one call's keywords, a bare Microsoft host (and its port) beside
credentials under the SMTP prefix is the server those credentials log in to, as bare
credentials beside a prefixed Microsoft host are; module constants and another
provider's host are not."""

from __future__ import annotations

from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "prefixed_credentials"


def test_a_bare_microsoft_host_beside_prefixed_credentials() -> None:
    assert findings_in(FOLDER) == {
        ("client_keywords.py", 12, "AS101", "error"),
        ("client_keywords.py", 14, "AS101", "error"),
        ("mail.yaml", 5, "AS101", "error"),
    }
