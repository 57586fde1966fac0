"""Mail settings written as a mapping nested in another (``{"transport": {"host": ...}}``,
``dict(smtp=dict(...))``, returned by a configuration function): a group of settings of
its own, named by the key it sits under (:mod:`authsweep.scanner.python.mapping_sites`)."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "nested_mappings"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_mapping_nested_in_a_call_argument(found) -> None:
    assert ("positives.py", 17, "AS101", "error") in found


def test_the_key_names_the_protocol(found) -> None:
    assert ("positives.py", 27, "AS102", "error") in found


def test_nested_dict_calls(found) -> None:
    assert ("positives.py", 38, "AS101", "error") in found


def test_a_returned_configuration(found) -> None:
    assert ("positives.py", 49, "AS101", "error") in found


def test_no_other_logins(found) -> None:
    assert {f for f in found if f[0] == "negatives.py"} == set()
    assert len({f for f in found if f[0] == "positives.py"}) == 4
