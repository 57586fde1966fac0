"""Helpers for the command-line tests: authsweep run as a user runs it, real git repos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# No user or system git configuration (signing, hooks, templates) leaks into the tests.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

# One finding (AS201, safe fix) on line 3.
IMPLICIT_TLS_587 = (
    "import smtplib\n"
    "import ssl\n"
    "smtplib.SMTP_SSL('smtp.office365.com', 587, context=ssl.create_default_context())\n"
)
# AS101 on lines 6-9 (a multi-line call), nothing else.
MULTILINE_LOGIN = (
    "import smtplib\n"
    "import ssl\n"
    "\n"
    "with smtplib.SMTP('smtp.office365.com', 587) as s:\n"
    "    s.starttls(context=ssl.create_default_context())\n"
    "    s.login(\n"
    "        user,\n"
    "        password,\n"
    "    )\n"
)


def run_cli(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "authsweep.scanner.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        env=environment,
        check=False,
    )


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_all(path: Path, message: str = "change") -> None:
    git(path, "add", "-A")
    git(path, "commit", "-q", "--no-verify", "-m", message)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class Invocation:
    """What an in-process run of the command line gave."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.returncode = exit_code
        self.stdout = stdout
        self.stderr = stderr


def cli_commands() -> dict:
    """Every command of the command line, by name, built as click builds it to run it."""
    import click
    from authsweep.scanner.cli import app

    context = click.Context(app, info_name="authsweep")
    return {name: app.get_command(context, name) for name in app.list_commands(context)}


def invoke(
    *args: str, cwd: Path, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> Invocation:
    """Run ``authsweep ARGS`` in this process (click's runner; far cheaper than a new
    interpreter), in ``cwd``, with colour off unless ``env`` asks for it."""
    from authsweep.scanner.cli import app
    from click.testing import CliRunner

    environment = {"NO_COLOR": None, "FORCE_COLOR": None, "PRE_COMMIT": None, **(env or {})}
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args), input=stdin, env=environment)
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Invocation(result.exit_code, result.stdout, result.stderr)
