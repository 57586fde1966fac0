"""No byte a user cannot get back is lost by ``fix``.

- Every line outside the spans a fix reports is kept, byte for byte: over every fixture,
  and against a step that changes a line it did not declare.
- A file LibCST does not give back byte for byte is not fixed (a comment indented unlike
  its block, comments trailing at an odd indentation, a form feed that starts a line);
  a form feed on a line of its own before an edited statement stays.
- A secret in a file git has no copy of (untracked, ignored, or changed since the last
  commit) is never deleted: the lines are commented out under a note with the key, why
  and the date, or, in a format without comments, left and named in the summary.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.fixes.rounds import fix_source
from authsweep.scanner.fixes.spans import Changes, OutsideEdits, kept_outside
from authsweep.scanner.text import lines_with_ends
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


@pytest.mark.slow
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


# A safe fix (implicit TLS on 587) above a comment LibCST would drop: indented unlike the
# block around it (the shape), and trailing comments at an odd indentation.
SSL_ON_587 = (
    "import smtplib\n\n\ndef send():\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.send_message(message)\n"
)
DEDENTED_COMMENT = (
    SSL_ON_587
    + '\n\nif __name__ == "__main__":\n    # try:\n        send()\n    # except:\n'
    + '    #     print("failed")\n'
)
TRAILING_COMMENTS = SSL_ON_587 + "\n  # one\n  # two\n  # three\n  # four\n  # five\n"


@pytest.mark.parametrize("code", [DEDENTED_COMMENT, TRAILING_COMMENTS])
def test_a_file_libcst_would_not_give_back_is_not_fixed(tmp_path: Path, code: str) -> None:
    path = write(tmp_path / "m.py", code)
    fixed = invoke("fix", "m.py", cwd=tmp_path)
    assert path.read_text() == code
    assert "m.py: fix: not fixed: LibCST does not give it back byte for byte (line" in fixed.stdout
    assert fixed.returncode == 1
    assert invoke("fix", "--diff", "m.py", cwd=tmp_path).stdout == ""


FORM_FEED_LINE = (
    "import smtplib\n\n\n\f\ndef send(user, password):\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.login(user, password)\n"
)
FORM_FEED_LOGIN = (
    "import smtplib\n\n"
    's = smtplib.SMTP("smtp.office365.com", 587)\n'
    "s.starttls()\n"
    '\fs.login("desk@contoso.com", password)\n'
)


@pytest.mark.parametrize("unsafe", [False, True])
def test_a_form_feed_line_before_an_edited_statement_is_kept(tmp_path: Path, unsafe: bool):
    """Before the edited ``with`` and where the OAuth2 helper goes."""
    path = write(tmp_path / "m.py", FORM_FEED_LINE)
    extra = ["--unsafe-fixes"] if unsafe else []
    fixed = invoke("fix", *extra, "m.py", cwd=tmp_path)
    after = path.read_text()
    assert "smtplib.SMTP(" in after, fixed.stdout
    assert "\n\f\ndef send(user, password):\n" in after
    assert ("oauth2_access_token" in after) is unsafe


def test_a_form_feed_in_an_edited_line_is_kept(tmp_path: Path) -> None:
    """LibCST drops a form feed that starts a statement's line: the file is not fixed,
    and keeps it."""
    path = write(tmp_path / "m.py", FORM_FEED_LOGIN)
    fixed = invoke("fix", "--unsafe-fixes", "m.py", cwd=tmp_path)
    assert path.read_text() == FORM_FEED_LOGIN
    assert "not fixed: LibCST does not give it back byte for byte (line 5" in fixed.stdout


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.slow
def test_every_fixture_fix_changes_only_lines_inside_the_spans_it_reports() -> None:
    """Over every fixture project: each changed file keeps every line outside the spans
    its fixes report, byte for byte and in order (checked on the texts, not on how the
    fixer made them), and no fix was refused for changing a line outside its edits."""
    changed = 0
    for project in sorted(FIXTURES.iterdir()):
        if not project.is_dir():
            continue
        outcome = fix_paths(["."], RunOptions(), unsafe=True, write=False, cwd=project)
        for file in outcome.files:
            if not file.changed:
                continue
            changed += 1
            assert file.changes is not None, file.path
            assert kept_outside(file.before, file.after, file.changes) is None, file.path
            old, new = lines_with_ends(file.before), lines_with_ends(file.after)
            unchanged = [n for n in range(1, len(old) + 1) if n not in file.changes.spans]
            assert [old[n - 1] for n in unchanged] == [
                line
                for line, origin in zip(new, file.changes.origin, strict=True)
                if origin is not None
            ], file.path
        outside = [e.message for e in outcome.errors if "outside its edits" in e.message]
        assert outside == [], project.name
    assert changed >= 30


def test_a_step_that_changes_a_line_outside_its_edits_is_refused(monkeypatch) -> None:
    """Imports added by a step that also drops a comment elsewhere: the round is refused."""
    from authsweep.scanner.fixes import apply

    real = apply.add_module_needs

    def dropping(code: str, *args):
        return real(code, *args).replace("# keep me\n", "")

    monkeypatch.setattr(apply, "add_module_needs", dropping)
    code = SSL_ON_587 + "\n\n# keep me\nx = 1\n"
    result = fix_source("m.py", "python", code.encode(), RunOptions(), unsafe=False)
    assert result.after == code
    assert {why for _, why in result.refused.values()} == {
        "it would change line 9, outside its edits"
    }


def test_changes_line_up_steps_and_refuse_what_they_did_not_declare() -> None:
    before = "a\nb\nc\nd\n"
    start = Changes.of(before)
    edited = start.step(before, "a\nB\nc\nd\n", {2: "edit"})
    assert edited.origin == (1, None, 3, 4) and dict(edited.spans) == {2: "edit"}
    added = edited.step("a\nB\nc\nd\n", "import x\na\nB\nc\nd\n", {})
    assert added.origin == (None, 1, None, 3, 4)
    with pytest.raises(OutsideEdits, match="it would change line 4, outside its edits"):
        added.step("import x\na\nB\nc\nd\n", "import x\na\nB\nc\n", {})
    assert kept_outside(before, "import x\na\nB\nc\nd\n", added) is None
    assert kept_outside(before, "import x\na\nB\nc\n", added) is not None
    assert kept_outside(before, "a\nB\nc\nd\n", None) == "its changes were not recorded"


PASSWORD_SETTINGS = """\
EMAIL_HOST = "smtp.office365.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "desk@contoso.com"
EMAIL_HOST_PASSWORD = "Winter-Mail-26"
"""


def helpdesk(root: Path) -> Path:
    write(root / "manage.py", "")
    write(root / "helpdesk" / "__init__.py", "")
    write(root / "helpdesk" / "settings.py", PASSWORD_SETTINGS)
    return root


@pytest.mark.slow
def test_a_password_in_an_untracked_module_is_kept_in_a_comment(tmp_path: Path) -> None:
    """A settings module not yet added to git: the rewrite replaces the password setting,
    and the password stays above the new settings, with the date and why."""
    root = init_repo(tmp_path)
    write(root / "README.md", "")
    commit_all(root)
    helpdesk(root)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    text = (root / "helpdesk" / "settings.py").read_text()
    today = datetime.date.today().isoformat()
    assert (
        'EMAIL_HOST_USER = "desk@contoso.com"\n'
        f"# authsweep fix, {today}: the password of the login replaced below (git has no copy "
        "of this file; delete this once it is not needed):\n"
        f'#   "{SECRET}"\n'
        'EMAIL_BACKEND = "helpdesk.mail_oauth2.XOAuth2EmailBackend"\n'
    ) in text
    assert (
        "helpdesk/settings.py: git has no copy of this file: the password the fix replaced "
        "stays in a comment above the new code"
    ) in fixed.stdout
    assert SECRET not in fixed.stdout + fixed.stderr
    assert invoke("check", ".", cwd=root).returncode == 0
    assert invoke("fix", "--unsafe-fixes", "--diff", ".", cwd=root).stdout == ""


def test_a_password_git_has_is_not_kept(tmp_path: Path) -> None:
    root = helpdesk(init_repo(tmp_path))
    commit_all(root)
    invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert SECRET not in (root / "helpdesk" / "settings.py").read_text()


def test_a_login_password_in_a_script_without_git_is_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path / "report.py",
        "import smtplib\n\n\ndef send(message):\n"
        '    with smtplib.SMTP("smtp.office365.com", 587) as s:\n'
        "        s.starttls()\n"
        f'        s.login("desk@contoso.com", "{SECRET}")\n'
        "        s.send_message(message)\n",
    )
    preview = invoke("fix", "--unsafe-fixes", "--diff", "report.py", cwd=tmp_path)
    assert SECRET not in preview.stdout  # masked in the diff, as everywhere
    invoke("fix", "--unsafe-fixes", "report.py", cwd=tmp_path)
    text = path.read_text()
    assert "s.login(" not in text
    note = f"        # authsweep fix, {datetime.date.today().isoformat()}: the password"
    kept = f'        #   "{SECRET}"\n'
    assert text.index(note) < text.index(kept) < text.index("s.ehlo_or_helo_if_needed()")
    compile(text, "report.py", "exec")


def test_asking_git_for_the_committed_lines_runs_nothing_of_the_repository(tmp_path: Path):
    root = django_project(init_repo(tmp_path / "repo"))
    commit_all(root)
    marker = tmp_path / "ran"
    with open(root / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(
            f'[core]\n\tfsmonitor = "touch {marker}; false"\n'
            f'[filter "x"]\n\tclean = "touch {marker}; cat"\n\tsmudge = "touch {marker}; cat"\n'
            f'[diff "x"]\n\ttextconv = "touch {marker}; cat"\n'
        )
    (root / ".git" / "info" / "attributes").write_text("* filter=x diff=x\n")
    invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert (root / ".env").read_text() == "DEBUG=1\n# Mail\nOTHER=1\n"
    assert not marker.exists()
