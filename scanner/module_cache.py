"""The package's compiled modules kept in one file a command reads once.

A module is otherwise loaded from its own ``.pyc`` file: its path worked out, the source
file's status asked, the ``.pyc`` opened, read and its header checked, the code
unmarshalled. Besides the unmarshalling, that is about 40,000 instructions and seven
system calls a module, for the 170 modules of a pre-commit hook's ``check``
(bench/RESULTS.md, "speed19"). The command (``authsweep.main``) gives the finder of the
package's own modules (:mod:`.own_modules`) the loader of a :class:`KeptModules`: it takes
a module's code from one marshal file in the package's ``__pycache__`` named for the
command and the interpreter (as the dataclass methods' file is, :mod:`.method_cache`) when
the file holds it for the source file as it is now, and otherwise loads the module as
before (``SourceFileLoader``: its ``.pyc`` file, or its source) and adds its code. The
loader is a ``SourceFileLoader`` with the same name and path, so a module's spec, file
and source are what they were.

"As it is now": the same path, size, modification time and status change time, in
nanoseconds. A ``.pyc`` file is checked by the first two, the time in seconds; the status
change time is set by the system whenever the file is written or replaced, as a reinstall
does (a wheel may give every file the same modification time, and this file, unlike a
``.pyc`` file, outlives an uninstall). At exit the file is written again if anything was
added, unless Python writes no bytecode; one that cannot be read or written is done
without.
"""

from __future__ import annotations

import atexit
import marshal
import os
import sys
from importlib.machinery import SourceFileLoader
from types import CodeType

from .kept_files import kept_path, read_table, replace_whole

FILE_NAME = "modules.{command}.{tag}.marshal"

# A module's entry: its source file's path and status (:func:`_status`) when its code was
# compiled, and the code, marshalled.
Entry = tuple[str, int, int, int, bytes]


class KeptModules:
    """The modules kept at ``path``, read when the first one is asked for."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._kept: dict[str, Entry] | None = None
        self.added: dict[str, Entry] = {}

    def loader(self, fullname: str, path: str) -> SourceFileLoader:
        """The loader of the module ``fullname`` whose source file is ``path``."""
        return KeptLoader(fullname, path, self)

    def code(self, fullname: str, source: str) -> CodeType | None:
        """The kept code of ``fullname`` if it was compiled from ``source`` as it is now."""
        if self._kept is None:
            self._kept = read(self.path)
        # Taken out: each module is loaded once, and its bytes need not live on.
        kept = self._kept.pop(fullname, None)
        if kept is None or kept[0] != source or _status(source) != kept[1:4]:
            return None
        try:
            code = marshal.loads(kept[4])
        except (EOFError, ValueError, TypeError):
            return None
        return code if type(code) is CodeType else None

    def add(self, fullname: str, source: str, status: Status, code: CodeType) -> None:
        self.added[fullname] = (source, *status, marshal.dumps(code))

    def save(self) -> None:
        """Write the file again with what this run added (if bytecode is written)."""
        if not self.added or sys.dont_write_bytecode:
            return
        write(self.path, {**read(self.path), **self.added})


class KeptLoader(SourceFileLoader):
    """``SourceFileLoader`` whose code comes from a :class:`KeptModules` when it has it."""

    def __init__(self, fullname: str, path: str, kept: KeptModules) -> None:
        super().__init__(fullname, path)
        self._kept = kept

    def get_code(self, fullname: str) -> CodeType:
        kept = self._kept
        code = kept.code(fullname, self.path)
        if code is not None or sys.dont_write_bytecode:  # nothing added could be kept
            return code if code is not None else super().get_code(fullname)
        before = _status(self.path)
        code = super().get_code(fullname)
        # Kept only if the source did not change while it was loaded.
        if code is not None and before is not None and _status(self.path) == before:
            kept.add(fullname, self.path, before, code)
        return code


Status = tuple[int, int, int]


def _status(path: str) -> Status | None:
    """A file's modification and status change times (ns) and size; None if it is gone."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_size)


def read(path: str) -> dict[str, Entry]:
    """The modules kept at ``path``; none if it is missing, unreadable or not ours."""
    return {
        name: entry  # type: ignore[misc]
        for name, entry in read_table(path).items()
        if isinstance(name, str)
        and type(entry) is tuple
        and len(entry) == 5
        and isinstance(entry[0], str)
        and all(type(number) is int for number in entry[1:4])
        and type(entry[4]) is bytes
    }


def write(path: str, table: dict[str, Entry]) -> None:
    """Replace the file at ``path`` whole."""
    replace_whole(path, marshal.dumps(table))


def install(folder: str, command: str) -> KeptModules | None:
    """The modules of ``command`` kept in ``folder``/__pycache__, saved at exit; None for
    what is not a command's name or an interpreter that caches no bytecode, or where code
    compiled with optimizations (``-O``) would be kept beside code compiled without; None
    too where no bytecode is written and no file was kept (nothing to read or add)."""
    path = kept_path(folder, command, FILE_NAME)
    if path is None or sys.flags.optimize:
        return None
    if sys.dont_write_bytecode and not os.path.isfile(path):
        return None
    kept = KeptModules(path)
    atexit.register(kept.save)
    return kept
