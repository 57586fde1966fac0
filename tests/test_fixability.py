"""``check`` marks fixable only what ``fix`` does (issue 23, item 10): fixability is decided
by fix's own planner (scanner/fixes/fixability.py), so a fix that ``fix`` refuses is never
shown as fixable, and ``check`` says why."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from authsweep.rules.base import Rule
from authsweep.rules.repeated_starttls import RepeatedStarttls
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.findings import Applicability, Finding, Fix, Severity
from authsweep.scanner.model import MailFile, StepKind
from authsweep.scanner.remedies import Edit, Remedy
from authsweep.scanner.runner import check_one
from cli_support import invoke, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LOGIN = (
    "import smtplib, ssl\n"
    "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
    "    s.starttls(context=ssl.create_default_context())\n"
    "    s.login(user, password)\n"
)


class _AddsASecondStarttls(Rule):
    """A rule whose fix repeats the STARTTLS it finds: AS206 then reports one more, and
    the planner refuses it."""

    id, name, severity = "AS999", "adds-a-finding", Severity.WARNING
    summary = why = fix_doc = "test"

    def check(self, mail: MailFile) -> Iterator[Finding]:
        for conn in mail.connections:
            for step in conn.steps:
                if step.kind is StepKind.STARTTLS and step.removal and step.text:
                    end = step.removal.end
                    again = Edit(end, end, f"{step.indent}{step.text}\n")
                    fix = Fix(Applicability.SAFE, "repeat it", Remedy((again,)))
                    yield self.finding(mail, step.span, "STARTTLS once", fix=fix)


def test_check_does_not_mark_fixable_a_fix_the_planner_refuses(tmp_path: Path) -> None:
    path = write(tmp_path / "m.py", LOGIN)
    rules = [_AddsASecondStarttls(), RepeatedStarttls()]
    task = (str(path), "m.py", "python")
    unplanned, _ = check_one(task, rules, 60)
    assert [f.fixable for f in unplanned.findings] == [True]  # what the rule offers
    result, _ = check_one(task, rules, 60, RunOptions())
    [finding] = result.findings
    assert not finding.fixable
    assert finding.no_fix_reason.startswith("the fix would add AS206: ")


def test_the_reason_is_in_json_and_a_pin_withdraws_the_aiosmtplib_rewrite(
    tmp_path: Path,
) -> None:
    """Item 12 of the issue, in check: a project pinning aiosmtplib below 5.1 gets no
    rewrite from fix, and check reads the same declaration."""
    write(
        tmp_path / "mailer.py",
        "import aiosmtplib\n\n\n"
        "async def send(message, password):\n"
        "    await aiosmtplib.send(message, hostname='smtp.office365.com', port=587,\n"
        "                          start_tls=True, username='a@contoso.com', password=password)\n",
    )
    write(tmp_path / "requirements.txt", "aiosmtplib==3.0.2\n")
    pinned = json.loads(invoke("check", "--format", "json", ".", cwd=tmp_path).stdout)
    [login] = [f for f in pinned["findings"] if f["rule"] == "AS101"]
    assert login["fixable"] is False and login["fix"] is None
    assert "aiosmtplib>=5.1" in login["no_fix_reason"]
    assert "requirements.txt:1" in login["no_fix_reason"]
    # The cache knows the pin was read: lifting it makes the rewrite fixable again.
    write(tmp_path / "requirements.txt", "aiosmtplib>=5.1\n")
    lifted = json.loads(invoke("check", "--format", "json", ".", cwd=tmp_path).stdout)
    [login] = [f for f in lifted["findings"] if f["rule"] == "AS101"]
    assert login["fixable"] is True and login["no_fix_reason"] is None


def _check(root: Path) -> list[dict]:
    done = invoke("check", "--format", "json", "--exit-zero", "--no-cache", ".", cwd=root)
    return json.loads(done.stdout)["findings"]


def _fix(root: Path, unsafe: bool) -> dict:
    flags = ["--unsafe-fixes"] if unsafe else []
    done = invoke(
        "fix", *flags, "--output-format", "json", "--exit-zero", "--no-cache", ".", cwd=root
    )
    return json.loads(done.stdout)


def _allowed(finding: dict, unsafe: bool) -> bool:
    fix = finding["fix"]
    return fix is not None and (unsafe or fix["applicability"] == "safe")


@pytest.mark.slow
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_after_fix_no_finding_is_marked_fixable_over_every_fixture(
    tmp_path: Path, unsafe: bool
) -> None:
    """Over a copy of every fixture: what ``check`` marks fixable (for the mode) is gone
    after ``fix``, and what is left is not marked fixable (for the mode) and, when it is
    not fixable at all, says why; no refusal of ``fix`` names a finding ``check`` showed as
    fixable."""
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    before = _check(root)
    fixed = _fix(root, unsafe)
    after = _check(root)
    still = [f"{f['path']}:{f['line']} {f['rule']}" for f in after if _allowed(f, unsafe)]
    assert still == []
    # What is left and not fixable says why, in words a user can act on.
    unexplained = [
        f"{f['path']}:{f['line']} {f['rule']}"
        for f in after
        if not f["fix"] and not f["no_fix_reason"]
    ]
    assert unexplained == []
    # Counted per file and rule, as fix counts: every fixable finding went.
    fixable = Counter((f["path"], f["rule"]) for f in before if _allowed(f, unsafe))
    left = Counter((f["path"], f["rule"]) for f in after)
    total = Counter((f["path"], f["rule"]) for f in before)
    kept = {key: count for key, count in fixable.items() if total[key] - left[key] < count}
    assert kept == {}
    refused = [e for e in fixed["errors"] if " not fixed: " in e["message"]]
    shown = {(f["path"], f["line"], f["rule"]) for f in before if _allowed(f, unsafe)}
    contradicted = [
        e["message"] for e in refused if (e["path"], *_line_and_rule(e["message"])) in shown
    ]
    assert contradicted == []


def _line_and_rule(message: str) -> tuple[int, str]:
    """``line 22: AS203 not fixed: ...`` -> (22, "AS203")."""
    where = message.split(" not fixed: ", 1)[0]
    line, rule = where.removeprefix("line ").split(": ", 1)
    return int(line), rule
