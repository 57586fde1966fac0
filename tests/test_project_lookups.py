"""The looks at other files of the project a module's analysis makes, done for less: the
same answers and the same inputs noted.

``find_module`` for an absolute importer looks by folder, with strings, once a run; a
file's resolved path is worked out once; and a run that keeps no result cache notes the
files it reads without hashing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from authsweep.scanner import inputs
from authsweep.scanner.python import imports
from authsweep.scanner.python.imports import find_module, resolved
from hypothesis import given, settings
from hypothesis import strategies as st

# The folder search is for POSIX paths (elsewhere pathlib's search runs).
pytestmark = pytest.mark.skipif(os.sep != "/", reason="POSIX paths")


def _reference(importer: Path, module: str) -> Path | None:
    """``find_module`` as ``pathlib`` spells it (the code before the folder lookup)."""
    level = len(module) - len(module.lstrip("."))
    parts = [p for p in module.lstrip(".").split(".") if p]
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [importer.parent, *list(importer.parents)[1:8]]
    for base in bases:
        target = base.joinpath(*parts) if parts else base
        for candidate in (target.with_suffix(".py") if parts else None, target / "__init__.py"):
            if candidate is not None and inputs.is_file(candidate):
                return candidate
    return None


def _tree(root: Path) -> Path:
    """A project with packages, modules and a module that is a folder's name too."""
    for name in (
        "app/pkg/mod.py",
        "app/pkg/__init__.py",
        "app/pkg/sub/__init__.py",
        "app/pkg/sub/deep.py",
        "app/settings.py",
        "app/mailer/__init__.py",
        "app/mailer.py",
        "conf.py",
        "a/b/c/d/e/f/g/h/i/here.py",
    ):
        file = root / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text("X = 1\n")
    (root / "app/notafile.py").mkdir()  # a folder with a module's name: not a module
    return root / "app/pkg/sub/deep.py"


MODULES = [
    "settings",
    "pkg.mod",
    "pkg",
    "pkg.sub",
    "pkg.sub.deep",
    "mailer",
    "conf",
    "notafile",
    "email",
    "email.mime.text",
    ".",
    "..",
    "...",
    ".deep",
    "..mod",
    "..sub.deep",
    "...pkg.mod",
    "....settings",
    "." * 12 + "conf",
    "missing.module",
]


@pytest.mark.parametrize("module", MODULES)
def test_an_absolute_importer_finds_what_pathlib_finds(tmp_path: Path, module: str) -> None:
    """The same file (or none), and the same places looked at, as the ``pathlib`` search,
    for modules beside it, in parent folders, relative at every depth (up past the root),
    packages, a folder named like a module, and a standard module found nowhere."""
    importer = _tree(tmp_path.resolve())
    with inputs.recording() as expected_inputs:
        expected = _reference(importer, module)
    with inputs.recording() as noted:
        found = find_module(importer, module)
    assert found == expected
    assert noted == expected_inputs
    with inputs.recording() as again:  # the second time from the run's memory
        assert find_module(importer, module) == expected
    assert again == expected_inputs


def test_the_search_stops_eight_folders_up(tmp_path: Path) -> None:
    importer = _tree(tmp_path.resolve())
    deep = tmp_path.resolve() / "a/b/c/d/e/f/g/h/i/here.py"
    for module in ("conf", "app.settings", "b.c.d"):
        with inputs.recording() as expected_inputs:
            expected = _reference(deep, module)
        with inputs.recording() as noted:
            assert find_module(deep, module) == expected
        assert noted == expected_inputs
    assert importer.exists()


def test_a_file_made_later_in_another_folder_is_found(tmp_path: Path) -> None:
    """The run's memory is by folder: another importer's folder is looked in afresh."""
    root = tmp_path.resolve()
    (root / "one").mkdir()
    (root / "two").mkdir()
    assert find_module(root / "one/x.py", "helper") is None
    (root / "two/helper.py").write_text("")
    assert find_module(root / "two/x.py", "helper") == root / "two/helper.py"


def test_other_importers_take_pathlib_s_search(tmp_path: Path, monkeypatch) -> None:
    """A relative importer, one whose path starts with two slashes, and a module name that
    is not dots and identifiers are left to ``pathlib``."""
    _tree(tmp_path.resolve())
    monkeypatch.chdir(tmp_path)
    asked: list[str] = []
    monkeypatch.setattr(imports, "_find_from", lambda folder, module: asked.append(module))
    relative = Path("app/pkg/sub/deep.py")
    assert find_module(relative, "pkg.mod") == _reference(relative, "pkg.mod")
    assert find_module(relative, "..mod") == Path("app/pkg/mod.py")
    odd = tmp_path.resolve() / "app/pkg/sub/deep.py"
    assert find_module(odd, "pkg/mod") == _reference(odd, "pkg/mod")
    assert find_module(Path("//" + str(odd).lstrip("/")), "pkg.mod") is not None
    assert asked == []


NAMES = st.sampled_from(["app", "pkg", "sub", "mod", "deep", "settings", "mailer", "conf", "x"])


