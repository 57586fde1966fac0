"""Which files to scan, and of which kind.

In a git work tree git's own view is used (tracked files plus untracked ones
that are not ignored); elsewhere the tree is walked honouring ``.gitignore``
files. Files named on the command line are always scanned, as pre-commit
passes them.
"""

from __future__ import annotations

import bisect
import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .findings import FileError
from .globs import PathGlobs
from .lazy_regex import lazy_pattern
from .python.mail_libraries import LIBRARIES
from .records import plain

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        "site-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".authsweep_cache",
        "build",
        "dist",
        ".eggs",
    }
)

PYTHON_SUFFIXES = (".py", ".pyw")
# Config kinds by suffix; readers for them live in the config front end.
CONFIG_SUFFIXES = {
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
}
# Folders of translated UI strings: data, never configuration. Config kinds in them are
# not read (Home Assistant alone has 27,000 such JSON files); Python files still are.
LOCALE_DIRS = frozenset({"translations", "locale", "locales", "i18n", "l10n", "lang", "langs"})
LOCK_FILES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "conda-lock.yml",
        "poetry.lock",
        "Pipfile.lock",
        "composer.lock",
        "yarn.lock",
        "uv.lock",
    }
)


@plain
class SourceFile:
    """A file to check: where it is read from, how it is named in reports, and its kind."""

    path: Path  # where to read it
    display: str  # how to report it: as given, or relative to the working folder
    kind: str  # "python", "dotenv", "ini", "yaml", "toml", "json"


def kind_of(path: Path, *, named: bool = False) -> str | None:
    """The kind of a file by its name; an extensionless file by its first bytes (a
    python shebang, or a mail script's imports)."""
    return kind_of_name(path.name, str(path))


def kind_of_name(name: str, path: str) -> str | None:
    if name.endswith(PYTHON_SUFFIXES):
        return "python"
    if name in LOCK_FILES:
        return None
    if (name.startswith(".env") and name != ".envrc") or name.endswith(".env"):  # .env_sample
        return "dotenv"
    suffix = os.path.splitext(name)[1].lower()
    if suffix in CONFIG_SUFFIXES:
        return CONFIG_SUFFIXES[suffix]
    if not suffix:
        return "python" if _is_python_script(path) else None
    return None


# An extensionless file is read this far to tell a Python script (Semgrep looks at the
# shebang; Ruff only at names and include patterns): a python shebang, or, without one,
# a mail library imported at the start of a line in a small text file that parses as
# Python. Only such files are parsed here (a README quoting ``import smtplib`` does not
# parse, so it never becomes a file that "could not be checked").
_SNIFF_BYTES = 8192
_MAX_SNIFFED_SCRIPT = 256 * 1024
_MAIL_IMPORT = lazy_pattern(
    rb"^[ \t]*(?:import|from)[ \t]+(?:"
    + b"|".join(re.escape(name.encode()) for name in sorted(LIBRARIES))
    + rb")\b",
    re.MULTILINE,
)


def _is_python_script(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            if head.startswith(b"#!"):
                return b"python" in head.split(b"\n", 1)[0][:200]
            if b"\0" in head or not _MAIL_IMPORT.search(head):
                return False
            data = head + handle.read(_MAX_SNIFFED_SCRIPT + 1 - len(head))
    except OSError:
        return False
    if len(data) > _MAX_SNIFFED_SCRIPT:
        return False
    # start-up: `ast` (about 14 M instructions) only for a file without a suffix that
    # imports a mail library; a check the pre-check ends before any parse needs none
    import ast

    try:
        ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def git_top(folder: str) -> str | None:
    """``folder`` if it is the top of a git checkout (a ``.git`` folder or file), else None:
    a probe for :func:`nearest_ancestor`."""
    return folder if os.path.exists(os.path.join(folder, ".git")) else None


def nearest_ancestor(
    folder: str, cache: dict[str, T | None], probe: Callable[[str], T | None]
) -> T | None:
    """The first ``probe(f)`` that is not None, ``f`` going up from ``folder`` to the
    root. Every folder passed on the way is cached with the answer, so a sweep over a
    large tree walks each folder once."""
    visited: list[str] = []
    found: T | None = None
    while True:
        if folder in cache:
            found = cache[folder]
            break
        visited.append(folder)
        found = probe(folder)
        if found is not None:
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for name in visited:
        cache[name] = found
    return found


def walk(root: str | Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(root)``, top down, links not followed: each folder with its subfolders
    (prune them in place to skip them) and its other entries, sorted. A stack, not
    recursion (``os.walk`` recurses before Python 3.12): no depth of folders exhausts
    Python's. Folders that cannot be listed are left out."""
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        folders = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        others = [e.name for e in entries if not e.is_dir(follow_symlinks=False)]
        yield folder, folders, others
        stack.extend(os.path.join(folder, name) for name in reversed(folders))


def display_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


# Names of this process's standard input: `check /dev/stdin < f` reads it as `-` does.
STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})


