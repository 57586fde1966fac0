"""The files past a large input's pre-check, checked by this process and a forked worker
together when a core is idle (``runner.SHARED_WORK``), and by this process alone when
none is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from authsweep.scanner import pool, runner
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.report.json_report import finding_dict
from authsweep.scanner.runner import check_paths

MAIL = "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"


def _snapshot(run) -> list:
    return [finding_dict(f) for f in run.findings] + [(e.path, e.kind) for e in run.errors]


def _tree(root: Path) -> None:
    for index in range(30):
        (root / f"plain{index:02}.py").write_text(f"x = {index}\n")
    for index in range(8):
        # Larger files first in the shared order: mail modules of different sizes.
        (root / f"mail{index}.py").write_text(MAIL + "# filler\n" * (index * 50))


def _recording_checks(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Write the process and file of each check of a file past the pre-check to ``log``."""
    check_past = runner._check_past

    def recording(*args, **kwargs):
        task = args[-1]
        with log.open("a") as out:  # one short line an append: whole lines
            out.write(f"{os.getpid()} {Path(task[0]).name}\n")
        return check_past(*args, **kwargs)

    monkeypatch.setattr(runner, "_check_past", recording)


def _large_input(monkeypatch: pytest.MonkeyPatch, *, idle: bool) -> None:
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "SHARED_WORK", 1)
    monkeypatch.setattr(runner, "idle_core", lambda: idle)


def test_with_a_core_idle_this_process_and_a_worker_share_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file past the pre-check is checked once, some here and some in the worker,
    with the result of ``-j 1``."""
    tree = tmp_path / "tree"
    tree.mkdir()
    _tree(tree)
    serial = check_paths([str(tree)], RunOptions(), jobs=1)
    log = tmp_path / "log"
    _recording_checks(monkeypatch, log)
    _large_input(monkeypatch, idle=True)
    shared = check_paths([str(tree)], RunOptions(), jobs=2)
    assert _snapshot(shared) == _snapshot(serial) and serial.findings
    assert shared.files_scanned == serial.files_scanned == 38
    checks = [line.split() for line in log.read_text().splitlines()]
    assert sorted(name for _, name in checks) == sorted(f"mail{i}.py" for i in range(8))
    processes = {int(pid) for pid, _ in checks}
    assert len(processes) == 2 and os.getpid() in processes


def test_with_no_core_idle_the_files_are_checked_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    _tree(tree)
    serial = check_paths([str(tree)], RunOptions(), jobs=1)
    log = tmp_path / "log"
    _recording_checks(monkeypatch, log)
    _large_input(monkeypatch, idle=False)
    alone = check_paths([str(tree)], RunOptions(), jobs=2)
    assert _snapshot(alone) == _snapshot(serial)
    assert {line.split()[0] for line in log.read_text().splitlines()} == {str(os.getpid())}


def test_the_shared_check_fills_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files checked in the worker are cached as those checked here: a second run reads
    every result from the cache."""
    tree = tmp_path / "tree"
    tree.mkdir()
    _tree(tree)
    _large_input(monkeypatch, idle=True)
    first = check_paths([str(tree)], RunOptions(), jobs=2, cache_dir=tmp_path / "cache")
    log = tmp_path / "log"
    _recording_checks(monkeypatch, log)
    again = check_paths([str(tree)], RunOptions(), jobs=2, cache_dir=tmp_path / "cache")
    assert _snapshot(again) == _snapshot(first) and first.findings
    assert not log.exists()


def _twice(task: int) -> int:
    return task * 2


def _dies(task: int) -> int:
    os._exit(1)


def test_tasks_done_here_and_in_workers_are_each_done_once() -> None:
    tasks = list(range(40))
    here: list[int] = []

    def locally(task: int) -> int:
        here.append(task)
        return task * 2

    results = list(pool.run_tasks(_twice, tasks, 1, lost=_lost, deadline=60, here=locally))
    assert sorted(results) == [task * 2 for task in tasks]
    assert here and len(here) < len(tasks)


def test_a_worker_that_dies_beside_this_process_costs_its_task() -> None:
    """Each worker dies on its first task: that task is lost, and the others are done
    here or by the workers started after it (which die the same way), each once."""
    results = list(pool.run_tasks(_dies, list(range(12)), 1, lost=_lost, deadline=60, here=_twice))
    lost = [r[1] for r in results if isinstance(r, tuple)]
    done = [r // 2 for r in results if isinstance(r, int)]
    assert 0 in lost and {r[2] for r in results if isinstance(r, tuple)} == {"crashed"}
    assert sorted(lost + done) == list(range(12))


def _lost(task: int, reason: str) -> tuple[str, int, str]:
    return ("lost", task, reason)


@pytest.mark.parametrize(
    ("loadavg", "cores", "idle"),
    [(b"0.52 0.61 0.70 1/312 4242\n", 2, True), (b"1.90 1.75 1.60 2/312 4242\n", 2, False)],
)
def test_an_idle_core_is_read_from_the_kernel(
    loadavg: bytes, cores: int, idle: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "loadavg"
    fake.write_bytes(loadavg)
    monkeypatch.setattr(runner, "LOADAVG", str(fake))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert runner.idle_core() is idle


def test_without_the_kernel_s_count_the_load_average_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "LOADAVG", str(tmp_path / "absent"))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.4, 0.5, 0.6), raising=False)
    assert runner.idle_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 0.5, 0.6), raising=False)
    assert not runner.idle_core()
    monkeypatch.delattr(os, "getloadavg", raising=False)
    assert not runner.idle_core()
