"""How CI gets authsweep (issue 26): every recipe installs it from a pinned git commit or
from a checkout, never by the bare name from PyPI; and the GitHub Action (action.yml) is
a composite action whose shell steps run here as a runner would run them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cli_support import GIT_ENV, commit_all, git, init_repo, write

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
README = (ROOT / "README.md").read_text()
RECIPES = sorted((ROOT / "docs" / "ci").glob("*.yml"))
COMMIT = re.compile(r"[0-9a-f]{40}")
# AS201 (implicit TLS on 587): an error, so the gate fails on it by default.
FINDING = (
    "import smtplib\n"
    "import ssl\n"
    "\n"
    "with smtplib.SMTP_SSL('smtp.office365.com', 587, context=ssl.create_default_context()) as s:\n"
    "    s.noop()\n"
)


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:sh|console|yaml|toml)\n(.*?)```", text, re.S)


def _requirements_naming_authsweep(text: str) -> list[str]:
    """What each `pip install` / `pipx install` of ``text`` installs (comments left out,
    YAML's and the shell's alike): requirements (``authsweep @ git+...``,
    ``authsweep[lab]``, ``msal``) and paths (``.``, ``.[lab]``, ``$ACTION_PATH``)."""
    names = []
    for line in text.splitlines():
        code = re.sub(r"(^|\s)#.*", "", line).split("`")[0]  # a command in prose ends at `
        for match in re.finditer(r"\bpipx? install\b(?P<rest>.*)", code):
            command = re.split(r"&&|\|\||[;|]", match.group("rest"))[0]  # up to the next command
            for quoted in re.findall(r"\"([^\"]*)\"|'([^']*)'|(\S+)", command):
                word = next(part for part in quoted if part)
                if not word.startswith("-"):
                    names.append(word)
    return names


def _every_recipe() -> dict[str, str]:
    texts = {str(path.relative_to(ROOT)): path.read_text() for path in RECIPES}
    texts["action.yml"] = ACTION.read_text()
    texts["README.md"] = "\n".join(_code_blocks(README))
    for page in sorted((ROOT / "docs").glob("*.md")):
        texts[str(page.relative_to(ROOT))] = "\n".join(_code_blocks(page.read_text()))
    # What error messages tell a user to install.
    for source in sorted((ROOT / "lab").glob("*.py")):
        texts[str(source.relative_to(ROOT))] = source.read_text()
    return texts


def _pinned(requirement: str, env: dict[str, str]) -> bool:
    """``authsweep[extras] @ git+URL@COMMIT`` with COMMIT a full commit id (after the
    recipe's own variables are filled in)."""
    filled = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), requirement)
    match = re.fullmatch(r"authsweep(\[[\w,]+\])? @ git\+\S+@(\S+)", filled)
    return bool(match and COMMIT.fullmatch(match.group(2)))


def _variables(path: str, text: str) -> dict[str, str]:
    if not path.endswith(".yml"):
        return dict(re.findall(r"(AUTHSWEEP_\w+): (\S+)", text))
    document = yaml.safe_load(text) or {}
    return {
        k: str(v) for k, v in {**document.get("env", {}), **document.get("variables", {})}.items()
    }


def test_no_recipe_installs_authsweep_by_its_bare_name() -> None:
    """The name is free on PyPI: ``pip install authsweep`` would run whoever registers it
    in a job that holds a token for every repository."""
    seen = 0
    for path, text in _every_recipe().items():
        env = _variables(path, text)
        for word in _requirements_naming_authsweep(text):
            if "authsweep" not in word.lower() and not word.startswith((".", '"$', "$")):
                continue  # another package (msal, pre-commit, chromium)
            seen += 1
            from_checkout = word.startswith((".", "$ACTION_PATH", "${ACTION_PATH}"))
            assert from_checkout or _pinned(word, env), f"{path}: pip install {word}"
    assert seen >= 6


@pytest.mark.parametrize(
    "line",
    [
        "pip install authsweep",
        "python3 -m pip install 'authsweep[lab]'",
        "pip install authsweep==0.1.0",
        'pip install "authsweep @ git+https://github.com/o/authsweep@main"',
        'pipx install "authsweep @ git+https://github.com/o/authsweep"',
    ],
)
def test_the_check_catches_an_unpinned_install(line: str) -> None:
    words = _requirements_naming_authsweep(line)
    assert words and not any(_pinned(w, {}) for w in words)


def test_the_sweep_recipes_pin_one_commit_and_say_how() -> None:
    for path in RECIPES:
        text = path.read_text()
        env = _variables(str(path), text)
        assert COMMIT.fullmatch(env["AUTHSWEEP_COMMIT"]), path
        assert "Never `pip install authsweep`" in text and "git ls-remote" in text


# The GitHub Action.


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def test_action_is_a_composite_action_that_uses_every_input() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    body = yaml.safe_dump(steps)
    for name in action["inputs"]:
        assert f"inputs.{name}" in body, f"input {name} is never used"
    for used in re.findall(r"inputs\.([\w-]+)", body):
        assert used in action["inputs"], f"{used} is not declared"
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs go through the environment: `${{ }}` in a script is script injection.
            assert "${{" not in step["run"], step["name"]
    install = steps[0]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$ACTION_PATH"' in install["run"] and "python3 -m venv" in install["run"]
    [upload] = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert upload["if"] == "inputs.upload-sarif == 'true'"


