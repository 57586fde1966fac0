"""A mapping parameter's empty fallback (``config = config or {}``) stands in for what
the callers give: its missing keys decide no guard, so the login after ``if not port:
return`` runs. Keyword arguments gathered in a dict before the call keep the entries set
afterwards: under an annotation (``send_kwargs: dict[str, Any] = {...}``) and through
``update(username=..., password=...)``."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "dict_fallbacks"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_logins_after_guards_on_an_empty_fallback(found) -> None:
    logins = {(f[1], f[2]) for f in found if f[0] == "fallback_or_empty.py"}
    assert {(16, "AS101"), (32, "AS101"), (46, "AS101")} <= logins


def test_entries_set_after_the_dict_reach_the_send(found) -> None:
    assert {(f[1], f[2]) for f in found if f[0] == "entries_after.py"} == {
        (14, "AS101"),
        (20, "AS101"),
        (26, "AS101"),
    }


def test_no_password_no_login(found) -> None:
    assert not [f for f in found if f[0] == "negatives.py"]


def test_the_fallback_keeps_the_parameter_as_origin() -> None:
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.runner import check_paths

    run = check_paths([str(FOLDER / "fallback_or_empty.py")], RunOptions())
    first = next(f for f in run.findings if f.rule == "AS101" and f.span.line == 16)
    assert "config key smtp_host" in first.message