def discover(
    paths: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    kinds: frozenset[str] | None = None,
    cwd: Path | None = None,
) -> tuple[list[SourceFile], list[FileError]]:
    """Files under ``paths`` to scan, in a stable order, and paths that could not be read.

    ``exclude`` holds glob patterns matched against the path relative to the working
    folder and against each path component. Named files are scanned whatever their
    kind is not excluded; ``kinds`` limits which kinds are returned. A file reached by
    two names (``a.py sub/../a.py``, a folder and a file in it) is listed once.
    """
    cwd = cwd or Path.cwd()
    excludes = PathGlobs(exclude)
    found: dict[str, SourceFile] = {}  # by real path
    errors: list[FileError] = []
    for given in paths:
        path = Path(given)
        absolute = path if path.is_absolute() else cwd / path
        problem = named_path_problem(absolute)
        if problem is not None:
            errors.append(FileError(str(given), problem, "unreadable"))
            continue
        if not absolute.is_dir():
            kind = kind_of(absolute, named=True)
            if kind and (kinds is None or kind in kinds) and not _excluded(absolute, cwd, excludes):
                key = os.path.realpath(absolute)
                found.setdefault(key, SourceFile(absolute, _shown(given, path), kind))
            continue
        root = str(absolute)
        real_root = os.path.realpath(root)
        prefix = str(cwd) + os.sep
        for file in _walk(root, errors):
            shown = file[len(prefix) :] if file.startswith(prefix) else file
            if excludes and excludes.match(shown.replace(os.sep, "/")):
                continue
            kind = kind_of_name(os.path.basename(file), file)
            if not kind or (kinds is not None and kind not in kinds):
                continue
            relative = file[len(root) + 1 :]
            if kind != "python":
                folders = relative.split(os.sep)[:-1]
                if not LOCALE_DIRS.isdisjoint(folders):
                    continue
            # Walked files are never symbolic links, and no link is followed on the way.
            key = os.path.join(real_root, relative)
            found.setdefault(key, SourceFile(Path(file), shown, kind))
    return sorted(found.values(), key=lambda f: f.display), errors


def named_path_problem(path: Path) -> str | None:
    """Why a path named on the command line cannot be scanned, or None: a regular file or
    a folder (through symbolic links)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a loop of symbolic links"
        if error.errno == errno.ENOENT and os.path.islink(path):
            return "a symbolic link to a missing file"
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return "no such file or folder"
        return f"cannot read: {error.strerror}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device"
    else:
        what = "a special file"
    return f"{what}, not a regular file"


def _shown(given: str, path: Path) -> str:
    return given if not path.is_absolute() else str(path)


def _excluded(path: Path, cwd: Path, patterns: PathGlobs) -> bool:
    return bool(patterns) and patterns.match(display_path(path, cwd).replace(os.sep, "/"))


def _walk(root: str, errors: list[FileError]) -> Iterator[str]:
    """The files to scan under the folder ``root``: git's view of a repository, else a
    walk honouring ``.gitignore`` files; a repository met on the way (a submodule, a
    checkout inside a plain folder) by its own view. A stack, not recursion: no depth
    of folders exhausts Python's."""
    # (folder, the .gitignore files above it in the walk); None: ask git about it first.
    stack: list[tuple[str, tuple[_Ignore, ...] | None]] = [(root, None)]
    while stack:
        folder, ignores = stack.pop()
        entries = None
        if ignores is not None:
            # A repository inside the tree (a ``.git`` among its entries): its own view
            # applies inside it. Seen in its listing, not by a ``stat`` of every folder.
            entries = _entries(folder, errors)
            if entries is None:
                continue
            if _holds(entries, ".git") and os.path.exists(os.path.join(folder, ".git")):
                ignores = None
        if ignores is None:
            listed = _git_files(folder)
            if listed is not None:
                yield from _listed_by_git(folder, listed, stack)
                continue
            ignores = ()
        yield from _walk_folder(folder, ignores, errors, stack, entries)


