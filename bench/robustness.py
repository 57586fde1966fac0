"""Robustness sweep: authsweep over real trees, the bad-input fixtures and generated
pathological modules, counting crashes.

Runs ``authsweep check`` (JSON) and ``authsweep fix --diff --unsafe-fixes`` over the
pinned reference trees of bench/run.py (homeassistant, Django, Airflow) and over
``fixtures/bad_input``, and reports for each: exit codes, tracebacks on stderr (there
must be none), files scanned and parsed, findings, and every skipped file with its
reason. Nothing is written to the trees: ``--diff`` only prints.

Then each generated module (deep nesting, long expressions, huge literals, one-line and
very large files, each with a basic-auth login in it) is checked and fixed on its own,
and its wall time and peak memory (``ru_maxrss`` of the child, from ``os.wait4``) are
reported against the limits: no file may take more than 5 s or 500 MB, and none may
crash or hang the run.

Last, each reproduction of a hostile tree (planted git config and hooks, a symlinked
cache, a FIFO as the baseline, 1,000 folders deep, a malformed or stale cache, a
``.gitignore`` star) runs once, with its time and memory and whether the defence held;
then each hostile output (tampered shard files, a full disk and a closed pipe on stdout,
``lab run``'s process group on timeout and SIGTERM, secrets in frames and diffs, a diff
``git apply`` must take, control characters for the terminal);
then those of what ``fix`` reads and writes (a ``.env`` linked out of the project, a
device or FIFO where its module goes, comments and form feeds LibCST drops, a password
in a file git has no copy of, a program appending meanwhile, two runs at once) and of the
per-file bounds (a login hidden by utf-7, a 7.7 MB line, 20,000 chained calls, 300
connections on one name).

    python bench/robustness.py [--trees homeassistant,django,airflow] [--write-results]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402 - the tree downloads of the benchmark

REPO = Path(__file__).resolve().parent.parent
BAD_INPUT = REPO / "fixtures" / "bad_input"


def authsweep_command() -> list[str]:
    found = shutil.which("authsweep") or str(Path(sys.executable).parent / "authsweep")
    return [found]


def sweep(label: str, root: Path) -> dict:
    """Run check and fix --diff over one tree; return what happened."""
    command = authsweep_command()
    report: dict = {"label": label}
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "report.json"
        started = time.perf_counter()
        check = subprocess.run(
            [
                *command,
                "check",
                str(root),
                "--format",
                "json",
                "--exit-zero",
                "--no-cache",
                "--output-file",
                str(output),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        report["check_seconds"] = time.perf_counter() - started
        report["check_exit"] = check.returncode
        report["check_tracebacks"] = check.stderr.count("Traceback")
        document = json.loads(output.read_text()) if output.exists() else {}
    summary = document.get("summary", {})
    report["files_scanned"] = summary.get("files_scanned")
    report["files_parsed"] = summary.get("files_parsed")
    report["findings"] = summary.get("findings")
    report["by_rule"] = summary.get("by_rule", {})
    report["errors"] = [
        (error["path"], error.get("kind", ""), error["message"])
        for error in document.get("errors", [])
    ]
    started = time.perf_counter()
    fix = subprocess.run(
        [*command, "fix", "--diff", "--unsafe-fixes", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    report["fix_seconds"] = time.perf_counter() - started
    report["fix_exit"] = fix.returncode
    report["fix_tracebacks"] = fix.stderr.count("Traceback")
    # One "+++ " header per changed file (b/ prefixed for relative paths, bare for absolute).
    report["fix_diff_files"] = sum(1 for line in fix.stdout.splitlines() if line.startswith("+++ "))
    return report


# A module that mentions mail, appended to every generated one: the run must find it.
MAIL = (
    "\nimport smtplib\n\n\ndef send(u, p):\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.login(u, p)\n"
)
LIMIT_SECONDS = 5.0
LIMIT_MB = 500


def pathological() -> dict[str, str]:
    """Generated modules that took parsers down or over their time and memory."""
    return {
        "nested-parentheses-3000.py": "x = " + "(" * 3000 + ")" * 3000 + "\n" + MAIL,
        "nested-lists-150.py": "x = " + "[" * 150 + "]" * 150 + "\n" + MAIL,
        "sum-20k-terms.py": "x = " + "+".join(["1"] * 20_000) + "\n" + MAIL,
        "sum-200k-terms.py": "x = " + "+".join(["1"] * 200_000) + "\n" + MAIL,
        "concatenation-30k.py": "P = " + " + ".join(f'"p{i}"' for i in range(30_000)) + MAIL,
        "dict-literal-2.4MB.py": "D = {\n"
        + "".join(f"    'key{i}': ['v{i}', {i}, {{'a': {i}}}],\n" for i in range(60_000))
        + "}\n"
        + MAIL,
        "one-line-1MB.py": "import smtplib; " + "x = 1; " * 150_000 + "\n" + MAIL,
        "module-7.9MB.py": "".join(
            f"def f{i}(a, b=2):\n    return a + b * {i} + len('text{i}')\n" for i in range(120_000)
        )
        + MAIL,
        "long-line-strings-1MB.py": "S = '" + "x" * 1_000_000 + "'\n" + MAIL,
        "deep-if-90.py": "".join("    " * i + "if x:\n" for i in range(90))
        + "    " * 90
        + "pass\n"
        + MAIL,
    }


def measure(command: list[str]) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak MB of the child, and its stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    return code, seconds, usage.ru_maxrss / 1024, stderr


def torture() -> list[dict]:
    """Check and fix each generated module alone, with its time and memory."""
    command = authsweep_command()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in pathological().items():
            path = Path(scratch) / name
            path.write_text(text)
            print(f"  {name} ({len(text) / 1e6:.1f} MB) ...", file=sys.stderr)
            found = subprocess.run(
                [*command, "check", str(path), "--format", "json", "--no-cache", "--exit-zero"],
                capture_output=True,
                text=True,
                check=False,
            )
            document = json.loads(found.stdout) if found.stdout.startswith("{") else {}
            row = {
                "file": name,
                "mb": len(text.encode()) / 1e6,
                "rules": sorted({f["rule"] for f in document.get("findings", [])}),
                "errors": [e["message"] for e in document.get("errors", [])],
            }
            for step, arguments in (
                ("check", ["check", str(path), "--no-cache", "--format", "json"]),
                ("fix", ["fix", "--diff", "--unsafe-fixes", str(path)]),
            ):
                code, seconds, megabytes, stderr = measure([*command, *arguments])
                row[step] = (code, seconds, megabytes, stderr.count("Traceback"))
            rows.append(row)
    return rows


def render_torture(rows: list[dict]) -> str:
    lines = [
        "| generated module | MB | check: exit, s, peak MB | fix --diff: exit, s, peak MB | "
        "found | not checked |",
        "|---|--:|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            f"{c[0]}, {c[1]:.2f} s, {c[2]:.0f} MB" + (" TRACEBACK" if c[3] else "")
            for c in (row["check"], row["fix"])
        ]
        lines.append(
            f"| `{row['file']}` | {row['mb']:.1f} | {cells[0]} | {cells[1]} | "
            f"{', '.join(row['rules']) or '-'} | {'; '.join(row['errors']) or '-'} |"
        )
    return "\n".join(lines) + "\n"


def over_limits(rows: list[dict]) -> list[str]:
    problems = []
    for row in rows:
        for step in ("check", "fix"):
            code, seconds, megabytes, tracebacks = row[step]
            if code not in (0, 1) or tracebacks:
                problems.append(f"{row['file']} {step}: exit {code}, {tracebacks} tracebacks")
            if seconds > LIMIT_SECONDS or megabytes > LIMIT_MB:
                problems.append(f"{row['file']} {step}: {seconds:.1f} s, {megabytes:.0f} MB")
        if "AS101" not in row["rules"]:
            problems.append(f"{row['file']}: the login in it was not found")
    return problems


def render(reports: list[dict]) -> str:
    lines = [
        "| tree | check exit | fix --diff exit | tracebacks | files scanned | parsed | "
        "findings | files in diff | skipped | check s | fix s |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in reports:
        lines.append(
            f"| {r['label']} | {r['check_exit']} | {r['fix_exit']} | "
            f"{r['check_tracebacks'] + r['fix_tracebacks']} | {r['files_scanned']} | "
            f"{r['files_parsed']} | {r['findings']} | {r['fix_diff_files']} | "
            f"{len(r['errors'])} | {r['check_seconds']:.1f} | {r['fix_seconds']:.1f} |"
        )
    for r in reports:
        if not r["errors"]:
            continue
        kinds = Counter(kind for _, kind, _ in r["errors"])
        lines.append("")
        lines.append(
            f"Skipped in {r['label']} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}):"
        )
        for path, kind, message in r["errors"]:
            lines.append(f"- `{path}`: {kind}: {message}")
    return "\n".join(lines) + "\n"


# --- Hostile trees: git, the cache, the baseline, deep folders, .gitignore (issue 21) ----
# Each reproduction of the issue builds its tree in a temporary folder, runs the one
# authsweep command the attack targets, and reports the exit code, wall time, peak memory
# of the run and whether the defence held (nothing ran, nothing outside was written,
# nothing was missed, no crash).

HOSTILE_GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
HOSTILE_HOOKS = (
    "pre-commit prepare-commit-msg commit-msg post-commit post-checkout "
    "reference-transaction post-index-change pre-auto-gc"
).split()
# AS202 with a safe fix: a campaign has something to commit.
PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, **HOSTILE_GIT_ENV}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _repository(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "--no-verify", "-m", "initial")
    return path


def _plant(repo: Path, markers: Path) -> None:
    """The fsmonitor hook, a clean/smudge filter for every file and a hook of each kind
    the commands reach, each leaving a marker file when run."""
    markers.mkdir(exist_ok=True)
    for event in HOSTILE_HOOKS:
        hook = repo / ".git" / "hooks" / event
        hook.write_text(f"#!/bin/sh\ntouch {markers}/{event}\n")
        hook.chmod(0o755)
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(
            f'[core]\n\tfsmonitor = "touch {markers}/fsmonitor; false"\n'
            f'[filter "x"]\n\tclean = "touch {markers}/clean; cat"\n'
            f'\tsmudge = "touch {markers}/smudge; cat"\n'
        )
    (repo / ".git" / "info" / "attributes").write_text("* filter=x\n")
    later = time.time() + 5
    for file in repo.rglob("*"):
        if file.is_file() and ".git" not in file.relative_to(repo).parts:
            os.utime(file, (later, later))


def _deep(top: Path, depth: int = 1000) -> Path:
    """top/a/a/.../a (``depth`` folders; os.makedirs recurses) with a module at the bottom."""
    top.mkdir(parents=True, exist_ok=True)
    folder = os.open(top, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("a", dir_fd=folder)
        inner = os.open("a", os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    descriptor = os.open("m.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
    os.write(descriptor, PORT_465.encode())
    os.close(descriptor)
    os.close(folder)
    return top


def _remove_deep(top: Path) -> None:
    """shutil.rmtree without recursion (it recurses, and fails 1,000 folders deep)."""
    folders, stack = [], [str(top)]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


def _measure_in(command: list[str], cwd: Path) -> tuple[int, float, float, str, str]:
    """Exit code, wall seconds, peak MB (``ru_maxrss`` from ``os.wait4``), stdout and
    stderr of ``command`` run in ``cwd``."""
    env = {**os.environ, **HOSTILE_GIT_ENV}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it is reaped
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    return process.returncode, seconds, usage.ru_maxrss / 1024, stdout, stderr


def hostile_trees(cases: dict | None = None) -> list[dict]:
    """Run every reproduction once; each row says what was tried and whether it held."""
    command = authsweep_command()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for number, (name, setup) in enumerate((_HOSTILE if cases is None else cases).items()):
            case = root / f"case-{number}"
            case.mkdir()
            arguments, held = setup(case)
            code, seconds, peak, stdout, stderr = _measure_in([*command, *arguments], case)
            rows.append(
                {
                    "case": name,
                    "exit": code,
                    "seconds": seconds,
                    "mb": peak,
                    "tracebacks": stderr.count("Traceback"),
                    "held": held(code, stdout, stderr),
                }
            )
            _remove_deep(case)
    return rows


def _nested_repository_check(case: Path):
    markers = case / "markers"
    _plant(_repository(case / "tree" / "vendor" / "lib", {"send.py": PORT_465}), markers)
    return ["check", "tree", "--no-cache"], lambda code, out, err: not any(markers.iterdir())


def _campaign(case: Path):
    markers = case / "markers"
    _plant(_repository(case / "org" / "ports", {"send.py": PORT_465}), markers)
    arguments = ["sweep", "org", "--fix", "--branch", "authsweep/tls", "--no-cache"]
    return arguments, lambda code, out, err: code in (0, 1) and not any(markers.iterdir())


def _changed_since_option(case: Path):
    repo = _repository(case / "repo", {"send.py": PORT_465})
    before = sorted(repo.iterdir())
    arguments = ["check", "repo", "--changed-since=--output=made-by-git", "--no-cache"]
    return arguments, lambda code, out, err: code == 2 and sorted(repo.iterdir()) == before


def _cache_link(case: Path):
    tree = case / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text("[project]\nname = 'shop'\n")  # the cache's root
    (tree / "send.py").write_text(PORT_465)
    outside = case / "outside"
    outside.mkdir()
    (tree / ".authsweep_cache").symlink_to(outside)
    return ["check", "tree"], lambda code, out, err: code == 1 and not any(outside.iterdir())


def _baseline_fifo(case: Path):
    (case / "send.py").write_text(PORT_465)
    os.mkfifo(case / "baseline.json")
    arguments = ["check", "send.py", "--write-baseline", "baseline.json", "--no-cache"]
    return arguments, lambda code, out, err: code == 2 and (case / "baseline.json").is_fifo()


def _deep_check(case: Path):
    _deep(case / "tree")
    return ["check", "tree", "--no-cache"], lambda code, out, err: code == 1 and "m.py" in out


def _deep_sweep(case: Path):
    _repository(case / "org" / "ports", {"send.py": PORT_465})
    _deep(case / "org" / "scratch")
    return ["sweep", "org", "--no-cache"], lambda code, out, err: code == 1 and not err


def _malformed_cache(case: Path):
    tree = case / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text("[project]\nname = 'shop'\n")  # the cache's root
    (tree / "send.py").write_text(PORT_465)
    subprocess.run([*authsweep_command(), "check", "tree", "-q"], cwd=case, capture_output=True)
    (results,) = (tree / ".authsweep_cache").glob("results-*.json")
    document = json.loads(results.read_text())
    for entry in document["files"].values():
        if len(entry) > 4:  # a file with findings: one of the wrong shape
            entry[4] = [{"rule": 1}]
    results.write_text(json.dumps(document))
    return ["check", "tree"], lambda code, out, err: code == 1 and "internal error" not in err


def _stale_input(case: Path):
    tree = case / "tree"
    (tree / "app").mkdir(parents=True)
    (tree / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (tree / "app" / "mailer.py").write_text(
        "import os, smtplib, ssl\nfrom settings import SMTP_HOST\n"
        "s = smtplib.SMTP(SMTP_HOST, 587)\ns.starttls(context=ssl.create_default_context())\n"
        's.login("shop", os.environ["SMTP_PASSWORD"])\n'
    )
    (tree / "settings.py").write_text('SMTP_HOST = "smtp.gmail.com"\n')
    old = time.time() - 3600
    for file in tree.rglob("*.py"):
        os.utime(file, (old, old))
    subprocess.run([*authsweep_command(), "check", "tree", "-q"], cwd=case, capture_output=True)
    (tree / "settings.py").write_text('SMTP_HOST = "smtp.office365.com"\n')
    return ["check", "tree"], lambda code, out, err: code == 1 and "AS101" in out


def _gitignore_star(case: Path):
    (case / "tree" / "a" / "b").mkdir(parents=True)
    (case / "tree" / ".gitignore").write_text("a/*.py\n")
    (case / "tree" / "a" / "x.py").write_text(PORT_465)
    (case / "tree" / "a" / "b" / "deep.py").write_text(PORT_465)
    return ["check", "tree", "--no-cache"], lambda code, out, err: "deep.py" in out


_HOSTILE = {
    "nested .git/config and hooks, check": _nested_repository_check,
    "planted repository, sweep --fix": _campaign,
    "--changed-since=--output=FILE": _changed_since_option,
    "cache folder a symlink": _cache_link,
    "--write-baseline onto a FIFO": _baseline_fifo,
    "1,000 folders deep, check": _deep_check,
    "1,000 folders deep, sweep": _deep_sweep,
    "malformed cache entry": _malformed_cache,
    "imported setting changed, cached run": _stale_input,
    "a/*.py in .gitignore, a/b/deep.py": _gitignore_star,
}


# ---------------------------------------------------------------- fix's reads and writes
# Issue 21 items 4, 7-11, 15, 19: what fix reads and writes in a tree it does not trust,
# and the per-file bounds. Each case: (arguments, held) as for _HOSTILE.

_DJANGO_SETTINGS = (
    'EMAIL_HOST = "smtp.office365.com"\nEMAIL_PORT = 587\nEMAIL_USE_TLS = True\n'
    'EMAIL_HOST_USER = "desk@contoso.com"\n'
)
_SECRET = "Winter-Mail-26"
_MAIL = (
    "import smtplib\n\n\ndef send():\n"
    '    with smtplib.SMTP_SSL("smtp.office365.com", 587) as s:\n'
    "        s.send_message(message)\n"
)


def _helpdesk(case: Path, password: str) -> Path:
    (case / "helpdesk").mkdir()
    (case / "manage.py").write_text("")
    (case / "helpdesk" / "__init__.py").write_text("")
    (case / "helpdesk" / "settings.py").write_text(_DJANGO_SETTINGS + password)
    return case


def _dotenv_out_of_project(case: Path):
    outside = case / "outside.env"
    outside.write_text(f"DEBUG=1\nEMAIL_HOST_PASSWORD={_SECRET}\n")
    (case / "project").mkdir()
    project = _helpdesk(case / "project", "")
    (project / "helpdesk" / "settings.py").write_text(
        "import os\n"
        + _DJANGO_SETTINGS
        + 'EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]\n'
    )
    (project / ".env").symlink_to(outside)
    return (
        ["fix", "--unsafe-fixes", "project"],
        lambda code, out, err: (
            _SECRET in outside.read_text() and "outside the project; not edited" in out
        ),
    )


def _special_module(target: str):
    def setup(case: Path):
        module = _helpdesk(case, f'EMAIL_HOST_PASSWORD = "{_SECRET}"\n') / "helpdesk"
        if target == "fifo":
            os.mkfifo(module / "mail_oauth2.py")
        else:
            (module / "mail_oauth2.py").symlink_to(target)
        return [
            "fix",
            "--unsafe-fixes",
            ".",
        ], lambda code, out, err: code == 1 and "not a regular file" in out

    return setup


def _kept_or_refused(name: str, code_text: str, *, unsafe: bool = False):
    """A file fix must keep byte for byte outside its edits: held when every line of it
    not about the connection is still there."""

    def setup(case: Path):
        (case / name).write_text(code_text)
        kept = [line for line in code_text.splitlines() if "smtplib" not in line]

        def held(code: int, out: str, err: str) -> bool:
            after = (case / name).read_text().splitlines()
            return all(line in after for line in kept)

        return ["fix", *(["--unsafe-fixes"] if unsafe else []), name], held

    return setup


def _untracked_dotenv(case: Path):
    _helpdesk(case, 'EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]\n')
    settings = case / "helpdesk" / "settings.py"
    settings.write_text("import os\n" + settings.read_text())
    (case / ".env").write_text(f"EMAIL_HOST_PASSWORD={_SECRET}\n")
    return [
        "fix",
        "--unsafe-fixes",
        ".",
    ], lambda code, out, err: _SECRET in (case / ".env").read_text()


def _untracked_module(case: Path):
    _helpdesk(case, f'EMAIL_HOST_PASSWORD = "{_SECRET}"\n')
    settings = case / "helpdesk" / "settings.py"
    return (
        ["fix", "--unsafe-fixes", "."],
        lambda code, out, err: (
            _SECRET in settings.read_text() and "EMAIL_BACKEND" in settings.read_text()
        ),
    )


_APPENDER = (
    "import sys, time\n"
    "time.sleep(0.3)\n"
    "for n in range(20000):\n"
    "    with open(sys.argv[1], 'a') as f:\n"
    "        f.write(f'# appended {n}\\n')\n"
)


def _appending(case: Path):
    (case / "m.py").write_text(_MAIL)
    appender = subprocess.Popen([sys.executable, "-c", _APPENDER, str(case / "m.py")])

    def held(code: int, out: str, err: str) -> bool:
        appender.wait()
        lines = set((case / "m.py").read_text().splitlines())
        return all(f"# appended {n}" in lines for n in range(20000))

    return ["fix", "m.py"], held


def _two_runs(case: Path):
    (case / "m.py").write_text(_MAIL)
    other = subprocess.Popen(
        [*authsweep_command(), "fix", "m.py"], cwd=case, stdout=subprocess.PIPE, text=True
    )

    def held(code: int, out: str, err: str) -> bool:
        first, _ = other.communicate()
        text = (case / "m.py").read_text()
        return (first + out).count("Fixed ") <= 1 and text.count("starttls(") == 1

    return ["fix", "m.py"], held


def _hidden_utf7(case: Path):
    import base64

    body = (
        'import smtplib\ns = smtplib.SMTP("smtp.office365.com", 587)\ns.starttls()\n'
        f's.login("desk@contoso.com", "{_SECRET}")'
    )
    lines = [
        "+" + base64.b64encode(line.encode("utf-16-be")).decode().rstrip("=") + "-"
        for line in body.split("\n")
    ]
    (case / "m.py").write_bytes(("# -*- coding: utf-7 -*-\n" + "\n".join(lines)).encode())
    return ["check", "m.py", "--no-cache"], lambda code, out, err: "AS101" in out


def _generated(name: str, text: str, held):
    def setup(case: Path):
        (case / name).write_text(text)
        return ["check", name, "--no-cache"], held

    return setup


_DEDENTED = (
    _MAIL
    + '\n\nif __name__ == "__main__":\n    # try:\n        send()\n    # except:\n'
    + '    #     print("failed")\n'
)
_FIX_DATA = {
    "fix: .env linked out of the project": _dotenv_out_of_project,
    "fix: module path -> /dev/zero": _special_module("/dev/zero"),
    "fix: module path -> /dev/stdin": _special_module("/dev/stdin"),
    "fix: FIFO at the module path": _special_module("fifo"),
    "fix: comment indented unlike its block": _kept_or_refused("d.py", _DEDENTED),
    "fix: five trailing comments": _kept_or_refused(
        "t.py", _MAIL + "\n  # one\n  # two\n  # three\n  # four\n  # five\n"
    ),
    "fix: form feed before an edited statement": _kept_or_refused(
        "f.py", _MAIL.replace("\n\ndef send", "\n\n\f\ndef send"), unsafe=True
    ),
    "fix: password in an untracked .env": _untracked_dotenv,
    "fix: password in an untracked module": _untracked_module,
    "fix beside a program appending to the file": _appending,
    "two fix runs on one file at once": _two_runs,
    "check: login hidden in utf-7": _hidden_utf7,
    "check: 7.7 MB on one line": _generated(
        "one_line.py",
        "import smtplib; " + "x = 1; " * 1_100_000 + "\n" + MAIL,
        lambda code, out, err: "too complex" in out,
    ),
    "check: 20,000 chained calls": _generated(
        "chain.py", "x = f" + "()" * 20_000 + "\n" + MAIL, lambda code, out, err: "AS101" in out
    ),
    "check: 300 connections on one name": _generated(
        "many.py",
        "import smtplib\n"
        + "".join(
            f"s = smtplib.SMTP('smtp.office365.com', 587)\ns.login(u, p{i})\n" for i in range(300)
        ),
        lambda code, out, err: "too complex" in out,
    ),
}


def fix_data_attacks() -> list[dict]:
    """The reproductions of what fix reads and writes, and the per-file bounds."""
    return hostile_trees(_FIX_DATA)


def render_hostile(rows: list[dict]) -> str:
    lines = ["| reproduction | exit | s | peak MB | held |", "|---|--:|--:|--:|---|"]
    for row in rows:
        held = "yes" if row["held"] and not row["tracebacks"] else "NO"
        lines.append(
            f"| {row['case']} | {row['exit']} | {row['seconds']:.2f} | {row['mb']:.0f} | {held} |"
        )
    return "\n".join(lines) + "\n"


# --- Hostile outputs: shard files, stdout, lab run, secrets, diffs, terminals (issue 21,
# items 16-18 and 20-23). Each reproduction runs once, as the hostile trees above do, with
# its exit code, wall time, peak memory and whether the defence held.

_META = '<meta http-equiv="refresh" content="0;url=https://attacker.example/">'
_OUTPUT_SECRETS = (
    "Ropc-Bench-7731",
    "Raw-Bench-4410",
    "Query-Bench-6627",
    "Built-Bench-4471",
    "Ini-Second-Bench-2468",
)
_SECRET_FILES = {
    "ropc.py": "import msal\napp = msal.PublicClientApplication('id')\n"
    "app.acquire_token_by_username_password('bot@contoso.com', 'Ropc-Bench-7731', SCOPES)\n",
    "raw.py": "import requests\nrequests.post('https://login.microsoftonline.com/c/oauth2/v2.0/"
    "token?access_token=Query-Bench-6627', data={'grant_type': 'password', "
    "'password': 'Raw-Bench-4410', 'scope': 'https://outlook.office365.com/.default'})\n",
    "built.py": "import smtplib\ns = smtplib.SMTP_SSL('smtp.office365.com', 587)\n"
    "s.login('bot@contoso.com', '%s-%s' % ('Built', 'Bench-4471'))\n",
    "mail.ini": "[mail]\nhost = smtp.office365.com\nport = 465\n"
    "password = Ini-First-Bench\n    Ini-Second-Bench-2468\n",
}
# A password two lines above a safe fix: context of the hunk unless left out of it.
_CONTEXT_SECRET = (
    "import smtplib\n\nPASSWORD = 'Context-Bench-9911'\nHOST = 'smtp.office365.com'\n"
    "s = smtplib.SMTP_SSL(HOST, 587)\ns.login('bot@contoso.com', PASSWORD)\n"
)
_ACTING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _measure_output(
    command: list[str], cwd: Path, stdout: int, *, signal_after: float | None = None
) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak MB and stderr of ``command`` writing to ``stdout``
    (a descriptor); with ``signal_after``, SIGTERM is sent that many seconds in."""
    env = {**os.environ, **HOSTILE_GIT_ENV, "TMPDIR": str(cwd / "tmp")}
    (cwd / "tmp").mkdir(exist_ok=True)
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout, stderr=err)
        if signal_after is not None:
            time.sleep(signal_after)
            process.send_signal(signal.SIGTERM)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return process.returncode, seconds, usage.ru_maxrss / 1024, stderr


