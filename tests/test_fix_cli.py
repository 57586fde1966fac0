"""``authsweep fix`` behaves like ``check``: one exit-code contract (issue 18), stdin, the
baseline, counts that agree with check's, --show-fixes, progress and the cache (issue 15)."""

from __future__ import annotations

import errno
import json
import re
import sys
from pathlib import Path

import pytest
from authsweep.scanner import fixer
from authsweep.scanner.findings import FileError
from authsweep.scanner.fixes import across
from authsweep.scanner.fixes.outcome import FileFix
from cli_support import MULTILINE_LOGIN, invoke, write
from test_formats import run_on_terminal

PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)
DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "legacy_mailer"


@pytest.mark.slow
@pytest.mark.parametrize("diff", [False, True])
def test_what_was_not_checked_or_fixed_fails_the_run(tmp_path: Path, diff: bool) -> None:
    flag = ["--diff"] if diff else []
    missing = invoke("fix", *flag, "/nonexistent", cwd=tmp_path)
    assert missing.returncode == 1 and "no such file or folder" in missing.stdout + missing.stderr
    write(tmp_path / "broken.py", "import smtplib\nprint 'x'\n")
    broken = invoke("fix", *flag, "broken.py", cwd=tmp_path)
    assert broken.returncode == 1
    assert "broken.py:2:1: unparsable: " in broken.stdout + broken.stderr
    piped = invoke("fix", *flag, "-", cwd=tmp_path, stdin="import smtplib\nprint 'x'\n")
    assert piped.returncode == 1
    write(tmp_path / "big.py", PORT_465 + "#\n" * 600)
    assert invoke("fix", *flag, "--max-file-size", "1KB", "big.py", cwd=tmp_path).returncode == 1
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nextend-exclude = ["broken.py"]\n')
    assert invoke("fix", *flag, "broken.py", cwd=tmp_path).returncode == 0  # excluded


@pytest.mark.parametrize(
    "failure",
    [
        FileError("port.py", "fix refused: the fixed file does not parse", "fix"),
        FileError("port.py", "not fixed: took too long", "fix"),
    ],
    ids=["refused", "too-slow"],
)
def test_refused_or_slow_fixes_fail_the_run(tmp_path: Path, monkeypatch, failure) -> None:
    write(tmp_path / "port.py", PORT_465)

    def failing(path, kind, data, settings, **options):
        return FileFix(path, "", "", error=failure)

    monkeypatch.setattr(fixer, "fix_source", failing)
    result = invoke("fix", "port.py", cwd=tmp_path)
    assert result.returncode == 1
    assert f"port.py: fix: {failure.message}" in result.stdout
    assert "1 problem remains." in result.stdout  # nothing was fixed
    assert (tmp_path / "port.py").read_text() == PORT_465


