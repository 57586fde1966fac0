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


RECALL = FIXTURES / "recall" / "metamorphic"


def test_a_factory_method_called_on_an_object_of_its_class_gives_its_connection() -> None:
    """``outbox.server()``, ``Outbox().server()`` and ``box = Outbox(); box.server()``
    return the connection the method opens, as the module function ``server()`` does
    (``function_to_method`` lost every login after such a call); a subclass's override
    runs for its objects (Gmail: nothing), and a method that returns no connection gives
    none."""
    assert found(RECALL / "factory_methods.py") == {(30, "AS101"), (35, "AS101"), (41, "AS101")}
    assert found(RECALL / "factory_functions.py") == {(16, "AS101")}
