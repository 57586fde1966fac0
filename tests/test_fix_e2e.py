"""The point of `fix`: migrated code delivers mail, proven against a real SMTP server.

Each legacy sample runs against the loopback Exchange Online simulator and fails
the way Microsoft fails it; after `authsweep fix --unsafe-fixes` it delivers, and a
second fix changes nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.testing import ExchangeSim

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "e2e"
USER = "reports@contoso.com"


def authsweep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from authsweep.scanner.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture(scope="module")
def sim():
    with ExchangeSim(mailboxes=[USER]) as simulator:
        yield simulator


# sample, what it fails with before the fix, the recipient after it
CASES = [
    ("ssl_on_587.py", "WRONG_VERSION_NUMBER", "team@contoso.com"),
    ("port_465.py", "gaierror", "oncall@contoso.com"),
    ("plain_login.py", "5.7.139", "billing@contoso.com"),
    ("class_mailer.py", "5.7.139", "hr@contoso.com"),
    ("login_before_starttls.py", "SMTP AUTH extension not supported", "ops@contoso.com"),
]


@pytest.mark.parametrize(("sample", "failure", "recipient"), CASES, ids=[c[0] for c in CASES])
def test_smtp_sample_delivers_after_fix(sim, tmp_path: Path, sample, failure, recipient) -> None:
    program = tmp_path / sample
    shutil.copy(SAMPLES / sample, program)
    env = {"MAIL_USER": USER, "MAIL_PASSWORD": "Correct-Horse-9"}

    sim.reset()
    before = sim.run_python(str(program), base_env=env)
    assert before.returncode != 0
    assert failure in before.stderr, before.stderr
    assert sim.messages == []

    fixed = authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    source = program.read_text()
    assert ".login(" not in source
    assert '"XOAUTH2"' in source and "lambda challenge=None" in source
    assert "acquire_token_by_username_password" not in source

    sim.reset()
    after = sim.run_python(str(program), base_env=env)
    assert after.returncode == 0, after.stderr
    assert [list(m.rcpt_tos) for m in sim.messages] == [[recipient]]
    assert [a.outcome for a in sim.auth_attempts] == ["accepted"]
    assert sim.issued_tokens[0].scope == "https://outlook.office365.com/.default"

    again = authsweep("fix", "--unsafe-fixes", "--diff", str(program), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "", again.stdout
    check = authsweep("check", str(program), cwd=tmp_path)
    assert check.returncode == 0, check.stdout


def test_imap_sample_authenticates_after_fix(sim, tmp_path: Path) -> None:
    program = tmp_path / "imap_login.py"
    shutil.copy(SAMPLES / "imap_login.py", program)
    env = {"MAIL_USER": USER, "MAIL_PASSWORD": "Correct-Horse-9"}

    sim.reset()
    before = sim.run_python(str(program), base_env=env)
    assert before.returncode != 0
    assert "LOGIN failed" in before.stderr

    assert authsweep("fix", "--unsafe-fixes", str(program), cwd=tmp_path).returncode == 0
    assert 'authenticate("XOAUTH2"' in program.read_text()

    sim.reset()
    after = sim.run_python(str(program), base_env=env)
    assert after.returncode == 0, after.stderr
    assert "select: OK" in after.stdout
    assert [a.outcome for a in sim.auth_attempts] == ["accepted"]


def test_safe_fixes_alone_make_the_transport_work(sim, tmp_path: Path) -> None:
    """Without --unsafe-fixes only TLS and port are fixed: the connection now works and
    the server answers the password login as Microsoft does."""
    program = tmp_path / "ssl_on_587.py"
    shutil.copy(SAMPLES / "ssl_on_587.py", program)
    fixed = authsweep("fix", str(program), cwd=tmp_path)
    assert fixed.returncode == 1  # AS101 remains: it needs --unsafe-fixes
    assert ".login(" in program.read_text()
    sim.reset()
    after = sim.run_python(
        str(program), base_env={"MAIL_USER": USER, "MAIL_PASSWORD": "Correct-Horse-9"}
    )
    assert "5.7.139" in after.stderr
