"""Reading dependency declarations with the positions of their text, one format each, so
that a requirement can be raised or added in place, the file's layout kept.

Each reader finds the declared requirements (offsets into the file's text) and where a
new one goes, written as its neighbours are: a line of a requirements file, an element
of PEP 621's ``dependencies`` array (on its own line when the array is written one per
line, else inline), a ``name = "version"`` line of a TOML table, a line of ``setup.cfg``'s
``install_requires``. Nothing is executed; ``setup.py`` is only recognised (it is code).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..records import record
from ..text import first_newline
from .requirements import normalize, split


@record
class Declared:
    """One declared distribution: where its text is (offsets into its file's text), and
    whether that text is a whole requirement (``aiosmtplib>=2``) or only its version
    (Poetry's and Pipfile's ``aiosmtplib = ">=2"``)."""

    name: str
    specifier: str
    start: int
    end: int
    whole: bool
    line: int


@dataclass
class DependencyFile:
    path: Path
    kind: str  # "requirements", "pyproject", "poetry", "setup.cfg", "pipfile", "setup.py"
    text: str
    declared: list[Declared] = field(default_factory=list)
    # Where a new requirement goes, and the text it is written as there.
    insert_at: int | None = None
    entry: Callable[[str], str] | None = None

    def where(self, declared: Declared, root: Path) -> str:
        return f"{relative(self.path, root)}:{declared.line}"


def requirement_of(text: str) -> tuple[str, str]:
    """The normalized name and the specifier of a requirement string."""
    name, specifier = split(text)
    return normalize(name), specifier


def newline_of(text: str) -> str:
    return first_newline(text) if "\n" in text or "\r" in text else "\n"


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


_TABLE = re.compile(r"^\[([^\]\n]+)\][ \t]*(?:#[^\n]*)?$", re.MULTILINE)
_KEY_STRING = re.compile(
    r"^([ \t]*)([A-Za-z0-9][A-Za-z0-9._-]*)[ \t]*=[ \t]*(\"|')([^\"'\n]*)\3", re.MULTILINE
)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def requirements(path: Path, text: str) -> DependencyFile:
    """``requirements.txt``: one requirement a line; options, URLs and comments skipped."""
    file = DependencyFile(path, "requirements", text)
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped and not stripped.startswith(("#", "-")) and "://" not in stripped:
            start = offset + len(body) - len(body.lstrip())
            end = offset + len(body.split(" #", 1)[0].rstrip())
            name, specifier = requirement_of(text[start:end])
            file.declared.append(Declared(name, specifier, start, end, True, _line(text, start)))
        offset += len(line)
    newline = newline_of(text)
    file.insert_at = len(text)
    file.entry = lambda requirement: (
        ("" if not text or text.endswith(("\n", "\r")) else newline) + requirement + newline
    )
    return file


def _table(text: str, name: str) -> tuple[int, int] | None:
    """The offsets of a TOML table's body (after its header line, up to the next one)."""
    tables = list(_TABLE.finditer(text))
    for index, header in enumerate(tables):
        if header.group(1).strip() == name:
            end = tables[index + 1].start() if index + 1 < len(tables) else len(text)
            return header.end() + 1, end
    return None


def pyproject(path: Path, text: str) -> DependencyFile | None:
    """PEP 621: ``[project]`` ``dependencies = [...]``."""
    body = _table(text, "project")
    if body is None:
        return None
    key = re.compile(r"^dependencies[ \t]*=[ \t]*\[", re.MULTILINE).search(text, *body)
    if key is None:
        return None
    close, strings = _array(text, key.end())
    if close is None:
        return None
    file = DependencyFile(path, "pyproject", text)
    for start, end in strings:
        name, specifier = requirement_of(text[start:end])
        file.declared.append(Declared(name, specifier, start, end, True, _line(text, start)))
    quote = text[strings[-1][0] - 1] if strings else '"'
    inside = text[key.end() : close]
    if "\n" in inside.strip(" \t") and strings:  # one a line: a line like the last one
        last_line_start = text.rfind("\n", 0, strings[-1][0]) + 1
        indent = text[last_line_start : strings[-1][0] - 1]
        after_last = strings[-1][1] + 1
        comma = text[after_last : after_last + 1] == ","
        newline = newline_of(text)
        line_end = text.find("\n", after_last) + 1
        if comma:
            file.insert_at = line_end
            file.entry = lambda r: f"{indent}{quote}{r}{quote},{newline}"
        else:
            file.insert_at = after_last
            file.entry = lambda r: f",{newline}{indent}{quote}{r}{quote}"
    elif strings:
        file.insert_at = strings[-1][1] + 1
        file.entry = lambda r: f", {quote}{r}{quote}"
    else:
        file.insert_at = close
        file.entry = lambda r: f"{quote}{r}{quote}"
    return file


def _array(text: str, start: int) -> tuple[int | None, list[tuple[int, int]]]:
    """The closing bracket of a TOML array of strings that opens before ``start``, and the
    offsets of each string's content."""
    strings: list[tuple[int, int]] = []
    at = start
    while at < len(text):
        char = text[at]
        if char in "\"'":
            end = text.find(char, at + 1)
            if end < 0:
                return None, []
            strings.append((at + 1, end))
            at = end + 1
            continue
        if char == "#":
            at = text.find("\n", at)
            if at < 0:
                return None, []
            continue
        if char == "]":
            return at, strings
        if char == "[":
            return None, []  # nested arrays are not dependencies as written here
        at += 1
    return None, []


def _key_table(path: Path, kind: str, text: str, table: str) -> DependencyFile | None:
    """A TOML table of ``name = "version"`` lines (Poetry, Pipfile)."""
    body = _table(text, table)
    if body is None:
        return None
    file = DependencyFile(path, kind, text)
    last_end = None
    indent = ""
    for found in _KEY_STRING.finditer(text, *body):
        last_end = found.end()
        indent = found.group(1)
        name = found.group(2)
        if name.lower() == "python":
            continue
        version = found.group(4).strip()
        specifier = "" if version == "*" else version
        file.declared.append(
            Declared(
                requirement_of(name)[0],
                specifier,
                found.start(4),
                found.end(4),
                False,
                _line(text, found.start()),
            )
        )
    newline = newline_of(text)
    if last_end is None:
        file.insert_at = body[0]
    else:
        file.insert_at = text.find("\n", last_end) + 1 or len(text)
    file.entry = lambda r: (
        f'{indent}{requirement_of(r)[0]} = "{requirement_of(r)[1] or "*"}"{newline}'
    )
    return file


def poetry(path: Path, text: str) -> DependencyFile | None:
    return _key_table(path, "poetry", text, "tool.poetry.dependencies")


def pipfile(path: Path, text: str) -> DependencyFile | None:
    return _key_table(path, "pipfile", text, "packages")


def setup_cfg(path: Path, text: str) -> DependencyFile | None:
    """``[options]`` ``install_requires =`` with one requirement a line below it."""
    body = _table(text, "options")
    if body is None:
        return None
    key = re.compile(r"^install_requires[ \t]*=[ \t]*([^\n]*)\n", re.MULTILINE).search(text, *body)
    if key is None:
        return None
    file = DependencyFile(path, "setup.cfg", text)
    if key.group(1).strip():
        start = key.start(1)
        end = key.end(1) - (len(key.group(1)) - len(key.group(1).rstrip()))
        name, specifier = requirement_of(text[start:end])
        file.declared.append(Declared(name, specifier, start, end, True, _line(text, start)))
    at = key.end()
    indent = "    "
    while at < body[1]:
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        line = text[at:line_end]
        if not line.strip() or line[0] not in " \t":
            break
        indent = line[: len(line) - len(line.lstrip())]
        start = at + len(indent)
        end = at + len(line.split(" #", 1)[0].rstrip())
        if not line.strip().startswith("#"):
            name, specifier = requirement_of(text[start:end])
            file.declared.append(Declared(name, specifier, start, end, True, _line(text, start)))
        at = line_end + 1
    newline = newline_of(text)
    file.insert_at = min(at, len(text))
    file.entry = lambda r: f"{indent}{r}{newline}"
    return file


def setup_py(path: Path, text: str) -> DependencyFile:
    """``setup.py`` is code: its requirements are not edited, only recognised."""
    return DependencyFile(path, "setup.py", text)
