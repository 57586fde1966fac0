"""Writing a fixed file: atomically, only over what was read, never out of the project.

Fixed text goes back into the file the user has, with its mode, owner and hard links, or
not at all; a signal never leaves half a file.

- **Links.** A file reached through a symbolic link (the file itself or a folder above
  it) is written where the link points when that is inside the file's project root
  (:func:`~authsweep.scanner.project.project_root`); the link stays a link. A link that
  leads out of the project is never written through, and never replaced by a regular
  file either: the write is refused.
- **Unchanged since read.** The new text goes to a temporary file first; then, holding
  an exclusive ``flock`` on the file, its current bytes are compared with what the fix
  was made from and the temporary file is renamed over it. Two ``fix`` runs lock the same
  file, so only the first of them writes it. A program that appends without locking
  (a log writer) around the rename may append to the file being replaced: once no
  other process has that file open any more (Linux: a write lease is granted), what it
  added is appended to the new file, never lost.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import digests
from ..project import project_root
from ..reading import kind_of_mode

try:
    import fcntl
except ImportError:  # no flock or leases (Windows): the comparison alone guards the write
    fcntl = None

# A temporary file of ours older than this was left by a run that was killed outright.
STALE_TEMP_SECONDS = 60.0
# How long to wait for a lock another process holds on a file before giving up on it.
LOCK_WAIT_SECONDS = 5.0
_LOCK_POLL_SECONDS = 0.02
_CHANGED = "changed since it was read; not written"


class NotWritten(OSError):
    """Why a file was left as it is (its message says; no errno)."""


def link_out_of_project(path: Path) -> Path | None:
    """Where ``path`` leads when a symbolic link on the way takes it out of its project
    root, else None."""
    given = Path(path).absolute()
    real = Path(os.path.realpath(given))
    root = Path(os.path.realpath(project_root(given)))
    return None if real == root or real.is_relative_to(root) else real


def write_atomically(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the file at ``path`` with ``data`` unless it changed since it was read
    (``expected``). Like Black and Ruff: through a symbolic link to the file it names (if
    that stays in the project); its mode, owner and hard links kept; a read-only file
    refused. The file is the old one or the new one, never half-written: a temporary file
    renamed over it, or, for a file with other hard links or an owner this process cannot
    give a new file, written in place and put back as it was if that fails. Ctrl-C and
    SIGTERM wait until the write is done or undone; no temporary file is left behind."""
    outside = link_out_of_project(path)
    if outside is not None:
        raise NotWritten(f"a link to {outside}, outside the project; not written")
    target = Path(os.path.realpath(path))
    with _signals_held():
        info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            raise NotWritten(f"{kind_of_mode(info.st_mode)}; not written")
        if not info.st_mode & 0o222:
            raise NotWritten("read-only file; not written")
        owned = info.st_uid == os.geteuid() and info.st_gid == os.getegid()
        if info.st_nlink > 1 or not (owned or os.geteuid() == 0):
            _write_in_place(target, data, expected)
            return
        prefix = _temp_prefix(target)
        _remove_stale_temps(target.parent, prefix)
        temp = _temporary(target, prefix, data)
        try:
            os.chmod(temp, info.st_mode & 0o7777)
            if not owned:
                os.chown(temp, info.st_uid, info.st_gid)
            with _locked(target, os.O_RDONLY) as descriptor:
                compared = _unchanged(target, descriptor, expected)
                os.replace(temp, target)
                # Another run waiting for the lock finds the file replaced, and lets go.
                _unlock(descriptor)
                _keep_late_appends(target, descriptor, compared, expected)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _temporary(target: Path, prefix: str, data: bytes) -> str:
    """A temporary file beside ``target`` holding ``data``, on disk."""
    descriptor, temp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


