"""A generator made a context manager (``@contextmanager``, ``@asynccontextmanager``)
that yields a client hands that client to ``with f() as name:``, as a factory's
``return`` does: a login on it, or inside the generator, is judged on the client's
host. A Gmail session, and a manager that yields something else, are not."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "context_managers"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_login_on_the_yielded_smtp_client(found) -> None:
    assert ("smtp_session.py", 18, "AS101", "error") in found


def test_login_on_the_yielded_imap_client(found) -> None:
    assert ("imap_connect.py", 16, "AS102", "error") in found


def test_a_method_made_a_context_manager(found) -> None:
    assert ("method_session.py", 15, "AS101", "error") in found


def test_an_async_context_manager(found) -> None:
    assert ("async_client.py", 16, "AS101", "error") in found


def test_other_providers_and_other_yields(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py"}


def test_a_class_whose_enter_returns_its_connection(found) -> None:
    """``with Mailer() as server:`` where ``__enter__`` opens, upgrades and returns the
    client: the login on ``server`` is that connection's, after its STARTTLS (no
    AS203); a host ``__init__`` keeps from the call; a class whose ``__enter__`` returns
    itself hands over no connection."""
    mine = {f for f in found if f[0] == "entered_class.py"}
    assert mine == {
        ("entered_class.py", 43, "AS101", "error"),
        ("entered_class.py", 49, "AS102", "error"),
    }
