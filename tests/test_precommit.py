"""The pre-commit hooks of this repository, run by the real pre-commit in real git repos.

pre-commit installs a hook repository from a commit, so this repository's working tree
is committed into a scratch repository first: the test checks the hooks as they are on
disk, whatever has been committed.

Offline: pre-commit builds its hook environment with ``pip install .``. The test lets it
do that for real (setuptools from virtualenv's bundled wheels for the build, nothing from
an index) but without dependencies (``PIP_NO_DEPS``); the hook environment then sees
libcst, click and rich through a ``.pth`` file naming this interpreter's site-packages,
appended after its own, so the authsweep it runs is the one pip installed from the hooks
commit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from authsweep.rules.smtp_basic_auth import SmtpBasicAuth
from authsweep.scanner.discover import kind_of
from cli_support import GIT_ENV, commit_all, git, init_repo, write

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("git") is None, reason="needs git and POSIX paths"
)

REPO_ROOT = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
BAD = SmtpBasicAuth.bad[0].code
GOOD = SmtpBasicAuth.good[0].code
PORT_465 = (
    "import smtplib, ssl\n"
    "t = smtplib.SMTP('smtp.office365.com', 465)\n"
    "t.starttls(context=ssl.create_default_context())\n"
)


def test_hooks_file() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"authsweep", "authsweep-fix", "authsweep-fix-unsafe"}
    assert by_id["authsweep"]["entry"] == "authsweep check"
    assert by_id["authsweep-fix"]["entry"] == "authsweep fix"
    # The OAuth2 rewrite changes behaviour: only when asked, never on a commit.
    assert by_id["authsweep-fix-unsafe"]["entry"] == "authsweep fix --unsafe-fixes"
    assert by_id["authsweep-fix-unsafe"]["stages"] == ["manual"]
    for hook in HOOKS:
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert hook["name"] and hook["description"]


@pytest.mark.parametrize(
    "name",
    [
        "app/mail.py",
        "gui.pyw",
        ".env",
        "deploy/.env.production",
        "prod.env",
        "settings.ini",
        "setup.cfg",
        "mail.conf",
        "k8s/app.yaml",
        "compose.yml",
        "App.YAML",
        "pyproject.toml",
        "config.json",
        "bin/send-report",
        "README.md",
        "notes.txt",
        "Makefile",
        ".envrc",
    ],
)
def test_hooks_pass_every_file_authsweep_reads(tmp_path: Path, name: str) -> None:
    from identify import identify

    path = tmp_path / name
    body = "#!/usr/bin/env python3\nprint(1)\n" if name.startswith("bin/") else "x = 1\n"
    write(path, body)
    for hook in HOOKS:
        tags = identify.tags_from_path(str(path))
        selected = set(hook["types"]) <= tags and re.search(hook["files"], name) is not None
        if kind_of(path) is not None:
            assert selected, f"{hook['id']} does not pass {name} ({sorted(tags)})"


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    destination = tmp_path_factory.mktemp("hooks-repo")
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in listed.split("\0"):
        source = REPO_ROOT / name
        if name and source.is_file() and not source.is_symlink():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    init_repo(destination)
    commit_all(destination, "hooks")
    return destination, git(destination, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def precommit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import virtualenv.seed.wheels.embed as bundled

    return {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(Path(bundled.__file__).parent),
        "PIP_NO_DEPS": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
    }


def pre_commit(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def link_dependencies(env: dict[str, str]) -> None:
    """Let every hook environment import this interpreter's packages, after its own."""
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    home = Path(env["PRE_COMMIT_HOME"])
    environments = list(home.glob("repo*/py_env-*/lib/python*/site-packages"))
    assert environments, "pre-commit built no python environment"
    for site in environments:
        (site / "zz-authsweep-test-dependencies.pth").write_text("\n".join(sorted(paths)) + "\n")


def make_project(
    tmp_path: Path, hooks_repo: tuple[Path, str], env: dict[str, str], hook: str = "authsweep"
) -> Path:
    project = init_repo(tmp_path / "project")
    path, rev = hooks_repo
    config = {"repos": [{"repo": str(path), "rev": rev, "hooks": [{"id": hook}]}]}
    write(project / ".pre-commit-config.yaml", yaml.safe_dump(config))
    git(project, "add", ".pre-commit-config.yaml")
    installed = pre_commit(project, env, "install-hooks")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    link_dependencies(env)
    assert pre_commit(project, env, "install").returncode == 0
    return project


