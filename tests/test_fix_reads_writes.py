"""What ``fix`` reads and writes in a tree it does not trust.

- Every file it reads is a regular file, opened without blocking and read with a bound: a
  committed link to ``/dev/zero`` or ``/dev/stdin`` or a FIFO where its module goes is
  refused at once (run in a child with a memory limit and a timeout, so that a regression
  fails the test instead of the machine).
- It never writes through a link that leaves the project, and never replaces such a link.
- "Unchanged since read" holds up to the rename: a program appending to the file meanwhile
  loses nothing, and of two runs writing one file only the first writes it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from authsweep.scanner.fixes.write import write_atomically
from authsweep.scanner.reading import NotRegular, TooLarge, read_regular
from cli_support import commit_all, init_repo, invoke, write

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices, flock")

SETTINGS = """\
EMAIL_HOST = "smtp.office365.com"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "desk@contoso.com"
EMAIL_HOST_PASSWORD = "Winter-Mail-26"
"""
SETTINGS_FROM_ENV = "import os\n\n" + SETTINGS.replace(
    '"Winter-Mail-26"', 'os.environ["EMAIL_HOST_PASSWORD"]'
)
DOTENV = "DEBUG=1\n# Mail\nEMAIL_HOST_PASSWORD=Winter-Mail-26\nOTHER=1\n"
MEMORY_LIMIT = 1 << 30


def helpdesk(root: Path) -> Path:
    write(root / "manage.py", "")
    write(root / "helpdesk" / "__init__.py", "")
    write(root / "helpdesk" / "settings.py", SETTINGS)
    return root


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def fix_in_child(root: Path, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """``fix --unsafe-fixes .`` in a child limited to 1 GB, given 60 s."""
    return subprocess.run(
        [sys.executable, "-m", "authsweep.scanner.cli", "fix", "--unsafe-fixes", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=stdin,
        preexec_fn=limited,
        check=False,
    )


@pytest.mark.slow
@posix_only
@pytest.mark.parametrize("target", ["/dev/zero", "/dev/stdin", "fifo"])
def test_a_special_file_where_the_module_goes_is_refused_at_once(tmp_path: Path, target: str):
    root = helpdesk(tmp_path)
    module = root / "helpdesk" / "mail_oauth2.py"
    if target == "fifo":
        os.mkfifo(module)
    else:
        module.symlink_to(target)
    # /dev/stdin is a pipe nobody writes to (and nobody closes) while the run lasts.
    reader, writer = os.pipe()
    try:
        result = fix_in_child(root, stdin=reader)
    finally:
        os.close(reader)
        os.close(writer)
    kind = "a FIFO" if target != "/dev/zero" else "a character device"
    assert f"helpdesk/mail_oauth2.py exists and is {kind}, not a regular file" in result.stdout
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (root / "helpdesk" / "settings.py").read_text() == SETTINGS


@pytest.mark.slow
@posix_only
def test_check_and_fix_skip_a_fifo_among_the_project_files(tmp_path: Path):
    """The project facts (who reads which setting) read every module of the project."""
    root = helpdesk(tmp_path)
    os.mkfifo(root / "helpdesk" / "jobs.py")
    result = fix_in_child(root)
    assert "Added helpdesk/mail_oauth2.py" in result.stdout, result.stdout + result.stderr


@posix_only
def test_read_regular_refuses_what_is_not_a_regular_file_and_bounds_the_rest(tmp_path: Path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "zero").symlink_to("/dev/zero")
    for name in ("fifo", "zero"):
        with pytest.raises(NotRegular):
            read_regular(tmp_path / name, 1 << 20)
    with pytest.raises(NotRegular):
        read_regular(tmp_path, 1 << 20)
    (tmp_path / "big").write_bytes(b"x" * 4096)
    with pytest.raises(TooLarge):
        read_regular(tmp_path / "big", 4095)
    assert read_regular(tmp_path / "big", 4096) == b"x" * 4096
    assert read_regular(tmp_path / "big") == b"x" * 4096


def project_with_dotenv(root: Path, dotenv: Path) -> Path:
    write(root / "manage.py", "")
    write(root / "site" / "__init__.py", "")
    write(root / "site" / "settings.py", SETTINGS_FROM_ENV)
    (root / ".env").symlink_to(dotenv)
    return root


@posix_only
def test_a_dotenv_linked_out_of_the_project_is_not_edited(tmp_path: Path):
    outside = write(tmp_path / "elsewhere" / "shop.env", DOTENV)
    root = project_with_dotenv(tmp_path / "project", outside)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert outside.read_text() == DOTENV
    assert (root / ".env").is_symlink()
    assert "smtp.office365.com" in (root / "site" / "settings.py").read_text()
    assert "EMAIL_BACKEND" in (root / "site" / "settings.py").read_text()
    why = f"a link to {outside}, outside the project; not edited"
    assert f".env: fix: EMAIL_HOST_PASSWORD not taken out: {why}" in fixed.stdout
    stays = "site/settings.py: EMAIL_HOST_PASSWORD stays in .env (line 3)"
    assert f"{stays}: .env is {why}" in fixed.stdout
    assert fixed.returncode == 1


@posix_only
def test_a_dotenv_linked_inside_the_project_is_edited_where_it_points(tmp_path: Path):
    root = init_repo(tmp_path / "project")
    config = write(root / "config" / "shop.env", DOTENV)
    project_with_dotenv(root, Path("config/shop.env"))
    commit_all(root)
    fixed = invoke("fix", "--unsafe-fixes", ".", cwd=root)
    assert fixed.returncode == 0, fixed.stdout
    assert (root / ".env").is_symlink()
    assert config.read_text() == "DEBUG=1\n# Mail\nOTHER=1\n"


@posix_only
def test_a_file_named_through_a_link_out_of_the_project_is_not_written(tmp_path: Path):
    outside = write(tmp_path / "elsewhere" / "mail.py", MAIL)
    root = tmp_path / "project"
    write(root / "pyproject.toml", "")
    (root / "mail.py").symlink_to(outside)
    fixed = invoke("fix", "mail.py", cwd=root)
    assert outside.read_text() == MAIL
    assert (root / "mail.py").is_symlink()
    assert f"fix not written: a link to {outside}, outside the project" in fixed.stdout
    assert fixed.returncode == 1


@posix_only
def test_no_module_is_created_through_a_folder_linked_out_of_the_project(tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = tmp_path / "project"
    write(root / "manage.py", "")
    (root / "helpdesk").symlink_to(outside, target_is_directory=True)
    write(outside / "__init__.py", "")
    write(outside / "settings.py", SETTINGS)
    fixed = invoke("fix", "--unsafe-fixes", "helpdesk/settings.py", cwd=root)
    assert sorted(p.name for p in outside.iterdir()) == ["__init__.py", "settings.py"]
    assert (outside / "settings.py").read_text() == SETTINGS
    assert fixed.returncode == 1


MAIL = "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
FIXED = "import smtplib\nsmtplib.SMTP('smtp.office365.com', 587)\n"


def append_lines(path: Path, count: int, ready) -> None:
    ready.set()
    for number in range(count):
        with open(path, "a") as handle:
            handle.write(f"# appended {number}\n")


@posix_only
def test_a_program_appending_while_the_file_is_written_loses_nothing(tmp_path: Path):
    """A log-like writer that appends without locking, against back-to-back writes."""
    path = tmp_path / "m.py"
    path.write_text(MAIL)
    count = 3000
    ready = multiprocessing.Event()
    appender = multiprocessing.Process(target=append_lines, args=(path, count, ready))
    appender.start()
    ready.wait()
    written = refused = 0
    while appender.is_alive() or not written:
        expected = path.read_bytes()
        try:
            write_atomically(path, expected.replace(b"SMTP_SSL", b"SMTP"), expected)
            written += 1
        except OSError as error:
            assert "changed since it was read" in str(error)
            refused += 1
    appender.join()
    lines = path.read_text().splitlines()
    missing = [n for n in range(count) if f"# appended {n}" not in lines]
    assert missing == [], f"{len(missing)} appends lost ({written} writes, {refused} refused)"
    assert written > 0


def write_when_released(path: Path, data: bytes, expected: bytes, start, results) -> None:
    start.wait()
    try:
        write_atomically(path, data, expected)
        results.put("written")
    except OSError as error:
        results.put(str(error))


@pytest.mark.slow
@posix_only
def test_two_runs_never_both_write_one_file(tmp_path: Path):
    path = tmp_path / "m.py"
    context = multiprocessing.get_context("fork")
    for attempt in range(40):
        path.write_bytes(MAIL.encode())
        start = context.Barrier(2)
        results = context.Queue()
        writers = [
            context.Process(
                target=write_when_released,
                args=(
                    path,
                    f"# run {n}\n".encode() + FIXED.encode(),
                    MAIL.encode(),
                    start,
                    results,
                ),
            )
            for n in (1, 2)
        ]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(30)
        outcomes = sorted(results.get(timeout=5) for _ in writers)
        assert outcomes[0].endswith("changed since it was read; not written"), (attempt, outcomes)
        assert outcomes[1] == "written", (attempt, outcomes)
        assert path.read_bytes().endswith(FIXED.encode())


@pytest.mark.slow
def test_a_fix_run_beside_an_appending_program_keeps_every_line(tmp_path: Path):
    """End to end: ``fix`` on a file another process appends to; every append is there
    afterwards, whether the fix was written or refused as changed."""
    path = tmp_path / "m.py"
    path.write_text(MAIL)
    count = 2000
    ready = multiprocessing.Event()
    appender = multiprocessing.Process(target=append_lines, args=(path, count, ready))
    appender.start()
    ready.wait()
    while appender.is_alive():
        invoke("fix", "m.py", cwd=tmp_path)
        time.sleep(0.01)
    appender.join()
    text = path.read_text()
    assert all(f"# appended {n}\n" in text for n in range(count))


def test_bytes_appended_between_the_check_and_the_rename_go_to_the_new_file(
    tmp_path: Path, monkeypatch
) -> None:
    """Deterministically: the append lands in the old file just before the rename."""
    from authsweep.scanner.fixes import write as writing

    path = tmp_path / "m.py"
    path.write_text(MAIL)
    rename = os.replace

    def append_then_rename(source, target):
        with open(target, "a") as handle:
            handle.write("# appended meanwhile\n")
        rename(source, target)

    monkeypatch.setattr(writing.os, "replace", append_then_rename)
    write_atomically(path, FIXED.encode(), MAIL.encode())
    assert path.read_text() == FIXED + "# appended meanwhile\n"


def test_a_file_rewritten_between_the_check_and_the_rename_is_put_back(
    tmp_path: Path, monkeypatch
) -> None:
    from authsweep.scanner.fixes import write as writing

    path = tmp_path / "m.py"
    path.write_text(MAIL)
    rename = os.replace
    calls = []

    def rewrite_then_rename(source, target):
        if not calls:  # the fix's rename; the second one puts the file back
            with open(target, "r+") as handle:
                handle.write("# edited by hand\n")
        calls.append(target)
        rename(source, target)

    monkeypatch.setattr(writing.os, "replace", rewrite_then_rename)
    with pytest.raises(OSError, match="changed while it was written; put back, not written"):
        write_atomically(path, FIXED.encode(), MAIL.encode())
    assert path.read_text().startswith("# edited by hand\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.py"]
