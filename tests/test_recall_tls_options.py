"""TLS settings a program leaves to its user or to a flag (issue 22, round 4): a context
that verifies unless an option turns the checks off is said once, as info, where it
does; a STARTTLS that runs only when the flag that chose implicit TLS is false is no
second upgrade."""

from __future__ import annotations

from pathlib import Path

from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths

OPTIONS = Path(__file__).resolve().parent.parent / "fixtures" / "recall" / "tls_options"


def found(name: str, rules: tuple[str, ...]) -> set[tuple[int, str, str]]:
    run = check_paths([str(OPTIONS / name)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings if f.rule in rules}


def test_a_verify_option_is_said_once_where_it_turns_the_checks_off() -> None:
    """One info per option (the first statement that turns the checks off), for the
    implicit TLS and the STARTTLS that use the context; no warning."""
    assert found("verify_option.py", ("AS204",)) == {(14, "AS204", "info")}
    run = check_paths([str(OPTIONS / "verify_option.py")], RunOptions())
    (info,) = [f for f in run.findings if f.rule == "AS204"]
    assert "unless `verify is False`" in info.message and info.fix is None


def test_starttls_only_where_the_implicit_tls_flag_is_false_is_no_second_upgrade() -> None:
    """``IMAPClient(host, ssl=ssl)`` then ``if not ssl: starttls()`` (a subclass's
    ``__init__``, an ``else:`` arm, aiosmtplib's ``use_tls``): plain where the upgrade
    runs; a STARTTLS under ``if use_ssl:`` is still a second upgrade (AS206)."""
    assert found("ssl_flag.py", ("AS206",)) == {(35, "AS206", "warning")}


def test_a_path_whose_conditions_contradict_each_other_is_never_taken() -> None:
    """``if self.encryption == "tls": SMTP_SSL(...)`` then ``if self.encryption ==
    "starttls": starttls()``: no path has both (Home Assistant's SMTP notifier). A mode
    reassigned between the two tests keeps the second upgrade reported. The login on the
    ``"none"`` mode's plain path is the user's choice for a host that is not known to be
    Microsoft's (AS203 only when no path upgrades: tests/test_precision_reports.py)."""
    assert found("encryption_mode.py", ("AS206",)) == {(39, "AS206", "warning")}
    assert (26, "AS203", "warning") not in found("encryption_mode.py", ("AS203",))