@settings(max_examples=200, deadline=None)
@given(level=st.integers(0, 6), parts=st.lists(NAMES, max_size=4), depth=st.integers(0, 3))
def test_any_import_finds_what_pathlib_finds(
    tmp_path_factory, level: int, parts: list[str], depth: int
) -> None:
    root = tmp_path_factory.getbasetemp() / "lookups"
    if not (root / "app").exists():
        _tree(root)
    importer = [
        root / "conf.py",
        root / "app/settings.py",
        root / "app/pkg/mod.py",
        root / "app/pkg/sub/deep.py",
    ][depth].resolve()
    module = "." * level + ".".join(parts)
    if not module:
        return
    with inputs.recording() as expected_inputs:
        expected = _reference(importer, module)
    with inputs.recording() as noted:
        assert find_module(importer, module) == expected
    assert noted == expected_inputs


def test_a_path_resolves_once_for_each_working_folder(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "two/link").symlink_to(tmp_path / "one")
    monkeypatch.chdir(tmp_path / "one")
    assert resolved("m.py") == (tmp_path / "one/m.py").resolve()
    monkeypatch.chdir(tmp_path / "two")
    assert resolved("m.py") == (tmp_path / "two/m.py").resolve()
    assert resolved("link/m.py") == (tmp_path / "one/m.py").resolve()
    assert resolved(tmp_path / "two/link/m.py") == Path(tmp_path / "two/link/m.py").resolve()


def test_reads_are_noted_without_digests_where_no_cache_keeps_them(
    tmp_path: Path, monkeypatch
) -> None:
    """Without digests a read, a listing and a look are noted, nothing is hashed, and what
    is noted can never pass for the files' state; with them (the default) as before."""
    file = tmp_path / "settings.py"
    file.write_text("HOST = 'x'\n")
    with inputs.recording() as hashed:
        inputs.read(file, 1000)
        inputs.listing(tmp_path)
        inputs.is_file(tmp_path / "none.py")
    monkeypatch.setattr(inputs, "content_hash", _refused)
    with inputs.recording(digests=False) as plain:
        inputs.read(file, 1000)
        inputs.listing(tmp_path)
        inputs.is_file(tmp_path / "none.py")
    assert plain.keys() == hashed.keys()
    assert plain[f"={file}"] == inputs.UNDIGESTED and hashed[f"={file}"].startswith("h")
    assert plain[f"={tmp_path / 'none.py'}"] == inputs.MISSING
    with pytest.raises(AssertionError):
        with inputs.recording():  # the default still hashes
            inputs.read(file, 1000)
    monkeypatch.undo()
    for key, seen in plain.items():
        if seen != inputs.MISSING:
            assert not inputs.unchanged(key, seen, lambda root, recorded: True)
    assert all(
        inputs.unchanged(key, seen, lambda root, recorded: True) for key, seen in hashed.items()
    )


def test_remembered_results_keep_their_digests_apart(tmp_path: Path) -> None:
    """A result remembered in a run without digests is not used again for one with them:
    the cache would keep an entry it can never trust."""
    file = tmp_path / "m.py"
    file.write_text("")
    calls: list[int] = []

    @inputs.remembered
    def reads(path: str) -> int:
        calls.append(1)
        inputs.read(path, 100)
        return 1

    with inputs.recording(digests=False) as plain:
        reads(str(file))
    with inputs.recording() as hashed:
        reads(str(file))
    with inputs.recording() as again:
        reads(str(file))
    assert len(calls) == 2
    assert plain[f"={file}"] == inputs.UNDIGESTED
    assert hashed[f"={file}"] == again[f"={file}"] != inputs.UNDIGESTED


def test_a_run_without_a_cache_hashes_no_other_file(tmp_path: Path, monkeypatch) -> None:
    """``check_paths`` without a cache (``--no-cache``) reads a module's imported settings
    without hashing them; with a cache their digests are kept, as before."""
    from authsweep.scanner.engine import RunOptions
    from authsweep.scanner.runner import check_paths

    (tmp_path / "mail_settings.py").write_text('HOST = "smtp.office365.com"\n')
    (tmp_path / "send.py").write_text(
        "import smtplib\nfrom mail_settings import HOST\n"
        "s = smtplib.SMTP(HOST, 587)\ns.starttls()\ns.login('u', PASSWORD)\n"
    )
    expected = check_paths([str(tmp_path)], RunOptions(), jobs=1, plan=False)
    hashed: list[bytes] = []
    real = inputs.content_hash
    monkeypatch.setattr(inputs, "content_hash", lambda data: hashed.append(data) or real(data))
    plain = check_paths([str(tmp_path)], RunOptions(), jobs=1, plan=False)
    assert [f.message for f in plain.findings] == [f.message for f in expected.findings]
    assert plain.findings and hashed == []
    cached = check_paths(
        [str(tmp_path)], RunOptions(), jobs=1, plan=False, cache_dir=tmp_path / "c"
    )
    assert [f.message for f in cached.findings] == [f.message for f in expected.findings]
    assert b'HOST = "smtp.office365.com"\n' in hashed


def _refused(data: bytes) -> str:
    raise AssertionError("hashed")
