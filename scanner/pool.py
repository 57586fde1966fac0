"""Worker processes that no input can hang or take down with them.

Each worker gets a chunk of tasks over its own pipe and answers task by task, so the
parent always knows which task a worker is on and since when. A worker that dies (a
crash in a C extension, the OOM killer) costs only the task it was on: that task is
reported through ``lost`` and the rest of its chunk goes to another worker. A worker
still on one task past ``deadline`` seconds (native code that no signal interrupts) is
killed and its task reported the same way. Ctrl-C, SIGTERM or any error in the parent
kills every worker before it propagates, and a worker dies with its parent on Linux
(``PR_SET_PDEATHSIG``), or at its next message elsewhere, so none is left behind.
"""

from __future__ import annotations

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


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process (fork context)
    conn: Connection
    assigned: deque = field(default_factory=deque)
    since: float = 0.0  # when the task it is on began

    @property
    def busy(self) -> bool:
        return bool(self.assigned)


def run_tasks(
    function: Callable[[Any], Any],
    tasks: Sequence,
    workers: int,
    *,
    lost: Callable[[Any, str], Any],
    deadline: float,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
) -> Iterator:
    """``function(task)`` for every task, in worker processes; yields results as they
    come. For a task whose worker died or overran ``deadline``, yields
    ``lost(task, "crashed" | "timeout")``."""
    context = multiprocessing.get_context("fork")
    size = max(1, min(CHUNK, len(tasks) // (workers * 4) or 1))
    pending = deque(list(tasks[i : i + size]) for i in range(0, len(tasks), size))
    pool: list[_Worker] = []

    def start() -> _Worker:
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(child_end, os.getpid(), function, initializer, initargs),
            daemon=True,
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def retire(worker: _Worker, reason: str) -> Iterator:
        """The worker is gone: its task is lost, the rest of its chunk goes back."""
        _stop(worker)
        pool.remove(worker)
        task = worker.assigned.popleft()
        if worker.assigned:
            pending.appendleft(list(worker.assigned))
        yield lost(task, reason)

    try:
        while pending or any(w.busy for w in pool):
            while pending and len(pool) < workers:
                pool.append(start())
            for worker in pool:
                if not worker.busy and pending:
                    chunk = pending.popleft()
                    worker.assigned.extend(chunk)
                    worker.since = time.monotonic()
                    try:
                        worker.conn.send(chunk)
                    except OSError:
                        pass  # it died already: its sentinel says so below
            busy = [w for w in pool if w.busy]
            now = time.monotonic()
            wait_for = max(0.0, min(w.since + deadline for w in busy) - now) if busy else 0.0
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], wait_for))
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        while worker.busy and worker.conn.poll():
                            result = worker.conn.recv()
                            worker.assigned.popleft()
                            worker.since = time.monotonic()
                            yield result
                    except (EOFError, OSError):
                        pass
                    if worker.busy and not worker.process.is_alive():
                        yield from retire(worker, "crashed")
                        continue
                if worker.busy and time.monotonic() - worker.since > deadline:
                    yield from retire(worker, "timeout")
    finally:
        for worker in pool:
            _stop(worker)


def _stop(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.conn.close()


def _serve(conn: Connection, parent: int, function, initializer, initargs: tuple) -> None:
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
        for task in chunk:
            try:
                conn.send(function(task))
            except (BrokenPipeError, OSError):
                return


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the parent dies (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
