"""The package's own modules found from a listing of their folders.

Python's path finder looks for each module in its folder with about 85,000 instructions
of Python code (a check imports about 150 of the package's modules, 185 for Home
Assistant's pre-commit shape: 13-16 M instructions): it asks each finder on
``sys.meta_path`` in turn, the built-in and frozen ones first, then stats the folder and
tries the name with each of five suffixes, extension modules first. :class:`OwnModules`,
put first on ``sys.meta_path`` by the command (``authsweep.main``), answers for the
package's own names only, from one listing of each of its folders, with the spec the
path finder would make: a module's ``.py`` file (or a package's ``__init__.py``) loaded by
``SourceFileLoader``, which reads and checks the cached bytecode as before. Anything it
does not find as a plain source file (an extension module, a namespace package, a file
added since its folder was listed) is left to the path finder. The command may give it
another loader of source files (:mod:`.module_cache`'s, a ``SourceFileLoader`` too).
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import (
    BYTECODE_SUFFIXES,
    EXTENSION_SUFFIXES,
    ModuleSpec,
    SourceFileLoader,
)

TYPE_CHECKING = False  # typing's flag, without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from importlib.abc import Loader
    from types import ModuleType

    MakeLoader = Callable[[str, str], Loader]


class OwnModules:
    """A finder of the modules under ``package`` (the names ``package.…``), each loaded by
    the loader ``loader`` makes of its name and source file."""

    def __init__(self, package: str, loader: MakeLoader = SourceFileLoader) -> None:
        self.prefix = package + "."
        self.loader = loader
        self._listed: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(self.prefix) or not path or len(path) != 1:
            return None
        folder = path[0]
        files, folders = self._listing(folder)
        name = fullname.rpartition(".")[2]
        if name in folders:
            inner = f"{folder}{os.sep}{name}"
            if not _source(_INIT, self._listing(inner)[0]):
                return None  # a namespace package, or not a package: the path finder's
            return _spec(fullname, f"{inner}{os.sep}{_INIT}.py", [inner], self.loader)
        if _source(name, files):
            return _spec(fullname, f"{folder}{os.sep}{name}.py", None, self.loader)
        return None

    def _listing(self, folder: str) -> tuple[frozenset[str], frozenset[str]]:
        listed = self._listed.get(folder)
        if listed is None:
            files: set[str] = set()
            folders: set[str] = set()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        (folders if entry.is_dir() else files).add(entry.name)
            except OSError:
                pass
            listed = self._listed[folder] = (frozenset(files), frozenset(folders))
        return listed


_INIT = "__init__"


def _source(name: str, files: frozenset[str]) -> bool:
    """Whether the path finder would load ``name`` from its ``.py`` file: one is listed,
    and no extension module of the name, which it tries first."""
    return f"{name}.py" in files and not any(
        f"{name}{suffix}" in files for suffix in EXTENSION_SUFFIXES
    )


def _spec(
    fullname: str, origin: str, locations: list[str] | None, loader: MakeLoader
) -> ModuleSpec:
    """The spec ``importlib.util.spec_from_file_location`` makes for a source file."""
    spec = ModuleSpec(
        fullname,
        loader(fullname, origin),
        origin=origin,
        is_package=locations is not None,
    )
    spec.has_location = True
    if locations is not None:
        spec.submodule_search_locations = locations
    cached = _cached(origin)
    if cached is not None:
        spec.cached = cached
    return spec


def _cached(origin: str) -> str | None:
    """The bytecode file of the source file ``origin``, as ``cache_from_source`` names it
    (which the spec asks when the module's ``__cached__`` is set: about 30 lines of Python
    a module), where that is the file's folder, ``__pycache__``, its name and the
    interpreter's tag: on POSIX, with no ``sys.pycache_prefix`` and no optimization level.
    None elsewhere: the spec asks ``cache_from_source`` as before."""
    tag = sys.implementation.cache_tag
    if os.name != "posix" or tag is None or sys.pycache_prefix is not None or sys.flags.optimize:
        return None
    head, _, tail = origin.rpartition("/")
    if not head:  # a file in the root folder, or a relative path's first folder
        return None
    base, dot, rest = tail.rpartition(".")
    return f"{head.rstrip('/')}/__pycache__/{base or rest}{dot}{tag}{BYTECODE_SUFFIXES[0]}"


def install(package: str, loader: MakeLoader | None = None) -> None:
    """Put the finder of ``package``'s modules first on ``sys.meta_path`` (once); their
    loader made by ``loader`` (by default ``SourceFileLoader``)."""
    if not any(isinstance(finder, OwnModules) for finder in sys.meta_path):
        sys.meta_path.insert(0, OwnModules(package, loader or SourceFileLoader))
