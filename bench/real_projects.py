"""`fix --unsafe-fixes` on real public projects, judged by their own test suites.

For each project (pinned commit): its tests before the fix, after it, and after the test
doubles are updated the way a maintainer would update them (a fake SMTP class without
`starttls(context=...)` or `auth(...)` is the test's problem, not the rewrite's). The
maintainer's update is a patch under bench/real_projects/, applied to the fixed tree.

The snapshots come from a mirror (``git archive`` of the pinned commit), each project gets a
throw-away virtual environment, and its tests run in a network namespace of their own
(``unshare -rn``, loopback only): nothing a test does can reach a mail server.

    python bench/real_projects.py --mirrors /work/.mirror --work /tmp/realproj [--only NAME]

A mirror is a bare clone at ``MIRRORS/owner+name/repo`` (``git clone --mirror
https://github.com/owner/name MIRRORS/owner+name/repo``); authsweep comes from PATH.

Writes ``WORK/results.json`` and prints a Markdown table for bench/FIXES.md.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PATCHES = BENCH / "real_projects"


@dataclass(frozen=True)
class Project:
    name: str
    repo: str
    commit: str
    requirements: tuple[str, ...]  # the test dependencies, as pip arguments
    tests: tuple[str, ...]  # pytest arguments, from the project root
    assume_microsoft: bool = False  # only where the project's own config is Microsoft's
    env: dict[str, str] = field(default_factory=dict)
    # what the fixed code adds to the project's declared dependencies, installed after the fix
    added: tuple[str, ...] = ("msal>=1.23",)


PROJECTS = [
    Project(
        name="red-mail",
        repo="Miksus/red-mail",
        commit="01c175e1bb4b9a315ed766ac7b920a2dd2bf44a7",
        requirements=("pytest", "jinja2", "pandas", "css_inline"),
        tests=("redmail/test", "-p", "no:cacheprovider"),
    ),
    Project(
        name="mailmerge",
        repo="awdeorio/mailmerge",
        commit="ec6b39ebb1d20902637c2517c03e1e20e289a742",
        requirements=(
            "pytest",
            "pytest-mock",
            "freezegun",
            "click>=8.3",
            "jinja2",
            "markdown",
            "html5lib",
        ),
        tests=("tests", "-p", "no:cacheprovider"),
    ),
    Project(
        name="apprise",
        repo="caronc/apprise",
        commit="cf17bc9ecd2686c62b548b4577b6e06839331a60",
        requirements=(
            "pytest",
            "pytest-mock",
            "mock",
            "requests",
            "requests-oauthlib",
            "click>=5.0",
            "markdown",
            "PyYAML",
            "certifi",
        ),
        tests=("tests/test_plugin_email.py", "-p", "no:cacheprovider"),
    ),
    Project(
        name="django-mailbox",
        repo="coddingtonbear/django-mailbox",
        commit="4c7135469e32757605f26af8515eda455b89f703",
        requirements=("pytest", "pytest-django", "mock", "Django>=4.2,<5.0"),
        # setup.cfg's [pytest] section is refused by pytest 8: its settings are given here
        tests=(
            *("-c", "/dev/null", "--rootdir", ".", "-p", "no:cacheprovider"),
            "django_mailbox/tests",
        ),
        env={"DJANGO_SETTINGS_MODULE": "django_mailbox.tests.settings"},
    ),
]


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    return done.returncode, done.stdout + done.stderr


def export(mirrors: Path, project: Project, dest: Path) -> None:
    """The pinned commit's tree, without the mirror's history."""
    git_dir = mirrors / project.repo.replace("/", "+") / "repo"
    archive = subprocess.run(
        ["git", "-C", str(git_dir), "archive", project.commit],
        capture_output=True,
        check=True,
    ).stdout
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")


def pytest_in_sandbox(python: Path, tree: Path, project: Project) -> dict[str, object]:
    """The project's tests with no network but loopback; the tree first on sys.path."""
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "PYTHONPATH": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(tree.parent / "home"),
        **project.env,
    }
    pytest = [str(python), "-m", "pytest", "-q", "-rfE", *project.tests]
    script = "ip link set lo up && exec " + " ".join(f"'{a}'" for a in pytest)
    code, output = run(["unshare", "-rn", "sh", "-c", script], tree, env)
    summary = re.findall(r"^=* ?(\d+ (?:passed|failed).*?)(?: in [\d.]+s)? ?=*$", output, re.M)
    failed = sorted(set(re.findall(r"^(?:FAILED|ERROR) (\S+)", output, re.M)))
    return {"exit": code, "summary": summary[-1] if summary else output[-400:], "failed": failed}


