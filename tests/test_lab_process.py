"""`authsweep lab run` ends the command's whole process group: on --timeout, on SIGTERM
and Ctrl-C to `lab run` (which still prints the verdict and removes the lab's files), and
for what the command leaves running when it exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "authsweep.scanner.cli"]
# Starts a grandchild, says its pid and its own, then waits: both must be gone at the end.
WAITER = (
    "import os, subprocess, time\n"
    "worker = subprocess.Popen(['sleep', '3041'])\n"
    "with open('pids.tmp', 'w') as f:\n"
    "    f.write(f'{os.getpid()} {worker.pid}')\n"
    "os.rename('pids.tmp', 'pids')\n"
    "try:\n"
    "    time.sleep(300)\n"
    "except KeyboardInterrupt:\n"
    "    raise SystemExit(130)\n"
)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for a reaper is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _pids(folder: Path, timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while not (folder / "pids").exists():
        assert time.monotonic() < deadline, "the command never started"
        time.sleep(0.05)
    return [int(pid) for pid in (folder / "pids").read_text().split()]


def _environment(tmp_path: Path) -> dict[str, str]:
    """The lab's temporary folder goes in a folder of the test's own, to be seen removed."""
    (tmp_path / "tmp").mkdir()
    return {**os.environ, "TMPDIR": str(tmp_path / "tmp")}


def test_timeout_ends_the_background_jobs_of_a_shell(tmp_path: Path) -> None:
    script = "sleep 3017 & echo $! > pids; sleep 3029 & echo $! >> pids; wait"
    proc = subprocess.run(
        [*CLI, "lab", "run", "--timeout", "2", "--", "sh", "-c", script],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "the command was stopped after --timeout" in proc.stdout
    pids = _pids(tmp_path)
    assert len(pids) == 2 and not any(_running(pid) for pid in pids)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_what_the_command_leaves_running_is_ended_with_it(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "lab", "run", "--", "sh", "-c", "sleep 3031 & echo $! > pids"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "authsweep lab verdict" in proc.stdout, proc.stderr
    [leftover] = _pids(tmp_path)
    assert not _running(leftover)


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_lab_run_ends_the_group_and_still_gives_the_verdict(
    tmp_path: Path, sent: signal.Signals
) -> None:
    run = subprocess.Popen(
        [*CLI, "lab", "run", "--", sys.executable, "-c", WAITER],
        cwd=tmp_path,
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pids = _pids(tmp_path)
        assert all(_running(pid) for pid in pids)
        run.send_signal(sent)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1, err
    assert out.startswith("authsweep lab verdict for ") and "FAIL: " in out
    assert "Traceback" not in err
    assert not any(_running(pid) for pid in pids)
    assert list((tmp_path / "tmp").iterdir()) == []