def _shards(case: Path) -> tuple[dict, dict, dict]:
    """Five repositories swept whole and in two shards; the three documents."""
    for index in range(5):
        _repository(case / "org" / f"r{index}", {"send.py": PORT_465})
    command = authsweep_command()
    documents = []
    for shard in (None, "1/2", "2/2"):
        extra = ["--shard", shard] if shard else []
        run = subprocess.run(
            [*command, "sweep", "org", *extra, "--format", "json", "--no-cache", "--exit-zero"],
            cwd=case,
            env={**os.environ, **HOSTILE_GIT_ENV},
            capture_output=True,
            text=True,
            check=True,
        )
        documents.append(json.loads(run.stdout))
    whole, first, second = documents
    (case / "s2.json").write_text(json.dumps(second))
    return whole, first, second


def _tampered_shard(change):
    def setup(case: Path):
        _, first, _ = _shards(case)
        change(first)
        (case / "bad.json").write_text(json.dumps(first))
        return ["merge", "bad.json", "s2.json", "--format", "html"], "bad.json: "

    return setup


def _three_of_five(case: Path):
    whole, _, _ = _shards(case)
    gone = {r["name"] for r in whole["sweep"]["repositories"][:2]}
    whole["sweep"]["repositories"] = whole["sweep"]["repositories"][2:]
    whole["findings"] = [f for f in whole["findings"] if f["repository"] not in gone]
    whole["summary"].update(findings=len(whole["findings"]), repositories=3)
    whole["summary"]["by_status"]["safe-fixes"] = 3
    (case / "fewer.json").write_text(json.dumps(whole))
    return ["merge", "fewer.json", "--format", "html"], "the input had 5 repositories"


