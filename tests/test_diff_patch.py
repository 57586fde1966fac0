"""``fix --diff`` is a patch real tools apply, and it shows no secret: a line that holds a
secret is left out of the hunks' context (the hunks split around it), so ``git apply``
takes the patch and applying it gives what ``authsweep fix`` writes."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_support import GIT_ENV, git, init_repo, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

SECRET = "Hunter2-Context-Secret-77"
# The password sits two lines above the safe fix (implicit TLS on 587), and again between
# two changes: without care, it is context of both.
CONTEXT_SECRET = (
    "import smtplib\n"
    "\n"
    f"PASSWORD = '{SECRET}'\n"
    "HOST = 'smtp.office365.com'\n"
    "s = smtplib.SMTP_SSL(HOST, 587)\n"
    "s.login('bot@contoso.com', PASSWORD)\n"
    "s.send_message(msg)\n"
    f"OTHER_PASSWORD = '{SECRET}'\n"
    "t = smtplib.SMTP_SSL(HOST, 587)\n"
    "t.login('ops@contoso.com', OTHER_PASSWORD)\n"
)
# The port's fix is right above the password: its hunk cannot have trailing context.
DOTENV = (
    "EMAIL_HOST=smtp.office365.com\n"
    "EMAIL_PORT=465\n"
    f"EMAIL_HOST_PASSWORD={SECRET}\n"
    "EMAIL_HOST_USER=bot@contoso.com\n"
)


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = init_repo(tmp_path / "project")
    for name, text in files.items():
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def _fixed_by_authsweep(root: Path, tmp_path: Path, *args: str) -> dict[str, str]:
    """What `authsweep fix` writes, in a copy of ``root``."""
    copy = tmp_path / "fixed"
    shutil.copytree(root, copy)
    run_cli("fix", ".", "--no-cache", *args, cwd=copy)
    return {p.name: p.read_text() for p in copy.iterdir() if p.is_file()}


def _apply(root: Path, patch: str, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "apply", *options, "-"],
        cwd=root,
        input=patch,
        capture_output=True,
        text=True,
        env={**GIT_ENV},
        check=False,
    )


@pytest.mark.slow
def test_a_secret_in_context_is_left_out_and_git_applies_the_patch(tmp_path: Path) -> None:
    root = _project(tmp_path, {"mail.py": CONTEXT_SECRET})
    result = run_cli("fix", ".", "--diff", "--no-cache", cwd=root)
    patch = result.stdout
    assert result.returncode == 1 and patch.startswith("--- a/mail.py\n"), result.stderr
    assert SECRET not in patch and SECRET[:8] not in patch
    assert "PASSWORD = '" not in patch  # neither line is context, masked or not
    assert patch.count("@@ -") >= 2  # split around the secret between the two changes
    check = _apply(root, patch, "--check")
    assert check.returncode == 0, check.stderr + patch
    expected = _fixed_by_authsweep(root, tmp_path)
    assert _apply(root, patch).returncode == 0
    assert (root / "mail.py").read_text() == expected["mail.py"]


@pytest.mark.slow
def test_a_change_right_before_a_secret_applies_without_trailing_context(tmp_path: Path) -> None:
    root = _project(tmp_path, {".env": DOTENV})
    args = ("--unsafe-fixes", "--no-cache", "--select", "AS202")
    result = run_cli("fix", ".", "--diff", *args, cwd=root)
    patch = result.stdout
    assert SECRET not in patch and SECRET[:8] not in patch
    assert patch.startswith(
        "authsweep: the diff of .env has a change right before a line that holds a secret"
    )
    assert "-EMAIL_PORT=465\n+EMAIL_PORT=587\n" in patch
    check = _apply(root, patch, "--check", "--unidiff-zero")
    assert check.returncode == 0, check.stderr + patch
    dry_run = subprocess.run(
        ["patch", "-p1", "--dry-run"], cwd=root, input=patch, capture_output=True, text=True
    )
    assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
    expected = _fixed_by_authsweep(root, tmp_path, *args)
    assert _apply(root, patch, "--unidiff-zero").returncode == 0
    assert (root / ".env").read_text() == expected[".env"]


@pytest.mark.slow
def test_a_changed_line_that_holds_a_secret_is_masked_and_said_so(tmp_path: Path) -> None:
    source = (
        "import smtplib\n"
        "s = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
        f"s.login('bot@contoso.com', '{SECRET}')\n"
    )
    root = _project(tmp_path, {"inline.py": source})
    result = run_cli("fix", ".", "--diff", "--unsafe-fixes", "--no-cache", cwd=root)
    assert SECRET not in result.stdout and SECRET[:8] not in result.stdout
    assert result.stdout.startswith(
        "authsweep: the diff of inline.py changes a line that holds a secret, masked here"
    )


def test_a_password_set_by_the_objects_user_masks_no_code(tmp_path: Path) -> None:
    """``self.password = None`` that the object's user replaces: the login is a password
    login, but ``None`` is no secret, so the diff shows ``challenge=None`` as written."""
    source = (
        "import smtplib\n"
        "\n"
        "\n"
        "class Mail:\n"
        "    password = None\n"
        "\n"
        "    def send(self, msg):\n"
        "        s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "        s.starttls()\n"
        "        s.login('bot@contoso.com', self.password)\n"
        "        s.send_message(msg)\n"
    )
    root = _project(tmp_path, {"mail.py": source})
    result = run_cli("fix", "mail.py", "--diff", "--unsafe-fixes", "--no-cache", cwd=root)
    assert "lambda challenge=None:" in result.stdout, result.stdout + result.stderr
    assert "N***" not in result.stdout


_LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n", "\n", "f"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_LINES, _LINES)
def test_without_secrets_the_diff_is_difflibs(old: list[str], new: list[str]) -> None:
    """Nothing to hide: the same hunks as difflib (and git) make."""
    from authsweep.scanner.report.patch import masked_diff

    before, after = "".join(old), "".join(new)
    ours = masked_diff("f", before, after, set(), ("a/f", "b/f"))
    theirs = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), "a/f", "b/f"
        )
    )
    assert ours == theirs
