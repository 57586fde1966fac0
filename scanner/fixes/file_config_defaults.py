"""``logging.config.fileConfig(path, defaults={...})`` entries that only fed a logging INI
value a fix took out.

A logging INI may take its password from the code that loads it:
``fileConfig("logging.ini", defaults={"smtp_password": os.environ["SMTP_PASSWORD"]})``
and ``args=(..., ('%(smtp_user)s', '%(smtp_password)s'), ())``. Once the handler is the
OAuth2 one, the INI no longer interpolates ``%(smtp_password)s``, but the entry still
reads the variable, and the migrated program fails where it is unset. An entry of a
``fileConfig`` call that names the INI a fix changed, whose key that INI interpolates no
more and no other code of the project names, is taken out of the dict; otherwise it stays
and a note names who reads it (or says the call does not name the file it loads).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..discover import kind_of
from ..project import mentions
from ..reading import MAX_FILE_BYTES, read_regular_or_none
from ..remedies import Edit
from .reads import drop_item

_INTERPOLATION = re.compile(r"%\(([^)\s]+)\)s")


@dataclass
class TakenOut:
    """The entries of one module's ``fileConfig`` defaults to take out."""

    path: Path
    text: str  # the module's text the edits are on
    edits: list[Edit]
    keys: list[str]


def interpolated(text: str) -> set[str]:
    """The names an INI text interpolates (``%(smtp_password)s``), lower case as
    configparser keeps option names."""
    return {match.group(1).lower() for match in _INTERPOLATION.finditer(text)}


def unused_defaults(
    changed: Iterable[tuple[Path, str, str]], texts: dict[Path, str]
) -> tuple[list[TakenOut], list[str]]:
    """For INI files the run changed (path, text before, after): the ``fileConfig``
    defaults entries to take out, by module, and notes on those that stay. ``texts``: the
    text of each file of the run after its fixes (resolved path)."""
    taken: dict[Path, TakenOut] = {}
    notes: list[str] = []
    for ini, before, after in changed:
        for key in sorted(interpolated(before) - interpolated(after)):
            readers = [r for r in mentions(ini, key, texts) if r.path.suffix == ".py"]
            for read in readers:
                module = read.path.resolve()
                text = texts.get(module) or _read(module)
                if text is None:
                    continue
                spans, unnamed = _default_entries(text, key, ini.name)
                stays = f"{read.path.name}: the fileConfig default {key!r}, which {ini.name} "
                stays += "no longer uses, is kept"
                if unnamed:
                    notes.append(f"{stays}: a fileConfig call there does not name its file")
                    continue
                if not spans:
                    continue
                still = [r for r in readers if r is not read]
                dropped = [drop_item(text, start, end) for start, end in spans]
                rest = text
                for edit in sorted(dropped, key=lambda e: e.start, reverse=True):
                    rest = rest[: edit.start] + rest[edit.end :]
                if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", rest, re.IGNORECASE):
                    still.append(read)
                if still:
                    where = ", ".join(sorted({r.path.name for r in still}))
                    notes.append(f"{stays}, since {where} names it")
                    continue
                found = taken.setdefault(module, TakenOut(module, text, [], []))
                found.edits += dropped
                found.keys.append(key)
    return list(taken.values()), notes


def _default_entries(text: str, key: str, loaded: str) -> tuple[list[tuple[int, int]], bool]:
    """Where ``key`` is an entry of a dict literal passed as ``defaults=`` to a
    ``fileConfig`` call that names the file ``loaded`` in its first argument: (start, end)
    offsets of each entry; and whether such an entry is passed by a call that does not
    name the file it loads (which INI it feeds is not known)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return [], False
    lines = text.splitlines(keepends=True)
    offsets = _line_offsets(lines)
    found: list[tuple[int, int]] = []
    unnamed = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _called(node.func) != "fileConfig":
            continue
        first = node.args[0] if node.args else None
        names_it = first is not None and loaded in (ast.get_source_segment(text, first) or "")
        for keyword in node.keywords:
            if keyword.arg != "defaults" or not isinstance(keyword.value, ast.Dict):
                continue
            for name, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if not (isinstance(name, ast.Constant) and str(name.value).lower() == key):
                    continue
                if not names_it:
                    unnamed = True
                    continue
                start = _offset(lines, offsets, name.lineno, name.col_offset)
                end = _offset(lines, offsets, value.end_lineno, value.end_col_offset)
                found.append((start, end))
    return found, unnamed


def _called(func: ast.expr) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _line_offsets(lines: list[str]) -> list[int]:
    """The character offset where each line starts."""
    offsets, total = [], 0
    for line in lines:
        offsets.append(total)
        total += len(line)
    return offsets


def _offset(lines: list[str], offsets: list[int], line: int | None, column: int | None) -> int:
    """The character offset of an ast position (its column counts UTF-8 bytes)."""
    assert line is not None and column is not None
    head = lines[line - 1].encode("utf-8")[:column].decode("utf-8", errors="ignore")
    return offsets[line - 1] + len(head)


def _read(path: Path) -> str | None:
    data = read_regular_or_none(path, MAX_FILE_BYTES)
    if data is None or kind_of(path) != "python":
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
