"""The finder of the package's own modules (scanner/own_modules.py) makes the spec the path
finder makes, for every module of the package, and leaves it what it does not find as a
plain source file."""

from __future__ import annotations

import importlib
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES, PathFinder

from authsweep.scanner.own_modules import OwnModules, install


def _modules() -> list[tuple[str, list[str]]]:
    """Every module and package of ``authsweep`` with its parent's ``__path__`` (the
    subpackages too: an editable install maps them to folders of their own)."""
    found: list[tuple[str, list[str]]] = []
    pending = [
        importlib.import_module(name)
        for name in ("authsweep", "authsweep.scanner", "authsweep.rules", "authsweep.lab")
    ]
    while pending:
        package = pending.pop()
        path = list(package.__path__)
        for folder in path:
            for entry in sorted(os.listdir(folder)):
                name = entry[:-3] if entry.endswith(".py") else entry
                if entry == "__init__.py" or not name.isidentifier():
                    continue
                fullname = f"{package.__name__}.{name}"
                found.append((fullname, path))
                if os.path.isfile(os.path.join(folder, entry, "__init__.py")):
                    pending.append(importlib.import_module(fullname))
    return found


def _facts(spec) -> tuple:
    return (
        spec.name,
        spec.origin,
        spec.cached,
        spec.has_location,
        spec.parent,
        spec.submodule_search_locations,
        type(spec.loader),
        getattr(spec.loader, "name", None),
        getattr(spec.loader, "path", None),
    )


def test_the_specs_are_the_path_finders():
    finder = OwnModules("authsweep")
    modules = _modules()
    assert len(modules) > 250
    found = 0
    for fullname, path in modules:
        ours = finder.find_spec(fullname, path)
        theirs = PathFinder.find_spec(fullname, path)
        if ours is None:  # left to the path finder: folders that are no package
            assert theirs is None or theirs.origin is None, fullname
            continue
        found += 1
        assert _facts(ours) == _facts(theirs), fullname
    assert found > 250


def _folder(tmp_path, files: list[str]) -> str:
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return str(tmp_path)


def test_what_it_leaves_to_the_path_finder(tmp_path):
    extension = EXTENSION_SUFFIXES[0]
    folder = _folder(
        tmp_path,
        [
            "plain.py",
            f"native{extension}",
            "native.py",
            "spaced/inner.py",  # a namespace package: no __init__.py
            "pkg/__init__.py",
            f"nat/__init__{extension}",
            "nat/__init__.py",
            "compiled.pyc",
        ],
    )
    finder = OwnModules("mine")
    assert finder.find_spec("mine.plain", [folder]).origin == os.path.join(folder, "plain.py")
    package = finder.find_spec("mine.pkg", [folder])
    assert package.submodule_search_locations == [os.path.join(folder, "pkg")]
    assert package.origin == os.path.join(folder, "pkg", "__init__.py")
    for name in ("native", "spaced", "nat", "compiled", "absent"):
        assert finder.find_spec(f"mine.{name}", [folder]) is None, name
    assert finder.find_spec("other.plain", [folder]) is None  # not the package's
    assert finder.find_spec("mine.plain", None) is None
    assert finder.find_spec("mine.plain", [folder, folder]) is None


def test_a_module_imported_through_it_is_the_same(tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["mine/__init__.py", "mine/sub/__init__.py"])
    (tmp_path / "mine" / "sub" / "leaf.py").write_text("VALUE = 41 + 1\n")
    monkeypatch.syspath_prepend(folder)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    for name in [n for n in sys.modules if n == "mine" or n.startswith("mine.")]:
        monkeypatch.delitem(sys.modules, name)
    install("mine")
    install("mine")  # once
    assert sum(isinstance(f, OwnModules) for f in sys.meta_path) == 1
    leaf = importlib.import_module("mine.sub.leaf")
    try:
        assert leaf.VALUE == 42
        assert leaf.__file__ == str(tmp_path / "mine" / "sub" / "leaf.py")
        assert leaf.__spec__.loader.path == leaf.__file__
        assert sys.modules["mine.sub"].__path__ == [str(tmp_path / "mine" / "sub")]
    finally:
        for name in ("mine.sub.leaf", "mine.sub", "mine"):
            sys.modules.pop(name, None)


def test_the_command_installs_it_first(monkeypatch):
    import authsweep.scanner.cli

    monkeypatch.setattr(
        sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, OwnModules)]
    )
    monkeypatch.setattr(sys, "argv", ["authsweep", "--version"])
    monkeypatch.setattr(authsweep.scanner.cli, "main", lambda: None)
    authsweep.main()
    assert isinstance(sys.meta_path[0], OwnModules)


def test_the_bytecode_file_is_named_as_cache_from_source_names_it():
    """The spec's ``cached`` is set when it is made (no ``cache_from_source`` when the
    module's ``__cached__`` is set), to what ``cache_from_source`` answers."""
    from importlib.util import cache_from_source

    from authsweep.scanner.own_modules import _cached

    origins = ["/a/b/c.py", "/a/b//c.py", "//c.py", "/a.b/c.d.py", "/a/.py", "/a/b/__init__.py"]
    for origin in origins:
        named = _cached(origin)
        if os.name == "posix" and sys.pycache_prefix is None and not sys.flags.optimize:
            assert named == cache_from_source(origin), origin
        else:
            assert named is None
    assert _cached("c.py") is None and _cached("/c.py") is None
    spec = OwnModules("authsweep").find_spec("authsweep.scanner.records", _modules_path())
    assert spec is not None and spec._cached == cache_from_source(spec.origin)


def _modules_path() -> list[str]:
    import authsweep.scanner

    return list(authsweep.scanner.__path__)
