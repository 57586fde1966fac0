"""``smtp.auth(mechanism, authobject)`` with a mechanism known only at run time is a
password login when every authobject it may be is one of smtplib's password ones
(``auth_plain``, ``auth_login``, ``auth_cram_md5``), directly or from a table of them;
a table that also holds a token authobject is not known to send a password."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "sasl_tables"


def test_password_authobjects_picked_at_run_time() -> None:
    run = check_paths([str(FOLDER)], RunOptions())
    found = {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in run.findings}
    assert ("transport.py", 29, "AS101", "warning") in found
    assert ("transport.py", 35, "AS101", "error") in found
    assert not {f for f in found if f[0] == "negatives.py" and f[2] == "AS101"}