def _listed_by_git(root: str, listed: list[str], stack: list) -> Iterator[str]:
    start = len(root) + 1
    for path in listed:
        folders = path[start:].split(os.sep)[:-1]
        if not SKIP_DIRS.isdisjoint(folders) or os.path.islink(path):
            continue
        if os.path.isfile(path):
            yield path
        elif os.path.isdir(path) and os.path.exists(os.path.join(path, ".git")):
            # A git submodule (git lists it as one entry): its own view applies inside.
            stack.append((path.rstrip(os.sep), None))


def _git_files(root: str) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files below ``root``, or None outside git
    (or when git cannot say: the tree is then walked)."""
    # Start-up: files named on the command line (a pre-commit hook's) need no git, nor the
    # subprocess module.
    from .git import GitFailure, enclosing_repository, run_git

    repository = enclosing_repository(Path(root))
    if repository is None:
        return None
    arguments = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        listed = run_git(arguments, repository=repository, cwd=Path(root))
    except GitFailure:
        return None
    files = {os.path.join(root, os.fsdecode(raw)) for raw in listed.split(b"\0") if raw}
    # Nothing listed: the folder is ignored or empty for git; named explicitly, it is walked.
    return sorted(files) if files else None


class _Ignore:
    """The patterns of one ``.gitignore`` file, matched as git matches them (pathspec's
    GitIgnoreSpec) relative to the folder the file is in."""

    def __init__(self, base: str, lines: list[str]) -> None:
        from pathspec import GitIgnoreSpec  # 28 ms: only for a walk that meets a .gitignore

        self.base = base
        self.spec = GitIgnoreSpec.from_lines(lines)

    def verdict(self, path: str, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included (``!pattern``); None: no pattern matches."""
        relative = path[len(self.base) + 1 :].replace(os.sep, "/")
        return self.spec.check_file(relative + "/" if is_dir else relative).include


def _entries(folder: str, errors: list[FileError]) -> list[os.DirEntry] | None:
    """The entries of a folder by name, or None when it cannot be listed (said in
    ``errors``)."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda e: e.name)
    except OSError as error:
        errors.append(FileError(folder, f"cannot list folder: {error.strerror}", "unreadable"))
        return None


def _holds(entries: list[os.DirEntry], name: str) -> bool:
    """Whether a listing sorted by name holds an entry ``name``: looked up, not compared
    with every entry of every folder of the tree."""
    index = bisect.bisect_left(entries, name, key=_name_of)
    return index < len(entries) and entries[index].name == name


def _name_of(entry: os.DirEntry) -> str:
    return entry.name


def _walk_folder(
    folder: str,
    ignores: tuple[_Ignore, ...],
    errors: list[FileError],
    stack: list,
    entries: list[os.DirEntry] | None = None,
) -> Iterator[str]:
    """The files of one folder (``entries``: its listing, when the caller has it); its
    subfolders go on ``stack``."""
    if entries is None:
        entries = _entries(folder, errors)
        if entries is None:
            return
    if _holds(entries, ".gitignore"):
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as f:
                ignores = (*ignores, _Ignore(folder, f.read().splitlines()))
        except OSError:
            pass
    for entry in reversed(entries):  # popped in name order
        if entry.is_symlink():
            continue  # never followed: loops, and trees outside the one asked for
        is_dir = entry.is_dir(follow_symlinks=False)
        if is_dir and entry.name in SKIP_DIRS:
            continue
        if ignores and _is_ignored(entry.path, is_dir, ignores):
            continue
        if is_dir:
            stack.append((entry.path, ignores))  # a repository: found when it is listed
        elif entry.is_file(follow_symlinks=False):
            yield entry.path


def _is_ignored(path: str, is_dir: bool, ignores: tuple[_Ignore, ...]) -> bool:
    """The deepest ``.gitignore`` with a pattern for ``path`` decides, as in git."""
    for ignore in reversed(ignores):
        verdict = ignore.verdict(path, is_dir)
        if verdict is not None:
            return verdict
    return False
