"""``smtp.auth(mechanism, authobject)`` with a mechanism known only at run time is a
password login when every authobject it may be is one of smtplib's password ones
(``auth_plain``, ``auth_login``, ``auth_cram_md5``), directly or from a table of them;
a table that also holds a token authobject is not known to send a password."""

from __future__ import annotations

from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "sasl_tables"


def test_password_authobjects_picked_at_run_time() -> None:
    found = findings_in(FOLDER)
    assert ("transport.py", 29, "AS101", "warning") in found
    assert ("transport.py", 35, "AS101", "error") in found
    assert not {f for f in found if f[0] == "negatives.py" and f[2] == "AS101"}
