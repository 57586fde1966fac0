"""Hostile input: nothing crashes a run, hangs it, or passes a file it could not check.

Each test reproduces one attack of the adversarial run behind the hostile-input issue,
with the real command line in a subprocess and a hard timeout: a regression shows as a
failure, never as a stuck test suite.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# ``M.py`` of the adversarial run: implicit TLS on 587 and a password login.
M = (
    "import smtplib\n"
    "\n"
    "\n"
    "def send(u, p):\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.login(u, p)\n"
)
HARD_TIMEOUT = 120


def authsweep(*args: str, cwd: Path, timeout: float = HARD_TIMEOUT, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "authsweep.scanner.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def cpu_seconds(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run the command line, and the processor time it took (its workers' too). Work, not
    wall time: a machine loaded by other work (a parallel test run) does not change it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = authsweep(*args, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def findings(result: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    document = json.loads(result.stdout)
    return sorted((Path(f["path"]).name, f["rule"]) for f in document["findings"])


def test_thousands_of_nested_parentheses_neither_crash_nor_hide_the_rest(tmp_path: Path):
    (tmp_path / "deep.py").write_text("x = " + "(" * 3000 + ")" * 3000 + "\n" + M)
    (tmp_path / "m.py").write_text(M)
    result = authsweep("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert ("deep.py", "AS201") in findings(result)  # its other statements are checked
    assert ("m.py", "AS101") in findings(result)
    errors = json.loads(result.stdout)["errors"]
    assert any("deep.py" in e["path"] and "line 1 not checked" in e["message"] for e in errors)
    fixed = authsweep("fix", ".", "--unsafe-fixes", cwd=tmp_path)
    assert fixed.returncode in (0, 1) and "Traceback" not in fixed.stderr
    assert "smtplib.SMTP(" in (tmp_path / "m.py").read_text()


@pytest.mark.parametrize("terms", [20_000, 200_000])
def test_very_long_expressions_are_checked_and_not_given_to_the_rewriter(tmp_path, terms):
    (tmp_path / "long.py").write_text("x = " + "+".join(["1"] * terms) + "\n" + M)
    result, seconds = cpu_seconds(
        "check", "long.py", "--format", "json", "--no-cache", cwd=tmp_path
    )
    assert seconds < 60
    assert ("long.py", "AS201") in findings(result), result.stderr
    fixed = authsweep("fix", "long.py", "--unsafe-fixes", cwd=tmp_path)
    assert "nested over 200 levels deep for the rewriter" in fixed.stdout + fixed.stderr
    assert "Traceback" not in fixed.stderr


def test_a_long_valid_concatenation_is_not_a_syntax_error(tmp_path: Path):
    pieces = " + ".join(f'"p{i}"' for i in range(30_000))
    (tmp_path / "concat.py").write_text(f"PASSWORD = {pieces}\n" + M)
    result = authsweep("check", "concat.py", "--format", "json", "--no-cache", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["errors"] == []
    assert ("concat.py", "AS201") in findings(result)


def test_generated_modules_are_checked_in_bounded_time(tmp_path: Path):
    table = "DATA = {\n" + "".join(f"    'key{i}': ['v{i}', {i}],\n" for i in range(60_000)) + "}\n"
    (tmp_path / "generated.py").write_text(table + M)  # 1.5 MB; only the mail code is parsed
    (tmp_path / "oneline.py").write_text("import smtplib; " + "x = 1; " * 150_000 + "\n" + M)
    result, seconds = cpu_seconds("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert seconds < 60
    assert {("generated.py", "AS201"), ("oneline.py", "AS201")} <= set(findings(result))


def test_carriage_return_only_files_are_checked_and_fixed(tmp_path: Path):
    (tmp_path / "cr.py").write_bytes(M.replace("\n", "\r").encode())
    (tmp_path / "mixed.py").write_bytes(
        b"import smtplib\r\ns = smtplib.SMTP_SSL('smtp.office365.com', 587)\rs.quit()\n"
    )
    (tmp_path / "m.py").write_text(M)
    result = authsweep("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert {("cr.py", "AS201"), ("mixed.py", "AS201"), ("m.py", "AS201")} <= set(findings(result))
    fixed = authsweep("fix", ".", "--unsafe-fixes", cwd=tmp_path)
    assert "Traceback" not in fixed.stderr
    cr = (tmp_path / "cr.py").read_bytes()
    assert b"\n" not in cr and b"smtplib.SMTP(" in cr and b"starttls" in cr
    compile(cr, "cr.py", "exec")
    mixed = (tmp_path / "mixed.py").read_bytes()
    assert b"smtplib.SMTP(" in mixed and mixed.endswith(b"s.quit()\n")
    compile(mixed, "mixed.py", "exec")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_wide_encodings_are_read_and_written_back(tmp_path: Path, encoding: str):
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""  # the others write their own
    (tmp_path / "m.py").write_bytes(bom + M.encode(encoding))
    (tmp_path / ".env").write_bytes(
        bom + "EMAIL_HOST=smtp.office365.com\nEMAIL_PORT=465\n".encode(encoding)
    )
    written = (tmp_path / ".env").read_bytes()
    result = authsweep("check", ".", "--format", "json", "--no-cache", cwd=tmp_path)
    assert {("m.py", "AS201"), (".env", "AS202")} <= set(findings(result)), result.stdout
    authsweep("fix", ".", "--unsafe-fixes", cwd=tmp_path)
    env = (tmp_path / ".env").read_bytes()
    width = 4 if encoding == "utf-32" else 2
    assert env[:width] == written[:width]  # the same byte order mark, so the same order
    assert "EMAIL_PORT=587" in env.decode("utf-32" if width == 4 else "utf-16")
    assert "smtplib.SMTP(" in (tmp_path / "m.py").read_bytes().decode(
        "utf-32" if width == 4 else "utf-16"
    )


SECRET = "Zq8-Hostile-Secret-4471"


@pytest.mark.parametrize(
    "password",
    [
        f'"""{SECRET[:10]}\n{SECRET[10:]}"""',
        f'"{SECRET[:10]}" \\\n        "{SECRET[10:]}"',
        f'("{SECRET[:10]}"\n        "{SECRET[10:]}")',
        f'b"{SECRET}".decode()',
    ],
    ids=["triple-quoted", "backslash", "parenthesised", "bytes-decode"],
)
def test_secrets_are_masked_however_they_are_written(tmp_path: Path, password: str):
    (tmp_path / "m.py").write_text(
        "import smtplib\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls()\n"
        f"PASSWORD = {password}\n"
        "s.login('bot@contoso.com', PASSWORD)\n"
    )
    cache = tmp_path / "cache"
    outputs = [
        authsweep("check", ".", "--format", fmt, "--cache-dir", str(cache), cwd=tmp_path)
        for fmt in ("text", "json", "sarif", "github", "markdown")
    ]
    diff = authsweep("fix", ".", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert "AS105" in outputs[1].stdout
    printed = "".join(o.stdout + o.stderr for o in [*outputs, diff])
    stored = "".join(p.read_text(errors="replace") for p in cache.rglob("*") if p.is_file())
    for piece in (SECRET[:10], SECRET[10:], SECRET[2:10]):
        assert piece not in printed
        assert piece not in stored


def test_diff_context_lines_mask_a_password_the_fix_keeps(tmp_path: Path):
    (tmp_path / "m.py").write_text(
        "import smtplib\n"
        f"PASSWORD = '{SECRET}'\n"
        "s = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
        "s.login('bot@contoso.com', PASSWORD)\n"
    )
    diff = authsweep("fix", ".", "--diff", cwd=tmp_path)  # safe fixes: the login stays
    assert "smtplib.SMTP(" in diff.stdout
    # Left out of the context, masked or not (so the patch still applies: test_diff_patch).
    assert "PASSWORD = '" not in diff.stdout and SECRET[:6] not in diff.stdout


@pytest.mark.parametrize("separator", ["\f", "\v", "\u2028", "\x1c", "\x85"])
def test_diffs_apply_with_any_line_terminator_python_knows(tmp_path: Path, separator: str):
    """``str.splitlines`` breaks at these too; git and Python do not."""
    repo = tmp_path / "repo"
    repo.mkdir()
    text = (
        "import smtplib\n"
        f"# a section{separator}break\n"
        f"s = smtplib.SMTP_SSL('smtp.office365.com', 587)  # {separator}\n"
        f"NOTE = 'one{separator}two'\n"
        "s.quit()"
    )
    (repo / "m.py").write_text(text, newline="")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    diff = authsweep("fix", "m.py", "--diff", cwd=repo)
    assert diff.returncode == 1, diff.stderr
    assert diff.stdout.count("\\ No newline at end of file") == 1
    (tmp_path / "fix.patch").write_text(diff.stdout, newline="")
    applied = subprocess.run(
        ["git", "apply", str(tmp_path / "fix.patch")],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert applied.returncode == 0, applied.stderr + diff.stdout
    assert "smtplib.SMTP(" in (repo / "m.py").read_bytes().decode()


def test_fix_writes_through_a_symlink(tmp_path: Path):
    (tmp_path / "real.py").write_text(M)
    (tmp_path / "link.py").symlink_to("real.py")
    authsweep("fix", "link.py", cwd=tmp_path)
    assert (tmp_path / "link.py").is_symlink()
    assert "smtplib.SMTP(" in (tmp_path / "real.py").read_text()


def test_fix_keeps_hard_links_and_owner(tmp_path: Path):
    original = tmp_path / "m.py"
    original.write_text(M)
    (tmp_path / "twin.py").hardlink_to(original)
    if os.geteuid() == 0:
        os.chown(original, 4242, 4343)
    authsweep("fix", "m.py", cwd=tmp_path)
    assert "smtplib.SMTP(" in (tmp_path / "twin.py").read_text()
    assert original.stat().st_nlink == 2
    if os.geteuid() == 0:
        assert (original.stat().st_uid, original.stat().st_gid) == (4242, 4343)


def test_fix_keeps_the_owner_of_a_file_with_one_link(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    path = tmp_path / "m.py"
    path.write_text(M)
    os.chown(path, 4242, 4343)
    authsweep("fix", "m.py", cwd=tmp_path)
    assert "smtplib.SMTP(" in path.read_text()
    assert (path.stat().st_uid, path.stat().st_gid) == (4242, 4343)


def test_a_long_file_name_can_be_fixed_and_leftovers_are_cleaned(tmp_path: Path):
    from authsweep.scanner.fixes.write import _temp_prefix

    path = tmp_path / ("m" * 240 + ".py")
    path.write_text(M)
    result = authsweep("fix", path.name, cwd=tmp_path)
    assert "smtplib.SMTP(" in path.read_text(), result.stdout + result.stderr
    assert not list(tmp_path.glob(".authsweep-*"))

    leftover = tmp_path / f"{_temp_prefix(path)}killed.tmp"
    leftover.write_text("left by a killed run")
    old = time.time() - 3600
    os.utime(leftover, (old, old))
    path.write_text(M)
    authsweep("fix", path.name, cwd=tmp_path)
    assert not leftover.exists()


def test_token_provider_gets_the_scope(tmp_path: Path):
    (tmp_path / "corp").mkdir()
    (tmp_path / "corp" / "__init__.py").write_text("")
    (tmp_path / "corp" / "auth.py").write_text(
        "def mail_token(scope):\n    return 'token-for-' + scope\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.authsweep]\ntoken-provider = "corp.auth:mail_token"\n'
    )
    (tmp_path / "send.py").write_text(
        "import smtplib, ssl\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.starttls(context=ssl.create_default_context())\n"
        "s.login('bot@contoso.com', PASSWORD)\n"
    )
    authsweep("fix", "send.py", "--unsafe-fixes", cwd=tmp_path)
    fixed = (tmp_path / "send.py").read_text()
    assert "from corp.auth import mail_token as oauth2_access_token" in fixed
    call = fixed[fixed.index("oauth2_access_token(", fixed.index("Bearer")) :].split(")")[0] + ")"
    token = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from corp.auth import mail_token as oauth2_access_token; print({call})",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert token.stdout.strip() == "token-for-https://outlook.office365.com/.default"


def _workers_of(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if _stat(p.name)[:1] == [str(pid)]]


def _stat(pid: str) -> list[str]:
    """Parent pid and state of a live process (none for a zombie or a gone one)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []
    return [] if fields[0] in "ZX" else [fields[1], fields[0]]


def _alive(pid: int) -> bool:
    return bool(_stat(str(pid)))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_interrupting_a_pooled_fix_ends_it_promptly_and_leaves_no_worker(tmp_path: Path):
    for index in range(300):
        (tmp_path / f"m{index:03}.py").write_text(M)
    process = subprocess.Popen(
        [sys.executable, "-m", "authsweep.scanner.cli", "fix", ".", "--unsafe-fixes"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it: a test run started in the background by a
        # shell without job control inherits SIGINT ignored, which the child would keep.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        workers = _workers_of(process.pid)
    assert workers, "the fix of 300 files should use worker processes"
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    process.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert process.returncode != 0
    time.sleep(0.5)
    assert not [pid for pid in workers if _alive(pid)]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_killing_the_main_process_leaves_no_worker(tmp_path: Path):
    for index in range(600):
        (tmp_path / f"m{index:03}.py").write_text(M)
    shutil.copy(tmp_path / "m000.py", tmp_path / "extra.py")
    process = subprocess.Popen(
        [sys.executable, "-m", "authsweep.scanner.cli", "check", ".", "--no-cache"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
        workers = _workers_of(process.pid)
    if not workers:
        pytest.skip("the check finished before its workers could be seen")
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
