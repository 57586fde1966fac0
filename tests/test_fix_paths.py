"""Fixes that are right on every path: each shape that once made `fix --unsafe-fixes` write
a program that did not work (fixtures/fix_paths), run under `authsweep lab run` on each of
its paths before and after the fix. After it, every path delivers, or the fix wrote
nothing for that path and `check` still reports it with the path's condition."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lab_support import authsweep, delivered, essentials, lab_run, refused, smtp_587

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "fix_paths"
BASIC_SMTP = [("smtp", "LOGIN", "basic-auth-disabled", None)]
PLAIN_LOGIN = refused("closed-before-starttls", None, "AS203", [smtp_587("none")], [])
BASIC_AUTH = refused("basic-auth-disabled", "535 5.7.139", "AS101", [smtp_587()], BASIC_SMTP)

# sample, the environment that picks the path, the verdict before the fix, and after it
CASES = [
    ("login_then_starttls.py", {}, PLAIN_LOGIN, delivered("team@contoso.com", "Digest")),
    (
        "conditional_starttls.py",
        {"MAIL_USE_TLS": "1"},
        BASIC_AUTH,
        delivered("oncall@contoso.com", "Alert"),
    ),
    # For a Microsoft 365 host the STARTTLS runs on every path after the fix: the plain
    # path delivers too.
    (
        "conditional_starttls.py",
        {"MAIL_USE_TLS": "0"},
        PLAIN_LOGIN,
        delivered("oncall@contoso.com", "Alert"),
    ),
    (
        "replaced_connection.py",
        {},
        refused(
            "tls-on-plain-port",
            "WRONG_VERSION_NUMBER",
            "AS201",
            [smtp_587("implicit", "WRONG_VERSION_NUMBER")],
            [],
        ),
        # The constructor's session is dropped by connect(), which opens the one used.
        {**delivered("ops@contoso.com", "Backup"), "connections": [smtp_587("none"), smtp_587()]},
    ),
    ("env_password.py", {}, BASIC_AUTH, delivered("billing@contoso.com", "Receipt")),
]
# After the fix no program needs the password: the deployment drops it.
AFTER_ENV = {"MAIL_PASSWORD": None}
# What check still reports after the fix, by sample (a path no fix could be written for).
REMAINS: dict[str, str] = {}


def fixed_copy(tmp_path: Path, sample: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    program = tmp_path / sample
    shutil.copy(SAMPLES / sample, program)
    return program, authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path)


@pytest.mark.parametrize(
    ("sample", "env", "before", "after"),
    CASES,
    ids=[f"{c[0]}-{'-'.join(f'{k}={v}' for k, v in c[1].items()) or 'default'}" for c in CASES],
)
def test_every_path_delivers_or_keeps_its_finding(tmp_path: Path, sample, env, before, after):
    program = tmp_path / sample
    shutil.copy(SAMPLES / sample, program)
    assert essentials(lab_run(program, env=env)) == before

    program, fixed = fixed_copy(tmp_path, sample)
    assert fixed.returncode in (0, 1), fixed.stdout + fixed.stderr
    source = program.read_text()
    assert source.count(".starttls(") <= 1  # moved or kept, never a second one
    verdict = lab_run(program, env={**env, **AFTER_ENV})
    assert essentials(verdict) == after, verdict["stderr"]

    check = authsweep("check", str(program), "--output-format", "concise", cwd=tmp_path)
    if sample in REMAINS:
        assert REMAINS[sample] in check.stdout
    else:
        assert check.returncode == 0, check.stdout
    again = authsweep("fix", "--unsafe-fixes", "--diff", str(program), cwd=tmp_path)
    assert again.stdout == "", again.stdout  # nothing left that a second run would change


@pytest.mark.parametrize(
    "sample", ["gmail_handler.py", "notifier_mixin.py", "tests/test_live_refusal.py"]
)
def test_logins_the_rewrite_must_leave_alone(tmp_path: Path, sample: str) -> None:
    (tmp_path / "tests").mkdir()
    program, _ = fixed_copy(tmp_path, sample)
    source = program.read_text()
    assert ".login(" in source and "XOAUTH2" not in source and "msal" not in source


def test_fixed_samples_stay_clean_for_ruff(tmp_path: Path) -> None:
    """Clean under Ruff's unused-import, unused-variable and import-order rules before the
    fix, so after it too."""
    tree = tmp_path / "fix_paths"
    shutil.copytree(SAMPLES, tree)
    lint = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F401,F841,I001"]
    assert subprocess.run([*lint, str(tree)], capture_output=True, check=False).returncode == 0
    authsweep("fix", "--unsafe-fixes", str(tree), cwd=tmp_path)
    after = subprocess.run([*lint, str(tree)], capture_output=True, text=True, check=False)
    assert after.returncode == 0, after.stdout


def test_assume_microsoft_makes_unknown_hosts_rewritable(tmp_path: Path) -> None:
    (tmp_path / "mailer").mkdir()
    code = (
        "import smtplib, ssl\n"
        "def send(host, user, password):\n"
        "    with smtplib.SMTP(host, 587) as smtp:\n"
        "        smtp.starttls(context=ssl.create_default_context())\n"
        "        smtp.login(user, password)\n"
    )
    (tmp_path / "mailer" / "send.py").write_text(code)
    (tmp_path / "other.py").write_text(code)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.authsweep]\nassume-microsoft = ["mailer/*.py"]\n'
    )
    check = authsweep("check", ".", "--output-format", "concise", cwd=tmp_path)
    assert "mailer/send.py:5:9: AS101 [**]" in check.stdout  # an error, and fixable
    assert "other.py:5:9: AS101 SMTP password login to the host from parameter host" in (
        check.stdout
    )
    authsweep("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert "XOAUTH2" in (tmp_path / "mailer" / "send.py").read_text()
    assert "XOAUTH2" not in (tmp_path / "other.py").read_text()
    authsweep("fix", "--unsafe-fixes", "--assume-microsoft", "other.py", cwd=tmp_path)
    assert "XOAUTH2" in (tmp_path / "other.py").read_text()