def _document_attacks() -> dict:
    def repository(document: dict) -> dict:
        return document["sweep"]["repositories"][0]

    return {
        'shard "count": "2"': _tampered_shard(lambda d: d["sweep"]["shards"].update(count="2")),
        'shard "indexes": 5': _tampered_shard(lambda d: d["sweep"]["shards"].update(indexes=5)),
        "shard without a repository's name": _tampered_shard(lambda d: repository(d).pop("name")),
        "shard without summary": _tampered_shard(lambda d: d.pop("summary")),
        "shard count 10**12": _tampered_shard(lambda d: d["sweep"]["shards"].update(count=10**12)),
        "markup in a count, merge to HTML": _tampered_shard(
            lambda d: repository(d).update(findings=_META)
        ),
        "merged report: 3 of 5 repositories": _three_of_five,
    }


def _running(pid: int) -> bool:
    """A live process (a zombie waiting for its reaper is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def output_attacks() -> list[dict]:
    """Run every output reproduction once; each row says whether its defence held."""
    command = authsweep_command()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)

        def row(name: str, code: int, seconds: float, mb: float, stderr: str, held: bool):
            rows.append(
                {
                    "case": name,
                    "exit": code,
                    "seconds": seconds,
                    "mb": mb,
                    "tracebacks": stderr.count("Traceback"),
                    "held": held,
                }
            )

        for number, (name, setup) in enumerate(_document_attacks().items()):
            case = root / f"document-{number}"
            case.mkdir()
            arguments, expected = setup(case)
            with tempfile.TemporaryFile() as out:
                code, seconds, mb, stderr = _measure_output(
                    [*command, *arguments], case, out.fileno()
                )
                out.seek(0)
                printed = out.read().decode(errors="replace")
            held = code == 2 and expected in stderr and _META not in printed and mb < 500
            row(name, code, seconds, mb, stderr, held)
        case = root / "shard-count"
        _repository(case / "org" / "r0", {"send.py": PORT_465})
        code, seconds, mb, stderr = _measure_output(
            [*command, "sweep", "org", "--shard", "1/1000000000", "--no-cache"],
            case,
            subprocess.DEVNULL,
        )
        row("sweep --shard 1/1000000000", code, seconds, mb, stderr, code == 2 and mb < 500)

        case = root / "stdout"
        case.mkdir()
        (case / "m.py").write_text(PORT_465)
        for label, arguments in (
            ("check --exit-zero > /dev/full", ["check", "m.py", "--no-cache", "--exit-zero"]),
            ("sweep > /dev/full", ["sweep", str(root / "shard-count" / "org"), "--no-cache"]),
            ("rules > /dev/full", ["rules"]),
        ):
            with open("/dev/full", "wb") as full:
                code, seconds, mb, stderr = _measure_output(
                    [*command, *arguments], case, full.fileno()
                )
            one_line = (
                stderr == "authsweep: error: cannot write the output: No space left on device\n"
            )
            row(label, code, seconds, mb, stderr, code == 2 and one_line)
        reader, writer = os.pipe()
        os.close(reader)
        code, seconds, mb, stderr = _measure_output(
            [*command, "check", "m.py", "--no-cache"], case, writer
        )
        os.close(writer)
        row("check, stdout a closed pipe", code, seconds, mb, stderr, code == 141 and not stderr)

        # Two background sleeps in the command's group: gone after --timeout, and after
        # SIGTERM to lab run (which still prints the verdict and removes its folder).
        script = "sleep 3101 & echo $! > pids; sleep 3102 & echo $! >> pids; wait"
        for label, options, after in (
            ("lab run --timeout 2, two background sleeps", ["--timeout", "2"], None),
            ("SIGTERM to lab run, two background sleeps", [], 3.0),
        ):
            case = root / f"lab-{len(rows)}"
            case.mkdir()
            with tempfile.TemporaryFile() as out:
                code, seconds, mb, stderr = _measure_output(
                    [*command, "lab", "run", *options, "--", "sh", "-c", script],
                    case,
                    out.fileno(),
                    signal_after=after,
                )
                out.seek(0)
                verdict = out.read().decode(errors="replace").startswith("authsweep lab verdict")
            pids = [int(p) for p in (case / "pids").read_text().split()]
            left = [pid for pid in pids if _running(pid)]
            clean = not any((case / "tmp").iterdir())
            row(label, code, seconds, mb, stderr, bool(pids) and not left and verdict and clean)

        case = root / "secrets"
        case.mkdir()
        for name, text in _SECRET_FILES.items():
            (case / name).write_text(text)
        for label, arguments in (
            ("secrets: check, code frames", ["check", ".", "--no-cache"]),
            (
                "secrets: fix --diff --unsafe-fixes",
                ["fix", ".", "--diff", "--unsafe-fixes", "--no-cache"],
            ),
        ):
            with tempfile.TemporaryFile() as out:
                code, seconds, mb, stderr = _measure_output(
                    [*command, *arguments], case, out.fileno()
                )
                out.seek(0)
                printed = out.read().decode(errors="replace") + stderr
            row(label, code, seconds, mb, stderr, not any(s in printed for s in _OUTPUT_SECRETS))

        case = _repository(root / "diff", {"m.py": _CONTEXT_SECRET})
        with tempfile.TemporaryFile() as out:
            code, seconds, mb, stderr = _measure_output(
                [*command, "fix", ".", "--diff", "--no-cache"], case, out.fileno()
            )
            out.seek(0)
            patch = out.read()
        applied = subprocess.run(
            ["git", "apply", "--check", "-"], cwd=case, input=patch, capture_output=True
        )
        held = applied.returncode == 0 and b"Context-Bench-9911" not in patch
        row("fix --diff (a secret in context), git apply --check", code, seconds, mb, stderr, held)

        case = root / "terminal"
        case.mkdir()
        (case / "mail\x1b]0;owned\x07\r.py").write_text(
            "import smtplib\ns = smtplib.SMTP_SSL('smtp.office365.com', 465)  "
            "# \x1b[8mconcealed\x1b[0m \u202etxt.exe\n"
        )
        for label, arguments in (
            ("OSC/SGR/CR/bidi in a name and source, check", ["check", ".", "--no-cache"]),
            ("the same, --format github", ["check", ".", "--no-cache", "--format", "github"]),
        ):
            with tempfile.TemporaryFile() as out:
                code, seconds, mb, stderr = _measure_output(
                    [*command, *arguments], case, out.fileno()
                )
                out.seek(0)
                printed = out.read().decode(errors="replace")
            row(
                label, code, seconds, mb, stderr, code == 1 and not _ACTING.search(printed + stderr)
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", default="homeassistant,django,airflow")
    parser.add_argument("--cache-dir", type=Path, default=Path.home() / ".cache/authsweep-bench")
    parser.add_argument(
        "--write-results", action="store_true", help="append the result to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    reports = []
    for name in [t for t in args.trees.split(",") if t]:
        tree = bench.prepare_tree(bench.TREES[name], args.cache_dir, sys.executable)
        print(f"sweeping {tree.spec.label} ...", file=sys.stderr)
        reports.append(sweep(tree.spec.label, tree.root))
    reports.append(sweep("fixtures/bad_input", BAD_INPUT))
    table = render(reports)
    print(table)
    crashes = sum(r["check_tracebacks"] + r["fix_tracebacks"] for r in reports)
    crashes += sum(
        1 for r in reports if r["check_exit"] not in (0, 1) or r["fix_exit"] not in (0, 1)
    )
    print(f"{crashes} crashes")
    print("generated modules:", file=sys.stderr)
    rows = torture()
    torture_table = render_torture(rows)
    print(torture_table)
    problems = over_limits(rows)
    print(
        "\n".join(problems)
        or f"every generated module within {LIMIT_SECONDS:g} s and {LIMIT_MB} MB"
    )
    print("hostile trees:", file=sys.stderr)
    hostile = hostile_trees()
    hostile_table = render_hostile(hostile)
    print(hostile_table)
    print("hostile outputs:", file=sys.stderr)
    outputs = output_attacks()
    outputs_table = render_hostile(outputs)
    print(outputs_table)
    print("fix's reads and writes, per-file bounds:", file=sys.stderr)
    fix_data = fix_data_attacks()
    fix_data_table = render_hostile(fix_data)
    print(fix_data_table)
    hostile += outputs + fix_data
    failed = [row["case"] for row in hostile if not row["held"] or row["tracebacks"]]
    if args.write_results:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        section = (
            f"\n## Robustness sweep, {stamp}\n\n"
            f"`python bench/robustness.py --trees {args.trees} --write-results`\n\n"
            f"{table}\n{crashes} crashes (an exit code other than 0 or 1, or a traceback).\n\n"
            f"Generated modules, each checked and fixed alone (limits: {LIMIT_SECONDS:g} s, "
            f"{LIMIT_MB} MB):\n\n{torture_table}\n"
            + ("\n".join(f"- over: {p}" for p in problems) or "Every one within the limits.")
            + f"\n\nHostile trees (issue 21), each run once:\n\n{hostile_table}"
            + f"\nHostile outputs (issue 21), each run once:\n\n{outputs_table}"
            + f"\nfix's reads and writes, per-file bounds (issue 21):\n\n{fix_data_table}"
        )
        with bench.RESULTS_FILE.open("a", encoding="utf-8") as handle:
            handle.write(section)
    return 1 if crashes or problems or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
