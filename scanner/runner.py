"""Running the per-file check over many files: cache, process pool, per-file time limit.

Small inputs (a pre-commit hook's handful of files) run in this process: a pool
costs more than it saves. Large ones go to worker processes that import the rules
once (:mod:`authsweep.scanner.pool`). A file that takes too long is reported and
skipped: by an alarm in the process that checks it, or, when native code does not
give way to the alarm, by killing that process; a worker that dies costs only the
file it was on, so one bad file never stops a sweep.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .cache import ResultCache, content_hash, entry_result
from .discover import SourceFile
from .findings import FileError
from .reading import read_regular_or_none

# Below this many files to check, a pool of processes is not worth starting.
PARALLEL_THRESHOLD = 400
FILE_TIMEOUT_SECONDS = 60.0
# A worker still on one file this long after its time limit is stuck in native code
# that the alarm cannot interrupt: it is killed.
HARD_DEADLINE_GRACE = 5.0

Task = tuple[str, str, str]  # path to read, path to report, kind
Progress = Callable[[int, int], None]


class FileTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Raise FileTimeout in this (main) thread after ``seconds``; no-op where alarms
    are not available."""
    if seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_worker_rules: list = []
_worker_timeout = FILE_TIMEOUT_SECONDS


def _init_worker(settings, timeout: float) -> None:
    from .engine import selected_rules

    global _worker_timeout
    _worker_rules[:] = selected_rules(settings)
    _worker_timeout = timeout


def check_one(task: Task, rules: Sequence, timeout: float):
    """Read and check one file; every failure becomes an error entry."""
    from .engine import FileResult, check_source, read_path

    path, display, kind = task
    data, error = read_path(Path(path), display)
    if error is not None:
        return FileResult(display, errors=[error]), None
    assert data is not None
    try:
        with time_limit(timeout):
            return check_source(display, kind, data, rules), data
    except FileTimeout:
        message = f"skipped: analysis took longer than {timeout:g} s"
        return FileResult(display, errors=[FileError(display, message, "timeout")]), data
    except (RecursionError, MemoryError) as problem:
        message = f"skipped: {type(problem).__name__} while analysing"
        return FileResult(display, errors=[FileError(display, message, "internal")]), data


def _check_task(task: Task):
    result, data = check_one(task, _worker_rules, _worker_timeout)
    # Bytes go back only when the parent caches them, as a content hash.
    return task, result, None if data is None else content_hash(data)


def _lost_check(task: Task, reason: str):
    from .engine import FileResult

    if reason == "timeout":
        error = FileError(task[1], "skipped: the analysis did not finish in time", "timeout")
    else:
        error = FileError(task[1], "skipped: the process checking it crashed", "internal")
    return task, FileResult(task[1], errors=[error]), None


def run(
    files: Sequence[SourceFile],
    settings,
    rules: Sequence,
    *,
    jobs: int | None = None,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    timeout: float = FILE_TIMEOUT_SECONDS,
) -> Iterator:
    """Results for every file, from the cache or checked, in no particular order."""
    pending: list[Task] = []
    stats: dict[str, os.stat_result] = {}
    done = 0
    total = len(files)
    for source in files:
        path = str(source.path)
        if cache is not None:
            try:
                stat = source.path.stat()
            except OSError:
                stat = None
            if stat is not None:
                stats[path] = stat
                entry, _ = cache.lookup(path, stat, lambda p=source.path: read_regular_or_none(p))
                if entry is not None:
                    done += 1
                    if progress:
                        progress(done, total)
                    yield entry_result(entry, source.display)
                    continue
        pending.append((path, source.display, source.kind))

    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(pending) < PARALLEL_THRESHOLD:
        for task in pending:
            result, data = check_one(task, rules, timeout)
            if cache is not None and data is not None and task[0] in stats:
                cache.store(task[0], stats[task[0]], content_hash(data), result)
            done += 1
            if progress:
                progress(done, total)
            yield result
        return

    from .pool import run_tasks  # multiprocessing: only for a pool

    results = run_tasks(
        _check_task,
        pending,
        workers,
        lost=_lost_check,
        deadline=timeout + HARD_DEADLINE_GRACE,
        initializer=_init_worker,
        initargs=(settings, timeout),
    )
    for task, result, digest in results:
        if cache is not None and digest is not None and task[0] in stats:
            cache.store(task[0], stats[task[0]], digest, result)
        done += 1
        if progress:
            progress(done, total)
        yield result
