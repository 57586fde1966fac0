"""Host and port read apart from one row of a table picked at run time stay together:
``preset = PRESETS.get(domain, {})`` then ``preset.get("smtp_host")`` and
``preset.get("smtp_port")``, ``host, port = SERVERS[name]``, ``cfg["host"]`` and
``cfg["port"]``. A Microsoft row's 587 under implicit TLS is AS201 at the connection, a
Microsoft row's 465 is AS202 in the row; a row with a TLS flag of its own, and a host and
a port from two tables, are not paired."""

from __future__ import annotations

import pytest
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "table_rows"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_preset_row_read_in_two_statements(found) -> None:
    assert ("presets_get.py", 24, "AS201", "error") in found


def test_row_unpacked_into_host_and_port(found) -> None:
    assert ("tuple_rows.py", 13, "AS201", "error") in found


def test_a_microsoft_row_with_a_port_not_served_is_reported_in_the_row(found) -> None:
    assert ("wrong_port_row.py", 8, "AS202", "error") in found
    assert not {f for f in found if f[0] == "wrong_port_row.py" and f[2] == "AS201"}


def test_flagged_rows_right_ports_and_two_tables_are_not_paired(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py"}


def test_a_port_tested_before_the_client_keeps_the_rows_it_lets_through(found) -> None:
    """``if port == 465: SMTP_SSL(host, port)`` (``not in (587, 25)``): the Microsoft
    row's 587 does not reach implicit TLS (it was AS201 at both)."""
    assert not {f for f in found if f[0] == "guarded_by_port.py"}
