"""Worker processes that no input can hang or take down with them.

Each worker gets a chunk of tasks over its own pipe and answers with the results it has
every few hundredths of a second (one message a file cost a cold run of a large tree
more CPU than checking its files). It writes which task of the chunk it is on, and since
when, into memory it shares with the parent, so the parent always knows both. A worker
that dies (a crash in a C extension, the OOM killer) costs only the task it was on: that
task is reported through ``lost``, and the rest of its chunk (with the tasks it finished
but had not yet answered) goes to another worker. A worker
still on one task past ``deadline`` seconds (native code that no signal interrupts) is
killed and its task reported the same way. Ctrl-C, SIGTERM or any error in the parent
kills every worker before it propagates, and a worker dies with its parent on Linux
(``PR_SET_PDEATHSIG``), or at its next message elsewhere, so none is left behind.

:func:`run_shares` is the cheap kind of parallel work: one forked worker a share, each
answering once with everything it found; a share whose worker dies is done again here.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

# At most this many tasks go to a worker at once; fewer when there are few tasks, so
# that every worker gets a share.
CHUNK = 64
# A worker sends the results it has at least this often (and at the end of a chunk).
ANSWER_SECONDS = 0.05
# How often run_shares asks whether the work it may do meanwhile is wanted yet.
WANTED_SECONDS = 0.005
# The shared progress of a worker: the index in its chunk of the task it is on, and
# when that task began (time.monotonic, one clock for every process on a machine).
_ON, _SINCE = 0, 1


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process (fork context)
    conn: Connection
    progress: Any  # a shared array of two doubles: _ON, _SINCE
    assigned: deque = field(default_factory=deque)  # tasks of its chunk not yet answered
    answered: int = 0  # tasks of its chunk answered

    @property
    def busy(self) -> bool:
        return bool(self.assigned)

    @property
    def since(self) -> float:
        return self.progress[_SINCE]

    def give(self, chunk: list) -> None:
        self.assigned.extend(chunk)
        self.answered = 0
        self.progress[_ON], self.progress[_SINCE] = 0, time.monotonic()

    def unfinished(self) -> tuple[Any, list]:
        """The task it was on, and the other tasks of its chunk without a result (those
        after it, and those it finished but had not answered)."""
        tasks = list(self.assigned)
        on = min(max(int(self.progress[_ON]) - self.answered, 0), len(tasks) - 1)
        return tasks[on], tasks[:on] + tasks[on + 1 :]


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Sequence,
    workers: int,
    *,
    lost: Callable[[Any, str], Any],
    deadline: float,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    here: Callable[[Any], Any] | None = None,
) -> Iterator:
    """``function(task)`` for every task, in worker processes; yields results as they
    come. For a task whose worker died or overran ``deadline``, yields
    ``lost(task, "crashed" | "timeout")``. With ``here``, this process works too: it
    takes the next task, one at a time, whenever no worker has an answer, and yields
    ``here(task)``; the workers then get one task at a time as well, so that the tasks,
    in the order given (the largest first), are shared as they end."""
    context = multiprocessing.get_context("fork")
    size = 1 if here is not None else max(1, min(CHUNK, len(tasks) // (workers * 4) or 1))
    pending = deque(list(tasks[i : i + size]) for i in range(0, len(tasks), size))
    pool: list[_Worker] = []

    def start() -> _Worker:
        parent_end, child_end = context.Pipe()
        progress = context.RawArray("d", 2)
        process = context.Process(
            target=_serve,
            args=(child_end, progress, os.getpid(), function, initializer, initargs),
            daemon=True,
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end, progress)

    def retire(worker: _Worker, reason: str) -> Iterator:
        """The worker is gone: its task is lost, the rest of its chunk goes back."""
        _stop(worker)
        pool.remove(worker)
        task, rest = worker.unfinished()
        if rest:
            pending.appendleft(rest)
        yield lost(task, reason)

    try:
        while pending or any(w.busy for w in pool):
            while pending and len(pool) < workers:
                pool.append(start())
            for worker in pool:
                if not worker.busy and pending:
                    chunk = pending.popleft()
                    worker.give(chunk)
                    try:
                        worker.conn.send(chunk)
                    except OSError:
                        pass  # it died already: its sentinel says so below
            busy = [w for w in pool if w.busy]
            now = time.monotonic()
            wait_for = max(0.0, min(w.since + deadline for w in busy) - now) if busy else 0.0
            if here is not None and pending:
                wait_for = 0.0  # a look at the workers, then a task here
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], wait_for))
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        while worker.busy and worker.conn.poll():
                            for result in worker.conn.recv():
                                worker.assigned.popleft()
                                worker.answered += 1
                                yield result
                    except (EOFError, OSError):
                        pass
                    if worker.busy and not worker.process.is_alive():
                        yield from retire(worker, "crashed")
                        continue
                if worker.busy and time.monotonic() - worker.since > deadline:
                    yield from retire(worker, "timeout")
            if here is not None and pending and not ready:
                yield here(pending.popleft()[0])
    finally:
        for worker in pool:
            _stop(worker)


def run_shares(
    function: Callable[[Any], Any],
    shares: Sequence,
    *,
    meanwhile: Callable[[], None] | None = None,
    wanted: Callable[[], bool] = lambda: True,
) -> list:
    """``function(share)`` for every share, each in a worker process of its own that
    answers once. ``meanwhile()`` runs in this process while they work, once ``wanted()``
    says so (asked every few milliseconds; a worker may flag it in shared memory); not at
    all if they all answer first. A share whose worker dies without answering is done in
    this process (as it would be without workers), so its answer is the same. Answers in
    the order of ``shares``."""
    context = multiprocessing.get_context("fork")
    started: list[tuple[Any, Connection]] = []
    try:
        for share in shares:
            parent_end, child_end = context.Pipe(duplex=False)
            process = context.Process(
                target=_answer_once,
                args=(child_end, os.getpid(), function, share),
                daemon=True,
            )
            process.start()
            child_end.close()
            started.append((process, parent_end))
        answers: list = [None] * len(shares)
        waiting = set(range(len(shares)))
        while waiting:
            if meanwhile is not None and wanted():
                meanwhile()
                meanwhile = None
            objects = [started[i][1] for i in waiting] + [started[i][0].sentinel for i in waiting]
            ready = set(wait(objects, None if meanwhile is None else WANTED_SECONDS))
            for index in sorted(waiting):
                process, conn = started[index]
                if conn not in ready and process.sentinel not in ready:
                    continue
                try:
                    answers[index] = conn.recv()
                except (EOFError, OSError):
                    answers[index] = function(shares[index])  # it died: its share here
                waiting.discard(index)
        return answers
    finally:
        for process, conn in started:
            if process.is_alive():
                process.kill()
            process.join()
            conn.close()


def _answer_once(conn: Connection, parent: int, function, share) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    conn.send(function(share))


def _stop(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.conn.close()


def _serve(
    conn: Connection, progress: Any, parent: int, function, initializer, initargs: tuple
) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        results: list = []
        answered_at = time.monotonic()
        for index, task in enumerate(chunk):
            # The time first: read between the two, an old index with a new time never
            # looks like a task over its deadline.
            progress[_SINCE] = time.monotonic()
            progress[_ON] = index
            results.append(function(task))
            if index == len(chunk) - 1 or time.monotonic() - answered_at >= ANSWER_SECONDS:
                try:
                    conn.send(results)
                except (BrokenPipeError, OSError):
                    return
                results, answered_at = [], time.monotonic()


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the parent dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
