"""The result cache is part of the scanned tree: it never follows a link out of it, never
fails a run on a bad entry, and never serves a result computed from files that changed
since (every file a result was read from is one of its inputs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run_cli, write

# Logs in with a password to whatever host settings.py names.
MAILER = (
    "import os\n"
    "import smtplib\n"
    "import ssl\n"
    "from settings import SMTP_HOST\n"
    "\n"
    "\n"
    "def send(user):\n"
    "    s = smtplib.SMTP(SMTP_HOST, 587)\n"
    "    s.starttls(context=ssl.create_default_context())\n"
    '    s.login(user, os.environ["SMTP_PASSWORD"])\n'
)
GMAIL = 'SMTP_HOST = "smtp.gmail.com"\n'
OFFICE = 'SMTP_HOST = "smtp.office365.com"\n'


def check(cwd: Path, *args: str):
    return run_cli("check", ".", "--format", "json", *args, cwd=cwd)


def rules(result) -> list[tuple[str, str]]:
    document = json.loads(result.stdout)
    return sorted((f["path"], f["rule"]) for f in document["findings"])


def project(root: Path, files: dict[str, str]) -> Path:
    write(root / "pyproject.toml", "[project]\nname = 'shop'\n")
    for name, text in files.items():
        write(root / name, text)
    return root


def _age(folder: Path) -> None:
    """Files older than the cache write: the cache trusts their size and mtime."""
    old = os.stat(folder).st_mtime - 3600
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))


# --- inputs: a result is reused only while what it was computed from is unchanged --------


@pytest.mark.slow
def test_a_changed_imported_setting_is_not_served_from_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": GMAIL})
    _age(root)
    assert check(root).returncode == 0  # another provider: nothing to report
    write(root / "settings.py", OFFICE)
    changed = check(root)
    assert changed.returncode == 1, changed.stdout
    assert rules(changed) == [("app/mailer.py", "AS101")]
    assert rules(check(root)) == [("app/mailer.py", "AS101")]  # and cached as such


@pytest.mark.slow
def test_a_nearer_module_that_appears_is_not_missed(tmp_path: Path) -> None:
    """``from settings import`` finds app/settings.py before the root's once it exists."""
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": GMAIL})
    _age(root)
    assert check(root).returncode == 0
    write(root / "app" / "settings.py", OFFICE)
    assert ("app/mailer.py", "AS101") in rules(check(root))


@pytest.mark.slow
def test_a_changed_dotenv_value_is_not_served_from_the_cache(tmp_path: Path) -> None:
    mailer = MAILER.replace("from settings import SMTP_HOST\n", "").replace(
        "smtplib.SMTP(SMTP_HOST, 587)", 'smtplib.SMTP(os.environ["SMTP_HOST"], 587)'
    )
    root = project(tmp_path / "shop", {"app/mailer.py": mailer, "app/.env": "SMTP_HOST=x\n"})
    write(root / "app" / ".env", "SMTP_HOST=smtp.gmail.com\n")
    _age(root)
    assert check(root).returncode == 0
    write(root / "app" / ".env", "SMTP_HOST=smtp.office365.com\n")
    assert ("app/mailer.py", "AS101") in rules(check(root))


WRAPPER = (
    "import smtplib\n"
    "import ssl\n\n\n"
    "def deliver(host, user, password, msg):\n"
    "    server = smtplib.SMTP(host, 587)\n"
    "    server.starttls(context=ssl.create_default_context())\n"
    "    server.send_message(msg)\n"
)
CALLER = (
    "import os\n"
    "from notify.transport import deliver\n\n"
    'deliver("smtp.office365.com", "me@contoso.com", os.environ["PW"], None)\n'
)


