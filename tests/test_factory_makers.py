"""A factory held on the object that a function of the module makes and returns
(``self._factory = factory or _default_mailbox_factory(cfg, timeout)``, whose ``def
factory(): return MailBox(...)`` is returned) runs that inner function when called."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "factory_makers"


def test_a_made_factory_is_followed_to_the_connection_it_opens() -> None:
    run = check_paths([str(FOLDER)], RunOptions())
    found = {(Path(f.path).name, f.span.line, f.rule, f.severity.value) for f in run.findings}
    assert ("ingest.py", 24, "AS102", "warning") in found
    assert ("office.py", 24, "AS101", "error") in found
