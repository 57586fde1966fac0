"""A parameter declared with its default inside a call (pydantic's ``Field(default=...)``
of a validated function or an MCP tool, FastAPI's ``Query("...")``) has that default, as
one written plainly does; a declaration without one (``Field(...)``, a
``default_factory``) leaves the value to the caller."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "declared_defaults"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_client_secret_written_in_field(found) -> None:
    assert ("mcp_tool.py", 11, "AS105", "error") in found


def test_a_query_default_names_the_host(found) -> None:
    assert ("endpoint.py", 19, "AS101", "error") in found


def test_declarations_without_a_default_are_the_callers(found) -> None:
    assert ("required.py", 16, "AS101", "warning") in found


def test_a_declared_default_of_another_provider_is_known(found) -> None:
    """No login reported; the missing certificate check is AS204's on any server."""
    assert {f for f in found if f[0] == "required.py" and f[1] > 20} == {
        ("required.py", 23, "AS204", "warning")
    }
