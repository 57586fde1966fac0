"""The package's modules kept in one file (scanner/module_cache.py): a module loaded from it
is the module its source makes, a changed source is loaded again, and a file that cannot
be used is done without."""

from __future__ import annotations

import importlib
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner.module_cache import FILE_NAME, KeptLoader, KeptModules, install, read
from authsweep.scanner.own_modules import OwnModules


@pytest.fixture(autouse=True)
def bytecode_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an installed command runs (this session may set PYTHONDONTWRITEBYTECODE)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package ``keptpkg`` with a module ``mod`` on ``sys.path`` (forgotten afterwards)."""
    folder = tmp_path / "keptpkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "mod.py").write_text("VALUE = 1\n\ndef double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield folder
    for name in [n for n in sys.modules if n == "keptpkg" or n.startswith("keptpkg.")]:
        del sys.modules[name]


def load(kept: KeptModules) -> object:
    """``keptpkg.mod`` imported afresh, found with ``kept``'s loader (the package itself,
    a top-level name, by the path finder)."""
    for name in [n for n in sys.modules if n == "keptpkg" or n.startswith("keptpkg.")]:
        del sys.modules[name]
    finder = OwnModules("keptpkg", kept.loader)
    sys.meta_path.insert(0, finder)
    try:
        importlib.import_module("keptpkg")
        return importlib.import_module("keptpkg.mod")
    finally:
        sys.meta_path.remove(finder)


def test_a_module_is_kept_and_loaded_from_the_file(package: Path, tmp_path: Path) -> None:
    path = str(tmp_path / "kept.marshal")
    first = KeptModules(path)
    module = load(first)
    assert isinstance(module.__spec__.loader, KeptLoader)
    assert module.__file__ == str(package / "mod.py")
    assert set(first.added) == {"keptpkg.mod"}
    first.save()
    assert set(read(path)) == {"keptpkg.mod"}

    second = KeptModules(path)
    again = load(second)
    assert second.added == {}  # both came from the file
    assert again is not module and again.VALUE == 1 and again.double(4) == 8
    assert again.double.__code__.co_code == module.double.__code__.co_code
    assert again.double.__code__.co_filename == str(package / "mod.py")


def test_a_changed_source_is_loaded_again(package: Path, tmp_path: Path) -> None:
    path = str(tmp_path / "kept.marshal")
    first = KeptModules(path)
    load(first)
    first.save()
    source = package / "mod.py"
    status = os.stat(source)
    source.write_text("VALUE = 22\n\ndef double(x):\n    return 2 * x\n")  # one byte more
    os.utime(source, ns=(status.st_atime_ns, status.st_mtime_ns))  # the same time
    second = KeptModules(path)
    assert load(second).VALUE == 22
    assert set(second.added) == {"keptpkg.mod"}
    second.save()
    third = KeptModules(path)
    assert load(third).VALUE == 22 and third.added == {}


def test_a_rewritten_source_of_the_same_size_and_time_is_loaded_again(
    package: Path, tmp_path: Path
) -> None:
    """A reinstall may give every file the same modification time: the status change
    time tells the new file from the old. (The reinstall removes the old ``.pyc`` files,
    which would pass the check of a ``.pyc`` file: their time and size are the same.)"""
    path = str(tmp_path / "kept.marshal")
    first = KeptModules(path)
    load(first)
    first.save()
    source = package / "mod.py"
    status = os.stat(source)
    source.write_text("VALUE = 7\n\ndef double(x):\n    return 2 * x\n")  # the same size
    os.utime(source, ns=(status.st_atime_ns, status.st_mtime_ns))
    shutil.rmtree(package / "__pycache__", ignore_errors=True)
    assert os.stat(source).st_size == status.st_size
    assert os.stat(source).st_mtime_ns == status.st_mtime_ns
    second = KeptModules(path)
    assert load(second).VALUE == 7
    assert set(second.added) == {"keptpkg.mod"}


def test_a_module_moved_elsewhere_is_loaded_again(package: Path, tmp_path: Path) -> None:
    path = str(tmp_path / "kept.marshal")
    first = KeptModules(path)
    load(first)
    table = dict(first.added)
    _, *status, code = table["keptpkg.mod"]
    table["keptpkg.mod"] = ("/elsewhere/mod.py", *status, code)
    Path(path).write_bytes(marshal.dumps(table))
    second = KeptModules(path)
    assert load(second).VALUE == 1
    assert "keptpkg.mod" in second.added


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal",
        marshal.dumps([1, 2]),
        marshal.dumps({"keptpkg.mod": ("x", 1)}),
        marshal.dumps({"keptpkg.mod": ("x", 1, 2, 3, "not bytes")}),
    ],
)
def test_a_file_that_cannot_be_used_is_done_without(
    package: Path, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "kept.marshal"
    path.write_bytes(content)
    kept = KeptModules(str(path))
    assert load(kept).double(3) == 6
    assert set(kept.added) == {"keptpkg.mod"}


def test_code_that_does_not_unmarshal_is_loaded_again(package: Path, tmp_path: Path) -> None:
    path = str(tmp_path / "kept.marshal")
    first = KeptModules(path)
    load(first)
    table = dict(first.added)
    *kept, _ = table["keptpkg.mod"]
    table["keptpkg.mod"] = (*kept, b"\x00garbage")
    Path(path).write_bytes(marshal.dumps(table))
    second = KeptModules(path)
    assert load(second).VALUE == 1
    assert "keptpkg.mod" in second.added


def test_nothing_is_written_without_bytecode(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "kept.marshal"
    kept = KeptModules(str(path))
    assert load(kept).VALUE == 1
    assert kept.added == {}  # nothing to keep: no status asked
    kept.save()
    assert not path.exists()
    assert install(str(tmp_path), "check") is None  # and no file to read: no loader


def test_a_kept_file_is_read_without_bytecode(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "kept.marshal")
    first = KeptModules(path)
    load(first)
    first.save()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    second = KeptModules(path)
    assert load(second).VALUE == 1
    assert second.added == {}
    assert second.code("keptpkg.mod", str(package / "mod.py")) is None  # taken already


def test_install_names_the_file_for_the_command(tmp_path: Path) -> None:
    kept = install(str(tmp_path), "check")
    assert kept is not None
    assert kept.path == os.path.join(
        str(tmp_path),
        "__pycache__",
        FILE_NAME.format(command="check", tag=sys.implementation.cache_tag),
    )
    assert install(str(tmp_path), "--version") is None


@pytest.mark.slow
def test_a_command_reads_its_modules_from_the_file() -> None:
    """Two processes importing the command's modules: the first writes the file, the
    second takes every one of them from it."""
    import authsweep

    kept = Path(
        install(os.path.dirname(authsweep.__file__), "check-kept-modules-test").path  # type: ignore[union-attr]
    )
    probe = (
        "import sys, authsweep\n"
        "sys.argv = ['authsweep', 'check-kept-modules-test']\n"
        "from authsweep.scanner.module_cache import install\n"
        "import os\n"
        "kept = install(os.path.dirname(authsweep.__file__), 'check-kept-modules-test')\n"
        "from authsweep.scanner.own_modules import OwnModules\n"
        "sys.meta_path.insert(0, OwnModules('authsweep', kept.loader))\n"
        "import authsweep.scanner.cli.fast\n"
        "import authsweep.scanner.python.module_analysis\n"
        "print(len(kept.added), authsweep.scanner.python.module_analysis.__spec__.loader"
        ".__class__.__name__)\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    try:
        first = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=environment
        )
        assert first.returncode == 0, first.stderr
        added, loader = first.stdout.split()
        assert int(added) > 20 and loader == "KeptLoader"
        assert kept.exists()
        second = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=environment
        )
        assert second.returncode == 0, second.stderr
        assert second.stdout.split() == ["0", "KeptLoader"]
    finally:
        kept.unlink(missing_ok=True)