def test_a_file_that_cannot_be_written_fails_the_run(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "port.py", PORT_465)

    def denied(path, data, expected):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(across, "write_atomically", denied)
    result = invoke("fix", "port.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "port.py: fix: fix not written: [Errno 13] Permission denied" in result.stdout
    assert "Nothing to fix" in result.stdout or "Fixed" not in result.stdout


@pytest.mark.slow
def test_fix_exits_0_once_everything_is_fixed(tmp_path: Path) -> None:
    port = write(tmp_path / "port.py", PORT_465)
    assert invoke("fix", "--diff", cwd=tmp_path).returncode == 1  # changes to make
    done = invoke("fix", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "'smtp.office365.com', 587" in port.read_text()
    again = invoke("fix", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "No problems found in 1 file.\n"


@pytest.mark.slow
def test_counts_agree_with_check() -> None:
    check = invoke("check", "--no-cache", str(DEMO), cwd=DEMO).stdout.splitlines()[-1]
    fixable = int(re.search(r"(\d+) fixable with `authsweep fix`", check).group(1))
    found = int(re.search(r"Found (\d+) problems", check).group(1))
    unsafe = int(re.search(r"(\d+) more with `authsweep fix --unsafe-fixes`", check).group(1))
    diff = invoke("fix", "--diff", "--no-cache", str(DEMO), cwd=DEMO).stderr
    assert f"Would fix {fixable} of {found} problems (" in diff
    assert f"{found - fixable} problems would remain ({unsafe} fixable with" in diff


def test_fix_reads_stdin_and_writes_the_fixed_code(tmp_path: Path) -> None:
    fixed = invoke("fix", "-", "--stdin-filename", "app/port.py", cwd=tmp_path, stdin=PORT_465)
    assert fixed.returncode == 0
    assert fixed.stdout == PORT_465.replace("465", "587")
    assert "Fixed 1 problem (AS202: 1) in 1 file." in fixed.stderr
    diff = invoke("fix", "--diff", "-", "--stdin-filename", "port.py", cwd=tmp_path, stdin=PORT_465)
    assert diff.returncode == 1 and diff.stdout.startswith("--- a/port.py\n+++ b/port.py\n")
    left = invoke("fix", "-", cwd=tmp_path, stdin=MULTILINE_LOGIN)  # only an unsafe fix
    assert left.returncode == 1 and left.stdout == MULTILINE_LOGIN
    assert "1 problem remains (1 fixable with `authsweep fix --unsafe-fixes`)" in left.stderr
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nextend-exclude = ["legacy"]\n')
    excluded = invoke("fix", "-", "--stdin-filename", "legacy/p.py", cwd=tmp_path, stdin=PORT_465)
    assert excluded.returncode == 0 and excluded.stdout == PORT_465


def test_dev_stdin_reads_stdin(tmp_path: Path) -> None:
    result = invoke("check", "/dev/stdin", cwd=tmp_path, stdin=PORT_465)
    assert result.returncode == 1 and result.stdout.startswith("-:2:40: AS202")
    both = invoke("check", "-", "a.py", cwd=tmp_path, stdin="")
    assert both.returncode == 2 and "cannot be combined" in both.stderr


def test_fix_with_a_baseline_fails_only_on_new_problems(tmp_path: Path) -> None:
    write(tmp_path / "old.py", MULTILINE_LOGIN)
    assert invoke("check", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    result = invoke("fix", "--baseline", "b.json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1 known from the baseline." in result.stdout
    write(tmp_path / "new.py", MULTILINE_LOGIN)
    assert invoke("fix", "--baseline", "b.json", cwd=tmp_path).returncode == 1
    missing = invoke("fix", "--baseline", "missing.json", cwd=tmp_path)
    assert missing.returncode == 2 and "missing.json: cannot read baseline" in missing.stderr
    write(tmp_path / "port.py", PORT_465)
    assert invoke("fix", "--baseline", "missing.json", cwd=tmp_path).returncode == 2
    assert (tmp_path / "port.py").read_text() == PORT_465  # nothing written


def test_show_fixes_lists_what_was_fixed(tmp_path: Path) -> None:
    write(tmp_path / "a.py", PORT_465)
    write(tmp_path / "b.py", "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n")
    result = invoke("fix", "--show-fixes", cwd=tmp_path)
    listed = "Fixed:\n- a.py:\n    1 × AS202 (unsupported-port)\n"
    listed += "- b.py:\n    1 × AS204 (unverified-tls)\n"
    assert listed in result.stdout


def test_one_file_named_twice_is_fixed_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "a.py", PORT_465)
    result = invoke("fix", "--diff", "a.py", "sub/../a.py", ".", cwd=tmp_path)
    assert result.stdout.count("+++ ") == 1
    assert "Would fix 1 problem (AS202: 1) in 1 file." in result.stderr
    checked = invoke("check", "a.py", "sub/../a.py", "--format", "json", cwd=tmp_path)
    assert json.loads(checked.stdout)["summary"]["files_scanned"] == 1


def test_fix_uses_the_check_cache(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'p'\n")
    write(tmp_path / "port.py", PORT_465)
    for number in range(5):
        write(tmp_path / f"clean{number}.py", "import smtplib\n")
    invoke("check", cwd=tmp_path)
    assert list((tmp_path / ".authsweep_cache").glob("results-*.json"))
    from authsweep.scanner import engine

    analysed: list[str] = []
    real = engine.analyze_source

    def counting(path, source):
        analysed.append(path)
        return real(path, source)

    monkeypatch.setattr(engine, "analyze_source", counting)
    result = invoke("fix", "--diff", cwd=tmp_path)
    assert result.returncode == 1
    assert set(analysed) == {"port.py"}  # the clean files came from the cache


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_fix_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    for number in range(12):
        write(tmp_path / f"m{number:02}.py", PORT_465)
    _, err, code = run_on_terminal(["fix", "--diff", "--no-cache"], tmp_path, {})
    assert code == 1 and "Fixing" in err
    _, err, _ = run_on_terminal(["fix", "--diff", "--no-cache", "-q"], tmp_path, {})
    assert "Fixing" not in err
