"""Writing a fixed file: atomically, through links, keeping what the file system knows.

Fixed text goes back into the file the user has (through a symbolic link), with its
mode, owner and hard links, or not at all; a signal never leaves half a file.
"""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

# A temporary file of ours older than this was left by a run that was killed outright.
STALE_TEMP_SECONDS = 60.0


def write_atomically(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the file at ``path`` with ``data`` unless it changed since it was read
    (``expected``). Like Black and Ruff: through a symbolic link to the file it names;
    its mode, owner and hard links kept; a read-only file refused. The file is the old
    one or the new one, never half-written: a temporary file renamed over it, or, for a
    file with other hard links or an owner this process cannot give a new file, written
    in place and put back as it was if that fails. Ctrl-C and SIGTERM wait until the
    write is done or undone; no temporary file is left behind."""
    target = Path(os.path.realpath(path))
    with _signals_held():
        if target.read_bytes() != expected:
            raise OSError("changed since it was read; not written")
        info = target.stat()
        if not info.st_mode & 0o222:
            raise OSError("read-only file; not written")
        owned = info.st_uid == os.geteuid() and info.st_gid == os.getegid()
        if info.st_nlink > 1 or not (owned or os.geteuid() == 0):
            _write_in_place(target, data, expected)
            return
        prefix = _temp_prefix(target)
        _remove_stale_temps(target.parent, prefix)
        descriptor, temp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, info.st_mode & 0o7777)
            if not owned:
                os.chown(temp, info.st_uid, info.st_gid)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _temp_prefix(target: Path) -> str:
    """Short whatever the file's name (a name near the 255-byte limit has no room for a
    suffix), and the same for the same file, so a leftover can be recognised."""
    digest = hashlib.sha256(os.fsencode(target.name)).hexdigest()[:10]
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
    descriptor = os.open(target, os.O_WRONLY)
    try:
        try:
            _overwrite(descriptor, data)
        except BaseException:
            _overwrite(descriptor, expected)
            raise
    finally:
        os.close(descriptor)


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
