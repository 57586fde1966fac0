"""Libraries as real packages use them (issue 22, round 2): stand-in modules for the
standard ones, RPA plugins, presets handed to base classes in other modules."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import Settings, check_paths

LIBRARIES = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "libraries"


def pinned(name: str, rules: tuple[str, ...] = ()) -> set[tuple[str, int, str, str]]:
    run = check_paths([str(LIBRARIES / name)], Settings())
    return {
        (Path(f.path).name, f.span.line, f.rule, f.severity.value)
        for f in run.findings
        if not rules or f.rule in rules
    }


def test_a_backported_ssl_module_is_the_standard_one() -> None:
    """``from backports import ssl``: its ``SSLContext`` with ``CERT_NONE`` verifies nothing."""
    assert pinned("backported_ssl_context.py") == {
        ("backported_ssl_context.py", 18, "AS204", "warning"),
        ("backported_ssl_context.py", 21, "AS102", "error"),
    }