@pytest.mark.slow
def test_a_wrapper_that_starts_to_log_in_is_not_served_from_the_cache(tmp_path: Path) -> None:
    """A caller's finding comes from the summary of a wrapper in another module: the
    wrapper's module (and what its summary read) is an input of the caller's result."""
    files = {"app.py": CALLER, "notify/__init__.py": "", "notify/transport.py": WRAPPER}
    root = project(tmp_path / "shop", files)
    _age(root)
    assert ("app.py", "AS101") not in rules(check(root))
    write(
        root / "notify" / "transport.py",
        WRAPPER.replace(
            "    server.send_message", "    server.login(user, password)\n    server.send_message"
        ),
    )
    assert ("app.py", "AS101") in rules(check(root))


@pytest.mark.slow
def test_a_config_file_added_above_changes_the_message(tmp_path: Path) -> None:
    """The finding names where its password is set: a .env that starts setting it later
    must show in the next (cached) run."""
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    _age(root)
    first = json.loads(check(root).stdout)["findings"][0]["message"]
    assert "set in" not in first
    write(root / ".env", "SMTP_PASSWORD=from-the-env\n")
    findings = json.loads(check(root).stdout)["findings"]
    mailer = [f for f in findings if f["path"] == "app/mailer.py"]
    assert "(password set in .env:1)" in mailer[0]["message"]


@pytest.mark.slow
def test_a_changed_configuration_is_not_served_from_the_cache(tmp_path: Path) -> None:
    """``[tool.authsweep]`` is part of the key of the results file itself."""
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    write(root / "pyproject.toml", '[project]\nname = "shop"\n[tool.authsweep]\nignore = ["AS1"]\n')
    _age(root)
    assert check(root).returncode == 0
    write(root / "pyproject.toml", '[project]\nname = "shop"\n')
    _age(root)
    assert ("app/mailer.py", "AS101") in rules(check(root))


def test_the_project_facts_are_an_input(tmp_path: Path) -> None:
    """A result that used what the whole project imports (Flask-Mail or Flask-Mailman)
    is computed again when a project file changes."""
    from authsweep.scanner.inputs import PROJECT, recording, unchanged
    from authsweep.scanner.project import facts_for, fingerprint_matches, project_fingerprint

    root = project(tmp_path / "shop", {"app/config.py": "MAIL_SERVER = 'x'\n", "a.py": ""})
    _age(root)
    with recording() as seen:
        facts = facts_for(str(root / "app" / "config.py"))
    assert facts is not None
    key = PROJECT + str(root)
    assert seen[key] == facts.fingerprint
    assert facts.fingerprint.startswith(project_fingerprint(root) + " ")
    assert unchanged(key, seen[key], fingerprint_matches)
    write(root / "app" / "factory.py", "from flask_mailman import Mail\n")
    assert not unchanged(key, seen[key], fingerprint_matches)


def test_project_facts_hold_for_a_file_touched_but_unchanged(tmp_path: Path) -> None:
    """A new time on a file of the project (a checkout, ``touch``) with the same bytes
    leaves the facts as they were; so do times too recent to trust when they were read,
    while the bytes stay. A file rewritten with other bytes does not."""
    import os

    from authsweep.scanner.inputs import PROJECT, recording, unchanged
    from authsweep.scanner.project import _facts, facts_for, fingerprint_matches

    root = project(tmp_path / "shop", {"app/config.py": "MAIL_SERVER = 'x'\n", "a.py": ""})
    _facts.cache_clear()
    with recording() as seen:  # files just written: their times are not trusted
        facts_for(str(root / "app" / "config.py"))
    key = PROJECT + str(root)
    assert seen[key].startswith(" ")
    assert unchanged(key, seen[key], fingerprint_matches)
    os.utime(root / "a.py")
    assert unchanged(key, seen[key], fingerprint_matches)
    write(root / "a.py", "import smtplib\n")
    assert not unchanged(key, seen[key], fingerprint_matches)


# --- malformed entries: a miss, replaced -------------------------------------------------


def _cache_document(cache: Path) -> tuple[Path, dict]:
    (results,) = cache.glob("results-*.json")
    return results, json.loads(results.read_text())