@contextmanager
def _locked(target: Path, mode: int) -> Iterator[int]:
    """A descriptor of the file at ``target`` (a regular one) with an exclusive lock on it,
    waiting a little for another process's lock."""
    descriptor = os.open(target, mode | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotWritten(f"{kind_of_mode(info.st_mode)}; not written")
        _lock(descriptor)
        yield descriptor
    finally:
        os.close(descriptor)  # closing releases the lock


def _lock(descriptor: int) -> None:
    if fcntl is None:
        return
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise NotWritten("locked by another process; not written") from None
            time.sleep(_LOCK_POLL_SECONDS)


def _unlock(descriptor: int) -> None:
    if fcntl is None:
        return
    fcntl.flock(descriptor, fcntl.LOCK_UN)


def _unchanged(target: Path, descriptor: int, expected: bytes) -> os.stat_result:
    """The locked file's status, once it is shown to be the file at ``target`` still and
    to hold ``expected``; else raise."""
    held = os.fstat(descriptor)
    now = os.stat(target)
    if (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
        raise NotWritten(_CHANGED)  # replaced by another program meanwhile
    if _read_all(descriptor, len(expected) + 1) != expected:
        raise NotWritten(_CHANGED)
    return os.fstat(descriptor)


def _keep_late_appends(
    target: Path, descriptor: int, compared: os.stat_result, expected: bytes
) -> None:
    """After the rename: bytes another program added to the old file after the comparison
    (it does not lock) are appended to the new one; an old file rewritten meanwhile is put
    back, and the write refused. A program that opened the old file before the rename
    may still write to it: first wait (a little) until no other process has it open."""
    _wait_until_closed_elsewhere(descriptor)
    now = os.fstat(descriptor)
    if (now.st_size, now.st_mtime_ns) == (compared.st_size, compared.st_mtime_ns):
        return
    old = _read_all(descriptor, now.st_size + (1 << 20))
    if old.startswith(expected):
        appended = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
        try:
            _write_all(appended, old[len(expected) :])
            os.fsync(appended)
        finally:
            os.close(appended)
        return
    restore = _temporary(target, _temp_prefix(target), old)
    os.chmod(restore, now.st_mode & 0o7777)
    os.replace(restore, target)
    raise NotWritten("changed while it was written; put back, not written")


def _wait_until_closed_elsewhere(descriptor: int) -> None:
    """Wait until no other process has the file of ``descriptor`` open, up to
    :data:`LOCK_WAIT_SECONDS`. Linux tells: a write lease is granted only on a file nobody
    else has open (it is let go at once). Elsewhere, or where a lease cannot be taken (a
    file system without leases), this returns at once."""
    if fcntl is None:
        return
    set_lease = getattr(fcntl, "F_SETLEASE", None)
    if set_lease is None or threading.current_thread() is not threading.main_thread():
        return
    # An open by another process while the lease is held sends SIGIO, which would end us.
    previous = signal.signal(signal.SIGIO, signal.SIG_IGN)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    try:
        while True:
            try:
                fcntl.fcntl(descriptor, set_lease, fcntl.F_WRLCK)
            except BlockingIOError:  # open elsewhere
                if time.monotonic() > deadline:
                    return
                time.sleep(_LOCK_POLL_SECONDS)
                continue
            except OSError:  # no leases here (or not the file's owner)
                return
            fcntl.fcntl(descriptor, set_lease, fcntl.F_UNLCK)
            return
    finally:
        signal.signal(signal.SIGIO, previous)


def _read_all(descriptor: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of the file from its start."""
    chunks: list[bytes] = []
    offset = 0
    while offset < limit:
        chunk = os.pread(descriptor, min(1 << 20, limit - offset), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _write_all(descriptor: int, data: bytes) -> None:
    written = 0
    while written < len(data):
        written += os.write(descriptor, data[written:])


def _temp_prefix(target: Path) -> str:
    """Short whatever the file's name (a name near the 255-byte limit has no room for a
    suffix), and the same for the same file, so a leftover can be recognised."""
    digest = digests.sha256(os.fsencode(target.name)).hexdigest()[:10]
    return f".authsweep-{digest}-"


def _remove_stale_temps(folder: Path, prefix: str) -> None:
    now = time.time()
    for leftover in folder.glob(f"{prefix}*.tmp"):
        try:
            if now - leftover.lstat().st_mtime > STALE_TEMP_SECONDS:
                leftover.unlink()
        except OSError:
            continue


def _write_in_place(target: Path, data: bytes, expected: bytes) -> None:
    """Overwrite the file's own bytes (its other hard links see them), under the lock and
    only if it holds ``expected``."""
    with _locked(target, os.O_RDWR) as descriptor:
        _unchanged(target, descriptor, expected)
        try:
            _overwrite(descriptor, data)
        except BaseException:
            _overwrite(descriptor, expected)
            raise


def _overwrite(descriptor: int, data: bytes) -> None:
    written = 0
    while written < len(data):
        written += os.pwrite(descriptor, data[written:], written)
    os.ftruncate(descriptor, len(data))
    os.fsync(descriptor)


_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _signals_held():
    """Block SIGINT and SIGTERM in this thread; a signal that came meanwhile is delivered
    when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
