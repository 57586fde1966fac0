"""The command ``lab run`` runs, in a process group of its own, ended as a whole.

The command starts in a new session, so it leads a process group, and what it starts
(``sh -c 'sleep 301 & sleep 302'``, a worker it forks) is in that group unless it leaves
it on purpose. The group is ended when ``--timeout`` runs out, when ``lab run`` gets
SIGTERM or SIGINT (a terminal's Ctrl-C no longer reaches a group of its own, so it is
passed on as SIGINT), and after the command exits, for whatever it left running: the
lab's servers stop with the verdict, so nothing left could reach them anyway. Ending is
the signal first (SIGTERM, or SIGINT for an interrupt), then SIGKILL for what is still
there after a grace period. A process group's id is not reused while any process of the
group lives (POSIX), so signalling it after the command itself was reaped is safe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

GRACE_SECONDS = 5.0
POLL_SECONDS = 0.05
_STOPPING = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """While in effect, SIGTERM and SIGINT are recorded instead of ending ``lab run``, so it
    can end the command, print the verdict and remove the lab's files."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.wake = threading.Event()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        self._previous = {number: signal.signal(number, self._note) for number in _STOPPING}
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _note(self, number: int, frame: object) -> None:
        self.received.append(number)
        self.wake.set()


@dataclass(frozen=True)
class Finished:
    returncode: int  # negative: ended by that signal, as subprocess reports it
    timed_out: bool


def run_in_group(
    command: Sequence[str],
    *,
    env: dict[str, str],
    stdout: IO[str] | None,
    timeout: float | None,
    stop: StopSignals,
) -> Finished:
    """Run ``command`` to its end, or until ``timeout`` or a signal in ``stop``; then end
    what is left of its process group. OSError if it cannot be started."""
    child = subprocess.Popen(command, env=env, stdout=stdout, start_new_session=True)
    deadline = None if timeout is None else time.monotonic() + timeout
    timed_out = False
    try:
        while child.poll() is None and not stop.received:
            if deadline is not None and time.monotonic() >= deadline:
                timed_out = True
                break
            stop.wake.wait(POLL_SECONDS)
    finally:
        interrupted = bool(stop.received) and stop.received[0] == signal.SIGINT
        end_group(child, signal.SIGINT if interrupted else signal.SIGTERM)
    return Finished(child.returncode, timed_out)


def end_group(child: subprocess.Popen, first: int) -> None:
    """Signal the command's process group with ``first``; SIGKILL whatever of it is left
    after the grace period; reap the command."""
    group = child.pid  # the leader of a new session: its pid is the group's id
    if _signal(group, first):
        deadline = time.monotonic() + GRACE_SECONDS
        while _alive(group, child) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        _signal(group, signal.SIGKILL)
    child.wait()


def _alive(group: int, child: subprocess.Popen) -> bool:
    child.poll()  # reap the leader once it exits, or it would count as alive
    return _signal(group, 0)


def _signal(group: int, number: int) -> bool:
    """Send ``number`` to the group; False when nothing of it is left."""
    try:
        os.killpg(group, number)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a member changed its user: not ours to end, but still there
    return True
