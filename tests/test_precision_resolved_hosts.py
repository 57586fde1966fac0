"""Hosts fresh code holds in shapes the analysis read as unknown (issue 22, precision):
a (host, port) row of a provider table picked at run time and unpacked or spread, a
pydantic settings or model class's default, and an attribute of an object a library
class (or ``SimpleNamespace``) makes from a keyword of the same name. Other providers
and a local test server are not reported; the Microsoft 365 variants are, and a model
built from ``**data`` stays unknown (a warning)."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "resolved_hosts"


def logins(name: str) -> set[tuple[int, str]]:
    run = check_paths([str(FIXTURE / name)], RunOptions())
    return {(f.span.line, f.severity.value) for f in run.findings if f.rule == "AS101"}


def test_a_row_picked_from_a_table_of_other_providers_is_not_reported() -> None:
    """``host, port = OTHERS[provider]`` and ``SMTP(*OTHERS[provider])`` (Gmail and Yahoo
    rows): nothing; the same shapes over a table with a Microsoft 365 row: an error."""
    assert logins("tables.py") == {(31, "error"), (38, "error")}


def test_hosts_held_by_settings_models_and_library_objects() -> None:
    """A ``BaseSettings`` default of Gmail, a ``BaseModel`` default of Mailgun and an
    aiosmtpd ``Controller(hostname="127.0.0.1")``: nothing. A ``BaseSettings`` default
    of Office 365 (``Field(default=...)``) and a ``SimpleNamespace(host=...)`` of it:
    errors. ``Account(**data)``: the data may name any host, a warning."""
    assert logins("settings_classes.py") == {(47, "error"), (61, "warning"), (82, "error")}


def test_a_function_that_returns_one_of_its_hosts() -> None:
    """``host_for(provider)`` returns Gmail's or Yahoo's host, else raises: nothing. The
    same with an Office 365 arm: an error. One that may fall through: unknown, a
    warning."""
    assert logins("host_functions.py") == {(41, "error"), (47, "warning")}
