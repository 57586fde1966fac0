"""Values classes of the module hold: a ``@property`` returning a host, an enumeration
member's ``.value`` (a tuple unpacked too; ``.name`` is its name), a field of a
``collections.namedtuple`` class given by position, and a dataclass made when the
caller gives none (``settings = settings or MailSettings()``)."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "class_values"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_property_returning_the_host(found) -> None:
    assert ("property_host.py", 13, "AS101", "error") in found


def test_an_enumeration_members_value(found) -> None:
    assert ("enum_value.py", 13, "AS101", "error") in found
    assert ("enum_row.py", 15, "AS101", "error") in found


def test_a_namedtuple_field_given_by_position(found) -> None:
    assert ("namedtuple_config.py", 12, "AS101", "error") in found


def test_a_default_instance_made_when_none_is_given(found) -> None:
    assert ("default_instance.py", 17, "AS101", "error") in found


def test_other_providers_and_member_names(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py"}
