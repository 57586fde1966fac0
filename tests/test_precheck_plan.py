"""The pre-check's markers and search plan are generated (scanner/precheck_plan.py), so
that no run makes them at start-up: the generated ones must be those the pre-check's
functions make from its markers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from authsweep.scanner import precheck
from authsweep.scanner.precheck_plan import MARKERS, PLAN

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "precheck_plan.py"
NOT_CURRENT = "scanner/precheck_plan.py is not current: run python scripts/precheck_plan.py"


def test_the_generated_plan_is_the_one_made_from_the_markers() -> None:
    assert MARKERS == precheck.minimal_markers(()), NOT_CURRENT
    assert PLAN == precheck.search_plan(()), NOT_CURRENT


def test_a_run_without_extra_markers_uses_the_generated_plan() -> None:
    assert precheck._markers(()) is MARKERS and precheck._search_plan(()) is PLAN


def test_extra_markers_make_a_plan_of_their_own() -> None:
    extra = ("sendgrid_api",)
    assert "sendgrid_api" in precheck._markers(extra)
    assert precheck.may_matter(b"SENDGRID_API = 1", extra)
    assert not precheck.may_matter(b"SENDGRID_API = 1")


def test_the_script_finds_the_plan_current() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
