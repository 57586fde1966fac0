"""``authsweep check`` is read without click when its line allows (scanner/cli/fast.py):
from one declaration, with the same options and the same meaning as click's, and every
other line (help, errors, other commands) still goes through click."""

from __future__ import annotations

import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import click
import pytest
from authsweep.scanner.cli import fast
from authsweep.scanner.cli.check import check
from authsweep.scanner.cli.check_options import OPTIONS
from authsweep.scanner.cli.fast import COMPLETION_VARIABLE, check_values
from authsweep.scanner.cli_params import Option, click_command, fast_table
from cli_support import IMPLICIT_TLS_587, write
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli_output import imported

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_options.py"
A_FOLDER = str(Path(__file__).resolve().parent)
A_FILE = str(Path(__file__).resolve())


def click_values(args: list[str]) -> dict[str, Any] | None:
    """What click calls ``check`` with for ``args``; None when it prints help or an error."""
    command = click_command(check, "check")
    try:
        context = command.make_context("check", list(args))
    except (click.exceptions.ClickException, click.exceptions.Exit):
        return None
    return {
        param.name: (getattr(param, "to_python", None) or (lambda value: value))(
            context.params[param.name]
        )
        for param in command.params
    }


def test_the_table_is_the_declarations() -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from check_options import current_text
    finally:
        sys.path.remove(str(SCRIPT.parent))
    table = ROOT / "scanner" / "cli" / "check_options.py"
    assert table.read_text(encoding="utf-8") == current_text(), (
        "scanner/cli/check_options.py is not current: run python scripts/check_options.py"
    )


def test_the_script_finds_the_table_current() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_option_of_check_is_in_the_table() -> None:
    command = click_command(check, "check")
    names = {name for param in command.params for name in param.opts if name.startswith("-")}
    assert set(OPTIONS) == names


# Lines the fast reader reads: a pre-commit hook's, a CI job's, the bench's.
READ = [
    [],
    ["a.py", "b.py"],
    ["--no-cache", "--exit-zero", "a.py", "b.py", "c.py"],
    ["a.py", "--format", "json", "--quiet", "b.py"],
    ["--format=sarif", "-o", "out.sarif", "."],
    ["--select", "AS1,AS2", "--ignore=AS201", "--jobs", "2", "-j", "3", "src"],
    ["--config", A_FILE, "--baseline", A_FOLDER, "--cache-dir", "nowhere/yet"],
    ["-", "--stdin-filename", "app.py"],
    ["--select", "--fix", "x"],  # a value that looks like an option is a value
    ["--fix", "--unsafe-fixes", "--show-fixes", "--statistics", "-q", "--no-color"],
    ["--max-file-size", "1MB", "--fail-on", "error", "--color", "never", ""],
]


@pytest.mark.parametrize("args", READ)
def test_a_line_read_without_click_means_what_it_means_to_click(args: list[str]) -> None:
    values = check_values(args)
    assert values is not None
    assert values == click_values(args)


# Lines left to click: help, errors, what the fast reader does not read itself.
LEFT = [
    ["--help"],
    ["-h"],
    ["a.py", "--help"],
    ["--no-such-option"],
    ["--format"],  # a value missing
    ["--jobs", "0"],
    ["--jobs", "two"],
    ["-j2"],
    ["-qj", "2"],
    ["--fix=yes"],
    ["--config", A_FOLDER],  # --config names a file
    ["--", "-a.py"],
    ["-o=out.json"],
]


@pytest.mark.parametrize("args", LEFT)
def test_a_line_the_fast_reader_does_not_read_goes_to_click(args: list[str]) -> None:
    assert check_values(args) is None


def test_shell_completion_goes_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(COMPLETION_VARIABLE, "bash_complete")
    assert check_values(["a.py"]) is None


def test_a_line_on_windows_goes_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    """click's main expands wildcards (``*.py``) in the line on Windows."""
    monkeypatch.setattr(fast.os, "name", "nt")
    assert check_values(["*.py"]) is None


WORDS = st.sampled_from(
    [
        *OPTIONS,
        "a.py",
        "-",
        "--",
        "",
        "0",
        "2",
        "-1",
        " 3 ",
        "x=y",
        "--fix=1",
        "--jobs=4",
        "--select=AS1",
        "-qo",
        "-j2",
        A_FILE,
        A_FOLDER,
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=6))
def test_whatever_the_fast_reader_reads_click_reads_the_same(args: list[str]) -> None:
    values = check_values(args)
    if values is not None:
        assert values == click_values(args)


class Shape(str, Enum):
    round = "round"


def test_an_option_the_fast_reader_cannot_read_is_refused_by_the_table() -> None:
    def declared(shape: Annotated[Shape, Option("--shape", help="Shape.")] = Shape.round) -> None:
        """A choice: click's to read."""

    with pytest.raises(ValueError, match="--shape"):
        fast_table(click_command(declared, "t"))


def test_a_check_of_named_files_imports_no_click(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    modules = imported("check", "--no-cache", "tls.py", cwd=tmp_path)  # a finding: exit 1
    assert "authsweep.scanner.cli.check" in modules and "click" not in modules
    assert "click" in imported("check", "--no-such-option", "tls.py", cwd=tmp_path)


@pytest.mark.slow
def test_help_errors_and_exit_codes_are_clicks(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "authsweep", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )

    assert run("check", "--help").stdout.startswith("Usage: authsweep check [OPTIONS] [PATH]...")
    refused = run("check", "--jobs", "0", "tls.py")
    assert refused.returncode == 2 and "'--jobs' / '-j': 0 is not in the range" in refused.stderr
    assert run("check", "--no-cache", "tls.py").returncode == 1
    assert run("check", "--no-cache", "--exit-zero", "tls.py").returncode == 0
    bad = run("check", "--no-cache", "--format", "yaml", "tls.py")
    assert bad.returncode == 2 and "authsweep: error: --format: 'yaml'" in bad.stderr


def test_the_version_and_other_commands_go_to_click_at_once(tmp_path: Path) -> None:
    for args in (["--version"], ["rules", "--help"]):
        modules = imported(*args, cwd=tmp_path)
        assert "click" in modules and "authsweep.scanner.cli.fast" not in modules
