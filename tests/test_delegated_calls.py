"""Calls that run a callable they are handed are read as the call they make:
``asyncio.to_thread(server.login, ...)``, ``loop.run_in_executor(None, IMAP4_SSL, host)``
and its login, ``threading.Thread(target=send, args=(host, ...))``, ``pool.submit(send,
host, ...)``, a Celery task's ``.delay(...)`` and ``.apply_async(args=...)``. No fix is
offered at such a call (its text is the runner's), and runners handed other providers'
hosts, or code that sends nothing, are not reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.runner import check_paths
from fixture_findings import FIXTURES, findings_in

FOLDER = FIXTURES / "recall" / "delegated_calls"


@pytest.fixture(scope="module")
def found() -> set[tuple[str, int, str, str]]:
    return findings_in(FOLDER)


def test_a_connections_method_run_on_a_thread(found) -> None:
    assert ("to_thread.py", 9, "AS101", "error") in found


def test_a_client_made_and_logged_in_through_an_executor(found) -> None:
    assert ("executor.py", 8, "AS102", "error") in found


def test_hosts_handed_to_threads_and_pools(found) -> None:
    assert ("thread_target.py", 9, "AS101", "error") in found
    assert ("pool_submit.py", 9, "AS101", "error") in found


def test_hosts_handed_to_a_task_queue(found) -> None:
    assert ("celery_tasks.py", 13, "AS101", "error") in found


def test_other_providers_and_other_work(found) -> None:
    assert not {f for f in found if f[0] == "negatives.py"}


def test_no_fix_rewrites_the_runners_call(tmp_path: Path) -> None:
    shutil.copy(FOLDER / "to_thread.py", tmp_path)
    run = check_paths([str(tmp_path)], RunOptions())
    at_runner = [f for f in run.findings if f.span.line == 9]
    assert at_runner and all(f.fix is None for f in at_runner)
