"""Bad input never crashes a run, is reported, and loses nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from authsweep.scanner import runner
from authsweep.scanner.engine import RunOptions
from authsweep.scanner.fixer import fix_paths
from authsweep.scanner.runner import check_paths

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad_input"


def by_file(run) -> tuple[dict[str, set[str]], dict[str, str]]:
    findings: dict[str, set[str]] = {}
    for finding in run.findings:
        findings.setdefault(Path(finding.path).name, set()).add(finding.rule)
    errors = {Path(error.path).name: error.location + ": " + error.message for error in run.errors}
    return findings, errors


def test_bad_input_fixtures() -> None:
    run = check_paths([str(BAD)], RunOptions())
    findings, errors = by_file(run)
    # Unparsable files and statements are listed with a reason and where the parser stops...
    assert set(errors) == {
        "binary_named.py",
        "block_login_refused.py",
        "block_syntax_error.py",
        "deeply_nested.py",
        "mixed_tabs.py",
        "python2_mailer.py",
        "syntax_error.py",
    }
    assert "Python 2" in errors["python2_mailer.py"]
    assert "python2_mailer.py:11:5:" in errors["python2_mailer.py"]
    assert "tabs" in errors["mixed_tabs.py"]
    assert "syntax_error.py:3:12:" in errors["syntax_error.py"]  # where CPython points
    assert "decode" in errors["binary_named.py"]
    # CPython refuses more than 200 nested parentheses: that statement alone is left out.
    assert "nested parentheses; line 2 not checked" in errors["deeply_nested.py"]
    # ...and what parses is checked: BOM + mixed newlines, latin-1, the rest of a module
    # around a refused statement, syntax of a newer Python than the one running.
    assert {"AS201", "AS101"} <= findings["bom_mixed_newlines.py"]
    assert "AS201" in findings["latin1_cookie.py"]
    assert "AS201" in findings["deeply_nested.py"]
    assert "AS201" in findings["newer_python.py"]
    assert "newer_python.py" not in errors
    # Type parameters wrapped over lines, and a backtick in a docstring (not Python 2).
    assert "AS101" in findings["newer_python_wrapped.py"]
    assert "newer_python_wrapped.py" not in errors
    assert "empty.py" not in findings and "empty.py" not in errors


def test_a_refused_line_in_a_block_leaves_out_that_line_only() -> None:
    run = check_paths(
        [str(BAD / "block_syntax_error.py"), str(BAD / "block_login_refused.py")], RunOptions()
    )
    logins = {(Path(f.path).name, f.rule, f.span.line) for f in run.findings}
    # The logins in the first lines of a with block and of a def, before refused lines.
    assert logins == {
        ("block_syntax_error.py", "AS102", 10),
        ("block_syntax_error.py", "AS102", 18),
    }
    unchecked = [(Path(e.path).name, e.line, e.message.rsplit("; ", 1)[-1]) for e in run.errors]
    assert sorted(unchecked) == [
        ("block_login_refused.py", 8, "line 8 not checked"),  # the login: not made up
        ("block_syntax_error.py", 13, "line 13 not checked"),
        ("block_syntax_error.py", 21, "line 21 not checked"),  # in a nested block
        ("block_syntax_error.py", 22, "line 22 not checked"),
    ]


def test_syntax_of_a_newer_python_is_fixed_too(tmp_path: Path) -> None:
    # LibCST reads PEP 695 on any Python; the fixer's own parses blank it as check does.
    path = tmp_path / "newer_python.py"
    shutil.copyfile(BAD / "newer_python.py", path)
    outcome = fix_paths([str(path)], RunOptions(), unsafe=False, write=True)
    assert outcome.errors == []
    text = path.read_text()
    assert "import ssl\n" in text and "def send[T](host: T)" in text
    assert 'SMTP_SSL("smtp.office365.com", 587, context=ssl.create_default_context())' in text


def test_python2_mail_script_is_still_scanned_with_low_confidence() -> None:
    run = check_paths([str(BAD / "python2_mailer.py")], RunOptions())
    as101 = [f for f in run.findings if f.rule == "AS101"]
    assert [(f.span.line, f.confidence.value, f.fix) for f in as101] == [(9, "low", None)]
    assert [e.kind for e in run.errors] == ["unparsable"]


def test_an_except_without_parentheses_may_be_python_3_14(tmp_path: Path) -> None:
    """``except ValueError, TypeError:`` is Python 2's binding or Python 3.14's two types
    (PEP 758): read in the translation all the same, and said so; with a print statement
    beside it, the module is Python 2's."""
    body = (
        "import smtplib\n"
        "try:\n"
        "    pass\n"
        "except ValueError, TypeError:\n"
        "    pass\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        "s.login('a@contoso.com', password)\n"
    )
    (tmp_path / "new.py").write_text(body)
    (tmp_path / "old.py").write_text(body + "print 'sent'\n")
    run = check_paths([str(tmp_path)], RunOptions())
    errors = {Path(e.path).name: e.message for e in run.errors}
    assert "(Python 2 code, or Python 3.14's except without parentheses: " in errors["new.py"]
    assert "(Python 2 code: checked in a Python 3 translation" in errors["old.py"]
    assert {(Path(f.path).name, f.rule) for f in run.findings} >= {
        ("new.py", "AS101"),
        ("old.py", "AS101"),
    }


