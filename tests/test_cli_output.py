"""What people read: help, layouts, counts and words, colour, the gate's threshold, the
catalog off a terminal, warnings, start-up imports (issue 15)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from check_imports import imported
from cli_support import IMPLICIT_TLS_587, MULTILINE_LOGIN, cli_commands, invoke, run_cli, write

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO = REPO_ROOT / "fixtures" / "legacy_mailer"
# High Volume Email: basic auth allowed until 2028, reported as info.
HVE_LOGIN = (
    "import smtplib, ssl\n"
    "s = smtplib.SMTP('smtp-hve.office365.com', 587)\n"
    "s.starttls(context=ssl.create_default_context())\n"
    "s.login(user, password)\n"
)
PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)


@pytest.mark.slow
def test_help_shows_metavars_not_type_labels() -> None:
    for name in ("", *cli_commands()):
        args = [name, "--help"] if name else ["--help"]
        text = invoke(*args, cwd=REPO_ROOT).stdout
        assert "Usage: " in text, name
        assert not re.search(r"<(bool|str|int|path|file|list\[str\]|int range)>", text), text
        assert not any(line != line.rstrip() for line in text.splitlines()), name
    check = invoke("check", "--help", cwd=REPO_ROOT).stdout
    for shown in ("[PATH]...", "--select RULES", "--fail-on SEVERITY", "--max-file-size SIZE"):
        assert shown in check


@pytest.mark.slow
def test_unknown_values_say_what_is_allowed(tmp_path: Path) -> None:
    for args, wanted in (
        (("--format", "xml"), "--format: 'xml' is not a format; choose one of text, json"),
        (("--output-format", "xml"), "--output-format: 'xml' is not a layout"),
        (("--fail-on", "fatal"), "--fail-on: 'fatal' is not one of error, warning, info"),
        (("--color", "sometimes"), "--color: 'sometimes' is not one of auto, always, never"),
        (("--max-file-size", "big"), "--max-file-size: 'big' is not a size"),
        (("--format", "json", "--output-format", "concise"), "a text layout"),
        (("--format", "json", "--output-format", "sarif"), "disagree"),
    ):
        result = invoke("check", *args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert wanted in result.stderr and "Value error" not in result.stderr, result.stderr
    assert invoke("rules", "--format", "xml", cwd=tmp_path).returncode == 2


@pytest.mark.slow
def test_counts_are_plural_correct_and_count_files_with_findings(tmp_path: Path) -> None:
    summary = invoke("check", "--no-cache", str(DEMO), cwd=REPO_ROOT).stdout.splitlines()[-1]
    assert summary.startswith("Found 14 problems (9 errors, 5 warnings) in 6 of 8 files. ")
    write(tmp_path / "one.py", "import smtplib\nsmtplib.SMTP_SSL('smtp.office365.com', 587)\n")
    one = invoke("check", "one.py", cwd=tmp_path).stdout
    assert "Found 2 problems (1 error, 1 warning) in 1 file. 1 fixable with" in one
    write(tmp_path / "clean.py", "print('hello')\n")
    clean = invoke("check", "clean.py", cwd=tmp_path).stdout
    assert clean == "No problems found in 1 file.\n"
    fixed = invoke("fix", "one.py", cwd=tmp_path).stdout.splitlines()
    assert fixed[-2:] == ["Fixed 1 of 2 problems (AS204: 1) in 1 file.", "1 problem remains."]


def test_layouts(tmp_path: Path) -> None:
    write(tmp_path / "port.py", PORT_465)
    write(tmp_path / "login.py", MULTILINE_LOGIN)
    concise = invoke("check", "--output-format", "concise", cwd=tmp_path).stdout.splitlines()
    assert concise[0] == "login.py:6:5: AS101 [**] SMTP password login to 'smtp.office365.com'"
    assert concise[1].startswith("port.py:2:40: AS202 [*] port 465 of 'smtp.office365.com'")
    assert all(len(line) < 120 for line in concise[:-1])
    grouped = invoke("check", "--output-format", "grouped", cwd=tmp_path).stdout
    assert grouped.startswith("login.py:\n  6:5  AS101 [error] SMTP password login")
    assert "\n\nport.py:\n  2:40  AS202 [error] port 465" in grouped
    full = invoke("check", "--output-format", "full", cwd=tmp_path).stdout
    assert full == invoke("check", cwd=tmp_path).stdout
    assert "      6 |     s.login(" in full
    as_json = invoke("check", "--output-format", "json", cwd=tmp_path).stdout
    assert json.loads(as_json)["summary"]["findings"] == 2


def test_show_fixes_under_each_fixable_finding(tmp_path: Path) -> None:
    write(tmp_path / "port.py", PORT_465)
    shown = invoke("check", "--show-fixes", cwd=tmp_path).stdout
    assert re.search(r"\[\*fixable\]\n(.*\n)*    fix \(safe\): .+", shown), shown
    concise = invoke("check", "--show-fixes", "--output-format", "concise", cwd=tmp_path).stdout
    assert concise.splitlines()[1].startswith("    fix (safe): ")


def test_low_confidence_findings_are_marked() -> None:
    path = REPO_ROOT / "fixtures" / "bad_input" / "python2_mailer.py"
    result = invoke("check", "--no-cache", str(path), cwd=REPO_ROOT)
    assert re.search(r":9:5: AS101 \[error\] .*\[low confidence\]$", result.stdout, re.M)


def test_syntax_errors_are_shown_where_the_parser_points(tmp_path: Path) -> None:
    write(tmp_path / "broken.py", "import smtplib\n\ndef broken(:\n    pass\n")
    result = invoke("check", "broken.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "broken.py:3:12: unparsable: syntax error: invalid syntax" in result.stdout
    errors = json.loads(invoke("check", "--format", "json", cwd=tmp_path).stdout)["errors"]
    assert (errors[0]["line"], errors[0]["column"]) == (3, 12)
    github = invoke("check", "--format", "github", cwd=tmp_path).stdout
    assert github.startswith("::error file=broken.py,line=3,col=12,title=authsweep%3A unparsable::")


@pytest.mark.slow
def test_info_findings_do_not_fail_unless_asked(tmp_path: Path) -> None:
    write(tmp_path / "hve.py", HVE_LOGIN)
    result = invoke("check", cwd=tmp_path)
    assert result.returncode == 0
    assert "AS101 [info]" in result.stdout and "1 below fail-on does not fail" in result.stdout
    assert invoke("check", "--fail-on", "info", cwd=tmp_path).returncode == 1
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)  # an error
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nfail-on = "error"\n')
    assert invoke("check", cwd=tmp_path).returncode == 1
    write(tmp_path / "pyproject.toml", '[tool.authsweep.severity]\nAS201 = "warning"\n')
    assert invoke("check", "--fail-on", "error", cwd=tmp_path).returncode == 0
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nfail-on = "fatal"\n')
    bad = invoke("check", cwd=tmp_path)
    assert bad.returncode == 2 and "fail-on: expected one of error, warning, info" in bad.stderr


@pytest.mark.slow
def test_size_limit_is_a_setting_and_fails_the_run(tmp_path: Path) -> None:
    write(tmp_path / "big.py", IMPLICIT_TLS_587 + "# padding\n" * 200)
    result = invoke("check", "--max-file-size", "1KB", cwd=tmp_path)
    assert result.returncode == 1
    assert "big.py: too-large: not checked: 2.1 KB is over max-file-size (1 KB)" in result.stdout
    assert "AS201" in invoke("check", "--max-file-size", "0", cwd=tmp_path).stdout
    write(tmp_path / "pyproject.toml", "[tool.authsweep]\nmax-file-size = 1024\n")
    assert "too-large" in invoke("check", cwd=tmp_path).stdout
    assert "AS201" in invoke("check", "--max-file-size", "1MB", cwd=tmp_path).stdout
    piped = invoke("check", "-", "--stdin-filename", "big.py", cwd=tmp_path, stdin="x\n" * 600)
    assert piped.returncode == 1 and "too-large" in piped.stdout
    write(tmp_path / "pyproject.toml", '[tool.authsweep]\nmax-file-size = "huge"\n')
    assert invoke("check", cwd=tmp_path).returncode == 2


def test_an_empty_scan_warns(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "nothing to see\n")
    result = invoke("check", cwd=tmp_path)
    assert result.returncode == 0
    assert "authsweep: warning: no files checked in .: authsweep reads Python" in result.stderr
    assert invoke("check", "-q", cwd=tmp_path).stderr == ""
    assert "warning: no files checked" in invoke("fix", cwd=tmp_path).stderr


def test_check_hook_message_under_pre_commit(tmp_path: Path) -> None:
    write(tmp_path / "port.py", PORT_465)
    plain = invoke("check", cwd=tmp_path).stdout
    assert "1 fixable with `authsweep fix` (marked *)" in plain
    hooked = invoke("check", cwd=tmp_path, env={"PRE_COMMIT": "1"}).stdout
    assert "1 fixable with `pre-commit run authsweep-fix` (marked *)" in hooked


@pytest.mark.slow
def test_colour_choices_off_a_terminal(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    assert "\x1b[" not in invoke("check", cwd=tmp_path).stdout
    assert "\x1b[" in invoke("check", cwd=tmp_path, env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in invoke("check", "--color", "always", cwd=tmp_path).stdout
    both = {"FORCE_COLOR": "1", "NO_COLOR": "1"}  # NO_COLOR wins, as in CPython
    assert "\x1b[" not in invoke("check", cwd=tmp_path, env=both).stdout
    assert "\x1b[" not in invoke("check", "--no-color", cwd=tmp_path, env=both).stdout
    forced = invoke("check", "--color", "never", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in forced.stdout
    assert "\x1b[" in invoke("fix", "--diff", cwd=tmp_path, env={"FORCE_COLOR": "1"}).stderr


def test_rules_and_explain_off_a_terminal_are_plain_and_whole(tmp_path: Path) -> None:
    rules = invoke("rules", cwd=tmp_path).stdout.splitlines()
    assert rules[0].split() == ["id", "name", "severity", "fix", "what", "it", "flags"]
    assert any(len(line) > 120 for line in rules)  # never cut at 80 columns
    assert all(line == line.rstrip() for line in rules)
    row = next(line for line in rules if line.startswith("AS205"))
    assert row.endswith("yagmail `smtp_ssl` with `smtp_starttls`.")
    catalog = json.loads(invoke("rules", "--format", "json", cwd=tmp_path).stdout)
    as900 = next(rule for rule in catalog if rule["id"] == "AS900")
    assert as900["name"] == "unused-suppression" and as900["fix"] == "safe"
    assert next(rule for rule in catalog if rule["id"] == "AS104")["fix"] is None
    explained = invoke("explain", "AS101", cwd=tmp_path).stdout
    assert explained.startswith("# AS101 smtp-basic-auth\n")
    assert all(line == line.rstrip() for line in explained.splitlines())


def test_cache_is_made_at_the_project_root(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(project / "pyproject.toml", "[project]\nname = 'p'\n")
    write(project / "src" / "tls.py", IMPLICIT_TLS_587)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    invoke("check", str(project / "src"), cwd=elsewhere)
    invoke("fix", "--diff", str(project / "src" / "tls.py"), cwd=elsewhere)
    assert list(elsewhere.iterdir()) == []
    cache = project / ".authsweep_cache"
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    )
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert list(cache.glob("results-*.json"))


# Modules that must not be imported for --version and --help.
HEAVY = ("rich", "libcst", "yaml", "authsweep.rules", "authsweep.scanner.engine")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"]])
def test_version_and_help_import_only_the_command_line(tmp_path: Path, args: list[str]) -> None:
    modules = imported(*args, cwd=tmp_path)
    assert "click" in modules
    assert not {m for m in modules for heavy in HEAVY if m == heavy or m.startswith(heavy + ".")}


# What `check` must not import: the other commands, and typer and pydantic (whose option
# checking cost about 0.1 s of every run's start-up; bench/RESULTS.md).
NOT_FOR_CHECK = (
    "authsweep.scanner.cli.fix",
    "authsweep.scanner.cli.fixing",
    "authsweep.scanner.cli.docs",
    "authsweep.scanner.cli.show",
    "authsweep.scanner.cli.tenant",
    "authsweep.scanner.sweep",
    "authsweep.lab",
    "typer",
    "pydantic",
)


def test_check_imports_no_other_command(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    modules = imported("check", "--no-cache", "tls.py", cwd=tmp_path)
    assert "authsweep.scanner.cli.check" in modules and "authsweep.scanner.engine" in modules
    assert not {
        m for m in modules for name in NOT_FOR_CHECK if m == name or m.startswith(name + ".")
    }


# What a check of the files a pre-commit hook names does not need: git (and the subprocess
# module), the baseline's temporary files.
NOT_FOR_NAMED_FILES = ("authsweep.scanner.git", "subprocess", "tempfile", "shutil")


def test_check_of_named_files_imports_no_git_and_no_tempfile(tmp_path: Path) -> None:
    # Mail code with nothing to fix (a fix's planning brings LibCST, which needs them).
    write(tmp_path / "relay.py", "import smtplib\n\nsmtplib.SMTP('relay.internal', 25).noop()\n")
    write(tmp_path / "pyproject.toml", "[tool.authsweep]\nselect = ['AS2']\n")
    modules = imported("check", "--format", "json", "relay.py", cwd=tmp_path)
    assert "authsweep.scanner.cache" in modules and "authsweep.scanner.options_file" in modules
    assert not modules & set(NOT_FOR_NAMED_FILES)


COLLECTOR = (
    "import atexit, gc, sys\n"
    "from authsweep import main\n"
    "sys.argv = ['authsweep', *sys.argv[1:]]\n"
    "atexit.register(\n"
    "    lambda: sys.stderr.write(f'\\nCOLLECTOR {gc.isenabled()} {gc.get_freeze_count()}')\n"
    ")\n"
    "main()\n"
)


@pytest.mark.parametrize("args", [["check", "--no-cache", "tls.py"], ["--version"]])
def test_the_command_freezes_start_up_and_collects_after_it(
    tmp_path: Path, args: list[str]
) -> None:
    """The collector is paused for start-up, what start-up made is frozen, and it runs
    again after (a whole tree's analysis frees its cycles through it)."""
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    result = subprocess.run(
        [sys.executable, "-c", COLLECTOR, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    enabled, frozen = result.stderr.rsplit("COLLECTOR ", 1)[1].split()
    # About 9,300 objects of a check's start-up (typing not imported), 18,000 of --version's
    assert enabled == "True" and int(frozen) > 5_000


# Whether the Python front end's module (imported for the first Python file, after
# start-up) is frozen by the end: a frozen object is in no generation the collector walks.
FRONT_END_FROZEN = (
    "import atexit, gc, sys\n"
    "from authsweep import main\n"
    "sys.argv = ['authsweep', *sys.argv[1:]]\n"
    "def frozen():\n"
    "    module = vars(sys.modules['authsweep.scanner.python.frontend'])\n"
    "    walked = any(o is module for o in gc.get_objects())\n"
    "    sys.stderr.write(f'\\nFROZEN {not walked} {gc.isenabled()}')\n"
    "atexit.register(frozen)\n"
    "main()\n"
)


def test_the_front_end_imported_for_the_first_file_is_frozen(tmp_path: Path) -> None:
    """A front end is imported for the first file of its kind, after start-up is over: what
    it made is frozen before the file is analysed (the collection after the file would
    traverse it), and the collector runs again after the file."""
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    result = subprocess.run(
        [sys.executable, "-c", FRONT_END_FROZEN, "check", "--no-cache", "tls.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "AS201" in result.stdout, result.stderr
    assert result.stderr.rsplit("FROZEN ", 1)[1].split() == ["True", "True"]


# The command run as its script runs it, with a function at exit that makes the
# interpreter's teardown say when it starts (with a last collection, which ending the
# process skips); a thread that is not a daemon when asked.
AT_EXIT = (
    "import atexit, gc, os, sys, threading\n"
    "from authsweep import main\n"
    "def at_exit():\n"
    "    gc.callbacks.append(lambda phase, info, write=os.write: write(2, b'TORN DOWN\\n'))\n"
    "    sys.stderr.write('AT EXIT\\n')\n"
    "atexit.register(at_exit)\n"
    "if sys.argv[1] == 'thread':\n"
    "    threading.Thread(target=threading.Event().wait, args=(0.2,)).start()\n"
    "sys.argv = ['authsweep', *sys.argv[2:]]\n"
    "main()\n"
)


@pytest.mark.parametrize(
    ("args", "status", "out", "err"),
    [
        (["check", "--no-cache", "tls.py"], 1, "AS201", ""),
        (["--version"], 0, "authsweep ", ""),
        (["check", "--select", "XX9"], 2, "", "--select"),
    ],
)
def test_the_command_ends_without_tearing_the_interpreter_down(
    tmp_path: Path, args: list[str], status: int, out: str, err: str
) -> None:
    """The process ends when the command is over: its status, output and the functions
    registered at exit as before, but not the interpreter's freeing of every object."""
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    result = subprocess.run(
        [sys.executable, "-c", AT_EXIT, "-", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == status, result.stderr
    assert out in result.stdout and err in result.stderr
    assert result.stderr.endswith("AT EXIT\n") and "TORN DOWN" not in result.stderr


def test_a_thread_still_running_at_the_end_gets_the_interpreters_own_exit(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", AT_EXIT, "thread", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("authsweep ")
    assert "AT EXIT" in result.stderr and "TORN DOWN" in result.stderr


def test_the_app_run_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    import gc

    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    frozen = gc.get_freeze_count()
    invoke("check", "--no-cache", "tls.py", cwd=tmp_path)
    assert gc.isenabled() and gc.get_freeze_count() == frozen


@pytest.mark.slow
def test_check_imports_only_what_its_output_needs(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    text = imported("check", "--no-cache", cwd=tmp_path)
    assert "authsweep.scanner.report.text" in text
    assert not {m for m in text if m == "rich" or m.startswith("rich.")}
    assert "authsweep.scanner.report.sarif" not in text
    as_json = imported("check", "--no-cache", "--format", "json", cwd=tmp_path)
    assert "authsweep.scanner.report.text" not in as_json and "rich" not in as_json


@pytest.mark.slow
def test_python_dash_m_still_works(tmp_path: Path) -> None:
    write(tmp_path / "tls.py", IMPLICIT_TLS_587)
    result = run_cli("check", "tls.py", "--output-format", "concise", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("tls.py:3:1: AS201 smtplib uses")
