"""Shapes of the eleventh held-out set's first run (after11b), each beside its nearest
variant: an aiosmtplib client whose implicit TLS is a setting and whose own STARTTLS is
followed by an explicit one; a context from the module's own factory function; a class
picked through a variable and called under the same test that picked it."""

from __future__ import annotations

from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixes.dependencies import pinned_below
from authsweep.scanner.runner import check_paths

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPGRADES = FIXTURES / "recall" / "upgrades_by_itself"
FACTORIES = FIXTURES / "recall" / "context_factories"
SAME_TEST = FIXTURES / "precision" / "class_by_same_test"


def found(path: Path) -> set[tuple[int, str, str]]:
    run = check_paths([str(path)], RunOptions())
    return {(f.span.line, f.rule, f.severity.value) for f in run.findings}


def test_explicit_starttls_after_aiosmtplib_upgraded_itself() -> None:
    run = check_paths([str(UPGRADES / "pool.py")], RunOptions())
    (repeated,) = [f for f in run.findings if f.rule == "AS206"]
    assert repeated.span.line == 35
    assert "aiosmtplib's own STARTTLS in `connect()`" in repeated.message
    assert "self.server.use_ssl" in repeated.message
    assert repeated.fix is None  # deleting it would log in without TLS on a server without it


def test_flag_chosen_tls_upgraded_by_hand_nearest_variants() -> None:
    got = {(line, rule) for line, rule, _ in found(UPGRADES / "send.py") if rule == "AS206"}
    # use_tls=use_ssl upgraded by hand where it is false: raises; start_tls=False: the
    # explicit upgrade is the only one; use_tls=False: reported as before.
    assert got == {(13, "AS206"), (30, "AS206")}


def test_context_from_own_factory_in_a_subclass() -> None:
    got = found(FACTORIES / "subclass.py")
    assert (21, "AS204", "warning") in got
    assert not [line for line, rule, _ in got if rule == "AS204" and line > 27]


def test_context_from_own_factory_nearest_variants() -> None:
    got = {(line, rule, severity) for line, rule, severity in found(FACTORIES / "direct.py")}
    tls = {item for item in got if item[1] == "AS204"}
    # never verifies: warning at the call; an option of a parameter: info where it turns
    # the checks off; a verifying factory: nothing.
    assert tls == {(31, "AS204", "warning"), (19, "AS204", "info")}


def test_context_factory_fixed_where_it_builds_the_context() -> None:
    run = check_paths([str(FACTORIES / "direct.py")], RunOptions())
    (unverified,) = [f for f in run.findings if f.rule == "AS204" and f.severity.value == "warning"]
    assert unverified.fix is not None
    source = (FACTORIES / "direct.py").read_text()
    edits = unverified.fix.remedy.edits
    removed = [source[e.start : e.end] for e in edits if not e.replacement]
    assert any("check_hostname = False" in text for text in removed)
    assert all(e.start < source.index("def optional_context") for e in edits)


def test_class_called_under_the_test_that_picked_it() -> None:
    run = check_paths([str(SAME_TEST / "connect.py")], RunOptions())
    tls = [f for f in run.findings if f.rule == "AS204"]
    assert [f.span.line for f in tls] == [23]
    assert "options.server" in tls[0].message and "options.process" not in tls[0].message


def test_class_picked_without_the_same_test_keeps_every_arm() -> None:
    got = found(SAME_TEST / "chosen_once.py")
    assert {(11, "AS204", "warning"), (24, "AS204", "warning")} <= got


def test_project_pinning_aiosmtplib_before_2_keeps_its_plain_sessions() -> None:
    got = found(UPGRADES / "pinned_old" / "send.py")
    assert not [rule for _, rule, _ in got if rule == "AS206"]


@pytest.mark.parametrize(
    ("written", "pinned"),
    [
        ("aiosmtplib==1.1.6\n", True),
        ("aiosmtplib>=1.1,<2.0\n", True),
        ("aiosmtplib~=1.4.0\n", True),
        ("aiosmtplib==2\n", False),
        ("aiosmtplib>=3\n", False),
        ("aiosmtplib\n", False),
        ("aiosmtplib>=1.1  # no cap\n", False),
    ],
)
def test_pins_read_from_requirements(tmp_path: Path, written: str, pinned: bool) -> None:
    (tmp_path / "requirements.txt").write_text(written)
    (tmp_path / "mailer.py").write_text("import aiosmtplib\n")
    assert pinned_below(str(tmp_path / "mailer.py"), "aiosmtplib", (2, 0)) is pinned


@pytest.mark.parametrize(
    ("written", "pinned"),
    [
        ('[tool.poetry.dependencies]\naiosmtplib = "^1.1"\n', True),
        ('[tool.poetry.dependencies]\naiosmtplib = "~1.1"\n', True),
        ('[project]\ndependencies = ["aiosmtplib>=2.0"]\n', False),
    ],
)
def test_pins_read_from_pyproject(tmp_path: Path, written: str, pinned: bool) -> None:
    (tmp_path / "pyproject.toml").write_text(written)
    (tmp_path / "mailer.py").write_text("import aiosmtplib\n")
    assert pinned_below(str(tmp_path / "mailer.py"), "aiosmtplib", (2, 0)) is pinned


def test_explicit_starttls_whatever_the_implicit_tls_flag_is() -> None:
    """``use_tls=flag`` with ``start_tls`` left to its default: true, implicit TLS; false,
    ``connect()`` upgraded already. The explicit upgrade raises either way, under the
    user's own STARTTLS option too; ``start_tls`` passed on leaves none to report."""
    run = check_paths([str(UPGRADES / "either_value.py")], RunOptions())
    repeated = [f for f in run.findings if f.rule == "AS206"]
    assert [f.span.line for f in repeated] == [20, 29]
    assert all("implicit TLS if `" in f.message for f in repeated)
    assert "`self.mail.use_tls` is true" in repeated[0].message
    assert all(f.fix is None for f in repeated)
