"""A parameter with a default host that a call of the module replaces with a value not
known here (``ImapMonitor(server=config.get(...))`` beside ``server="localhost"``): the
host is not known, so the login is reported as one to an unknown host (issue 22;
heldout16 notifo-imap-listener). Calls that keep the default, or pass it again, leave
the default's provider."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

PASSED = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "passed_unknown"


def findings(name: str) -> dict[tuple[int, str], str]:
    run = check_paths([str(PASSED / name)], RunOptions())
    return {(f.span.line, f.rule): f.message for f in run.findings}


def test_a_configured_host_replaces_a_localhost_default() -> None:
    found = findings("monitor.py")
    assert set(found) == {(9, "AS204"), (10, "AS102")}
    assert "the host from parameter server" in found[(10, "AS102")]


def test_calls_that_keep_the_default_keep_its_provider() -> None:
    """Gmail's default stays Gmail's (no login reported; AS204's missing certificate check
    is a defect on any server a caller gives); a loopback default stands in for the server
    a caller names, an unknown host, however the module's own calls keep it."""
    assert set(findings("gmail_preset.py")) == {(7, "AS204")}
    assert set(findings("local_only.py")) == {(9, "AS101"), (9, "AS203")}
