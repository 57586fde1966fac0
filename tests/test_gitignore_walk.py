"""Outside git, ``.gitignore`` files are read as git reads them: each relative to its own
folder, the deepest deciding, ``!`` re-including, ``*`` not crossing ``/``. Real git is
the oracle: the same tree, made a repository, must list the same files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from authsweep.scanner.discover import discover
from cli_support import GIT_ENV, git, run_cli, write

MAIL = "import smtplib\nsmtplib.SMTP('smtp.office365.com', 465)\n"

TREES: dict[str, dict[str, str]] = {
    "a star does not cross a slash": {
        ".gitignore": "a/*.py\n",
        "a/x.py": MAIL,
        "a/b/deep.py": MAIL,
    },
    "nested files are relative to their folder": {
        ".gitignore": "/top_only.py\n",
        "top_only.py": MAIL,
        "sub/top_only.py": MAIL,
        "sub/.gitignore": "/gen.py\nbuild/\n",
        "sub/gen.py": MAIL,
        "sub/inner/gen.py": MAIL,
        "gen.py": MAIL,
        "sub/build/out.py": MAIL,
        "sub/inner/build/out.py": MAIL,
    },
    "negation, and a deeper file re-including": {
        ".gitignore": "*.py\n!keep.py\n",
        "drop.py": MAIL,
        "keep.py": MAIL,
        "app/.gitignore": "!mail.py\n",
        "app/mail.py": MAIL,
        "app/other.py": MAIL,
    },
    "an ignored folder's files stay ignored": {
        ".gitignore": "gen/\n!gen/mail.py\n",
        "gen/mail.py": MAIL,
        "src/gen.py": MAIL,
    },
    "double stars, escapes and trailing spaces": {
        ".gitignore": "**/fixtures/**\n\\#odd.py\nspace.py   \n# a comment\nlogs/**/*.py\n",
        "tests/fixtures/one.py": MAIL,
        "fixtures/two.py": MAIL,
        "#odd.py": MAIL,
        "space.py": MAIL,
        "logs/x/y/z.py": MAIL,
        "logs.py": MAIL,
    },
}


def _listed_by_authsweep(root: Path) -> list[str]:
    files, errors = discover([str(root)], cwd=root)
    assert errors == []
    return sorted(f.display for f in files if f.kind == "python")


def _listed_by_git(root: Path) -> list[str]:
    git(root, "init", "-q")
    output = git(root, "ls-files", "--others", "--exclude-standard")
    return sorted(line for line in output.splitlines() if line.endswith(".py"))


@pytest.mark.parametrize("case", list(TREES))
def test_outside_git_the_same_files_as_git(tmp_path: Path, case: str) -> None:
    root = tmp_path / "plain"
    for name, text in TREES[case].items():
        write(root / name, text)
    walked = _listed_by_authsweep(root)
    oracle = tmp_path / "oracle"
    shutil.copytree(root, oracle)
    assert walked == _listed_by_git(oracle)


@pytest.mark.slow
def test_a_file_under_a_star_pattern_folder_is_checked(tmp_path: Path) -> None:
    """The issue's case: ``a/*.py`` ignored, ``a/b/deep.py`` (a finding) checked."""
    for name, text in TREES["a star does not cross a slash"].items():
        write(tmp_path / name, text)
    result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path, env=GIT_ENV)
    assert result.returncode == 1
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"a/b/deep.py"}
