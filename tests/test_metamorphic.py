"""Findings that a meaning-preserving rewrite of a program must keep (bench/metamorphic.py):
the gaps its transforms showed on the seen corpora and the fixtures, each pinned on a
fixture of the rewritten shape beside the shape it was rewritten from."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PRECISION = FIXTURES / "precision" / "metamorphic"


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions(), plan=False)
    return {(f.span.line, f.rule) for f in run.findings}


def test_a_client_bound_by_with_is_the_constructors_object() -> None:
    """``with smtplib.SMTP(...) as server: server.connect(HOST, 465)``: the port of that
    connection (AS202 once, as when it is assigned), not a second connection of a library
    without a model; an unmodelled client bound by ``with`` is still the net's AS102."""
    assert found(PRECISION / "with_client.py") == {
        (14, "AS202"),
        (15, "AS202"),
        (16, "AS204"),
        (17, "AS101"),
        (21, "AS202"),
        (22, "AS202"),
        (23, "AS204"),
        (24, "AS101"),
        (32, "AS102"),
        (38, "AS102"),
    }
