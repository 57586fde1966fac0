"""A call of a function of the module that cannot end but by one of its ``return``s is one
of their values, evaluated with the call's arguments: a row of a table picked at run time
(one return or several), a literal per branch, a fallback built from the domain. A
Microsoft server among them is reported as one of several (an error), other providers'
only are not reported, and "not configured" returns (``None``, a parser not yet read)
add nothing."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "returned_choices"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_table_row_or_a_guess_from_the_domain(found) -> None:
    assert ("table_or_guess.py", 21, "AS102", "error") in found


def test_one_return_of_a_table_row(found) -> None:
    assert ("table_row.py", 20, "AS101", "error") in found


def test_a_literal_per_branch_with_a_built_fallback(found) -> None:
    assert ("host_by_branch.py", 15, "AS102", "error") in found


def test_other_providers_only_and_unset_returns(found) -> None:
    negatives = {f for f in found if f[0] == "negatives.py"}
    assert negatives == {("negatives.py", 34, "AS101", "warning")}