BAD_ENTRIES = {
    "short": [1, 2],
    "string": "x",
    "number": 7,
    "wrong types": ["size", "mtime", 3, "parsed"],
    "findings not a list": "replace:4:{}",
    "a finding of the wrong shape": "replace:4:[{'rule': 1}]",
    "an error of the wrong shape": "replace:5:[['unreadable']]",
    "a span of the wrong shape": "span",
}


@pytest.mark.slow
@pytest.mark.parametrize("bad", list(BAD_ENTRIES))
def test_a_malformed_entry_is_a_miss_and_is_replaced(tmp_path: Path, bad: str) -> None:
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    _age(root)
    first = check(root)
    results, document = _cache_document(root / ".authsweep_cache")
    (path,) = [p for p in document["files"] if p.endswith("mailer.py")]
    entry = document["files"][path]
    corrupt = BAD_ENTRIES[bad]
    if corrupt == "span":
        entry[4][0]["span"] = [1, 2]
    elif isinstance(corrupt, str) and corrupt.startswith("replace:"):
        _, index, value = corrupt.split(":", 2)
        entry[int(index)] = eval(value)  # noqa: S307 - a literal of this test
    else:
        document["files"][path] = corrupt
    results.write_text(json.dumps(document))
    again = check(root)
    assert again.returncode == 1 and "internal error" not in again.stderr, again.stderr
    assert rules(again) == rules(first)
    _, rewritten = _cache_document(root / ".authsweep_cache")
    assert len(rewritten["files"][path][4]) == 1  # the finding, cached again


@pytest.mark.slow
@pytest.mark.parametrize(
    "document",
    ["[]", '{"files": [], "written_at": 1}', '{"files": {}, "written_at": "x"}', "[" * 100_000],
)
def test_a_malformed_results_file_is_ignored(tmp_path: Path, document: str) -> None:
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    check(root)
    results, _ = _cache_document(root / ".authsweep_cache")
    results.write_text(document)
    again = check(root)
    assert again.returncode == 1 and again.stderr == "", again.stderr
    assert json.loads(results.read_text())["files"]


# --- links: never followed ---------------------------------------------------------------


@pytest.mark.slow
def test_a_cache_folder_that_is_a_link_is_not_used(tmp_path: Path) -> None:
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".authsweep_cache").symlink_to(outside)
    result = check(root)
    assert result.returncode == 1
    assert "is a symbolic link; running without the cache" in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.slow
def test_links_inside_the_cache_folder_are_not_followed(tmp_path: Path) -> None:
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    check(root)
    cache = root / ".authsweep_cache"
    outside = tmp_path / "outside"
    outside.mkdir()
    for file in list(cache.iterdir()):
        file.unlink()
        file.symlink_to(outside / file.name)  # dangling: following it would create it
    again = check(root)
    assert again.returncode == 1, again.stderr
    assert list(outside.iterdir()) == []
    (results,) = cache.glob("results-*.json")
    assert not results.is_symlink() and json.loads(results.read_text())["files"]


@pytest.mark.slow
def test_a_results_file_that_is_a_fifo_is_not_read(tmp_path: Path) -> None:
    root = project(tmp_path / "shop", {"app/mailer.py": MAILER, "settings.py": OFFICE})
    check(root)
    (results,) = (root / ".authsweep_cache").glob("results-*.json")
    results.unlink()
    os.mkfifo(results)
    command = [sys.executable, "-m", "authsweep.scanner.cli", "check", ".", "-q"]
    again = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1, again.stderr


def test_a_cache_entry_for_a_file_that_is_still_there_survives_a_bad_input(
    tmp_path: Path,
) -> None:
    """Inputs of the wrong shape in the results file are a miss, not an error."""
    from authsweep.scanner.cache import ResultCache

    cache = ResultCache(tmp_path / "cache", "key")
    cache.inputs = {"/x.py": ["not", "a", "dict"]}  # type: ignore[dict-item]
    assert cache._inputs_unchanged("/x.py") is False
    cache.inputs = {"/x.py": {"=/nowhere": 5}}  # type: ignore[dict-item]
    assert cache._inputs_unchanged("/x.py") is False
