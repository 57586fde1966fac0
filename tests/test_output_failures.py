"""Standard output that cannot be written, for every command: a full disk is one line on
stderr and exit 2 (also with --exit-zero); a closed pipe ends the run quietly with 141,
the status a shell shows for a tool SIGPIPE ended (``yes | head -0``). Never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import GIT_ENV, run_cli
from sweep_support import PORT_465, repository

pytestmark = pytest.mark.slow

FULL_DISK = "authsweep: error: cannot write the output: No space left on device\n"

COMMANDS = {
    "check": ("check", "mail.py", "--no-cache"),
    "check --exit-zero": ("check", "mail.py", "--no-cache", "--exit-zero"),
    "check --format json": ("check", "mail.py", "--no-cache", "--format", "json", "--exit-zero"),
    "check --format sarif": ("check", "mail.py", "--no-cache", "--format", "sarif"),
    "fix --diff": ("fix", "--diff", "mail.py", "--no-cache", "--exit-zero"),
    "fix - (stdin)": ("fix", "-", "--stdin-filename", "mail.py"),
    "rules": ("rules",),
    "rules --format json": ("rules", "--format", "json"),
    "explain": ("explain", "AS101"),
    "sweep": ("sweep", "org", "--no-cache", "--exit-zero"),
    "merge": ("merge", "sweep.json", "--format", "html"),
    "lab run": ("lab", "run", "--timeout", "30", "--", sys.executable, "-c", "pass"),
    "tenant --help": ("tenant", "--help"),
    "--version": ("--version",),
    "--help": ("--help",),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("output")
    (root / "mail.py").write_text(PORT_465)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        repository(root / "org" / "billing", {"mail.py": PORT_465})
    made = run_cli("sweep", "org", "--no-cache", "--format", "json", "-o", "sweep.json", cwd=root)
    assert made.returncode == 1, made.stderr
    return root


def _run(workspace: Path, args: tuple[str, ...], stdout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "authsweep.scanner.cli", *args],
        cwd=workspace,
        stdout=stdout,
        stderr=subprocess.PIPE,
        input=PORT_465.encode(),
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_full_disk_is_one_line_and_exit_2(workspace: Path, command: str) -> None:
    with open("/dev/full", "wb") as full:
        result = _run(workspace, COMMANDS[command], full.fileno())
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    # lab run says where its servers were; the failure is still one line, the last.
    assert stderr.endswith(FULL_DISK) and "Traceback" not in stderr, stderr
    if not command.startswith("lab"):
        assert stderr == FULL_DISK


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_closed_pipe_ends_the_run_quietly(workspace: Path, command: str) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # closed before the first write: every write fails with EPIPE
    try:
        result = _run(workspace, COMMANDS[command], writer)
    finally:
        os.close(writer)
    assert result.returncode == 141, result.stderr.decode()
    assert result.stderr.decode() == ""
