"""Running the per-file check over many files: cache, process pool, per-file time limit.

Small inputs (a pre-commit hook's handful of files) run in this process: a pool
costs more than it saves. Large ones are split into chunks for a pool of worker
processes that import the rules once. A file that takes too long is reported
and skipped; a worker that dies is replaced and its files retried one by one,
so one bad file never stops a sweep.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from .cache import ResultCache, content_hash, entry_result
from .discover import SourceFile
from .findings import FileError

# Below this many files to check, a pool of processes is not worth starting.
PARALLEL_THRESHOLD = 400
CHUNK = 128
FILE_TIMEOUT_SECONDS = 60.0

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
    ignore_interrupts()


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C and SIGTERM are the parent's to handle (it cleans up)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def _check_chunk(tasks: list[Task]):
    results = []
    for task in tasks:
        result, data = check_one(task, _worker_rules, _worker_timeout)
        # Bytes go back only when the parent caches them, as a content hash.
        results.append((task, result, None if data is None else content_hash(data)))
    return results


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
                entry, _ = cache.lookup(path, stat, lambda p=source.path: _read(p))
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

    results = pooled(
        _check_chunk, pending, workers, _crashed_check, _init_worker, (settings, timeout)
    )
    for task, result, digest in results:
        if cache is not None and digest is not None and task[0] in stats:
            cache.store(task[0], stats[task[0]], digest, result)
        done += 1
        if progress:
            progress(done, total)
        yield result


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def pooled(
    function: Callable[[list], list],
    tasks: list,
    workers: int,
    crashed: Callable[[object], object],
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator:
    """``function`` over chunks of ``tasks`` in worker processes; yields its results.

    A worker that dies (a crash in a C extension, the OOM killer) breaks the pool: the
    tasks it left undone are retried alone, one process each, and a task that kills its
    process again yields ``crashed(task)``.
    """
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    chunks = [tasks[i : i + CHUNK] for i in range(0, len(tasks), CHUNK)]
    retry: list = []
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        futures = {pool.submit(function, chunk): chunk for chunk in chunks}
        for future in as_completed(futures):
            try:
                yield from future.result()
            except BrokenProcessPool:
                retry.extend(futures[future])
    for task in retry:
        try:
            with ProcessPoolExecutor(
                1, mp_context=context, initializer=initializer, initargs=initargs
            ) as single:
                yield from single.submit(function, [task]).result()
        except BrokenProcessPool:
            yield crashed(task)


def _crashed_check(task: Task):
    from .engine import FileResult

    error = FileError(task[1], "skipped: the analysing process crashed", "internal")
    return task, FileResult(task[1], errors=[error]), None
