"""Shapes of the twelfth held-out set's false alarms (after12b), each beside its
nearest variant and a control still reported: STARTTLS in a classmethod called on
``cls``; implicit TLS on the arm of a test of a port read at run time; an app module
passing on Django's settings."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

AFTER12 = Path(__file__).resolve().parent.parent / "fixtures" / "precision" / "after12"


def found(path: Path) -> set[tuple[int, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule) for f in run.findings}


def test_starttls_in_classmethod_called_on_cls() -> None:
    got = found(AFTER12 / "classmethod_upgrade.py")
    # by keyword and by position: upgraded; a classmethod that only says hello: not.
    assert {line for line, rule in got if rule == "AS203"} == {38}
    assert {line for line, rule in got if rule == "AS101"} == {26, 32, 38}


def test_implicit_tls_on_the_tested_port_arm() -> None:
    got = found(AFTER12 / "tested_port.py")
    # ``c["port"] == 465``, ``port == 465``, ``else`` of ``port != 465``: 465 there.
    # Still reported: an arm testing 587, an arm that rebinds the port, no test.
    assert {line for line, rule in got if rule == "AS201"} == {42, 50, 56}
    assert {(15, "AS204"), (22, "AS204"), (31, "AS204")} <= got


def test_app_module_passing_on_django_settings() -> None:
    assert found(AFTER12 / "django_app" / "app_settings.py") == set()
    assert found(AFTER12 / "django_app" / "app_attrs.py") == set()
    # A default host written in the module stays its value; the settings module is reported.
    assert (10, "AS101") in found(AFTER12 / "django_app" / "defaults.py")
    assert (10, "AS101") in found(AFTER12 / "django_app" / "settings.py")