def test_python2_fallback_masks_literal_secrets(tmp_path: Path) -> None:
    secret = "Py2-Only-Secret-4471"
    (tmp_path / "old.py").write_text(
        "import smtplib\n"
        "s = smtplib.SMTP('smtp.office365.com', 587)\n"
        f"s.login('a@contoso.com', '{secret}')\n"
        "print 'done'\n"
    )
    run = check_paths([str(tmp_path)], RunOptions())
    assert {f.rule for f in run.findings} >= {"AS101", "AS105", "AS203"}
    for finding in run.findings:
        assert secret not in finding.message
        assert all(secret not in text for _, text in finding.frame)


def test_huge_generated_module_is_skipped_with_a_reason(tmp_path: Path) -> None:
    big = tmp_path / "generated_pb2.py"
    with big.open("w") as handle:
        handle.write("import smtplib\n")
        line = "DATA_%d = b'" + "x" * 200 + "'\n"
        for index in range(20 * 1024 * 1024 // 210):
            handle.write(line % index)
    (tmp_path / "mail.py").write_text(
        "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    )
    run = check_paths([str(tmp_path)], RunOptions())
    assert [(Path(e.path).name, e.kind) for e in run.errors] == [("generated_pb2.py", "too-large")]
    assert "MB" in run.errors[0].message
    assert any(f.rule == "AS201" for f in run.findings)


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret_mail.py").write_text(
        "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    )
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "loop").symlink_to(tree, target_is_directory=True)
    (tree / "pkg" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (tree / "pkg" / "link.py").symlink_to(outside / "secret_mail.py")
    (tree / "pkg" / "ok.py").write_text("x = 1\n")
    run = check_paths([str(tree)], RunOptions())
    assert run.findings == [] and run.errors == []
    assert run.files_scanned == 1


def test_file_that_disappears_is_reported(tmp_path: Path, monkeypatch) -> None:
    from authsweep.scanner import discover as discovery

    (tmp_path / "gone.py").write_text("import smtplib\n")
    (tmp_path / "stays.py").write_text(
        "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    )
    real = discovery.discover

    def discover_then_delete(*args, **kwargs):
        result = real(*args, **kwargs)
        (tmp_path / "gone.py").unlink()
        return result

    monkeypatch.setattr("authsweep.scanner.runner.discover", discover_then_delete)
    run = check_paths([str(tmp_path)], RunOptions())
    assert [(Path(e.path).name, e.kind) for e in run.errors] == [("gone.py", "unreadable")]
    assert any(f.rule == "AS201" for f in run.findings)


@pytest.mark.slow
def test_non_utf8_file_name(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9_mail.py"
    with open(name, "wb") as handle:
        handle.write(b"import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from authsweep.scanner.cli import main; main()",
            "check",
            str(tmp_path),
        ],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert b"AS201" in result.stdout
    assert b"Traceback" not in result.stderr


def test_fix_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "ro.py"
    original = "import smtplib\ns = smtplib.SMTP_SSL('smtp.office365.com', 587)\ns.quit()\n"
    path.write_text(original)
    path.chmod(0o444)
    outcome = fix_paths([str(path)], RunOptions(), unsafe=False, write=True)
    assert [e.message for e in outcome.errors] == ["fix not written: read-only file; not written"]
    assert path.read_text() == original
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)


def test_interrupted_write_leaves_the_original_and_no_temp_file(tmp_path: Path, monkeypatch):
    path = tmp_path / "m.py"
    original = "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587).quit()\n"
    path.write_text(original)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fix_paths([str(path)], RunOptions(), unsafe=False, write=True)
    assert path.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


@pytest.mark.slow
def test_sigterm_during_a_sweep_leaves_whole_files(tmp_path: Path) -> None:
    original = "import smtplib\ns = smtplib.SMTP_SSL('smtp.office365.com', 587)\ns.quit()\n"
    for index in range(300):
        (tmp_path / f"m{index}.py").write_text(original)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from authsweep.scanner.cli import main; main()",
            "fix",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Stop it once it has started writing (or finished: both must leave whole files).
    for _ in range(400):
        if process.poll() is not None:
            break
        if any("SMTP(" in p.read_text() for p in tmp_path.iterdir() if p.suffix == ".py"):
            break
        subprocess.run(["sleep", "0.01"], check=False)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert all(name.endswith(".py") for name in names), names  # no temporary file left
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert text == original or ("smtplib.SMTP(" in text and "starttls" in text), text


def test_scanned_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    (tmp_path / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "import smtplib\n"
        "smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    )
    (tmp_path / "conftest.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (tmp_path / "setup.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    check_paths([str(tmp_path)], RunOptions())
    fix_paths([str(tmp_path)], RunOptions(), unsafe=True, write=False)
    assert not marker.exists()


@pytest.mark.slow
def test_a_hanging_file_times_out_and_the_rest_goes_on(tmp_path: Path, monkeypatch) -> None:
    import time

    from authsweep.scanner import engine

    (tmp_path / "slow.py").write_text("import smtplib\n")
    (tmp_path / "ok.py").write_text("import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n")
    real = engine.analyze_source

    def slow(path, source):
        if path.endswith("slow.py"):
            time.sleep(30)
        return real(path, source)

    monkeypatch.setattr(engine, "analyze_source", slow)
    monkeypatch.setattr(runner, "FILE_TIMEOUT_SECONDS", 0.5)
    files, _ = runner.discover([str(tmp_path)])
    results = list(
        runner.run(files, RunOptions(), engine.selected_rules(RunOptions()), timeout=0.5)
    )
    errors = [e for r in results for e in r.errors]
    assert [(Path(e.path).name, e.kind) for e in errors] == [("slow.py", "timeout")]
    assert any(f.rule == "AS201" for r in results for f in r.findings)


def test_a_crashing_worker_is_reported_and_the_sweep_goes_on(tmp_path, monkeypatch) -> None:
    from authsweep.scanner import engine

    for index in range(6):
        (tmp_path / f"m{index}.py").write_text(
            "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
        )
    (tmp_path / "crash.py").write_text("import smtplib\n")
    real = engine.analyze_source

    def crash(path, source):
        if path.endswith("crash.py"):
            os._exit(3)  # a segfault in a C extension looks like this to the pool
        return real(path, source)

    monkeypatch.setattr(engine, "analyze_source", crash)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "PARALLEL_WORK", 1)
    files, _ = runner.discover([str(tmp_path)])
    results = list(runner.run(files, RunOptions(), engine.selected_rules(RunOptions()), jobs=2))
    errors = [(Path(e.path).name, e.kind) for r in results for e in r.errors]
    assert errors == [("crash.py", "internal")]
    assert sum(1 for r in results for f in r.findings if f.rule == "AS201") == 6


def test_a_crash_after_unanswered_results_blames_only_its_file(tmp_path, monkeypatch) -> None:
    """Workers answer several files at once: the files a worker had finished but not yet
    answered when it died are checked again, and only the file it was on is blamed."""
    from authsweep.scanner import engine, pool

    for index in range(39):
        (tmp_path / f"m{index:02}.py").write_text(
            "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n"
        )
    (tmp_path / "m20_crash.py").write_text("import smtplib\n")
    real = engine.analyze_source

    def crash(path, source):
        if path.endswith("crash.py"):
            os._exit(3)
        return real(path, source)

    monkeypatch.setattr(engine, "analyze_source", crash)
    monkeypatch.setattr(runner, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(runner, "PARALLEL_WORK", 1)
    monkeypatch.setattr(pool, "ANSWER_SECONDS", 60.0)  # a whole chunk in one answer
    files, _ = runner.discover([str(tmp_path)])
    results = list(runner.run(files, RunOptions(), engine.selected_rules(RunOptions()), jobs=2))
    errors = [(Path(e.path).name, e.kind) for r in results for e in r.errors]
    assert errors == [("m20_crash.py", "internal")]
    assert sorted(Path(r.path).name for r in results) == sorted(p.name for p in tmp_path.iterdir())
    assert sum(1 for r in results for f in r.findings if f.rule == "AS201") == 39


def test_fixtures_copy_fix_diff_never_crashes(tmp_path: Path) -> None:
    tree = tmp_path / "bad"
    shutil.copytree(BAD, tree)
    before = {p.name: p.read_bytes() for p in tree.iterdir()}
    outcome = fix_paths([str(tree)], RunOptions(), unsafe=True, write=False)
    assert {p.name: p.read_bytes() for p in tree.iterdir()} == before
    assert {Path(e.path).name for e in outcome.errors} >= {"python2_mailer.py", "syntax_error.py"}
    assert "bom_mixed_newlines.py" in outcome.diff
