"""A static or class method called on its class (``Mailer.connect()``) runs as it would
on an object: the client it returns is bound where the call's result is. An instance
method called on the class, and another provider's factory, are not Microsoft logins."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "class_factories"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_static_factory_called_on_its_class(found) -> None:
    assert ("static_connect.py", 17, "AS101", "error") in found


def test_a_class_method_factory_called_on_its_class(found) -> None:
    assert ("class_connect.py", 15, "AS102", "error") in found


def test_gmail_factories_and_instance_methods_on_the_class(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py"}