def _fill(value: str, inputs: dict[str, str], context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("inputs."):
            return inputs[name.removeprefix("inputs.")]
        return context[name]

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", one, value)


def _condition_holds(condition: str | None, inputs: dict[str, str]) -> bool:
    if condition is None:
        return True
    match = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", condition)
    assert match, f"the test cannot read the condition {condition!r}"
    return inputs[match.group(1)] == match.group(2)


def run_action(
    workspace: Path,
    runner_temp: Path,
    given: dict[str, str],
    *,
    install: bool = False,
    action_path: Path = ROOT,
) -> tuple[int, str, list[str]]:
    """Run the action's shell steps in ``workspace`` as a runner would (bash -eo pipefail,
    the step's env with expressions filled in, GITHUB_OUTPUT); ``uses:`` steps are
    recorded, not run. Without ``install``, the venv's authsweep is this interpreter's."""
    action = _action()
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    inputs.update(given)
    context = {"github.action_path": str(action_path), "runner.temp": str(runner_temp)}
    if not install:
        stand_in = runner_temp / "authsweep-venv" / "bin" / "authsweep"
        write(stand_in, f'#!/bin/sh\nexec "{sys.executable}" -m authsweep "$@"\n').chmod(0o755)
    runner_temp.mkdir(parents=True, exist_ok=True)
    output_file = runner_temp / "github_output"
    output_file.touch()
    logs, used = [], []
    for step in action["runs"]["steps"]:
        if not _condition_holds(step.get("if"), inputs):
            continue
        if "uses" in step:
            used.append(step["uses"])
            continue
        if not install and step is action["runs"]["steps"][0]:
            continue
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        env.update(GIT_ENV)
        env.update({k: _fill(str(v), inputs, context) for k, v in step.get("env", {}).items()})
        env["GITHUB_OUTPUT"] = str(output_file)
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        logs.append(result.stdout + result.stderr)
        if result.returncode != 0:
            return result.returncode, "\n".join(logs), used
    return 0, "\n".join(logs) + "\nOUTPUTS\n" + output_file.read_text(), used


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "workspace")
    write(repo / "app" / "mail.py", FINDING)
    write(repo / "tools" / "notes.py", "x = 1\n")
    commit_all(repo)
    return repo


@pytest.mark.slow
def test_action_fails_the_job_on_a_finding_and_uploads_sarif(
    workspace: Path, tmp_path: Path
) -> None:
    code, log, used = run_action(workspace, tmp_path / "runner", {})
    assert code == 1, log
    assert "::error file=app/mail.py,line=4" in log  # annotations, the default format
    assert used == ["github/codeql-action/upload-sarif@v4"]
    sarif = json.loads((workspace / "authsweep.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AS201"]


@pytest.mark.slow
def test_action_inputs_change_what_it_does(workspace: Path, tmp_path: Path) -> None:
    runner = tmp_path / "runner"
    report_only = {"fail-on": "never", "upload-sarif": "false", "format": "text"}
    code, log, used = run_action(workspace, runner, report_only)
    assert code == 0 and "AS201" in log and used == []
    code, log, _ = run_action(workspace, runner, {"fail-on": "error", "args": "--select AS1"})
    assert code == 0, log  # AS201 is not selected
    code, log, _ = run_action(workspace, runner, {"paths": "tools\n", "sarif-file": "s.sarif"})
    assert code == 0 and "sarif-file=s.sarif" in log
    assert json.loads((workspace / "s.sarif").read_text())["runs"][0]["results"] == []
    subprocess.run(
        [sys.executable, "-m", "authsweep", "check", "--write-baseline", "base.json", "app"],
        cwd=workspace,
        capture_output=True,
        check=True,
    )
    code, log, _ = run_action(workspace, runner, {"baseline": "base.json", "format": "json"})
    assert code == 0 and json.loads(log.split("\nOUTPUTS\n")[0])["summary"]["baselined"] == 1


@pytest.mark.slow
def test_action_inputs_are_not_run_as_shell(workspace: Path, tmp_path: Path) -> None:
    hostile = {"paths": "app $(touch pwned) `touch pwned2`", "args": "--select AS2;touch pwned3"}
    code, log, _ = run_action(workspace, tmp_path / "runner", hostile)
    assert code in (1, 2), log
    assert not any((workspace / name).exists() for name in ("pwned", "pwned2", "pwned3"))


@pytest.mark.slow
def test_action_installs_authsweep_from_its_own_checkout(workspace: Path, tmp_path: Path) -> None:
    """The install step for real: a fresh virtual environment, pip install of the action's
    checkout (a copy of this working tree), then the scan and the gate with it."""
    checkout = tmp_path / "action"
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in listed.split("\0"):
        source = ROOT / name
        if name and source.is_file() and not source.is_symlink():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    runner = tmp_path / "runner"
    code, log, _ = run_action(workspace, runner, {}, install=True, action_path=checkout)
    assert code == 1 and "::error file=app/mail.py" in log, log
    installed = runner / "authsweep-venv" / "bin" / "authsweep"
    version = subprocess.run([installed, "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("authsweep ")


def test_readme_shows_the_action_pinned_with_declared_inputs() -> None:
    shown = README + (ROOT / "docs" / "ci.md").read_text()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", shown, re.S)]
    uses = [
        step
        for block in blocks
        for step in (block if isinstance(block, list) else [])
        if "authsweep@" in step.get("uses", "")
    ]
    assert uses, "neither the README nor docs/ci.md shows a `uses: .../authsweep@...` step"
    declared = set(_action()["inputs"])
    for step in uses:
        assert COMMIT.fullmatch(step["uses"].rsplit("@", 1)[1]), step["uses"]
        assert set(step.get("with", {})) <= declared
