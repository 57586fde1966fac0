"""The commands of the README and of docs/*.md, run as written.

Every ```console block of a page is run, one command after the other in one shell (so a
``cd``, an ``export`` or a file one command writes carries over), in a scratch git
repository of the page's own holding a copy of the demo projects in ``fixtures/``, the
sample programs the lab examples name, and the ``repo: local`` pre-commit configuration
of docs/pre-commit.md, with this interpreter's ``authsweep`` first on PATH. A block
indented under a list item is run too. A command must exit 0 or 1 (2 is a usage error),
print no traceback and no ``authsweep: error``, and every output line the page shows under
it must appear in what it printed. The ``authsweep`` steps of the GitHub Actions workflow
(docs/ci.md) run the same way, and the ``authsweep`` lines of ```sh blocks go through the
command line's parser. The README's install block runs in a fresh virtual environment
made from a copy of this working tree (``slow``: it builds and installs).

The pre-commit configurations are run by tests/test_precommit.py; the Set-up block is
what CI runs (``.ci/run``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cli_support import GIT_ENV, commit_all, git, init_repo, write

REPO_ROOT = Path(__file__).resolve().parents[1]
README = (REPO_ROOT / "README.md").read_text()
# The README and the reference pages it links: one set of examples, all run.
PAGES = {
    path.relative_to(REPO_ROOT).as_posix(): path.read_text()
    for path in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
}

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="runs the commands in bash")

Command = tuple[str, list[str]]  # the command line, the output lines shown under it


def console_blocks(text: str) -> list[list[Command]]:
    blocks = []
    fences = re.finditer(r"^([ \t]*)```console\n(.*?)^\1```", text, re.S | re.M)
    for indent, body in (fence.groups() for fence in fences):
        commands: list[Command] = []
        for line in body.splitlines():
            line = line.removeprefix(indent)
            if line.startswith("$ "):
                commands.append((line[2:], []))
            elif line.strip() and commands:
                commands[-1][1].append(line)
        blocks.append(commands)
    return blocks


def is_install(block: list[Command]) -> bool:
    return any("pip install" in command for command, _ in block)


def workflow_commands(text: str) -> list[Command]:
    """The ``authsweep`` steps of the page's GitHub Actions workflow that runs ``check``."""
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflows = [yaml.safe_load(b) for b in blocks if "jobs:" in b and "authsweep check" in b]
    steps = [step for flow in workflows for job in flow["jobs"].values() for step in job["steps"]]
    return [(step["run"], []) for step in steps if step.get("run", "").startswith("authsweep ")]


def page_commands(text: str) -> list[Command]:
    """What a page's examples run: its console blocks (the install block aside, which runs
    in an environment of its own) and its workflow's ``authsweep`` steps."""
    commands = [c for block in console_blocks(text) if not is_install(block) for c in block]
    return commands + workflow_commands(text)


EXAMPLE_PAGES = [name for name, text in PAGES.items() if page_commands(text)]


def interrupted_once_ready(command: str) -> str:
    """Bash that runs a command that serves until it is stopped, and gives it Ctrl-C (one
    SIGINT, to it alone) once it says it is ready, then waits for it; its output and exit
    status are the command's. No timer: on a loaded machine a fixed delay (``timeout 8``)
    interrupted it while it started, and ``timeout`` signals its process group a second
    time."""
    return (
        f"out=$(mktemp); {command} >$out 2>&1 & serving=$!\n"
        f"until grep -q '{READY}' $out || ! kill -0 $serving 2>/dev/null; do sleep 0.1; done\n"
        "kill -INT $serving 2>/dev/null; wait $serving; status=$?; cat $out; rm -f $out\n"
        "(exit $status)"
    )


def run_in_bash(commands: list[Command], cwd: Path, env: dict[str, str]) -> list[tuple[int, str]]:
    """Run the commands in one bash session; each one's exit code and output."""
    script = []
    for index, (command, _) in enumerate(commands):
        # The command on lines of its own: a trailing "# comment" must not eat the rest.
        if command.startswith(UNTIL_STOPPED):
            command = interrupted_once_ready(command)
        script += [f"printf '\\n@@start {index}@@\\n'", "{", command, "} 2>&1"]
        script.append(f"printf '\\n@@end {index} %d@@\\n' $?")
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    outcomes = []
    for index in range(len(commands)):
        found = re.search(
            rf"\n@@start {index}@@\n(.*?)\n@@end {index} (\d+)@@\n", result.stdout, re.S
        )
        assert found, f"{commands[index][0]!r} did not finish:\n{result.stdout}\n{result.stderr}"
        outcomes.append((int(found.group(2)), found.group(1)))
    return outcomes


def assert_ran_as_documented(commands: list[Command], outcomes: list[tuple[int, str]]) -> None:
    for (command, shown), (code, output) in zip(commands, outcomes, strict=True):
        where = f"$ {command}\n{output}"
        assert code in (0, 1), where
        # Under ``lab run`` the program's own traceback is expected: the verdict judges it.
        program_fails = command.startswith("authsweep lab run")
        assert program_fails or "Traceback" not in output, where
        assert "authsweep: error" not in output, where
        assert "internal error" not in output, where
        for line in (line for line in shown if line.strip() != "..."):  # "..." elides
            # Numbers vary from run to run (times, sizes); the words around them must not.
            assert _digits(line) in _digits(output), f"the page shows {line!r} under:\n{where}"


