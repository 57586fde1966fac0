"""Ruff's habits carry over (issue 26): ``check --fix`` (and ``--unsafe-fixes``),
``--extend-select``, ``fix --output-format json``, ``--exit-non-zero-on-fix``,
``--show-files`` and ``--show-settings``, with Ruff's names and meanings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from cli_support import IMPLICIT_TLS_587, MULTILINE_LOGIN, commit_all, init_repo, invoke, write

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "legacy_mailer"
# AS201 (safe fix) on line 4 and AS101 (unsafe fix) on line 5.
TLS_AND_LOGIN = (
    "import smtplib\n"
    "import ssl\n"
    "\n"
    "with smtplib.SMTP_SSL('smtp.office365.com', 587, context=ssl.create_default_context()) as s:\n"
    "    s.login(user, password)\n"
)
TLS_ONLY = TLS_AND_LOGIN.replace("s.login(user, password)", "s.noop()")  # AS201 alone


def demo_copy(tmp_path: Path, name: str) -> Path:
    shutil.copytree(DEMO, tmp_path / name)
    return tmp_path / name


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


@pytest.mark.slow
def test_check_fix_writes_what_fix_writes_and_reports_what_is_left(tmp_path: Path) -> None:
    by_fix = demo_copy(tmp_path, "by_fix")
    by_check = demo_copy(tmp_path, "by_check")
    fixed = invoke("fix", "by_fix", "--no-cache", cwd=tmp_path)
    result = invoke("check", "--fix", "by_check", "--no-cache", cwd=tmp_path)
    assert tree_bytes(by_check) == tree_bytes(by_fix) != tree_bytes(DEMO)
    assert result.returncode == fixed.returncode == 1  # problems are left
    # What was fixed on stderr, in fix's words; what is left on stdout, in check's.
    assert "Fixed 8 of 14 problems" in result.stderr
    assert "`authsweep check --fix --unsafe-fixes`" in result.stderr
    assert "Found 6 problems" in result.stdout and "AS201" not in result.stdout
    after = invoke("check", "by_check", "--no-cache", cwd=tmp_path)
    assert after.stdout == result.stdout


def test_check_fix_in_a_machine_format_reports_what_is_left(tmp_path: Path) -> None:
    demo_copy(tmp_path, "demo")
    result = invoke("check", "--fix", "demo", "--format", "json", "--no-cache", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["summary"]["findings"] == 6
    assert {f["rule"] for f in document["findings"]} == {"AS101", "AS102", "AS105"}


@pytest.mark.slow
def test_check_unsafe_fixes_only_with_fix(tmp_path: Path) -> None:
    write(tmp_path / "mail.py", TLS_AND_LOGIN)
    refused = invoke("check", "--unsafe-fixes", "mail.py", cwd=tmp_path)
    assert refused.returncode == 2 and "--unsafe-fixes goes with --fix" in refused.stderr
    assert invoke("check", "--exit-non-zero-on-fix", "mail.py", cwd=tmp_path).returncode == 2
    result = invoke("check", "--fix", "--unsafe-fixes", "mail.py", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (tmp_path / "mail.py").read_text()
    assert "XOAUTH2" in text and ".login(" not in text and "587" in text


def test_check_fix_on_stdin_writes_the_fixed_code_as_fix_does(tmp_path: Path) -> None:
    piped = invoke("check", "--fix", "-", "--stdin-filename", "m.py", cwd=tmp_path, stdin=PORT)
    assert piped.stdout == invoke("fix", "-", cwd=tmp_path, stdin=PORT).stdout
    assert "smtplib.SMTP('smtp.office365.com', 587)" in piped.stdout
    assert piped.returncode == 0


PORT = "import smtplib, ssl\nt = smtplib.SMTP('smtp.office365.com', 465)\n"
PORT += "t.starttls(context=ssl.create_default_context())\n"


@pytest.mark.slow
def test_extend_select_adds_to_the_select_in_force(tmp_path: Path) -> None:
    write(tmp_path / "mail.py", TLS_AND_LOGIN)
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nselect = ["AS1"]\n')

    def rules(*args: str) -> set[str]:
        result = invoke("check", "mail.py", "--format", "json", "--no-cache", *args, cwd=tmp_path)
        return {f["rule"] for f in json.loads(result.stdout)["findings"]}

    assert rules() == {"AS101"}
    assert rules("--extend-select", "AS201") == {"AS101", "AS201"}
    assert rules("--select", "AS2", "--extend-select", "AS101") == {"AS101", "AS201"}
    # No select anywhere is every rule: extending it changes nothing; an ignore still wins.
    (tmp_path / "pyproject.toml").unlink()
    assert rules("--extend-select", "AS201") == rules() == {"AS101", "AS201"}
    assert rules("--extend-select", "AS201", "--ignore", "AS201") == {"AS101"}
    bad = invoke("check", "mail.py", "--extend-select", "XX9", cwd=tmp_path)
    assert bad.returncode == 2 and "--extend-select" in bad.stderr
    fixed = invoke("fix", "mail.py", "--select", "AS1", "--extend-select", "AS2", cwd=tmp_path)
    assert "Fixed 1 of 2 problems (AS201: 1)" in fixed.stdout


@pytest.mark.slow
def test_fix_output_format_json_says_what_changed_in_each_file(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path, "demo")
    text = invoke("fix", "--diff", "demo", "--no-cache", cwd=tmp_path)
    result = invoke("fix", "demo", "--output-format", "json", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1  # problems are left, as with the text report
    document = json.loads(result.stdout)
    assert document["tool"] == "authsweep" and document["command"] == "fix"
    assert document["written"] is True and document["unsafe_fixes"] is False
    summary = document["summary"]
    assert (summary["found"], summary["fixed"], summary["remaining"]) == (14, 8, 6)
    assert summary["fixed_by_rule"] == {"AS201": 1, "AS202": 1, "AS203": 1, "AS204": 5}
    assert summary["files_changed"] == len(document["files"]) == 5
    assert summary["remaining_unsafe_fixable"] == 5
    # The changed files are the ones the text diff names; each fix at its line before the fix.
    assert {f["path"] for f in document["files"]} == set(
        re.findall(r"^\+\+\+ b/(\S+)", text.stdout, re.M)
    )
    alerts = next(f for f in document["files"] if f["path"].endswith("alerts.py"))
    assert [(f["rule"], f["line"]) for f in alerts["fixed"]] == [("AS202", 11), ("AS204", 11)]
    assert alerts["fixed"][0]["fix"] == {
        "applicability": "safe",
        "message": "Use port 587 with STARTTLS",
    }
    source = (DEMO / "legacy_mailer" / "alerts.py").read_text().splitlines()
    assert "465" in source[11 - 1]
    assert {f["rule"] for f in document["remaining"]} == {"AS101", "AS102", "AS105"}
    assert tree_bytes(demo) != tree_bytes(DEMO)


@pytest.mark.slow
def test_fix_json_with_diff_goes_to_stderr_and_writes_nothing(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path, "demo")
    args = ("fix", "demo", "--diff", "--unsafe-fixes", "--output-format", "json", "--no-cache")
    result = invoke(*args, cwd=tmp_path)
    assert result.stdout.startswith("--- a/demo/")  # the diff, as without json
    document = json.loads(result.stderr)
    assert document["written"] is False and document["unsafe_fixes"] is True
    assert document["summary"]["fixed_by_rule"]["AS101"] == 4
    assert tree_bytes(demo) == tree_bytes(DEMO)
    assert invoke("fix", "demo", "--output-format", "sarif", cwd=tmp_path).returncode == 2


@pytest.mark.slow
def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    for name in ("a.py", "b.py", "c.py", "d.py"):
        write(tmp_path / name, TLS_ONLY)
    assert invoke("fix", "a.py", cwd=tmp_path).returncode == 0  # fixed, nothing left
    assert invoke("fix", "--exit-non-zero-on-fix", "b.py", cwd=tmp_path).returncode == 1
    assert "SMTP_SSL" not in (tmp_path / "b.py").read_text()
    # Nothing (left) to fix: the flag changes nothing.
    assert invoke("fix", "--exit-non-zero-on-fix", "b.py", cwd=tmp_path).returncode == 0
    assert invoke("check", "--fix", "--exit-non-zero-on-fix", "c.py", cwd=tmp_path).returncode == 1
    assert invoke("check", "--fix", "--exit-non-zero-on-fix", "c.py", cwd=tmp_path).returncode == 0
    assert (
        invoke("fix", "--exit-non-zero-on-fix", "--exit-zero", "d.py", cwd=tmp_path).returncode == 0
    )


@pytest.mark.slow
def test_show_files_lists_what_a_run_would_check(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    write(repo / "app" / "mail.py", MULTILINE_LOGIN)
    write(repo / "app" / ".env", "SMTP_PASSWORD=x\n")
    write(repo / "legacy" / "old.py", MULTILINE_LOGIN)
    write(repo / "README.md", "not read\n")
    write(repo / "pyproject.toml", '[tool.authsweep]\nextend-exclude = ["legacy"]\n')
    commit_all(repo)
    result = invoke("check", "--show-files", cwd=repo)
    assert result.returncode == 0  # nothing checked, so nothing found
    assert result.stdout.splitlines() == ["app/.env", "app/mail.py", "pyproject.toml"]
    write(repo / "app" / "new.py", IMPLICIT_TLS_587)
    changed = invoke("check", "--show-files", "--changed-since", "HEAD", cwd=repo)
    assert changed.stdout.splitlines() == ["app/new.py"]
    missing = invoke("check", "--show-files", "app", "nowhere", cwd=repo)
    assert missing.returncode == 1 and "nowhere" in missing.stderr
    escape = invoke("check", "--show-files", cwd=_with_escape_name(tmp_path))
    assert "\x1b" not in escape.stdout and "\\x1b" in escape.stdout


def _with_escape_name(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    write(folder / "evil\x1b[2Jname.py", "x = 1\n")
    return folder


def test_show_settings_resolves_the_first_file(tmp_path: Path) -> None:
    write(tmp_path / "app" / "mail.py", MULTILINE_LOGIN)
    write(
        tmp_path / "pyproject.toml",
        '[tool.authsweep]\nselect = ["AS1"]\nfail-on = "error"\n'
        '[tool.authsweep.per-file-ignores]\n"app/*" = ["AS105"]\n',
    )
    result = invoke("check", "--show-settings", "--extend-select", "AS201", "app", cwd=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "Resolved settings for: app/mail.py",
        f"Settings path: {tmp_path / 'pyproject.toml'}",
    ]
    assert 'select = ["AS1", "AS201"]' in lines and 'per-file-ignores = ["AS105"]' in lines
    assert 'fail-on = "error"' in lines
    assert 'rules = ["AS101", "AS102", "AS103", "AS104", "AS106", "AS201"]' in lines
    both = invoke("check", "--show-settings", "--show-files", cwd=tmp_path)
    assert both.returncode == 2
