"""Where a module of the project imports another from: the file ``find_module`` finds
beside it or in a parent folder, or one in a folder the module puts on ``sys.path``
itself at run time (a plugin that ships its libraries in ``libs/`` and appends that
folder before ``from mail_common import Mail``). Read, never run."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from .. import inputs
from ..lazy_regex import lazy_pattern
from ..reading import MAX_FILE_BYTES
from ..words import MAIL_FAMILY_WORDS, Substrings
from .imports import find_module

# Parent folders looked in for a folder a module puts on ``sys.path``.
_MAX_PARENT_FOLDERS = 4
_MAX_MODULE_BYTES = MAX_FILE_BYTES


@inputs.remembered
def module_path(importer: Path, module: str) -> Path | None:
    """The module's file as the importer finds it: beside it or in a parent folder, or
    in a folder of the project it puts on ``sys.path`` itself (a plugin's ``libs``)."""
    found = find_module(importer, module)
    if found is not None or module.startswith("."):
        return found
    for folder in _path_folders(importer):
        found = find_module(folder / "__init__.py", module)
        if found is not None and folder in found.parents:
            return found
    return None


_SYS_PATH = lazy_pattern(rb"sys\.path\.(?:append|insert)\b")


@inputs.remembered
def _path_folders(importer: Path) -> tuple[Path, ...]:
    """Folders of the project the module adds to ``sys.path`` (``sys.path.append(
    os.path.join(base, "libs"))``, also through a name assigned at its top level): the
    last literal of the path names the folder, looked for beside the module and in its
    parents. Nothing of the module runs, so a path computed at run time gives only that."""
    if importer.is_symlink():
        return ()
    data = inputs.read(importer, _MAX_MODULE_BYTES)
    if data is None or not _SYS_PATH.search(data):
        return ()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    assigned = {
        target.id: statement.value
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    folders: list[Path] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and _adds_to_sys_path(node.func)):
            continue
        added = node.args[-1]
        if isinstance(added, ast.Name):
            added = assigned.get(added.id, added)
        name = _last_literal(added)
        if name is None:
            continue
        for base in [importer.parent, *list(importer.parents)[1:_MAX_PARENT_FOLDERS]]:
            folder = base.joinpath(*name.split("/"))
            if inputs.looked_at(folder) == "d" and folder not in folders:
                folders.append(folder)
                break
    return tuple(folders)


def _adds_to_sys_path(func: ast.expr) -> bool:
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("append", "insert")
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "path"
        and isinstance(func.value.value, ast.Name)
        and func.value.value.id == "sys"
    )


def _last_literal(node: ast.expr) -> str | None:
    """The last string literal of a path expression, when it names a folder (``"libs"``,
    ``"vendor/lib"``), not a parent (``".."``) or an absolute path."""
    constants = [
        n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    # In the order they are written (the walk goes breadth first).
    strings = [n.value for n in sorted(constants, key=lambda n: (n.lineno, n.col_offset))]
    if not strings:
        return None
    name = strings[-1].strip("/\\").replace("\\", "/")
    parts = name.split("/")
    if not name or any(not part or part in (".", "..") for part in parts):
        return None
    if strings[-1].startswith(("/", "\\")) or ":" in name:
        return None
    return name


def shadowed_libraries(path: str, lowered: bytes, libraries: tuple[str, ...]) -> frozenset[str]:
    """The libraries' top-level module names a module names that a file beside it takes
    (``mailer.py`` beside ``from mailer import Mailer``): Python imports that file, the
    project's own, not the library. ``lowered``: the module's bytes in lower case."""
    if not path:
        return frozenset()
    named = _library_words(libraries).found_in(lowered)
    if not named:
        return frozenset()
    folder = Path(path).resolve().parent
    return frozenset(
        name
        for name in libraries
        if name.lower().encode() in named
        and (inputs.is_file(folder / f"{name}.py") or inputs.is_file(folder / name / "__init__.py"))
    )


@lru_cache(maxsize=4)
def _library_words(libraries: tuple[str, ...]) -> Substrings:
    """The libraries' names as lower-cased bytes, searched by family (``imap``, ...)."""
    return Substrings((name.lower().encode() for name in libraries), MAIL_FAMILY_WORDS)