def _digits(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def sh_commands() -> list[list[str]]:
    """The ``authsweep`` commands of ```sh blocks: examples that need a folder of
    repositories, remotes or a tenant's reports a test cannot hold as written; their
    parsing is checked."""
    commands = []
    for text in PAGES.values():
        for body in re.findall(r"```sh\n(.*?)```", text, re.S):
            for line in body.splitlines():
                words = shlex.split(line, comments=True)
                if words[:1] == ["authsweep"]:
                    commands.append(words[1:])
    return commands


def test_sh_examples_are_commands_the_command_line_accepts() -> None:
    import click
    from cli_support import cli_commands

    group = cli_commands()
    commands = sh_commands()
    assert len(commands) >= 10
    for args in commands:
        command = group[args[0]]
        while isinstance(command, click.Group):  # lab run, tenant plan
            args = args[1:]
            command = command.commands[args[0]]
        command.make_context(args[0], list(args[1:]))  # raises on a bad option or value


def test_every_command_is_run_by_one_of_these_tests() -> None:
    blocks = [block for text in PAGES.values() for block in console_blocks(text)]
    assert sum(is_install(block) for block in blocks) == 1
    assert any(is_install(block) for block in console_blocks(README))
    every = [command for block in blocks for command, _ in block]
    assert len(every) >= 30 and all(c.split()[0] in COMMANDS_RUN for c in every), every
    assert sum(len(workflow_commands(text)) for text in PAGES.values()) == 2
    # An indented block (under a list item) is found, and none is left unread.
    fences = sum(text.count("```console\n") for text in PAGES.values())
    assert len(blocks) == fences


# What the console blocks may run: the tool, git and pre-commit, the install steps, and the
# lab's environment for the samples it runs.
COMMANDS_RUN = {"authsweep", "git", "pre-commit", "python3", ".", "export"}
# Commands that run until they are stopped: run for a while, then given Ctrl-C.
UNTIL_STOPPED = ("authsweep lab serve",)
# What they print once Ctrl-C stops them as documented (and not half-way through starting).
READY = "Ctrl-C to stop"
# The sample programs the lab examples run, by the names the pages give them.
LAB_SAMPLES = {"send_invoice.py": "plain_login.py", "report_service.py": "token_reuse_sender.py"}
# What a page's examples leave behind, as they say they do.
LEFT_BEHIND = {
    "README.md": ("report.json", ".authsweep-baseline.json"),
    "docs/usage.md": ("authsweep.sarif", "fixed.py", "fix.json"),
    "docs/configuration.md": (".authsweep-baseline.json",),
}


# The demo projects the examples name (the rest of fixtures/ only makes `check .` slower).
SANDBOX_FIXTURES = ("legacy_mailer", "flask_app", "django_project", "config", "e2e")


def _yaml_block(marker: str) -> tuple[str, str]:
    """The one YAML block of docs/*.md that contains ``marker``: its page and text (the
    README shows copies of some)."""
    [found] = [
        (name, block)
        for name, text in PAGES.items()
        if name != "README.md"
        for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
        if marker in block
    ]
    return found


@pytest.fixture()
def sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = init_repo(tmp_path / "project")
    for name in SANDBOX_FIXTURES:
        shutil.copytree(REPO_ROOT / "fixtures" / name, root / "fixtures" / name)
    for name, sample in LAB_SAMPLES.items():
        shutil.copy(REPO_ROOT / "fixtures" / "e2e" / sample, root / name)
    _, hooks = _yaml_block("repo: local")
    write(root / ".pre-commit-config.yaml", hooks)
    commit_all(root, "fixtures")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")  # as in a clone
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env = {k: v for k, v in env.items() if not k.startswith(("MAIL_", "REPORT_"))}
    env.update(GIT_ENV)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    return root, env


@pytest.mark.slow
@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_console_examples_run_as_written(page: str, sandbox: tuple[Path, dict[str, str]]) -> None:
    root, env = sandbox
    commands = page_commands(PAGES[page])
    assert_ran_as_documented(commands, run_in_bash(commands, root, env))
    # What the examples leave behind is what they say they make.
    for name in LEFT_BEHIND.get(page, ()):
        assert (root / name).is_file(), name
    if "fixed.py" in LEFT_BEHIND.get(page, ()):
        assert "587" in (root / "fixed.py").read_text()
    if ".authsweep-baseline.json" in LEFT_BEHIND.get(page, ()):
        assert ".authsweep-baseline.json" in git(root, "diff", "--cached", "--name-only")


def test_the_pages_with_examples_are_the_ones_expected() -> None:
    # A page whose examples stop being found (a renamed fence) would silently lose its test.
    assert set(LEFT_BEHIND) <= set(EXAMPLE_PAGES)
    assert {"README.md", "docs/fixes.md", "docs/lab.md", "docs/ci.md"} <= set(EXAMPLE_PAGES)


def test_the_readme_hooks_are_the_ones_the_pre_commit_page_runs() -> None:
    """The README's short `repo:`/`rev:` configuration is the block of docs/pre-commit.md
    that tests/test_precommit.py installs and runs."""
    page, block = _yaml_block("rev: ")
    assert page == "docs/pre-commit.md"
    assert f"```yaml\n{block}```" in README


def test_the_readme_shows_the_action_of_the_ci_page() -> None:
    ci_steps = re.findall(r"```yaml\n(- uses: .*?)```", PAGES["docs/ci.md"], re.S)
    readme_steps = re.findall(r"```yaml\n(- uses: .*?)```", README, re.S)
    assert readme_steps and set(readme_steps) <= set(ci_steps)


def test_configuration_examples_load_and_the_reference_names_every_key(tmp_path: Path) -> None:
    from authsweep.scanner.options_file import KEYS, read_config

    examples = [
        block
        for text in PAGES.values()
        for block in re.findall(r"```toml\n(.*?)```", text, re.S)
        if "[tool.authsweep]" in block
    ]
    assert len(examples) >= 2
    for example in examples:
        (tmp_path / "pyproject.toml").write_text(example)
        assert read_config(tmp_path / "pyproject.toml") is not None  # raises on a bad key
    reference = re.findall(r"```toml\n(.*?)```", PAGES["docs/configuration.md"], re.S)[0]
    written = set(re.findall(r"^([a-z0-9-]+) =", reference, re.M))
    written |= set(re.findall(r"^\[tool\.authsweep\.([a-z-]+)\]", reference, re.M))
    assert written == set(KEYS)


def copy_of_this_tree(clone: Path) -> Path:
    """The working tree as a fresh clone would have it (ignored files left out)."""
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in listed.split("\0"):
        source = REPO_ROOT / name
        if name and source.is_file() and not source.is_symlink():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def outside_this_environment() -> dict[str, str]:
    """This process's environment without its virtual environment on PATH."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != Path(sys.executable).parent
    )
    return env


@pytest.mark.slow
def test_readme_install_steps_in_a_fresh_environment(tmp_path: Path) -> None:
    clone = copy_of_this_tree(tmp_path / "authsweep")
    [block] = [block for block in console_blocks(README) if is_install(block)]
    # The interpreter the suite runs on, not this virtual environment's.
    env = outside_this_environment()
    outcomes = run_in_bash(block, clone, env)
    assert_ran_as_documented(block, outcomes)
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert (clone / ".venv" / "bin" / "authsweep").is_file()


def test_ci_runs_the_readme_test_command() -> None:
    setup = README.split("## Set-up\n", 1)[1].split("\n## ", 1)[0]
    install_and_demo, tests = re.findall(r"```sh\n(.*?)\n```", setup, re.S)
    assert "authsweep check fixtures/" in install_and_demo
    ci = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == tests.strip() and tests.endswith("python -m pytest -q -n auto --dist loadfile")
    # Both work on a system Python that refuses pip outside a virtual environment.
    for command in (install_and_demo, tests):
        assert "python3 -m venv .venv && . .venv/bin/activate && python -m pip install" in command


# Debian's and Ubuntu's own interpreter, which refuses pip outside a virtual environment.
SYSTEM_PYTHON = Path("/usr/bin/python3")


@pytest.mark.slow
def test_setup_command_works_on_a_system_python(tmp_path: Path) -> None:
    """The Set-up section's first command, as written, in a fresh copy, with the
    system's `python3` first on PATH: it installs into its own `.venv` and the main job
    exits 1 for the demo's findings, which the README says right there."""
    assert SYSTEM_PYTHON.is_file(), "this test needs a system Python at /usr/bin/python3"
    setup = README.split("## Set-up\n", 1)[1].split("\n## ", 1)[0]
    install_and_demo = re.findall(r"```sh\n(.*?)\n```", setup, re.S)[0]
    assert "exit 1 means findings" in setup
    clone = copy_of_this_tree(tmp_path / "authsweep")
    shim = tmp_path / "system-bin"
    shim.mkdir()
    (shim / "python3").symlink_to(SYSTEM_PYTHON)
    env = outside_this_environment()
    env["PATH"] = f"{shim}{os.pathsep}{env['PATH']}"
    managed = list(SYSTEM_PYTHON.parent.parent.glob("lib/python3*/EXTERNALLY-MANAGED"))
    if managed:  # what a user hits without the venv
        refused = subprocess.run(
            ["python3", "-m", "pip", "install", "-e", "."],
            cwd=clone, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert "externally-managed-environment" in refused.stderr
    [(code, output)] = run_in_bash([(install_and_demo, [])], clone, env)
    assert code == 1, output  # findings: the demo has them on purpose
    # The count the README gives right there is the one the demo reports.
    found = re.search(r"Found (\d+) problems", output)
    assert found is not None, output
    assert f"the demo has {found.group(1)}, on purpose" in setup
    assert (clone / ".venv" / "bin" / "authsweep").is_file()
