"""Checking many files: discovery, per-file options, cache, process pool, time limit.

:func:`check_paths` checks everything under some paths; the engine checks one file.

Small inputs (a pre-commit hook's handful of files) are checked in this process. Of a
large one, the byte pre-check runs first, shared by the cores: forked workers read a run
of the files each and answer once with those past it, while this process loads the front
ends once one is found (of few bytes, it runs here). Most files of a tree end there, and
what is left is checked here unless it is much code (the few dozen files of a large tree
that mention mail are not): a pool costs more start-up and messages than it saves. With a
core idle, this process and one worker check a middling amount together. Much code that
mentions mail goes to worker processes that import the rules once
(:mod:`authsweep.scanner.pool`). A file that takes too long is reported and skipped: by
an alarm in the process that checks it, or, when native code does not give way to the
alarm, by killing that process; a worker that dies costs only the file it was on, so one
bad file never stops a sweep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from .cache import ResultCache, content_hash, entry_result, options_key
from .discover import SourceFile, discover
from .engine import (
    RunOptions,
    check_in_full,
    matches,
    pre_check,
    prepare,
    read_path,
    selected_rules,
    too_large,
)
from .findings import FileError, FileResult, Finding, RunResult, Severity
from .reading import read_regular_or_none
from .start_up import start_up
from .text import Source

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

# Below this many files to check, or this much work past the pre-check (bytes of its
# files, each at least FILE_WEIGHT: a small file of mail code may still have its fixes
# planned), a pool of processes costs more start-up and messages than it saves. 2 MB of
# Python is about a second of analysis; Django's 33 files past the pre-check weigh 1.7 MB.
PARALLEL_THRESHOLD = 400
PARALLEL_WORK = 2_000_000
FILE_WEIGHT = 32_768
# From this much work past the pre-check (under PARALLEL_WORK), this process and one
# forked worker share it, when a core is idle: Django's 1.7 MB past it, about 0.4 s of
# analysis, take about 0.2 s less time for about 0.04 s more CPU (the pages both
# processes write after the fork are copied: bench/RESULTS.md, issue 27, speed7).
SHARED_WORK = 1_000_000
# Below this many bytes in all, the pre-check runs in this process: forking its workers
# (about 20 ms of CPU) costs more than half of it saves (the pre-check reads about 60 MB
# a second: Airflow's 6 MB, 0.1 s; Django's 18 MB, 0.27 s).
SHARED_PRE_CHECK_BYTES = 10_000_000
FILE_TIMEOUT_SECONDS = 60.0
# The kernel's load figures: the fourth field counts the threads running or ready to.
LOADAVG = "/proc/loadavg"
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
    # The alarm once a file is past the pre-check (most files of a tree and a run of files
    # that name no mail code set none), through `_signal`, the C module `signal` wraps:
    # `signal` adds its enums (about 3 M instructions to import) and turns the handler
    # `signal.signal` returns into one (SIG_DFL, SIG_IGN), which is handed back here as it
    # came; the alarm and the handlers are the same.
    try:
        # start-up: the alarm's C module, with the first file past the pre-check
        import _signal as signal
    except ImportError:
        import signal  # start-up: an interpreter without CPython's C module

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
_worker_plan: RunOptions | None = None


def _init_worker(options: RunOptions, timeout: float, plan: bool) -> None:
    global _worker_timeout, _worker_plan
    _worker_rules[:] = selected_rules(options)
    _worker_timeout = timeout
    _worker_plan = options if plan else None


def check_one(
    task: Task,
    rules: Sequence,
    timeout: float,
    plan: RunOptions | None = None,
    past: tuple[bytes | None, bool] | None = None,
    digests: bool = True,
) -> tuple[FileResult, bytes | None]:
    """Read and check one file; every failure becomes an error entry. With ``plan`` (the
    file's options), a finding is marked fixable only if ``fix`` would fix it
    (:mod:`.fixes.fixability`). ``past``: what the pre-check that found the file past it
    kept: its bytes (None: read them again) and its answer (not asked again).
    ``digests``: the result's inputs hold the digests of the files read (for a cache)."""
    path, display, kind = task
    data, matters = past if past is not None else (None, None)
    if data is None:
        data, error = read_path(path, display)  # a str: a Path per file costs 9 µs
        if error is not None:
            return FileResult(display, errors=[error]), None
        assert data is not None
    source = Source(kind, data).utf8()
    if matters is None:
        matters = pre_check(source)
        if matters is None:  # most files of a tree: no alarm to set for them
            return FileResult(display), data
    try:
        with time_limit(timeout):
            result = check_in_full(display, source, rules, matters, digests=digests)
            if plan is not None:
                _plan(result, kind, data, plan, rules, Path(path))
            return result, data
    except FileTimeout:
        message = f"skipped: analysis took longer than {timeout:g} s"
        return FileResult(display, errors=[FileError(display, message, "timeout")]), data
    except (RecursionError, MemoryError) as problem:
        message = f"skipped: {type(problem).__name__} while analysing"
        return FileResult(display, errors=[FileError(display, message, "internal")]), data


def _plan(
    result: FileResult, kind: str, data: bytes, options: RunOptions, rules: Sequence, path: Path
) -> None:
    """Fixability as ``fix`` decides it; a file whose fixing fails or takes too long has
    nothing marked fixable (``fix`` would not write it either)."""
    if not _offers_fixes(result):
        return
    from .fixes.fixability import settle_fixability, withdraw  # only for files with a fix

    try:
        settle_fixability(result, kind, data, options, rules, path)
    except FileTimeout:
        withdraw(result, "fixing it takes too long")
    except (RecursionError, MemoryError) as problem:
        withdraw(result, f"fixing it fails ({type(problem).__name__})")


def _offers_fixes(result: FileResult) -> bool:
    """Whether a result's fixability would be planned: one that was not planned is not
    cached (``check`` reads the cache ``fix`` writes), unless it has no fix to plan."""
    return any(f.fix is not None for f in result.findings)


def _check_task(task: Task):
    result, data = check_one(task, _worker_rules, _worker_timeout, _worker_plan)
    # Bytes go back only when the parent caches them, as a content hash.
    return task, result, None if data is None else content_hash(data)


def _lost_check(task: Task, reason: str) -> tuple[Task, FileResult, None]:
    if reason == "timeout":
        error = FileError(task[1], "skipped: the analysis did not finish in time", "timeout")
    else:
        error = FileError(task[1], "skipped: the process checking it crashed", "internal")
    return task, FileResult(task[1], errors=[error]), None


def run(
    files: Sequence[SourceFile],
    options: RunOptions,
    rules: Sequence,
    *,
    jobs: int | None = None,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    timeout: float = FILE_TIMEOUT_SECONDS,
    plan: bool = True,
) -> Iterator[FileResult]:
    """Results for every file, from the cache or checked, in no particular order; with
    ``plan``, fixability as ``fix`` decides it."""
    start_up.over()  # the command's imports are done: what they made is frozen
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

    def finished(task: Task, result: FileResult, digest: str | None) -> FileResult:
        nonlocal done
        if cache is not None and digest is not None and task[0] in stats:
            if plan or not _offers_fixes(result):
                cache.store(task[0], stats[task[0]], digest, result)
        done += 1
        if progress:
            progress(done, total)
        return result

    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    read: dict[str, bytes] = {}  # bytes of files past the pre-check, read by it here
    answers: dict[str, bool] = {}  # the pre-check's answer for each file past it
    shared: list[Task] = []  # files past it to check here and in a worker, largest first
    if workers > 1 and len(pending) >= PARALLEL_THRESHOLD:
        # The pre-check first, shared by the cores: most files of a tree end at it, and
        # what is left decides whether a pool is worth its start-up and messages.
        ended, passed = _shared_pre_check(pending, workers, cache is not None, stats, read)
        for task, digest in ended:
            yield finished(task, FileResult(task[1]), digest)
        pending = [task for task, _, _ in passed]
        work = sum(weight for _, weight, _ in passed)
        if work >= PARALLEL_WORK and len(pending) > 1:
            read.clear()
            yield from (
                finished(*answer) for answer in _in_pool(pending, workers, options, timeout, plan)
            )
            return
        answers = {task[0]: matters for task, _, matters in passed}
        if work >= SHARED_WORK and len(pending) > 1 and idle_core():
            shared = [task for task, _, _ in sorted(passed, key=lambda p: -p[1])]
    check = partial(
        _check_past,
        answers,
        read,
        rules,
        timeout,
        options if plan else None,
        hashing=cache is not None,
    )
    if shared:
        from .pool import run_tasks  # multiprocessing: only for a shared check

        answered = run_tasks(
            check,
            shared,
            workers - 1,
            lost=_lost_check,
            deadline=timeout + HARD_DEADLINE_GRACE,
            here=check,
        )
        yield from (finished(*answer) for answer in answered)
        return
    for task in pending:
        yield finished(*check(task))


def _check_past(
    answers: dict[str, bool],
    read: dict[str, bytes],
    rules: Sequence,
    timeout: float,
    plan: RunOptions | None,
    task: Task,
    hashing: bool = False,
) -> tuple[Task, FileResult, str | None]:
    """:func:`check_one` of a task with what the pre-check kept of it (its answer, its
    bytes), if it ran; the content hash of its bytes when ``hashing`` (for the cache), and
    the digests of the other files it read in its inputs only then."""
    matters = answers.get(task[0])
    past = None if matters is None else (read.pop(task[0], None), matters)
    result, data = check_one(task, rules, timeout, plan, past=past, digests=hashing)
    return task, result, None if data is None or not hashing else content_hash(data)


def idle_core() -> bool:
    """Whether a core this process may use is idle besides the one it runs on: the
    kernel's count of threads running or ready to (``/proc/loadavg``, this one among them)
    is under the count of cores. Elsewhere, the load average of the last minute. A second
    process then shortens the run; on a machine with no core idle, it costs its start-up
    and copied pages for nothing."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        with open(LOADAVG, "rb") as loadavg:
            running = int(loadavg.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        try:
            return os.getloadavg()[0] + 1 <= cores
        except (AttributeError, OSError):  # no load average (Windows)
            return False
    return running < cores


def _shared_pre_check(
    tasks: list[Task],
    workers: int,
    hashing: bool,
    stats: dict[str, os.stat_result],
    read: dict[str, bytes],
) -> tuple[list[tuple[Task, str | None]], list[tuple[Task, int, bool | None]]]:
    """The pre-check of ``tasks``: of many bytes, each worker process taking a run of them
    of about equal bytes and answering once; else here. It gives the tasks that end at it
    (with their content hash, when ``hashing``), and those past it with their weight and its
    answer (:func:`~.engine.pre_check`; None for a file it could not read), in the order of
    ``tasks``. Once a worker finds a file past it, this process loads the front
    ends meanwhile. Run here, it puts the bytes of the files past it in ``read``."""
    sizes = [max(_size(task[0], stats), 4096) for task in tasks]
    if sum(sizes) < SHARED_PRE_CHECK_BYTES:
        shares = [tasks]
        answers = [_pre_check_share(tasks, hashing=hashing, read=read)]
    else:
        # multiprocessing: only for many bytes (about 13 ms to import), as for the pool
        import multiprocessing

        from .pool import run_shares  # multiprocessing, as above

        prepare(())  # the pre-check's markers, before the fork
        shares = _shares(tasks, sizes, workers)
        found = multiprocessing.get_context("fork").RawValue("b", 0)  # shared with the workers
        answers = run_shares(
            partial(_pre_check_share, hashing=hashing, found=found),
            shares,
            meanwhile=lambda: prepare({task[2] for task in tasks}),
            wanted=lambda: bool(found.value),
        )
    ended: list[tuple[Task, str | None]] = []
    passed: list[tuple[Task, int, bool | None]] = []
    for share, (past, digests) in zip(shares, answers, strict=True):
        found = {index: (weight, matters) for index, weight, matters in past}
        hashes = iter(digests)
        for index, task in enumerate(share):
            if index in found:
                passed.append((task, *found[index]))
            else:
                ended.append((task, next(hashes) if hashing else None))
    return ended, passed


def _shares(tasks: list[Task], sizes: list[int], count: int) -> list[list[Task]]:
    """``tasks`` cut into at most ``count`` runs of about equal ``sizes`` (each file counted
    at least 4 kB by the caller: opening and reading one costs something however small)."""
    total = sum(sizes)
    shares: list[list[Task]] = [[]]
    reached = 0
    for task, size in zip(tasks, sizes, strict=True):
        if reached >= total * len(shares) / count and len(shares) < count:
            shares.append([])
        shares[-1].append(task)
        reached += size
    return shares


def _size(path: str, stats: dict[str, os.stat_result]) -> int:
    stat = stats.get(path)
    if stat is not None:
        return stat.st_size
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reading it will say why


def _pre_check_share(
    share: list[Task], hashing: bool, found: Any = None, read: dict[str, bytes] | None = None
) -> tuple[list[tuple[int, int, bool | None]], list[str]]:
    """In a worker: the index, weight and answer of each task of ``share`` past the
    pre-check (an unreadable file is one, weighing nothing and with no answer: checking it
    reports why), and the content hashes of the others, in order, when ``hashing``. The
    first readable file past it sets ``found`` (a shared byte), if given. Here, not in a
    worker: the bytes of the files past it go in ``read`` while their weight is under the
    pool's (checked here, they are not read again)."""
    past: list[tuple[int, int, bool | None]] = []
    digests: list[str] = []
    weight = 0
    for index, (path, display, kind) in enumerate(share):
        data, _ = read_path(path, display)
        matters = None if data is None else pre_check(Source(kind, data).utf8())
        if data is None:
            past.append((index, 0, None))
        elif matters is not None:
            past.append((index, max(len(data), FILE_WEIGHT), matters))
            weight += past[-1][1]
            if read is not None and weight < PARALLEL_WORK:
                read[path] = data
            if found is not None:
                found.value = 1
        elif hashing:
            digests.append(content_hash(data))
    return past, digests


def _in_pool(
    tasks: list[Task], workers: int, options: RunOptions, timeout: float, plan: bool
) -> Iterator[tuple[Task, FileResult, str | None]]:
    from .pool import run_tasks  # multiprocessing: only for a pool

    prepare({task[2] for task in tasks})
    return run_tasks(
        _check_task,
        tasks,
        workers,
        lost=_lost_check,
        deadline=timeout + HARD_DEADLINE_GRACE,
        initializer=_init_worker,
        initargs=(options, timeout, plan),
    )


# Per-file configuration for check_paths: the options one file is checked with (files with
# equal options share a run of the rules) and rule codes ignored for it alone; None leaves
# the file out.
Configure = Callable[[SourceFile], "tuple[RunOptions, tuple[str, ...]] | None"]


def apply_file_settings(result: FileResult, options: RunOptions, ignored: Sequence[str]) -> None:
    """Per-file ignores and severity overrides. They depend on the file's path and the
    configuration, not its content, so they apply after checking (and after the cache)."""
    if ignored:
        result.findings = [f for f in result.findings if not matches(f.rule, ignored)]
    overrides = dict(options.severity)
    for finding in result.findings:
        if finding.rule in overrides:
            finding.severity = Severity(overrides[finding.rule])


def check_paths(
    paths: Sequence[str],
    options: RunOptions,
    cwd: Path | None = None,
    *,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    configure: Configure | None = None,
    plan: bool = True,
) -> RunResult:
    """Check every file under ``paths``: in parallel for large inputs, and with a result
    cache in ``cache_dir`` when one is given. ``configure`` gives each file its own options
    (``options`` then only supplies discovery excludes). ``plan``: a finding is marked
    fixable only if ``fix`` would fix it (``fix`` itself, which plans anyway, and readers
    that ignore fixes pass False)."""
    files, errors = discover(paths, exclude=options.exclude, cwd=cwd)
    groups: dict[RunOptions, list[SourceFile]] = {}
    ignored: dict[str, tuple[str, ...]] = {}
    errors = list(errors)
    for source in files:
        chosen = (options, ()) if configure is None else configure(source)
        if chosen is None:
            continue
        if chosen[0].max_file_bytes:
            try:
                size = source.path.stat().st_size
            except OSError:
                size = 0  # reading it will say why
            oversized = too_large(source.display, size, chosen[0].max_file_bytes)
            if oversized is not None:
                errors.append(oversized)
                continue
        groups.setdefault(chosen[0], []).append(source)
        ignored[source.display] = chosen[1]
    result = RunResult(errors=errors)
    total = sum(len(group) for group in groups.values())
    done = 0
    for group_options, group in groups.items():
        rules = selected_rules(group_options)
        cache = None
        if cache_dir is not None:
            key = options_key((group_options, [type(r).__name__ for r in rules]))
            cache = ResultCache(cache_dir, key)
        step = None
        if progress is not None:

            def step(count: int, _: int, base: int = done) -> None:
                progress(base + count, total)

        results = run(group, group_options, rules, jobs=jobs, cache=cache, progress=step, plan=plan)
        for file_result in results:
            apply_file_settings(file_result, group_options, ignored.get(file_result.path, ()))
            result.add(file_result)
        done += len(group)
        if cache is not None:
            cache.save(seen=None)
    result.findings.sort(key=Finding.sort_key)
    result.suppressed.sort(key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    return result
