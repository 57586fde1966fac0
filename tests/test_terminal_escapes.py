"""Control characters from a scanned tree (file names, source, configuration, repository
names) never reach the terminal as they are: an OSC that retitles the window, SGR 8 that
conceals text, a carriage return or line break that forges a line, bidi controls. Text
output shows them as escapes; GitHub annotations escape them as the runner needs."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import GIT_ENV, run_cli
from sweep_support import repository

pytestmark = pytest.mark.slow

# What a terminal would act on, tab and line feed aside (lines are the output's own).
ACTING = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
NAME = "mail\x1b]0;owned\x07\r.py"
SHOWN_NAME = "mail\\x1b]0;owned\\x07\\r.py"
SOURCE = (
    "import smtplib\n"
    "s = smtplib.SMTP_SSL('smtp.office365.com', 465)  # \x1b[8mconcealed\x1b[0m \u202etxt.exe\n"
    "s.login('bot@contoso.com', password)\n"
)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / NAME).write_text(SOURCE)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("check", "."),
        ("check", ".", "--output-format", "concise"),
        ("check", ".", "--output-format", "grouped", "--show-fixes"),
        ("fix", ".", "--unsafe-fixes", "--show-fixes"),
        ("fix", ".", "--diff"),  # the report on stderr; the patch itself is exact
    ],
    ids=["full", "concise", "grouped", "fix", "fix --diff"],
)
def test_text_output_shows_control_characters_as_escapes(tree: Path, args: tuple) -> None:
    result = run_cli(*args, "--no-cache", cwd=tree)
    assert result.returncode in (0, 1), result.stderr
    report = result.stderr if "--diff" in args else result.stdout
    assert SHOWN_NAME in report
    for stream in (result.stderr, "" if "--diff" in args else result.stdout):
        assert not ACTING.search(stream), repr(ACTING.search(stream))
    if args == ("check", "."):
        assert "\\x1b[8mconcealed\\x1b[0m \\u202etxt.exe" in result.stdout


def test_github_annotations_escape_what_the_log_would_render(tree: Path) -> None:
    result = run_cli("check", ".", "--no-cache", "--format", "github", cwd=tree)
    lines = result.stdout.splitlines()
    assert lines and all(" file=mail\\x1b]0;owned\\x07%0D.py,line=" in line for line in lines)
    assert not ACTING.search(result.stdout)
    assert result.stdout.count("\n") == len(result.stdout.splitlines())  # no forged command


def test_a_diff_on_a_terminal_shows_escapes_and_in_a_pipe_is_exact(tree: Path) -> None:
    piped = run_cli("fix", ".", "--diff", "--no-cache", cwd=tree)
    assert "\x1b[8mconcealed" in piped.stdout  # a patch must apply: its bytes are the file's
    main, secondary = pty.openpty()
    try:
        shown = subprocess.run(
            [sys.executable, "-m", "authsweep.scanner.cli", "fix", ".", "--diff", "--no-cache"],
            cwd=tree,
            stdout=secondary,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=120,
            check=False,
        )
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other side is closed: all is read
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(main)
    assert shown.returncode == 1
    text = output.decode()
    assert "\\x1b[8mconcealed\\x1b[0m \\u202etxt.exe" in text
    assert not ACTING.search(text.replace("\r\n", "\n"))  # the terminal's own line ends


def test_messages_on_stderr_quote_paths_as_escapes(tmp_path: Path) -> None:
    project = tmp_path / "project\x1b]0;owned\x07"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.authsweep]\nselect = ["XX"]\n')
    (project / "m.py").write_text(SOURCE)
    result = run_cli("check", project.name, "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("authsweep: error: ")
    assert "project\\x1b]0;owned\\x07" in result.stderr and not ACTING.search(result.stderr)


def test_sweep_text_shows_a_repository_name_as_escapes(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        repository(tmp_path / "org" / "team\x1b[8m\u202e", {"m.py": SOURCE})
    result = run_cli("sweep", "org", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "team\\x1b[8m\\u202e" in result.stdout and not ACTING.search(result.stdout)