def authsweep(argv: list[str], tree: Path) -> tuple[int, str]:
    return run(["authsweep", *argv], tree)


def diff_size(before: Path, after: Path) -> dict[str, int]:
    _, out = run(["diff", "-ruN", str(before), str(after)], before.parent)
    files = len(re.findall(r"^diff -ruN", out, re.M))
    lines = out.splitlines()
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    (after.parent / "fix.diff").write_text(out)
    return {"files": files, "added": added, "removed": removed}


def evaluate(mirrors: Path, work: Path, project: Project) -> dict[str, object]:
    root = work / project.name
    shutil.rmtree(root, ignore_errors=True)
    original, fixed = root / "original", root / "fixed"
    export(mirrors, project, original)
    (root / "home").mkdir()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    code, out = run([str(python), "-m", "pip", "install", "-q", *project.requirements], root)
    if code:
        return {"name": project.name, "error": f"pip install failed: {out[-800:]}"}
    result: dict[str, object] = {"name": project.name, "commit": project.commit}
    result["tests_before"] = pytest_in_sandbox(python, original, project)

    shutil.copytree(original, fixed)
    options = ["--assume-microsoft"] if project.assume_microsoft else []
    check = ["check", "--format", "json", "--no-cache", "--exit-zero", *options, "."]
    _, checked = authsweep(check, fixed)
    result["findings"] = sorted(
        f"{f['path']}:{f['line']} {f['rule']}{' (fixable)' if f['fixable'] else ''}"
        for f in json.loads(checked)["findings"]
    )
    code, out = authsweep(["fix", "--unsafe-fixes", "--no-cache", *options, "."], fixed)
    result["fix"] = {"exit": code, "output": out.strip().splitlines()[-6:]}
    result["diff"] = diff_size(original, fixed)
    if result["diff"]["files"]:
        run([str(python), "-m", "pip", "install", "-q", *project.added], root)
    result["tests_after_fix"] = pytest_in_sandbox(python, fixed, project)

    patch = PATCHES / f"{project.name}.patch"
    if patch.is_file():
        code, out = run(["patch", "-p1", "-i", str(patch)], fixed)
        result["doubles_patch"] = {"exit": code, "output": out.strip()[-400:]}
        result["tests_after_doubles"] = pytest_in_sandbox(python, fixed, project)
    return result


def table(results: list[dict[str, object]]) -> str:
    rows = [
        "| project | findings | fix diff (files, +/-) | tests before | after fix | after doubles |",
        "|---|--:|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            rows.append(f"| {r['name']} | {r['error'][:80]} | | | | |")
            continue
        diff = r["diff"]
        doubles = r.get("tests_after_doubles", {}).get("summary", "(no change needed)")
        size = f"{diff['files']}, +{diff['added']}/-{diff['removed']}"
        rows.append(
            f"| {r['name']} | {len(r['findings'])} | {size} "
            f"| {r['tests_before']['summary']} | {r['tests_after_fix']['summary']} | {doubles} |"
        )
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    p.add_argument("--work", type=Path, default=Path("/tmp/realproj"))
    p.add_argument("--only", action="append", default=[])
    args = p.parse_args()
    results = []
    for project in PROJECTS:
        if args.only and project.name not in args.only:
            continue
        print(f"{project.name} ...", file=sys.stderr)
        results.append(evaluate(args.mirrors, args.work, project))
        print(json.dumps(results[-1], indent=1), file=sys.stderr)
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "results.json").write_text(json.dumps(results, indent=1))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
