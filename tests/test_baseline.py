"""Baselines: old findings stay quiet when code moves; new ones, and a second copy of an
old mistake, are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import IMPLICIT_TLS_587, MULTILINE_LOGIN, run_cli, write

SECRET = "Zq9-unique-S3cret-7731"
HARDCODED = (
    "import smtplib, ssl\n"
    "s = smtplib.SMTP('smtp.office365.com', 587)\n"
    "s.starttls(context=ssl.create_default_context())\n"
    f"s.login('a@contoso.com', '{SECRET}')\n"
)


def reported(cwd: Path, *args: str) -> list[tuple[str, str, int]]:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["rule"], f["line"]) for f in json.loads(result.stdout)["findings"]]


@pytest.mark.slow
def test_write_then_check_against_the_baseline(tmp_path: Path) -> None:
    write(tmp_path / "app" / "mail.py", HARDCODED)
    write(tmp_path / "app" / "tls.py", IMPLICIT_TLS_587)
    written = run_cli("check", "--write-baseline", ".authsweep-baseline.json", cwd=tmp_path)
    assert written.returncode == 0
    assert "recorded 3 findings in .authsweep-baseline.json" in written.stderr
    text = (tmp_path / ".authsweep-baseline.json").read_text()
    assert SECRET not in text and SECRET[4:12] not in text
    entries = json.loads(text)["findings"]
    assert {(e["path"], e["rule"], e["count"]) for e in entries} == {
        ("app/mail.py", "AS101", 1),
        ("app/mail.py", "AS105", 1),
        ("app/tls.py", "AS201", 1),
    }
    result = run_cli("check", "--baseline", ".authsweep-baseline.json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "3 known from the baseline" in result.stdout
    summary = json.loads(
        run_cli(
            "check", "--baseline", ".authsweep-baseline.json", "--format", "json", cwd=tmp_path
        ).stdout
    )["summary"]
    assert summary["findings"] == 0 and summary["baselined"] == 3


@pytest.mark.slow
def test_moving_code_does_not_resurrect_findings(tmp_path: Path) -> None:
    mail = write(tmp_path / "mail.py", MULTILINE_LOGIN)
    run_cli("check", "--write-baseline", "baseline.json", cwd=tmp_path)
    lines = MULTILINE_LOGIN.splitlines()
    moved = ["import logging", "", "log = logging.getLogger(__name__)", "", *lines]
    mail.write_text("\n".join(moved) + "\n")
    # Also indented one level deeper, inside a function.
    assert reported(tmp_path, "--baseline", "baseline.json") == []
    nested = lines[:2] + ["", "def send():"] + ["    " + line for line in lines[2:]]
    mail.write_text("\n".join(nested) + "\n")
    assert reported(tmp_path, "--baseline", "baseline.json") == []


@pytest.mark.slow
def test_a_second_copy_of_a_known_mistake_is_new(tmp_path: Path) -> None:
    mail = write(tmp_path / "mail.py", MULTILINE_LOGIN)
    run_cli("check", "--write-baseline", "baseline.json", cwd=tmp_path)
    copy = MULTILINE_LOGIN.split("\n", 3)[3]  # the with-block again, below the first
    mail.write_text(MULTILINE_LOGIN + copy)
    assert reported(tmp_path, "--baseline", "baseline.json") == [("mail.py", "AS101", 12)]
    # The same mistake in another file is new too.
    mail.write_text(MULTILINE_LOGIN)
    write(tmp_path / "other.py", MULTILINE_LOGIN)
    assert reported(tmp_path, "--baseline", "baseline.json") == [("other.py", "AS101", 6)]
    # A changed login line is a different finding.
    mail.write_text(MULTILINE_LOGIN.replace("password,", "os.environ['PW'],"))
    (tmp_path / "other.py").unlink()
    assert reported(tmp_path, "--baseline", "baseline.json") == [("mail.py", "AS101", 6)]


@pytest.mark.slow
def test_paths_are_relative_to_the_baseline_file(tmp_path: Path) -> None:
    write(tmp_path / "svc" / "mail.py", MULTILINE_LOGIN)
    run_cli("check", "--write-baseline", "baseline.json", cwd=tmp_path)
    # From a subfolder, naming the file as pre-commit would from the root.
    assert reported(tmp_path / "svc", "mail.py", "--baseline", "../baseline.json") == []
    assert reported(tmp_path, "svc/mail.py", "--baseline", "baseline.json") == []


@pytest.mark.slow
def test_writing_a_baseline_keeps_known_findings(tmp_path: Path) -> None:
    write(tmp_path / "a.py", MULTILINE_LOGIN)
    run_cli("check", "--write-baseline", "baseline.json", cwd=tmp_path)
    write(tmp_path / "b.py", IMPLICIT_TLS_587)
    result = run_cli(
        "check", "--baseline", "baseline.json", "--write-baseline", "baseline.json", cwd=tmp_path
    )
    assert result.returncode == 0
    entries = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert sorted(e["path"] for e in entries) == ["a.py", "b.py"]


@pytest.mark.slow
def test_bad_baseline_files_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "a.py", MULTILINE_LOGIN)
    missing = run_cli("check", "--baseline", "nope.json", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.json" in missing.stderr
    write(tmp_path / "bad.json", "{not json")
    assert run_cli("check", "--baseline", "bad.json", cwd=tmp_path).returncode == 2
    write(tmp_path / "other.json", '{"tool": "bandit", "results": []}')
    other = run_cli("check", "--baseline", "other.json", cwd=tmp_path)
    assert other.returncode == 2 and "not an authsweep baseline" in other.stderr


def test_writing_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from cli_support import invoke

    write(tmp_path / "a.py", MULTILINE_LOGIN)
    result = invoke("check", "--write-baseline", "/nonexistent/d/b.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "authsweep: error: /nonexistent/d/b.json: cannot write baseline: folder "
    )
    assert "Traceback" not in result.stderr


def test_a_failed_write_keeps_the_old_baseline_whole(tmp_path: Path, monkeypatch) -> None:
    import errno
    import os

    from authsweep.scanner import baseline
    from cli_support import invoke

    write(tmp_path / "a.py", MULTILINE_LOGIN)
    assert invoke("check", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    before = (tmp_path / "b.json").read_bytes()
    write(tmp_path / "c.py", IMPLICIT_TLS_587)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(baseline.os, "fsync", disk_full)
    result = invoke("check", "--write-baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 2 and "No space left on device" in result.stderr
    assert (tmp_path / "b.json").read_bytes() == before
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".authsweep_cache", "a.py", "b.json", "c.py"]  # no temporary file left
    monkeypatch.undo()
    assert invoke("check", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    assert json.loads((tmp_path / "b.json").read_text())["findings"][-1]["path"] == "c.py"
