"""The CI files in docs/ci/: valid YAML, shell that bash accepts, every authsweep command
in them accepted by the CLI's own parser, shards that add up, the merge job fed by the
shard jobs, and docs/sweep.md showing them as they are."""

from __future__ import annotations

import fnmatch
import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest
import yaml
from authsweep.scanner.sweep.shards import parse_shard
from cli_support import cli_commands

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / "docs" / "ci" / "github-actions.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
SHARDS = 8


def _expand(script: str, values: dict[str, str]) -> str:
    """GitHub expressions and shell variables as a runner would fill them in."""
    script = re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values.get(m.group(1), "VALUE"), script)
    return re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m.group(1), m.group(0)), script)


def _authsweep_commands(script: str) -> list[list[str]]:
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line.strip(), comments=True) if line.strip() else []
        if words and words[0] == "authsweep":
            commands.append(words[1:])
    return commands


def _parse(args: list[str]) -> dict:
    """The command's parameters as the CLI parses them; click raises on a bad option."""
    commands = cli_commands()
    assert args and args[0] in commands, f"not an authsweep command: {args}"
    context = commands[args[0]].make_context(args[0], list(args[1:]))
    if context.params.get("shard"):
        parse_shard(context.params["shard"])  # validated when the command runs
    return {"command": args[0], **context.params}


def _value(option: object) -> str:
    """A choice as parsed: an enum member, or its string before the command converts it."""
    return str(getattr(option, "value", option))


def _bash_accepts(script: str) -> None:
    result = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _github() -> dict:
    return yaml.safe_load(GITHUB.read_text())


def _run_scripts(job: dict, values: dict[str, str]) -> list[str]:
    return [_expand(step["run"], values) for step in job["steps"] if "run" in step]


@pytest.mark.slow
def test_github_actions_workflow() -> None:
    workflow = _github()
    assert workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    jobs = workflow["jobs"]
    assert jobs["sweep"]["needs"] == "list" and jobs["merge"]["needs"] == "sweep"
    shards = jobs["sweep"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, SHARDS + 1)) and workflow["env"]["SHARDS"] == SHARDS
    assert jobs["sweep"]["strategy"]["fail-fast"] is False

    parsed = []
    for index in shards:
        values = {"matrix.shard": str(index), "env.SHARDS": str(SHARDS)}
        for script in _run_scripts(jobs["sweep"], values):
            _bash_accepts(script)
            parsed += [_parse(args) for args in _authsweep_commands(script)]
    sweeps = [p for p in parsed if p["command"] == "sweep"]
    assert [p["shard"] for p in sweeps] == [f"{i}/{SHARDS}" for i in shards]
    outputs = [str(p["output_file"]) for p in sweeps]
    assert all(_value(p["output_format"]) == "json" and p["exit_zero"] for p in sweeps)
    uploads = [
        step["with"]["path"]
        for step in jobs["sweep"]["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert uploads == ["shard-${{ matrix.shard }}.json"]

    merges = []
    for script in _run_scripts(jobs["merge"], {}):
        _bash_accepts(script)
        merges += [_parse(args) for args in _authsweep_commands(script)]
    assert {p["command"] for p in merges} == {"merge"}
    first = merges[0]
    # The merge reads every shard's file (downloaded into shards/), and writes what the
    # job uploads: the merged JSON, SARIF and the HTML report.
    pattern = str(first["files"][0]).removeprefix("shards/")
    assert all(fnmatch.fnmatch(name, pattern) for name in outputs)
    written = {str(p["output_file"]): _value(p["output_format"]) for p in merges}
    assert written["authsweep.sarif"] == "sarif" and written["sweep.html"] == "html"
    assert any(str(p["previous"]) == "previous/sweep.json" for p in merges)
    uploaded = next(
        step["with"]["path"]
        for step in jobs["merge"]["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact")
    )
    assert {"sweep.html", "authsweep.sarif", "sweep.json"} <= set(uploaded.split())


@pytest.mark.slow
def test_gitlab_ci_pipeline() -> None:
    pipeline = yaml.safe_load(GITLAB.read_text())
    assert pipeline["stages"] == ["list", "sweep", "merge"]
    sweep, merge = pipeline["sweep"], pipeline["merge"]
    assert sweep["parallel"] == SHARDS and merge["needs"] == ["sweep"]
    listing = "\n".join(pipeline["list"]["script"])
    _bash_accepts(listing)
    compile(listing.split("<<'PY'\n", 1)[1].rsplit("PY", 1)[0], "list-script", "exec")

    outputs = []
    for index in range(1, SHARDS + 1):
        values = {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(SHARDS)}
        script = _expand("\n".join(sweep["script"]), values)
        _bash_accepts(script)
        (parsed,) = [_parse(args) for args in _authsweep_commands(script)]
        assert parsed["shard"] == f"{index}/{SHARDS}" and parsed["exit_zero"]
        outputs.append(str(parsed["output_file"]))
    assert all(fnmatch.fnmatch(name, sweep["artifacts"]["paths"][0]) for name in outputs)
    merges = [_parse(args) for args in _authsweep_commands("\n".join(merge["script"]))]
    assert all(fnmatch.fnmatch(name, str(merges[0]["files"][0])) for name in outputs)
    written = {str(p["output_file"]) for p in merges}
    assert {"sweep.html", "authsweep.sarif"} <= written <= set(merge["artifacts"]["paths"])


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "repos.txt", "--shards", "1/8"],
        ["merge", "a.json", "--format", "pdf"],
        ["sweep", "repos.txt", "--shard", "9/8"],
        ["swoop", "repos.txt"],
    ],
)
def test_the_parser_check_catches_mistakes(args: list[str]) -> None:
    # The parser's usage errors, a shard out of range, or a command that does not exist.
    with pytest.raises((click.ClickException, ValueError, AssertionError)):
        _parse(args)


def test_the_sweep_page_shows_the_ci_files_as_they_are() -> None:
    page = (ROOT / "docs" / "sweep.md").read_text()
    section = page.split("## Shards on the CI you already run", 1)[1].split("\n## ", 1)[0]
    for file in (GITHUB, GITLAB):
        assert f"]({file.relative_to(ROOT / 'docs')})" in section
        assert file.read_text() in section
