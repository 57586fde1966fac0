"""A factory held on the object that a function of the module makes and returns
(``self._factory = factory or _default_mailbox_factory(cfg, timeout)``, whose ``def
factory(): return MailBox(...)`` is returned) runs that inner function when called."""

from __future__ import annotations

from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "factory_makers"


def test_a_made_factory_is_followed_to_the_connection_it_opens() -> None:
    found = findings_in(FOLDER)
    assert ("ingest.py", 24, "AS102", "warning") in found
    assert ("office.py", 24, "AS101", "error") in found
