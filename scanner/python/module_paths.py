"""Where a module of the project imports another from: the file ``find_module`` finds
beside it or in a parent folder, or one in a folder the module puts on ``sys.path``
itself at run time (a plugin that ships its libraries in ``libs/`` and appends that
folder before ``from mail_common import Mail``). Read, never run."""

from __future__ import annotations

import ast
from pathlib import Path

from .. import inputs
from ..lazy_regex import lazy_pattern
from ..reading import MAX_FILE_BYTES
from .imports import find_module
from .module_trees import module_tree

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
    read = module_tree(data)  # a Python 2 plugin's in its translation
    if read is None:
        return ()
    tree = read.tree
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


class ShadowedLibraries:
    """The libraries' top-level module names that a file beside a module takes
    (``mailer.py`` beside ``from mailer import Mailer``): Python imports that file, the
    project's own, not the library. A container of those names, asked by the module's
    imports as :class:`~.symbols.Symbols` meets them: a file beside the module is looked
    at (and noted as an input of its result) only for a library the module imports.
    Searching the module's bytes for each library's name first cost a pass over the
    bytes a name, about 17 passes for every module analysed."""

    def __init__(self, path: str, libraries: tuple[str, ...]) -> None:
        self._path = path
        self._libraries = frozenset(libraries)
        self._folder: Path | None = None
        self._known: dict[str, bool] = {}

    def __contains__(self, name: object) -> bool:
        if not self._path or name not in self._libraries:
            return False
        assert isinstance(name, str)
        known = self._known.get(name)
        if known is None:
            if self._folder is None:
                self._folder = Path(self._path).resolve().parent
            folder = self._folder
            known = inputs.is_file(folder / f"{name}.py") or inputs.is_file(
                folder / name / "__init__.py"
            )
            self._known[name] = known
        return known
