"""An attribute set to several values (on the arms of an ``if`` in ``__init__``, or again
by another method) is any of them where it is read: a Microsoft 365 server among them is
reported as one of several, not hidden behind the first assignment."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "attribute_arms"


@pytest.fixture(scope="module")
def found() -> dict[tuple[str, int, str], str]:
    run = check_paths([str(FOLDER)], RunOptions())
    return {(Path(f.path).name, f.span.line, f.rule): f.message for f in run.findings}


def test_arms_of_init_pick_the_server(found) -> None:
    message = found[("server_type.py", 22, "AS101")]
    assert "'smtp.office365.com'" in message and "'smtp.gmail.com'" in message


def test_a_method_that_switches_the_server(found) -> None:
    assert "'outlook.office365.com'" in found[("switched.py", 17, "AS102")]


def test_every_arm_another_provider(found) -> None:
    assert not {key for key in found if key[0] == "negatives.py"}
