"""Compiled regular expressions kept between runs, as the dataclass methods are
(:mod:`.method_cache`).

Compiling a pattern is Python code (``re._parser`` and ``re._compiler``): the patterns
:func:`~.lazy_regex.lazy_pattern` compiles on first use cost a pre-commit hook's run
about 40 M instructions on Django's three mail files, 30 M of them the placeholder
expression of :mod:`.secrets` (its word lists in several languages), and 14 M on Home
Assistant's five (bench/RESULTS.md, "speed11b"). What that Python code makes is a list of
numbers (the program ``_sre`` runs) and the groups' names; the command keeps those in a
marshal file in the package's ``__pycache__`` named for the command and the interpreter
(as a ``.pyc`` file is), and makes the pattern from them with ``_sre.compile``, as
``re._compiler.compile`` does after its work. A pattern the file lacks is compiled
(``re._parser.parse``, ``re._compiler._code``: the steps of ``re.compile``) and added; at
exit the file is written again if anything was added, unless Python writes no bytecode.
The pattern's text and flags are the key, and the file records the interpreter's version
and ``_sre``'s magic number, so a program is never used by another engine than the one
that compiled it; a file that cannot be read or written is done without.
"""

from __future__ import annotations

import _sre
import atexit
import marshal
import re
import sys

from .kept_files import kept_path, replace_whole

FILE_NAME = "patterns.{command}.{tag}.marshal"
# Patterns kept in the file: past this, only those the last run used are kept.
MAX_PATTERNS = 1024

Key = tuple[str | bytes, int]
# What ``_sre.compile`` takes after the pattern: its flags, its program, the count of its
# groups less one, the groups' numbers by name and their names by number.
Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
# What ``re.compile`` runs, loaded with ``re`` (Python 3.11 on; not in 3.10's, whose
# patterns are left to ``re.compile``).
_parser = getattr(re, "_parser", None)
_compiler = getattr(re, "_compiler", None)


class PatternCache:
    """Compiled patterns by their text and flags, read from ``path`` when first asked."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._known: dict[Key, Program] | None = None
        self.used: dict[Key, Program] = {}
        self.added = 0

    def compile(self, pattern: str | bytes, flags: int = 0) -> re.Pattern:
        """``re.compile(pattern, flags)``, its program compiled at most once."""
        flags = int(flags)
        if self._known is None:
            self._known = read(self.path)
        key = (pattern, flags)
        program = self._known.get(key)
        if program is not None:
            try:
                compiled = _sre.compile(pattern, *program)
            except (TypeError, ValueError, RuntimeError, OverflowError):
                compiled = None  # not a program (``_sre`` checks it): compiled afresh
            if compiled is not None:
                self.used[key] = program
                return compiled
        program = program_of(pattern, flags)
        if program is None:
            return re.compile(pattern, flags)
        self.added += 1
        self.used[key] = self._known[key] = program
        return _sre.compile(pattern, *program)

    def save(self) -> None:
        """Write the file again if this run compiled anything (and bytecode is written)."""
        if not self.added or sys.dont_write_bytecode:
            return
        kept = {**(self._known or {}), **self.used}
        if len(kept) > MAX_PATTERNS:
            kept = self.used
        write(self.path, kept)


def program_of(pattern: str | bytes, flags: int) -> Program | None:
    """What ``re._compiler.compile`` hands ``_sre.compile``; None for a pattern to leave
    to ``re.compile`` (not text, a flag that prints or warns, an interpreter whose ``re``
    has not these steps): it raises or warns as it does."""
    if _parser is None or _compiler is None or not isinstance(pattern, (str, bytes)):
        return None
    if flags & (re.DEBUG | getattr(re, "TEMPLATE", 0)):
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
    except re.error:
        return None  # re.compile raises it, as it would
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (
        int(flags | parsed.state.flags),  # an int, not re.RegexFlag: marshal keeps ints only
        [int(word) for word in code],  # opcodes are named ints in the list
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


def _stamp() -> tuple[str, int]:
    """The interpreter a program was compiled by (a tuple: what marshal gives back)."""
    return sys.version, _sre.MAGIC


def read(path: str) -> dict[Key, Program]:
    """The programs kept at ``path``; none if it is missing, unreadable, not ours or
    written by another interpreter."""
    try:
        with open(path, "rb") as file:
            stamp, table = marshal.loads(file.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if stamp != _stamp() or not isinstance(table, dict):
        return {}
    # Each program is checked when used, by ``_sre.compile`` (a pattern's own few words,
    # not the whole file's).
    return table


def write(path: str, table: dict[Key, Program]) -> None:
    """Replace the file at ``path`` whole."""
    try:
        data = marshal.dumps((_stamp(), table))
    except ValueError:
        return  # not marshal's: kept by no file
    replace_whole(path, data)


_installed: PatternCache | None = None


def compile_pattern(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    """``re.compile``, through the command's cache when one is installed."""
    if _installed is None:
        return re.compile(pattern, flags)
    return _installed.compile(pattern, flags)


def install(folder: str, command: str) -> PatternCache | None:
    """Keep the compiled patterns of ``command`` in ``folder``/__pycache__ for the rest of
    the process, saved at exit; nothing for what is not a command's name or an
    interpreter that caches no bytecode (as :func:`.method_cache.install`)."""
    global _installed
    path = kept_path(folder, command, FILE_NAME)
    if path is None:
        return None
    _installed = PatternCache(path)
    atexit.register(_installed.save)
    return _installed