def commit(project: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess:
    git(project, "add", "-A")
    return subprocess.run(
        ["git", "commit", "-m", message],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.slow
def test_commit_is_blocked_then_passes_once_fixed(
    tmp_path: Path, hooks_repo: tuple[Path, str], precommit_env: dict[str, str]
) -> None:
    project = make_project(tmp_path, hooks_repo, precommit_env)
    write(project / "notify.py", BAD)
    write(project / "README.md", "# project\n")
    blocked = commit(project, precommit_env, "add mail code")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "authsweep" in output and "Failed" in output
    assert "notify.py:4:5: AS101 [error]" in output
    assert git(project, "rev-list", "--all") == ""  # nothing was committed

    write(project / "notify.py", GOOD)
    passed = commit(project, precommit_env, "add mail code")
    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert re.search(r"^authsweep\.+Passed$", output, re.M), output


@pytest.mark.slow
def test_configuration_applies_to_the_files_pre_commit_names(
    tmp_path: Path, hooks_repo: tuple[Path, str], precommit_env: dict[str, str]
) -> None:
    project = make_project(tmp_path, hooks_repo, precommit_env)
    write(
        project / "pyproject.toml",
        '[tool.authsweep]\nextend-exclude = ["legacy"]\n\n'
        '[tool.authsweep.per-file-ignores]\n"scripts/*" = ["AS101"]\n',
    )
    write(project / "legacy" / "old_mailer.py", BAD)
    write(project / "scripts" / "send.py", BAD)
    result = commit(project, precommit_env, "legacy code, excluded by configuration")
    assert result.returncode == 0, result.stdout + result.stderr
    write(project / "app" / "notify.py", BAD)
    blocked = commit(project, precommit_env, "new mail code")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "app/notify.py:4:" in output and "legacy/" not in output and "scripts/" not in output


@pytest.mark.slow
def test_fix_hook_applies_safe_fixes(
    tmp_path: Path, hooks_repo: tuple[Path, str], precommit_env: dict[str, str]
) -> None:
    project = make_project(tmp_path, hooks_repo, precommit_env, hook="authsweep-fix")
    port = write(project / "port.py", PORT_465)
    git(project, "add", "-A")
    first = pre_commit(project, precommit_env, "run", "authsweep-fix", "--files", "port.py")
    assert first.returncode == 1, first.stdout + first.stderr  # files were modified
    assert "files were modified by this hook" in first.stdout
    assert "'smtp.office365.com', 587" in port.read_text()
    git(project, "add", "-A")
    second = pre_commit(project, precommit_env, "run", "authsweep-fix", "--files", "port.py")
    assert second.returncode == 0, second.stdout + second.stderr


def test_every_package_is_in_the_wheel() -> None:
    """pre-commit installs a wheel, which holds only the packages pyproject.toml lists."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    listed = set(
        tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    for top, name in (("scanner", "authsweep.scanner"), ("rules", "authsweep.rules")):
        for init in (REPO_ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO_ROOT / top).parts
            assert ".".join((name, *parts)) in listed, init.parent


# The hooks as docs/pre-commit.md configures them (the README shows its `rev:` form) ------

HOOKS_PAGE = (REPO_ROOT / "docs" / "pre-commit.md").read_text()


def hooks_yaml(marker: str) -> dict:
    """The YAML block of docs/pre-commit.md that contains ``marker``."""
    blocks = re.findall(r"```yaml\n(.*?)```", HOOKS_PAGE, re.S)
    [block] = [b for b in blocks if marker in b]
    return yaml.safe_load(block)


@pytest.fixture()
def local_env(tmp_path: Path) -> dict[str, str]:
    """pre-commit with this interpreter's `authsweep` first on PATH, no network needed."""
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        **GIT_ENV,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }


def local_project(tmp_path: Path, env: dict[str, str], args: list[str] | None = None) -> Path:
    project = init_repo(tmp_path / "project")
    config = hooks_yaml("repo: local")
    if args:
        for hook in config["repos"][0]["hooks"]:
            hook["args"] = args
    write(project / ".pre-commit-config.yaml", yaml.safe_dump(config))
    commit_all(project, "pre-commit configuration")
    installed = pre_commit(project, env, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return project


@pytest.mark.slow
def test_readme_local_hooks_work_offline(tmp_path: Path, local_env: dict[str, str]) -> None:
    project = local_project(tmp_path, local_env)
    port = write(project / "port.py", PORT_465)
    write(project / "login.py", BAD)
    blocked = commit(project, local_env, "mail code")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "files were modified by this hook" in output  # the fix hook fixed port.py
    assert "'smtp.office365.com', 587" in port.read_text()
    assert "login.py:4:5: AS101 [error]" in output  # what only a person can fix
    # The check hook, alone, points to the fix hook rather than to `authsweep fix`.
    port.write_text(PORT_465)
    git(project, "add", "-A")
    alone = pre_commit(project, local_env, "run", "authsweep", "--files", "port.py")
    assert alone.returncode == 1
    assert "1 fixable with `pre-commit run authsweep-fix` (marked *)" in alone.stdout
    fixed = pre_commit(project, local_env, "run", "authsweep-fix", "--files", "port.py")
    assert fixed.returncode == 1 and "files were modified by this hook" in fixed.stdout
    write(project / "login.py", GOOD)
    passed = commit(project, local_env, "mail code")
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.slow
def test_fix_hook_takes_a_baseline_and_fails_on_what_it_cannot_fix(
    tmp_path: Path, local_env: dict[str, str]
) -> None:
    project = init_repo(tmp_path / "seed")
    write(project / "legacy.py", BAD)
    baseline = subprocess.run(
        [sys.executable, "-m", "authsweep.scanner.cli", "check", "--write-baseline", "b.json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert baseline.returncode == 0, baseline.stderr
    project = local_project(tmp_path, local_env, ["--baseline", "b.json"])
    shutil.copy(tmp_path / "seed" / "legacy.py", project / "legacy.py")
    shutil.copy(tmp_path / "seed" / "b.json", project / "b.json")
    known = commit(project, local_env, "known debt")
    assert known.returncode == 0, known.stdout + known.stderr
    write(project / "broken.py", "import smtplib\nprint 'x'\n")
    broken = commit(project, local_env, "a file that does not parse")
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0
    assert re.search(r"^authsweep \(safe fixes\)\.+Failed$", output, re.M), output
    assert "broken.py:2:1: unparsable" in output


@pytest.mark.slow
def test_readme_hooks_from_the_repository(
    tmp_path: Path, hooks_repo: tuple[Path, str], precommit_env: dict[str, str]
) -> None:
    """The `repo:`/`rev:` form of docs/pre-commit.md (the README shows it too), with its
    two placeholders filled in."""
    config = hooks_yaml("rev: ")
    [repo] = config["repos"]
    ids = [hook["id"] for hook in repo["hooks"]]
    assert ids == ["authsweep-fix", "authsweep", "authsweep-fix-unsafe"]
    repo["repo"], repo["rev"] = str(hooks_repo[0]), hooks_repo[1]
    project = init_repo(tmp_path / "project")
    write(project / ".pre-commit-config.yaml", yaml.safe_dump(config))
    git(project, "add", ".pre-commit-config.yaml")
    installed = pre_commit(project, precommit_env, "install-hooks")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    link_dependencies(precommit_env)
    write(project / "port.py", PORT_465)
    git(project, "add", "-A")
    result = pre_commit(project, precommit_env, "run", "--all-files")
    assert result.returncode == 1 and "files were modified by this hook" in result.stdout
    assert re.search(r"^authsweep\.+Passed$", result.stdout, re.M), result.stdout
    assert "unsafe fixes" not in result.stdout  # the manual-stage hook did not run
    # A login: the check hook's advice is the manual hook, which the summary names.
    write(project / "login.py", BAD)
    git(project, "add", "-A")
    blocked = pre_commit(project, precommit_env, "run", "authsweep", "--all-files")
    advice = "`pre-commit run authsweep-fix-unsafe --hook-stage manual`"
    assert blocked.returncode == 1 and advice in blocked.stdout, blocked.stdout
    asked = pre_commit(
        project, precommit_env, "run", "authsweep-fix-unsafe", "--hook-stage", "manual",
        "--files", "login.py",
    )  # fmt: skip
    assert "files were modified by this hook" in asked.stdout, asked.stdout
    assert "XOAUTH2" in (project / "login.py").read_text()


def test_hooks_file_matches_the_readme() -> None:
    local = {hook["id"]: hook for hook in hooks_yaml("repo: local")["repos"][0]["hooks"]}
    for hook in HOOKS:
        assert local[hook["id"]]["entry"] == hook["entry"]
        assert local[hook["id"]]["files"] == hook["files"]
        assert local[hook["id"]]["types"] == hook["types"]
