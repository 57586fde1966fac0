"""Reading a file of a scanned tree: regular files only, never blocking, never unbounded.

A tree may hold a FIFO, a device node or a link to one (``mail_oauth2.py -> /dev/zero``,
``-> /dev/stdin``) where a module or a config file is expected. Such a path is refused
before it is opened (opening a device or a FIFO can block or act), the file is opened
with ``O_NONBLOCK`` and checked again on its descriptor (it may have been swapped in
between), and at most ``limit`` bytes are read: a file that grows past it while it is
read is refused, not read to the end.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# The default of `max-file-size`, and the bound of every file read that a run did not list
# (a config file above the code, a module a fix would reuse): larger files are generated
# data, not mail code or settings.
MAX_FILE_BYTES = 8 * 1024 * 1024
# Read this much at a time; a file over its limit is refused after at most one more.
_CHUNK = 1 << 20
# With no limit of the caller's (``max-file-size = 0``): the size the file has when it is
# opened, plus this much for a file that is being appended to meanwhile.
_GROWTH = 1 << 20
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotRegular(OSError):
    """Not a regular file: a FIFO, a socket, a device, a folder."""


class TooLarge(OSError):
    """More bytes than the reader allows."""


def kind_of_mode(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _refuse(mode: int) -> NotRegular:
    kind = kind_of_mode(mode)
    return NotRegular(errno.EINVAL, f"{kind}, not a regular file" if kind[0] == "a" else kind)


def read_regular(path: str | Path, limit: int = 0) -> bytes:
    """The bytes of the regular file at ``path`` (links followed). Raises
    :class:`NotRegular` for anything else, :class:`TooLarge` past ``limit`` bytes (0: the
    size the file has when opened, and a little room for growth), OSError as reading
    does."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(info.st_mode)
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            raise _refuse(opened.st_mode)
        if limit and opened.st_size > limit:
            raise TooLarge(errno.EFBIG, f"larger than {limit:,} bytes")
        bound = limit or opened.st_size + _GROWTH
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(descriptor, min(_CHUNK, bound + 1 - size))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > bound:
                raise TooLarge(errno.EFBIG, f"larger than {bound:,} bytes")
    finally:
        os.close(descriptor)


def read_regular_or_none(path: str | Path, limit: int = 0) -> bytes | None:
    """:func:`read_regular`, None when the file cannot be read as one."""
    try:
        return read_regular(path, limit)
    except OSError:
        return None
