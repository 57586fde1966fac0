"""Paths as a hostile repository names them (issue 18): special files get their real
reason, a file named twice counts once, submodules are scanned, and a hundred thousand
exclude patterns are compiled once."""

from __future__ import annotations

import fnmatch
import os
import socket
import sys
from pathlib import Path

import pytest
from authsweep.scanner.discover import discover
from authsweep.scanner.globs import GlobSet, PathGlobs
from authsweep.scanner.options_file import ConfigResolver
from cli_support import IMPLICIT_TLS_587, commit_all, git, init_repo, invoke, write
from hypothesis import given, settings
from hypothesis import strategies as st

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets, symlinks")


@posix_only
def test_special_files_named_on_the_command_line_get_their_reason(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.py"))
    (tmp_path / "loop_a.py").symlink_to("loop_b.py")
    (tmp_path / "loop_b.py").symlink_to("loop_a.py")
    (tmp_path / "dangling.py").symlink_to("gone.py")
    try:
        names = ["pipe.py", "sock.py", "loop_a.py", "dangling.py", "missing.py"]
        result = invoke("check", *names, cwd=tmp_path)
    finally:
        server.close()
    assert result.returncode == 1
    out = result.stdout
    assert "pipe.py: unreadable: a named pipe (FIFO), not a regular file" in out
    assert "sock.py: unreadable: a socket, not a regular file" in out
    assert "loop_a.py: unreadable: a loop of symbolic links" in out
    assert "dangling.py: unreadable: a symbolic link to a missing file" in out
    assert "missing.py: unreadable: no such file or folder" in out
    assert "5 files could not be checked" in out


def test_a_file_reached_by_two_names_is_listed_once(tmp_path: Path) -> None:
    write(tmp_path / "a.py", IMPLICIT_TLS_587)
    (tmp_path / "sub").mkdir()
    files, errors = discover(["a.py", "sub/../a.py", ".", str(tmp_path / "a.py")], cwd=tmp_path)
    assert [f.display for f in files] == ["a.py"] and errors == []


@pytest.mark.slow
def test_submodules_are_scanned(tmp_path: Path) -> None:
    library = init_repo(tmp_path / "library")
    write(library / "mailer.py", IMPLICIT_TLS_587)
    commit_all(library, "library")
    app = init_repo(tmp_path / "app")
    write(app / "main.py", "print('hi')\n")
    allow = ("-c", "protocol.file.allow=always")  # a submodule from a local path
    git(app, *allow, "submodule", "add", "-q", str(library), "vendor/lib")
    commit_all(app, "with a submodule")
    result = invoke("check", "--output-format", "concise", cwd=app)
    assert result.returncode == 1
    assert result.stdout.startswith("vendor/lib/mailer.py:3:1: AS201")
    write(app / "pyproject.toml", '[tool.authsweep]\nextend-exclude = ["vendor/lib"]\n')
    skipped = invoke("check", cwd=app)
    assert skipped.returncode == 0 and skipped.stdout == "No problems found in 2 files.\n"


@pytest.mark.slow
def test_a_repository_inside_a_plain_folder_is_found_by_its_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walk of a folder outside git takes a repository met inside it by git's view (its
    ignored files left out), and finds it in the folder's listing: no ``stat`` of a
    ``.git`` in every folder of the tree."""
    inner = init_repo(tmp_path / "plain" / "inner")
    write(inner / ".gitignore", "ignored.py\n")
    write(inner / "kept.py", "x = 1\n")
    write(inner / "ignored.py", "x = 1\n")
    for index in range(20):
        write(tmp_path / "plain" / f"folder{index}" / "m.py", "x = 1\n")
    asked: list[str] = []
    exists = os.path.exists

    def counting(path: str) -> bool:
        asked.append(str(path))
        return exists(path)

    monkeypatch.setattr(os.path, "exists", counting)
    files, errors = discover(["plain"], cwd=tmp_path)
    shown = {f.display for f in files}
    assert errors == [] and "plain/inner/kept.py" in shown
    assert "plain/inner/ignored.py" not in shown and "plain/folder7/m.py" in shown
    assert not [path for path in asked if "folder" in path]


@pytest.mark.slow
def test_many_exclude_patterns_are_matched_without_compiling_them_all() -> None:
    patterns = [f"gen/module_{i}/*.py" for i in range(50_000)]
    patterns += [f"vendored_{i}" for i in range(50_000)]
    globs = PathGlobs(patterns)
    assert not globs.match("src/app/mail.py")
    assert globs.match("gen/module_4242/client.py")
    assert globs.match("src/vendored_77/x.py")  # a literal name matches any one part
    compiled = [
        pattern
        for bucket in globs._whole._by_prefix.values()
        for pattern in bucket
        if pattern._regex is not None
    ]
    assert len(compiled) == 1  # only the one pattern the matching path shares a prefix with


@pytest.mark.slow
def test_many_configured_excludes_apply_per_file(tmp_path: Path) -> None:
    listed = ", ".join(f'"gen/m{i}/*"' for i in range(100_000))
    write(tmp_path / "pyproject.toml", f'[tool.authsweep]\nextend-exclude = [{listed}, "old"]\n')
    write(tmp_path / "app" / "mail.py", IMPLICIT_TLS_587)
    write(tmp_path / "gen" / "m99999" / "mail.py", IMPLICIT_TLS_587)
    write(tmp_path / "old" / "mail.py", IMPLICIT_TLS_587)
    resolver = ConfigResolver()
    assert resolver.configure(tmp_path / "app" / "mail.py") is not None
    assert resolver.configure(tmp_path / "gen" / "m99999" / "mail.py") is None
    assert resolver.configure(tmp_path / "old" / "mail.py") is None


GLOB_CHARS = st.sampled_from(["a", "b", "/", ".", "*", "?", "[ab]", "[!a]", "py", "_"])
NAME_CHARS = st.sampled_from(["a", "b", "/", ".", "py", "_", "c"])


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    patterns=st.lists(st.lists(GLOB_CHARS, max_size=6).map("".join), max_size=8),
    names=st.lists(st.lists(NAME_CHARS, max_size=8).map("".join), min_size=1, max_size=5),
)
def test_globset_matches_as_fnmatch_does(patterns: list[str], names: list[str]) -> None:
    globs = GlobSet(patterns)
    for name in names:
        expected = any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
        assert globs.match(name) is expected, (patterns, name)
