"""Nothing a repository in a scanned tree says runs when authsweep calls git.

Every setting of git's that names a program, and a hook of every event, is planted in a
repository (its ``.git/config``, ``.git/hooks``, a ``core.hooksPath`` inside the tree,
``.gitattributes`` routing every file to the planted drivers); each writes its own
marker file when run. Then every authsweep command that calls git runs over it with real
git, and no marker may appear.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from cli_support import GIT_ENV, commit_all, git, init_repo, run_cli, write
from sweep_support import PORT_465, repository

# githooks(5): every event git fires a hook for.
HOOK_EVENTS = (
    "applypatch-msg pre-applypatch post-applypatch pre-commit pre-merge-commit "
    "prepare-commit-msg commit-msg post-commit pre-rebase post-checkout post-merge pre-push "
    "pre-receive update proc-receive post-receive post-update reference-transaction "
    "push-to-checkout pre-auto-gc post-rewrite sendemail-validate fsmonitor-watchman "
    "p4-changelist p4-prepare-changelist p4-post-changelist p4-pre-submit post-index-change"
).split()


def _touch(markers: Path, name: str, then: str = "") -> str:
    command = f"touch {shlex.quote(str(markers / name))}"
    return f"{command}; {then}" if then else command


def _program(markers: Path, name: str, then: str = "") -> Path:
    """An executable that leaves marker ``name``, then runs ``then`` (shell)."""
    programs = markers.parent / "programs"
    programs.mkdir(exist_ok=True)
    program = programs / name
    program.write_text(f"#!/bin/sh\n{_touch(markers, name, then)}\n")
    program.chmod(0o755)
    return program


def _planted_config(markers: Path, hooks_path: Path | None) -> str:
    """A config that names a program in every setting git runs one from (a program file:
    some settings name a program, others a shell command)."""

    def run(name: str, then: str = "") -> str:
        return f'"{_program(markers, name, then)}"'

    lines = [
        "[core]",
        f"\tfsmonitor = {run('core.fsmonitor', 'false')}",
        f"\taskPass = {run('core.askPass', 'echo pw')}",
        f"\tsshCommand = {run('core.sshCommand', 'false')}",
        f"\tpager = {run('core.pager', 'cat')}",
        f"\teditor = {run('core.editor')}",
        f"\talternateRefsCommand = {run('core.alternateRefsCommand')}",
        f"\tgitProxy = {run('core.gitProxy', 'false')}",
        "[sequence]",
        f"\teditor = {run('sequence.editor')}",
        "[pager]",
        f"\tstatus = {run('pager.status', 'cat')}",
        f"\tdiff = {run('pager.diff', 'cat')}",
        "[diff]",
        f"\texternal = {run('diff.external')}",
        '[diff "evil"]',
        f"\tcommand = {run('diff.evil.command')}",
        f"\ttextconv = {run('diff.evil.textconv', 'cat $1')}",
        '[filter "evil"]',
        f"\tclean = {run('filter.evil.clean', 'cat')}",
        f"\tsmudge = {run('filter.evil.smudge', 'cat')}",
        "\trequired = true",
        '[filter "Odd.Name"]',  # a name with a dot in it
        f"\tclean = {run('filter.Odd.Name.clean', 'cat')}",
        '[filter "proc"]',
        f"\tprocess = {run('filter.proc.process', 'false')}",
        '[merge "evil"]',
        f"\tdriver = {run('merge.evil.driver')}",
        "[credential]",
        f"\thelper = {run('credential.helper')}",
        "[commit]",
        "\tgpgSign = true",
        "[tag]",
        "\tgpgSign = true",
        "[log]",
        "\tshowSignature = true",
        "[gpg]",
        f"\tprogram = {run('gpg.program', 'false')}",
        '[gpg "ssh"]',
        f"\tprogram = {run('gpg.ssh.program', 'false')}",
        f"\tdefaultKeyCommand = {run('gpg.ssh.defaultKeyCommand', 'false')}",
        # git 2.54's configured hooks.
        '[hook "planted"]',
        f"\tcommand = {run('hook.planted.command')}",
        *(f"\tevent = {event}" for event in HOOK_EVENTS),
        "[uploadpack]",
        f"\tpackObjectsHook = {run('uploadpack.packObjectsHook', 'false')}",
        "[gc]",
        "\tauto = 1",
        "\tautoDetach = false",
        f"\trecentObjectsHook = {run('gc.recentObjectsHook')}",
        "[maintenance]",
        "\tauto = true",
        "[protocol]",
        "\tallow = always",
        '[protocol "ext"]',
        "\tallow = always",
        "[submodule]",
        "\trecurse = true",
        "[help]",
        "\tautoCorrect = 1",
        "[alias]",
        f'\tst = "!{_program(markers, "alias.st")}"',
    ]
    if hooks_path is not None:
        lines += ["[core]", f"\thooksPath = {hooks_path}"]
    return "\n".join(lines) + "\n"


def _write_hooks(folder: Path, markers: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for event in HOOK_EVENTS:
        hook = folder / event
        hook.write_text(f"#!/bin/sh\n{_touch(markers, 'hook.' + event)}\nexit 0\n")
        hook.chmod(0o755)


def plant(repo: Path, markers: Path, *, hooks_in_tree: bool = False) -> None:
    """Make ``repo`` (already committed) run a marker command wherever git could; with
    ``hooks_in_tree``, its config points ``core.hooksPath`` at ``tools/hooks`` in it."""
    markers.mkdir(exist_ok=True)
    hooks_path = repo / "tools" / "hooks" if hooks_in_tree else None
    _write_hooks(hooks_path or repo / ".git" / "hooks", markers)
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(_planted_config(markers, hooks_path))
    # Every tracked file stat-dirty: git must read (and filter) each to know it unchanged.
    later = time.time() + 5
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(repo).parts:
            os.utime(path, (later, later))


def ran(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir()) if markers.exists() else []


# Every file goes through the planted drivers; committed before the drivers exist.
# (The long-running filter fails its handshake, which ends git: it gets the last file.)
ATTRIBUTES = "* filter=evil diff=evil merge=evil\n*.env filter=Odd.Name\nzz.txt filter=proc\n"


def planted_repository(
    path: Path, markers: Path, *, hooks_in_tree: bool = False, failing_filter: bool = True
) -> Path:
    """A repository with a finding and the plant. ``failing_filter``: a file goes through
    a long-running filter whose handshake fails, which ends the git command (so that a
    campaign gets as far as its commit under plain git, its tests go without)."""
    repo = init_repo(path)
    write(repo / "send.py", PORT_465)
    write(repo / ".gitattributes", ATTRIBUTES)
    write(repo / "config" / ".env", "EMAIL_PORT=587\n")
    if failing_filter:
        write(repo / "zz.txt", "last\n")
    if hooks_in_tree:  # committed: the tree's own hooks folder, as a project ships one
        _write_hooks(repo / "tools" / "hooks", markers)
    commit_all(repo, "initial")
    plant(repo, markers, hooks_in_tree=hooks_in_tree)
    return repo


@pytest.fixture(autouse=True)
def _hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def test_the_planted_settings_do_run_under_plain_git(tmp_path: Path) -> None:
    """The plant is live: git run plainly (as authsweep ran it) fires its commands."""
    markers = tmp_path / "markers"
    repo = planted_repository(tmp_path / "repo", markers)
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    expected = {"core.fsmonitor", "filter.evil.clean", "filter.Odd.Name.clean"}
    assert expected | {"filter.proc.process"} <= set(ran(markers))


@pytest.mark.slow
def test_check_on_a_folder_with_a_planted_repository_runs_nothing(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    plain = tmp_path / "unpacked"
    planted_repository(plain / "vendor" / "lib", markers)
    result = run_cli("check", ".", "--no-cache", "--format", "json", cwd=plain, env=GIT_ENV)
    assert result.returncode == 1, result.stderr
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["vendor/lib/send.py"]
    assert ran(markers) == []


@pytest.mark.slow
@pytest.mark.parametrize("hooks_in_tree", [False, True], ids=["git-dir-hooks", "hooks-path"])
def test_sweep_and_fix_campaign_run_nothing_of_the_repository(
    tmp_path: Path, hooks_in_tree: bool
) -> None:
    markers = tmp_path / "markers"
    planted_repository(
        tmp_path / "org" / "ports", markers, hooks_in_tree=hooks_in_tree, failing_filter=False
    )
    swept = run_cli("sweep", "org", "--no-cache", "--format", "json", cwd=tmp_path, env=GIT_ENV)
    assert swept.returncode == 1, swept.stderr
    assert ran(markers) == []
    campaign = run_cli(
        "sweep", "org", "--fix", "--branch", "authsweep/tls", "--no-cache",
        "--format", "json", "-o", "campaign.json", cwd=tmp_path, env=GIT_ENV,
    )  # fmt: skip
    assert campaign.returncode in (0, 1), campaign.stderr
    fix = json.loads((tmp_path / "campaign.json").read_text())["sweep"]["repositories"][0]["fix"]
    assert fix["result"] == "committed", fix
    assert ran(markers) == []


@pytest.mark.slow
def test_a_campaign_that_is_undone_runs_nothing(tmp_path: Path) -> None:
    """The commit fails (no identity, and the repository wants one configured): the
    fixes are undone with a forced checkout, which would smudge and fire post-checkout."""
    markers = tmp_path / "markers"
    repo = planted_repository(tmp_path / "org" / "ports", markers, failing_filter=False)
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write("[user]\n\tuseConfigOnly = true\n")
    anonymous = {k: v for k, v in GIT_ENV.items() if not k.startswith(("GIT_AUTHOR", "GIT_COMMIT"))}
    env = {**anonymous, "GIT_AUTHOR_NAME": "", "GIT_COMMITTER_NAME": "", "EMAIL": ""}
    campaign = run_cli(
        "sweep", "org", "--fix", "--branch", "authsweep/tls", "--no-cache",
        "--format", "json", "-o", "campaign.json", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert campaign.returncode in (0, 1), campaign.stderr
    fix = json.loads((tmp_path / "campaign.json").read_text())["sweep"]["repositories"][0]["fix"]
    assert fix["result"] == "failed" and "undone" in fix["message"], fix
    assert (repo / "send.py").read_text() == PORT_465
    assert ran(markers) == []


@pytest.mark.slow
def test_sweep_of_remotes_clone_and_update_run_nothing(tmp_path: Path) -> None:
    """A listed remote, then its managed clone tampered with before the next sweep."""
    markers = tmp_path / "markers"
    source = planted_repository(tmp_path / "remotes" / "ports", markers)
    write(tmp_path / "repos.txt", f"{source.as_uri()}\n")
    first = run_cli("sweep", "repos.txt", "--no-cache", cwd=tmp_path, env=GIT_ENV)
    assert first.returncode == 1, first.stderr
    assert ran(markers) == []
    clone = next(p.parent for p in (tmp_path / ".authsweep_repos").rglob(".git"))
    plant(clone, markers)
    with open(clone / ".git" / "config", "a", encoding="utf-8") as config:
        upload = _touch(markers, "remote.origin.uploadpack", "git-upload-pack")
        config.write(f'[remote "origin"]\n\tuploadpack = "{upload}"\n')
    again = run_cli(
        "sweep", "repos.txt", "--no-cache", "--format", "json", "-o", "two.json",
        cwd=tmp_path, env=GIT_ENV,
    )  # fmt: skip
    assert again.returncode == 1, again.stderr
    repositories = json.loads((tmp_path / "two.json").read_text())["sweep"]["repositories"]
    assert repositories[0]["failure"] is None, repositories[0]
    assert ran(markers) == []


@pytest.mark.slow
def test_changed_since_runs_nothing_of_the_repository(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    repo = planted_repository(tmp_path / "repo", markers)
    write(repo / "new.py", PORT_465)
    result = run_cli("check", ".", "--changed-since", "HEAD", "--no-cache", cwd=repo, env=GIT_ENV)
    assert result.returncode == 1, result.stderr
    assert "new.py" in result.stdout and "send.py" not in result.stdout
    assert ran(markers) == []


@pytest.mark.slow
def test_a_partial_clone_cannot_fetch_through_a_planted_transport(tmp_path: Path) -> None:
    """The tree of the commit --changed-since names is missing from a "partial clone"
    whose promisor remote is an ext:: command: git would fetch it lazily."""
    markers = tmp_path / "markers"
    repo = init_repo(tmp_path / "repo")
    write(repo / "old.py", "x = 1\n")
    commit_all(repo, "first")
    first_tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo / "old.py", "x = 2\n")
    write(repo / "send.py", PORT_465)
    commit_all(repo, "second")
    (repo / ".git" / "objects" / first_tree[:2] / first_tree[2:]).unlink()
    markers.mkdir()
    fetch = _touch(markers, "lazy-fetch", "false")
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(
            "[core]\n\trepositoryformatversion = 1\n"
            "[extensions]\n\tpartialClone = origin\n"
            f'[remote "origin"]\n\turl = "ext::sh -c {fetch.replace(" ", "% ")}"\n'
            "\tpromisor = true\n"
            '[protocol "ext"]\n\tallow = always\n'
        )
    result = run_cli("check", ".", "--changed-since", first, "--no-cache", cwd=repo, env=GIT_ENV)
    assert result.returncode == 2 and "--changed-since" in result.stderr, result.stderr
    assert ran(markers) == []


@pytest.mark.slow
@pytest.mark.parametrize("value", ["--output=made-by-git", "--output", "-h", "--no-index"])
def test_changed_since_is_a_revision_never_an_option(tmp_path: Path, value: str) -> None:
    repo = repository(tmp_path / "repo", {"send.py": PORT_465})
    before = sorted(repo.iterdir())
    result = run_cli("check", ".", f"--changed-since={value}", "--no-cache", cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"--changed-since: {value!r} is not a commit in {repo}" in result.stderr
    assert sorted(repo.iterdir()) == before  # git wrote no file
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_work_tree_configured_elsewhere_is_not_the_one_used(tmp_path: Path) -> None:
    """``core.worktree`` in a swept repository points at a folder outside it: git would
    read (and a campaign check out into) that folder instead of the repository's own."""
    repo = repository(tmp_path / "org" / "ports", {"send.py": PORT_465})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[core]\n\tworktree = {elsewhere}\n")
    campaign = run_cli(
        "sweep", "org", "--fix", "--branch", "authsweep/tls", "--no-cache",
        "--format", "json", "-o", "campaign.json", cwd=tmp_path, env=GIT_ENV,
    )  # fmt: skip
    assert campaign.returncode in (0, 1), campaign.stderr
    entry = json.loads((tmp_path / "campaign.json").read_text())["sweep"]["repositories"][0]
    assert entry["dirty"] is False and entry["fix"]["result"] == "committed", entry
    assert list(elsewhere.iterdir()) == []
