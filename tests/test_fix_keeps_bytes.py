"""No byte a user cannot get back is lost by ``fix``.

- A secret in a file git has no copy of (untracked, ignored, or changed since the last
  commit) is never deleted: the lines are commented out under a note with the key, why
  and the date, or, in a format without comments, left and named in the summary.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from cli_support import commit_all, git, init_repo, invoke, write

SETTINGS = """\
import os

EMAIL_HOST = "smtp.office365.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "desk@contoso.com"
EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
"""
DOTENV = "DEBUG=1\n# Mail\nEMAIL_HOST_PASSWORD=Winter-Mail-26\nOTHER=1\n"
SECRET = "Winter-Mail-26"


def django_project(root: Path, dotenv: str = DOTENV, name: str = ".env") -> Path:
    write(root / "manage.py", "")
    write(root / "site" / "__init__.py", "")
    write(root / "site" / "settings.py", SETTINGS)
    write(root / name, dotenv)
    return root


def commented(note_indent: str = "") -> str:
    today = datetime.date.today().isoformat()
    return (
        f"{note_indent}# EMAIL_HOST_PASSWORD commented out by authsweep fix on {today}: no code "
        "reads it after the fix of site/settings.py; this is the only copy of its value (git "
        "has none): delete it once it is not needed\n"
    )


def test_an_untracked_dotenv_keeps_its_secret_commented_out(tmp_path: Path) -> None:
    root = django_project(tmp_path)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    expected = f"DEBUG=1\n# Mail\n{commented()}# EMAIL_HOST_PASSWORD={SECRET}\nOTHER=1\n"
    assert (root / ".env").read_text() == expected
    assert ".env: EMAIL_HOST_PASSWORD commented out (line 3): no code reads it" in fixed.stdout
    assert SECRET not in fixed.stdout + fixed.stderr
    assert invoke("check", ".", cwd=root).returncode == 0
    assert invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root).stdout == ""


def test_an_ignored_dotenv_in_a_repository_keeps_its_secret(tmp_path: Path) -> None:
    root = django_project(init_repo(tmp_path))
    write(root / ".gitignore", ".env\n")
    commit_all(root)
    invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert f"# EMAIL_HOST_PASSWORD={SECRET}\n" in (root / ".env").read_text()
    assert commented() in (root / ".env").read_text()


def test_a_secret_changed_since_the_last_commit_is_not_deleted(tmp_path: Path) -> None:
    root = django_project(init_repo(tmp_path))
    commit_all(root)
    write(root / ".env", DOTENV.replace(SECRET, "Spring-Mail-27"))
    invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert "# EMAIL_HOST_PASSWORD=Spring-Mail-27\n" in (root / ".env").read_text()


def test_a_committed_secret_is_deleted(tmp_path: Path) -> None:
    root = django_project(init_repo(tmp_path))
    commit_all(root)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert (root / ".env").read_text() == "DEBUG=1\n# Mail\nOTHER=1\n"
    assert ".env: EMAIL_HOST_PASSWORD removed (line 3)" in fixed.stdout
    assert SECRET in git(root, "show", "HEAD:.env")


def test_an_untracked_yaml_secret_is_commented_out_at_its_indentation(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "")
    compose = (
        "services:\n  web:\n    environment:\n      SMTP_USER: a@contoso.com\n"
        "      SMTP_PASSWORD: hunter2-xyz\n"
    )
    write(tmp_path / "docker-compose.yml", compose)
    write(
        tmp_path / "app" / "send.py",
        "import os\nimport smtplib\nimport ssl\n\n"
        'with smtplib.SMTP("smtp.office365.com", 587) as s:\n'
        "    s.starttls(context=ssl.create_default_context())\n"
        '    s.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])\n',
    )
    assert invoke("fix", "--unsafe-fixes", ".", cwd=tmp_path).returncode == 0
    lines = (tmp_path / "docker-compose.yml").read_text().splitlines()
    assert lines[:4] == compose.splitlines()[:4]
    assert lines[4].startswith("      # SMTP_PASSWORD commented out by authsweep fix on ")
    assert lines[5] == "      # SMTP_PASSWORD: hunter2-xyz"
    assert invoke("check", ".", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("tracked", [False, True])
def test_an_untracked_json_secret_stays_and_the_summary_says_so(tmp_path: Path, tracked: bool):
    root = init_repo(tmp_path) if tracked else tmp_path
    write(root / "requirements.txt", "")
    config = {"smtp_user": "a@contoso.com", "SMTP_PASSWORD": "hunter2-xyz", "debug": True}
    write(root / "settings.json", json.dumps(config, indent=2) + "\n")
    write(
        root / "app" / "send.py",
        "import os\nimport smtplib\nimport ssl\n\n"
        'with smtplib.SMTP("smtp.office365.com", 587) as s:\n'
        "    s.starttls(context=ssl.create_default_context())\n"
        '    s.login("a@contoso.com", os.environ["SMTP_PASSWORD"])\n',
    )
    if tracked:
        commit_all(root)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    left = json.loads((root / "settings.json").read_text())
    if tracked:
        assert "SMTP_PASSWORD" not in left, fixed.stdout
    else:
        assert left == config
        assert (
            "SMTP_PASSWORD stays in settings.json (line 3): no code reads it after the fix of "
            "app/send.py, but git has no copy of this file, so it is not deleted"
        ) in fixed.stdout
