"""The dataclass methods kept between runs (scanner/method_cache.py) are the methods
``dataclasses`` makes itself, and a file that cannot be used is done without."""

from __future__ import annotations

import atexit
import dataclasses
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner import method_cache
from authsweep.scanner.method_cache import MethodCache, install, read, write

SOURCE = (
    "from dataclasses import dataclass, field\n"
    "@dataclass(eq=True, unsafe_hash=True)\n"
    "class Point:\n"
    "    x: int\n"
    "    y: 'list[int]' = field(default_factory=list)\n"
    "    z: str = 'z'\n"
)


@pytest.fixture(autouse=True)
def bytecode_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an installed command runs (this session may set PYTHONDONTWRITEBYTECODE)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def make_class(cache: MethodCache | None) -> type:
    """``Point`` made by ``dataclasses``, with ``cache`` as its exec (None: the builtin)."""
    namespace: dict[str, object] = {"__name__": __name__}
    if cache is not None:
        dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    try:
        # dont_inherit: the class's module has no `from __future__ import annotations`.
        code = compile(SOURCE, "points.py", "exec", dont_inherit=True)
        exec(code, namespace)  # noqa: S102 - a class defined as a module defines it
    finally:
        if cache is not None:
            del dataclasses.exec  # type: ignore[attr-defined]
    return namespace["Point"]  # type: ignore[return-value]


def same_methods(made: type, reference: type) -> None:
    for name in ("__init__", "__repr__", "__eq__", "__hash__"):
        method, expected = getattr(made, name), getattr(reference, name)
        assert method.__code__.co_code == expected.__code__.co_code, name
        assert method.__code__.co_flags == expected.__code__.co_flags, name
        assert method.__annotations__ == expected.__annotations__, name
        assert method.__defaults__ == expected.__defaults__, name
        assert method.__qualname__ == expected.__qualname__, name


def test_methods_compiled_and_kept_are_the_ones_dataclasses_makes(tmp_path: Path) -> None:
    reference = make_class(None)
    path = str(tmp_path / "__pycache__" / "methods.marshal")
    first = MethodCache(path)
    made = make_class(first)
    same_methods(made, reference)
    assert (
        first.added == 4
        and made(1) == made(1, [], "z")
        and hash(made(1, ())) == hash(reference(1, ()))
    )
    assert repr(made(1)) == repr(reference(1))
    first.save()
    second = MethodCache(path)
    again = make_class(second)
    assert second.added == 0 and len(second.used) == 4  # every method from the file
    same_methods(again, reference)
    # The annotations are objects, as dataclasses' own exec leaves them (this module's
    # `from __future__ import annotations` is not passed on).
    assert again.__init__.__annotations__["x"] is int


def test_a_file_that_cannot_be_read_is_done_without(tmp_path: Path) -> None:
    broken = tmp_path / "broken.marshal"
    broken.write_bytes(marshal.dumps({"a": "not code"})[:-1])
    assert read(str(broken)) == {}
    broken.write_bytes(marshal.dumps(["not", "a", "table"]))
    assert read(str(broken)) == {}
    broken.write_bytes(marshal.dumps({"text": "not code", 1: compile("x", "<s>", "eval")}))
    assert read(str(broken)) == {}
    assert read(str(tmp_path / "missing.marshal")) == {}


def test_a_folder_that_cannot_be_written_is_left_alone(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    write(str(blocker / "__pycache__" / "methods.marshal"), {})  # its folder is a file
    assert blocker.read_text() == "" and sorted(os.listdir(tmp_path)) == ["file"]


def test_nothing_is_written_when_python_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "methods.marshal"
    cache = MethodCache(str(path))
    make_class(cache)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # PYTHONDONTWRITEBYTECODE, -B
    cache.save()
    assert not path.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache.save()
    assert len(read(str(path))) == 4


def test_past_the_bound_only_the_functions_a_run_used_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "methods.marshal"
    write(str(path), {f"x = {n}": compile(f"x = {n}", "<string>", "exec") for n in range(3)})
    monkeypatch.setattr(method_cache, "MAX_FUNCTIONS", 5)
    cache = MethodCache(str(path))
    make_class(cache)
    cache.save()
    assert len(read(str(path))) == 4


def test_the_command_keeps_the_methods_and_uses_them_the_next_run(tmp_path: Path) -> None:
    """``authsweep.main`` installs the cache: a second run of the same command compiles
    no dataclass method (its first may, or an earlier run did)."""
    script = (
        "import atexit, sys, dataclasses\n"
        "from authsweep import main\n"
        "sys.argv = ['authsweep', 'check', '--no-cache', 'relay.py']\n"
        "atexit.register(lambda: sys.stderr.write("
        "f'\\nADDED {dataclasses.exec.__self__.added} {len(dataclasses.exec.__self__.used)}'))\n"
        "main()\n"
    )
    (tmp_path / "relay.py").write_text("import smtplib\n\nsmtplib.SMTP('relay.internal', 25)\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        for _ in range(2)
    ]
    added, used = (int(n) for n in runs[1].stderr.rsplit("ADDED ", 1)[1].split())
    assert added == 0 and used > 50
    assert runs[0].stdout == runs[1].stdout


def test_each_command_has_its_file_and_an_option_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataclasses, "exec", exec, raising=False)  # undone after the test
    monkeypatch.setattr(atexit, "register", lambda function: function)
    check, fix = install(str(tmp_path), "check"), install(str(tmp_path), "fix")
    assert check is not None and fix is not None and check.path != fix.path
    assert os.path.dirname(check.path) == str(tmp_path / "__pycache__")
    assert ".check." in check.path and ".fix." in fix.path
    for not_a_command in ("--version", "", "../check", "a/b"):
        assert install(str(tmp_path), not_a_command) is None


def test_the_version_makes_no_dataclass() -> None:
    script = (
        "import sys\nfrom authsweep import main\nsys.argv = ['authsweep', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", script], capture_output=True, text=True
    )
    assert run.stdout and "| dataclasses\n" not in run.stderr


def test_dataclasses_comes_without_inspect_until_a_class_uses_it() -> None:
    """``inspect`` (with ``dis`` and ``opcode``) is imported when ``dataclasses`` first
    reads from it (a class with no docstring of its own), not with ``dataclasses``."""
    script = (
        "import sys\n"
        "from authsweep.scanner import method_cache\n"
        "from dataclasses import dataclass\n"
        "assert 'inspect' not in sys.modules and 'dis' not in sys.modules\n"
        "@dataclass\nclass Documented:\n    '''Its own.'''\n    x: int\n"
        "assert 'inspect' not in sys.modules and Documented.__doc__ == 'Its own.'\n"
        "@dataclass\nclass Plain:\n    x: int\n"
        "import dataclasses, inspect\n"
        "assert Plain.__doc__ == 'Plain(x: int)', Plain.__doc__\n"
        "assert dataclasses.inspect is inspect and sys.modules['inspect'] is inspect\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
