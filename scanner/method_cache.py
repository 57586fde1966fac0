"""Dataclass methods compiled once and kept, as Python keeps compiled modules.

``dataclasses`` writes each class's ``__init__`` (and ``__repr__``, ``__eq__``,
``__hash__``) as source text and compiles it with ``exec`` when the class is created: in
a ``check``'s start-up, 132 functions from 82 kB of text, about 100 M of its 505 M
instructions (bench/RESULTS.md, "speed9a"). The command (``authsweep.main``) installs a
:class:`MethodCache` before it imports anything else: ``dataclasses``' ``exec`` then
takes the code object compiled from the same text in an earlier run of the same command,
from a marshal file in the package's ``__pycache__`` named for the command and the
interpreter (as a ``.pyc`` file is), and compiles only what the file lacks; at exit the
file is written again if anything was added, unless Python writes no bytecode
(``PYTHONDONTWRITEBYTECODE``, ``-B``). The text is the key, so a changed class never
meets another's function; the file is read whole and replaced whole, and one that cannot
be read or written is done without.

``dataclasses`` is imported here without ``inspect`` (:mod:`.stand_ins`).
"""

from __future__ import annotations

import atexit
import marshal
import sys
from types import CodeType

from .kept_files import kept_path, read_table, replace_whole
from .stand_ins import import_deferring

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


# start-up: dataclasses without inspect and copy until it uses them (stand_ins says why)
dataclasses = import_deferring("dataclasses", "inspect", "copy")

# Functions kept in the file: past this, only those the last run used are kept.
MAX_FUNCTIONS = 4096
FILE_NAME = "dataclass_methods.{command}.{tag}.marshal"


class MethodCache:
    """Code objects by their source text, read from ``path`` when first asked."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._known: dict[str, CodeType] | None = None
        self.used: dict[str, CodeType] = {}
        self.added = 0

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002
        """``exec`` as ``dataclasses`` calls it, with the text compiled at most once."""
        if globals is None:  # exec's own default: the caller's namespaces
            caller = sys._getframe(1)
            globals = caller.f_globals  # noqa: A001
            locals = caller.f_locals if locals is None else locals  # noqa: A001
        if isinstance(source, str):
            source = self.code(source)
        exec(source, globals, locals)  # noqa: S102 - dataclasses' own exec of its own text

    def code(self, source: str) -> CodeType:
        if self._known is None:
            self._known = read(self.path)
        code = self._known.get(source)
        if code is None:
            # dont_inherit: compiled as dataclasses' exec compiles it, with no future flags
            # (this module's `annotations` would turn the methods' annotations into text).
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.added += 1
        self.used[source] = code
        return code

    def save(self) -> None:
        """Write the file again if this run compiled anything (and bytecode is written)."""
        if not self.added or sys.dont_write_bytecode:
            return
        known = self._known or {}
        kept = {**known, **self.used}
        if len(kept) > MAX_FUNCTIONS:
            kept = self.used
        write(self.path, kept)


def read(path: str) -> dict[str, CodeType]:
    """The functions kept at ``path``; none if it is missing, unreadable or not ours."""
    return {
        source: code
        for source, code in read_table(path).items()
        if isinstance(source, str) and type(code) is CodeType
    }


def write(path: str, table: dict[str, CodeType]) -> None:
    """Replace the file at ``path`` whole."""
    replace_whole(path, marshal.dumps(table))


def install(folder: str, command: str) -> MethodCache | None:
    """Give ``dataclasses`` the cache of ``command`` (``check``, ``fix``: one file each, so
    that a check does not read the methods of LibCST's classes a fix made) kept in
    ``folder``/__pycache__ for the rest of the process, saved at exit. Nothing is installed
    for what is not a command's name (``--version``, ``--help``: they make no dataclass)
    or an interpreter that caches no bytecode."""
    path = kept_path(folder, command, FILE_NAME)
    if path is None:
        return None
    cache = MethodCache(path)
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]  # found before the builtin
    atexit.register(cache.save)
    return cache
