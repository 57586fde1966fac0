"""A folder 1,000 levels deep (a path of 2,000 characters) is walked, checked, fixed and
swept like any other: no RecursionError, no traceback, and its files are not missed."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from authsweep.scanner.discover import walk
from cli_support import GIT_ENV, run_cli
from sweep_support import PORT_465, repository

pytestmark = pytest.mark.slow

DEPTH = 1000
MODULE = PORT_465  # one finding, with a safe fix


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path: Path) -> Iterator[None]:
    """Remove what the test made without recursion: shutil.rmtree (pytest's clean-up of
    old temporary folders) recurses, and fails at this depth."""
    yield
    folders = []
    for folder, _, others in walk(tmp_path):
        for name in others:
            os.unlink(os.path.join(folder, name))
        folders.append(folder)
    for folder in reversed(folders[1:]):
        os.rmdir(folder)


def deep_folder(top: Path, name: str = "m.py", text: str = MODULE) -> str:
    """``top/a/a/.../a/name`` with DEPTH folders, made one level at a time (os.makedirs
    recurses, and fails at this depth); the file's path relative to ``top``."""
    top.mkdir(parents=True, exist_ok=True)
    folder = os.open(top, os.O_RDONLY)
    try:
        for _ in range(DEPTH):
            os.mkdir("a", dir_fd=folder)
            inner = os.open("a", os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        descriptor = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
        os.write(descriptor, text.encode())
        os.close(descriptor)
    finally:
        os.close(folder)
    return "/".join(["a"] * DEPTH + [name])


def test_check_walks_a_folder_a_thousand_levels_deep(tmp_path: Path) -> None:
    deep = deep_folder(tmp_path / "tree")
    (tmp_path / "tree" / ".gitignore").write_text("*.log\n")  # the walk that reads them
    result = run_cli("check", "tree", "--no-cache", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert paths == {f"tree/{deep}"}
    cached = run_cli("check", "tree", "--format", "json", cwd=tmp_path)
    assert cached.returncode == 1 and "internal error" not in cached.stderr
    fixed = run_cli("fix", "tree", "--no-cache", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert (tmp_path / "tree" / deep).read_text() != MODULE


def test_sweep_searches_a_folder_a_thousand_levels_deep(tmp_path: Path) -> None:
    org = tmp_path / "org"
    repository(org / "ports", {"send.py": PORT_465})
    deep_folder(org / "scratch")  # no repository in it, however deep it goes
    result = run_cli("sweep", "org", "--no-cache", "--format", "json", cwd=tmp_path, env=GIT_ENV)
    assert result.returncode == 1, result.stderr[-2000:]
    repositories = json.loads(result.stdout)["sweep"]["repositories"]
    assert [r["name"] for r in repositories] == ["ports"]


def test_a_deep_folder_in_a_repository_is_swept(tmp_path: Path) -> None:
    repo = repository(tmp_path / "org" / "deep", {"top.py": "x = 1\n"})
    deep = deep_folder(repo)
    result = run_cli("sweep", "org", "--no-cache", "--format", "json", cwd=tmp_path, env=GIT_ENV)
    assert result.returncode == 1, result.stderr[-2000:]
    paths = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert paths == {f"deep/{deep}"}


def test_project_facts_walk_a_deep_project(tmp_path: Path) -> None:
    """Flask mail settings with no Flask import in the module: which extension the
    project uses is read from all its files, deep ones included."""
    settings = (
        "MAIL_SERVER = 'smtp.office365.com'\n"
        "MAIL_PORT = 587\n"
        "MAIL_USE_TLS = True\n"
        "MAIL_USERNAME = 'shop@contoso.com'\n"
        "MAIL_PASSWORD = os.environ['MAIL_PASSWORD']\n"
    )
    project = tmp_path / "shop"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (project / "app" / "config.py").write_text("import os\n" + settings)
    deep_folder(project, "factory.py", "from flask_mail import Mail\nmail = Mail()\n")
    result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=project)
    document = json.loads(result.stdout)
    assert document["errors"] == [], document["errors"]
    assert {f["path"] for f in document["findings"]} == {"app/config.py"}
