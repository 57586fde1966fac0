"""What a file's result was computed from besides its own bytes.

Checking ``mailer.py`` may read ``settings.py`` for ``SMTP_HOST``, the project's ``.env``
for a variable, the config files above it for where a password is set, or the whole
project for which Flask mail extension it imports; and it depends on files *not* being
there (a nearer ``settings.py`` would be the one imported). Every such read or look goes
through this module, which notes it, while a file is checked, as one entry of the file's
inputs: a key (a kind and an absolute path) and what was seen there. The result cache
keeps the inputs beside a file's result and uses the result again only while every input
is still what was seen (:func:`current`).

Keys: ``=PATH`` what is at a path (by :func:`state`), ``/PATH`` the names in a folder,
``*PATH`` a fingerprint of the project whose root is there (its Python files' contents,
its other code's names: ``project.py`` computes it). States: ``-`` nothing there, ``d`` a
folder, ``o`` something else, ``f`` a regular file whose content was not used, ``s<n>`` a
regular file too large to read (``n`` bytes), ``h<digest>`` the content's digest.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from . import digests

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import TypeVar

    _Result = TypeVar("_Result")

Inputs = dict[str, str]
# Files read to validate an input: no reader of other files reads more than this.
MAX_INPUT_BYTES = 8 * 1024 * 1024
STATE, LISTING, PROJECT = "=", "/", "*"
# Files modified this close to a read may change again within the mtime clock's step.
RACY_SECONDS = 2.0
MISSING = "-"

_recording: ContextVar[Inputs | None] = ContextVar("authsweep_inputs", default=None)
# Whether a read is noted with its content's digest. Only a result cache ever compares
# what was noted (:func:`unchanged`); a run that keeps none (``--no-cache``, a pre-commit
# hook's usual line) notes a read as :data:`UNDIGESTED` instead, and so hashes nothing.
_digests: ContextVar[bool] = ContextVar("authsweep_input_digests", default=True)
# A read noted without its digest: no file's state is ever this, so were such an entry
# kept by a cache after all, the entry would only be checked again, never trusted.
UNDIGESTED = "h"
# Results a memoised reader keeps (with their inputs) before it starts afresh.
MAX_REMEMBERED = 4096


def content_hash(data: bytes) -> str:
    return digests.blake2b(data, digest_size=16).hexdigest()


@contextmanager
def recording(digests: bool | None = None) -> Iterator[Inputs]:
    """Note every input read or looked at in this block (and only in it); ``digests``:
    whether reads are noted with their contents' digests (None: as the enclosing block
    does, by default they are)."""
    inputs: Inputs = {}
    token = _recording.set(inputs)
    kept = None if digests is None else _digests.set(digests)
    try:
        yield inputs
    finally:
        _recording.reset(token)
        if kept is not None:
            _digests.reset(kept)


def remembered(function: Callable[..., _Result]) -> Callable[..., _Result]:
    """Memoise ``function`` by its (hashable) arguments, keeping the inputs noted while a
    result was computed and noting them again each time it is used: a result reused for
    another file still says what it was computed from, so that file's cache entry does."""
    results: dict[tuple[Hashable, ...], tuple[_Result, Inputs]] = {}

    @functools.wraps(function)
    def memoised(*args: Hashable) -> _Result:
        key = (_digests.get(), *args)  # what is noted differs with and without digests
        known = results.get(key)
        if known is None:
            with recording() as noted:
                value = function(*args)
            if len(results) >= MAX_REMEMBERED:
                results.clear()
            known = results[key] = (value, noted)
        value, noted = known
        for key, seen_there in noted.items():
            note(key, seen_there)
        return value

    return memoised


def note(key: str, seen: str) -> None:
    """Record an input; what was read of a path (its digest) beats a look at it."""
    inputs = _recording.get()
    if inputs is None:
        return
    known = inputs.get(key)
    if known is None or (key[0] == STATE and not known.startswith("h")):
        inputs[key] = seen


def state(path: Path | str, limit: int = 0) -> str:
    """What is at ``path`` (following links, as ``open`` does): with ``limit``, the
    digest of a regular file of at most that many bytes."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return MISSING
    if stat.S_ISDIR(info.st_mode):
        return "d"
    if not stat.S_ISREG(info.st_mode):
        return "o"
    if not limit:
        return "f"
    if info.st_size > limit:
        return f"s{info.st_size}"
    data = _read(path, limit)
    return MISSING if data is None else "h" + content_hash(data)


def _read(path: Path | str, limit: int) -> bytes | None:
    """At most ``limit`` bytes of a regular file (a FIFO or a device is opened without
    waiting, and not read)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            data = handle.read(limit + 1)
        except OSError:
            return None
    return data if len(data) <= limit else None


def read(path: Path | str, limit: int) -> bytes | None:
    """The bytes of the regular file at ``path`` if it has at most ``limit`` bytes, else
    None; noted as an input either way."""
    data = _read(path, limit)
    if data is not None:
        seen(path, data)
    else:
        note(STATE + str(path), state(path, limit))
    return data


def seen(path: Path | str, data: bytes) -> None:
    """Note that the file at ``path`` held ``data`` when it was read."""
    if _recording.get() is None:
        return
    note(STATE + str(path), "h" + content_hash(data) if _digests.get() else UNDIGESTED)


def looked_at(path: Path | str) -> str:
    """Note what is at ``path`` (not its content); returns that state."""
    found = state(path)
    note(STATE + str(path), found)
    return found


def is_file(path: Path | str) -> bool:
    return looked_at(path) == "f"


def exists(path: Path | str) -> bool:
    return looked_at(path) != MISSING


def listing(folder: Path | str) -> list[os.DirEntry[str]]:
    """The entries of ``folder``, sorted by name; its names noted as an input."""
    try:
        with os.scandir(folder) as entries:
            found = sorted(entries, key=lambda entry: entry.name)
    except OSError:
        found = []
    if _recording.get() is not None:
        names = _names_digest(entry.name for entry in found) if _digests.get() else "l"
        note(LISTING + str(folder), names)
    return found


def _names_digest(names) -> str:
    return "l" + content_hash("\0".join(names).encode("utf-8", errors="surrogateescape"))


def unchanged(key: str, recorded: str, project_matches: Callable[[Path, str], bool]) -> bool:
    """Whether input ``key`` is still as ``recorded`` (``project_matches`` compares a
    project with its recorded fingerprint, for ``*`` keys)."""
    kind, path = key[0], key[1:]
    if kind == LISTING:
        try:
            with os.scandir(path) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError:
            names = []
        return _names_digest(names) == recorded
    if kind == PROJECT:
        return project_matches(Path(path), recorded)
    if recorded.startswith("h"):
        return state(path, MAX_INPUT_BYTES) == recorded
    if recorded.startswith("s") and recorded[1:].isdigit():
        # Still too large for the reader that refused it, and of the same size.
        return state(path, int(recorded[1:]) - 1) == recorded
    return state(path) == recorded
