"""The command line: every option documented, ``python -m``, --changed-since on real git
history, stdin with configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.cli import app
from cli_support import (
    IMPLICIT_TLS_587,
    MULTILINE_LOGIN,
    cli_commands,
    commit_all,
    git,
    init_repo,
    run_cli,
    write,
)


def test_every_option_and_argument_has_a_one_line_help() -> None:
    commands = {"": app, **cli_commands()}
    for name, command in commands.items():
        assert command.help or name == "", name
        for param in command.params:
            text = getattr(param, "help", None)
            assert text, f"{name} {param.name} has no help"
            assert "\n" not in text.strip(), f"{name} {param.name}: one line"
    options = {opt for p in commands["check"].params for opt in getattr(p, "opts", ())}
    for wanted in (
        "--select",
        "--ignore",
        "--config",
        "--format",
        "--output-file",
        "--exit-zero",
        "--baseline",
        "--write-baseline",
        "--show-suppressed",
        "--changed-since",
        "--statistics",
        "--quiet",
        "--no-color",
        "--stdin-filename",
        "--all-providers",
    ):
        assert wanted in options, wanted
    help_text = run_cli("check", "--help", cwd=Path.cwd(), env={"COLUMNS": "200"}).stdout
    for fmt in ("text", "json", "sarif", "github", "markdown"):
        assert fmt in help_text


@pytest.mark.slow
def test_python_dash_m(tmp_path: Path) -> None:
    """``python -m authsweep`` is the ``authsweep`` script: same output, exit codes, name."""
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)

    def python_m(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "authsweep", *args]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)

    result = python_m("check", "tls.py")
    assert result.returncode == 1 and result.stdout.startswith("tls.py:3:1: AS201"), result
    assert python_m("--version").stdout.startswith("authsweep ")
    assert python_m("check", "--help").stdout.startswith("Usage: authsweep check")
    assert python_m("check", "--no-such-option").returncode == 2
    assert run_cli("check", "tls.py", cwd=tmp_path).stdout == result.stdout


@pytest.mark.slow
def test_unknown_format_and_bad_selectors_are_usage_errors(tmp_path: Path) -> None:
    assert run_cli("check", "--format", "xml", cwd=tmp_path).returncode == 2
    result = run_cli("check", "--ignore", "AS7", cwd=tmp_path)
    assert result.returncode == 2 and "--ignore" in result.stderr and "AS7" in result.stderr


def changed_repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo")
    write(repo / "old.py", IMPLICIT_TLS_587)
    write(repo / "edited.py", "import smtplib\n")
    write(repo / "committed_later.py", "")
    commit_all(repo, "base")
    git(repo, "switch", "-q", "-c", "feature")
    write(repo / "committed_later.py", IMPLICIT_TLS_587)
    commit_all(repo, "feature work")
    write(repo / "edited.py", IMPLICIT_TLS_587)  # unstaged change
    write(repo / "staged.py", MULTILINE_LOGIN)
    git(repo, "add", "staged.py")
    write(repo / "untracked.py", IMPLICIT_TLS_587)
    write(repo / ".gitignore", "ignored.py\n")
    write(repo / "ignored.py", IMPLICIT_TLS_587)
    return repo


@pytest.mark.slow
def test_changed_since_reports_only_changed_files(tmp_path: Path) -> None:
    repo = changed_repo(tmp_path)
    result = run_cli("check", "--changed-since", "main", "--format", "json", cwd=repo)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    paths = sorted({f["path"] for f in document["findings"]})
    assert paths == ["committed_later.py", "edited.py", "staged.py", "untracked.py"]
    # Named paths still limit the run; a subfolder works from inside the repository.
    named = run_cli("check", "old.py", "edited.py", "--changed-since", "main", cwd=repo)
    assert "edited.py:3:1" in named.stdout and "old.py" not in named.stdout
    (repo / "sub").mkdir()
    inside = run_cli("check", "..", "--changed-since", "main", "--format", "json", cwd=repo / "sub")
    assert len(json.loads(inside.stdout)["findings"]) == 4


@pytest.mark.slow
def test_changed_since_errors(tmp_path: Path) -> None:
    repo = changed_repo(tmp_path)
    bad = run_cli("check", "--changed-since", "no-such-rev", cwd=repo)
    assert bad.returncode == 2 and "--changed-since" in bad.stderr and "Traceback" not in bad.stderr
    outside = tmp_path / "plain"
    write(outside / "a.py", IMPLICIT_TLS_587)
    assert run_cli("check", "--changed-since", "main", cwd=outside).returncode == 2
    stdin = run_cli("check", "-", "--changed-since", "main", cwd=repo, stdin="")
    assert stdin.returncode == 2


@pytest.mark.slow
def test_stdin_uses_the_configuration_of_its_filename(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nextend-exclude = ["legacy"]\n')
    for name, expected in (("app/tls.py", 1), ("legacy/tls.py", 0)):
        result = run_cli(
            "check", "-", "--stdin-filename", name, cwd=tmp_path, stdin=IMPLICIT_TLS_587
        )
        assert result.returncode == expected, result.stdout + result.stderr
    write(tmp_path / "pyproject.toml", '[tool.authsweep.severity]\nAS201 = "info"\n')
    result = run_cli("check", "-", "--stdin-filename", "x.py", cwd=tmp_path, stdin=IMPLICIT_TLS_587)
    assert "AS201 [info]" in result.stdout


@pytest.mark.slow
def test_cache_options(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    first = run_cli("check", "--cache-dir", "cache", cwd=tmp_path)
    assert (tmp_path / "cache").is_dir()
    second = run_cli("check", "--cache-dir", "cache", cwd=tmp_path)
    assert first.stdout == second.stdout and first.returncode == second.returncode == 1
    run_cli("check", "--no-cache", cwd=tmp_path)
    assert not (tmp_path / ".authsweep_cache").exists()
