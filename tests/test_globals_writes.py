"""``globals()["NAME"] = value`` assigns the module's name: a default a script replaces
from its own config file this way is no longer the value the connection gets."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "globals_writes"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_reserved_default_replaced_from_a_file_is_an_unknown_host(found) -> None:
    assert ("env_defaults.py", 35, "AS101", "warning") in found


def test_module_level_writes(found) -> None:
    assert ("module_writes.py", 16, "AS101", "warning") in found
    assert ("module_writes.py", 22, "AS101", "error") in found  # written out: Microsoft 365


def test_writes_of_other_names_or_other_providers_leave_the_host_known(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py"}
