"""What a run's exit code promises with ``--exit-zero`` (0 whatever was found, checked or
left; 2 still for bad usage), and the fixer refusing, by itself, a fix after which a rule
reports more (issue 23: both could break with the rest of the suite green)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from authsweep.rules.base import Rule
from authsweep.rules.repeated_starttls import RepeatedStarttls
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.findings import Applicability, Finding, Fix, Severity
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.model import MailFile, StepKind
from authsweep.scanner.remedies import Edit, Remedy
from cli_support import invoke, write

BROKEN = "import smtplib\nprint 'x'\n"
PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)
LOGIN = (
    "import smtplib, ssl\n"
    "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
    "    s.starttls(context=ssl.create_default_context())\n"
    "    s.login(user, password)\n"
)


@pytest.mark.slow
def test_check_with_exit_zero_passes_over_findings_and_unchecked_files(tmp_path: Path) -> None:
    write(tmp_path / "broken.py", BROKEN)
    write(tmp_path / "port.py", PORT_465)
    plain = invoke("check", ".", cwd=tmp_path)
    assert plain.returncode == 1
    unchecked = invoke("check", "broken.py", cwd=tmp_path)
    assert unchecked.returncode == 1  # nothing found, but a file was not checked
    for paths in ((".",), ("broken.py",), ("broken.py", "/nonexistent")):
        zero = invoke("check", "--exit-zero", *paths, cwd=tmp_path)
        assert zero.returncode == 0, zero.stdout + zero.stderr
        assert "broken.py:2:1: unparsable" in zero.stdout + zero.stderr  # still said
    assert invoke("check", "--exit-zero", "--select", "XX1", ".", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("diff", [False, True])
def test_fix_with_exit_zero_passes_over_what_is_left(tmp_path: Path, diff: bool) -> None:
    flag = ["--diff"] if diff else []
    write(tmp_path / "broken.py", BROKEN)
    write(tmp_path / "login.py", LOGIN)  # only --unsafe-fixes would fix it
    write(tmp_path / "port.py", PORT_465)
    assert invoke("fix", *flag, ".", cwd=tmp_path).returncode == 1
    zero = invoke("fix", *flag, "--exit-zero", ".", cwd=tmp_path)
    assert zero.returncode == 0, zero.stdout + zero.stderr
    assert "broken.py:2:1: unparsable" in zero.stdout + zero.stderr
    bad = invoke("fix", *flag, "--exit-zero", "--select", "XX1", ".", cwd=tmp_path)
    assert bad.returncode == 2


class _AddsASecondStarttls(Rule):
    """A rule whose fix repeats the STARTTLS it finds: AS206 then reports one more."""

    id, name, severity = "AS999", "adds-a-finding", Severity.WARNING
    summary = why = fix_doc = "test"

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn in mail.connections:
            for step in conn.steps:
                if step.kind is StepKind.STARTTLS and step.removal and step.text:
                    end = step.removal.end
                    again = Edit(end, end, f"{step.indent}{step.text}\n")
                    remedy = Remedy((again,))
                    fix = Fix(Applicability.SAFE, "repeat it", remedy)
                    yield self.finding(mail, step.span, "STARTTLS once", fix=fix)


def test_a_fix_after_which_a_rule_reports_more_is_refused() -> None:
    rules = [_AddsASecondStarttls(), RepeatedStarttls()]
    result = fix_source("m.py", "python", LOGIN.encode(), RunOptions(), unsafe=True, rules=rules)
    assert result.after == LOGIN  # nothing written
    [(finding, reason)] = result.refused.values()
    assert finding.rule == "AS999"
    assert reason.startswith("the fix would add AS206: ")
