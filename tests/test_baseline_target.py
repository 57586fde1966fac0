"""``--write-baseline PATH`` writes a regular file (or a new one) and nothing else: a link,
a folder, a FIFO or a device at PATH is left as it is, and the run exits 2 saying why."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import IMPLICIT_TLS_587, run_cli, write

pytestmark = pytest.mark.slow


def _link(target: Path, outside: Path) -> None:
    write(outside, "precious\n")
    target.symlink_to(outside)


def _dangling(target: Path, outside: Path) -> None:
    target.symlink_to(outside)


def _fifo(target: Path, outside: Path) -> None:
    os.mkfifo(target)


def _folder(target: Path, outside: Path) -> None:
    target.mkdir()


def _device(target: Path, outside: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null


TARGETS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "symlink": (_link, "a symbolic link"),
    "dangling symlink": (_dangling, "a symbolic link"),
    "fifo": (_fifo, "a named pipe (FIFO)"),
    "folder": (_folder, "a folder"),
    "device": (_device, "a device"),
}


@pytest.mark.parametrize("kind", list(TARGETS))
def test_only_a_regular_file_is_written(tmp_path: Path, kind: str) -> None:
    make, what = TARGETS[kind]
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    target = tmp_path / "baseline.json"
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    make(target, outside)
    before = os.lstat(target)
    result = run_cli("check", "--write-baseline", "baseline.json", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    expected = f"baseline.json: cannot write baseline: it is {what}, not a regular file"
    assert expected in result.stderr
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    if kind == "symlink":
        assert outside.read_text() == "precious\n"
    if kind == "dangling symlink":
        assert not outside.exists()
    assert not list(tmp_path.glob(".baseline-*"))  # no temporary file left


def test_a_regular_file_is_replaced_and_keeps_its_mode(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    target = write(tmp_path / "baseline.json", "{}\n")
    target.chmod(0o640)
    result = run_cli("check", "--write-baseline", "baseline.json", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"tool": "authsweep"' in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
