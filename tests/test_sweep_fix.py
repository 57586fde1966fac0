"""Fix campaigns: ``authsweep sweep --fix --branch NAME`` makes one commit on a new local
branch per repository, says what changed and what the deployment needs, skips
repositories with local changes or the branch already, and pushes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import GIT_ENV, git, run_cli, write
from sweep_support import LOGIN, PORT_465, PORT_465_ENV, head, repository

pytestmark = pytest.mark.slow

BRANCH = "authsweep/mail-oauth2"


@pytest.fixture(autouse=True)
def _hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def _campaign(cwd: Path, source: str, *extra: str) -> dict:
    result = run_cli(
        "sweep", source, "--fix", "--branch", BRANCH, *extra, "--no-cache",
        "--format", "json", "-o", "campaign.json", cwd=cwd, env=GIT_ENV,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    document = json.loads((cwd / "campaign.json").read_text())
    return {r["name"]: r for r in document["sweep"]["repositories"]}


def _message(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%B")


def test_safe_fixes_one_commit_on_a_new_branch(tmp_path: Path) -> None:
    org = tmp_path / "org"
    ports = repository(org / "ports", {"send.py": PORT_465, "config/.env": PORT_465_ENV})
    clean = repository(org / "clean", {"x.py": "x = 1\n"})
    start = head(ports)
    repos = _campaign(tmp_path, "org")

    fix = repos["ports"]["fix"]
    assert fix["result"] == "committed" and fix["branch"] == BRANCH
    assert sorted(fix["files"]) == ["config/.env", "send.py"]
    assert fix["applied"] == {"AS202": 2}
    assert git(ports, "branch", "--show-current").strip() == BRANCH
    assert git(ports, "rev-parse", "HEAD").strip() == fix["commit"]
    assert git(ports, "rev-list", "--count", f"main..{BRANCH}").strip() == "1"
    assert head(ports) != start and git(ports, "rev-parse", "main").strip() == start
    assert git(ports, "status", "--porcelain") == ""  # everything is in the commit
    assert "587" in (ports / "send.py").read_text()
    message = _message(ports)
    assert message.startswith("authsweep: fix Microsoft 365 mail TLS and port settings\n\n")
    assert "- config/.env: AS202 x1\n- send.py: AS202 x1\n" in message
    assert "Fixed 2 problems (AS202: 2) in 2 files." in message
    assert str(tmp_path) not in message  # paths are the repository's, not this machine's
    # A repository with nothing to fix gets no branch.
    assert repos["clean"]["fix"] is None
    assert git(clean, "branch", "--list", BRANCH) == ""
    # Again: the branch exists, so the repository is skipped and the branch not moved.
    git(ports, "checkout", "-q", "main")
    again = _campaign(tmp_path, "org")["ports"]["fix"]
    assert again["result"] == "skipped" and f"branch {BRANCH} already exists" in again["message"]
    assert git(ports, "rev-parse", BRANCH).strip() == fix["commit"]


def test_unsafe_fixes_say_what_the_deployment_needs(tmp_path: Path) -> None:
    billing = repository(tmp_path / "org" / "billing", {"app/mail.py": LOGIN})
    without = _campaign(tmp_path, "org")["billing"]["fix"]
    assert without["result"] == "nothing to fix" and without["remaining"] == 2
    assert git(billing, "branch", "--list", BRANCH) == ""
    fix = _campaign(tmp_path, "org", "--unsafe-fixes")["billing"]["fix"]
    assert fix["result"] == "committed" and fix["applied"] == {"AS101": 1}
    message = _message(billing)
    assert message.startswith("authsweep: authenticate Microsoft 365 mail with OAuth2 (XOAUTH2)")
    assert "`authsweep sweep --fix --unsafe-fixes`" in message
    for need in ("pip install msal", "SMTP.SendAsApp", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET"):
        assert need in message.replace("\n", " ")
    assert "oauth2_access_token" in (billing / "app" / "mail.py").read_text()


def test_local_changes_are_skipped_and_left_alone(tmp_path: Path) -> None:
    org = tmp_path / "org"
    edited = repository(org / "edited", {"send.py": PORT_465, "notes.txt": "a\n"})
    untracked = repository(org / "untracked", {"send.py": PORT_465})
    write(edited / "notes.txt", "work in progress\n")
    write(untracked / "scratch.py", "print('mine')\n")
    result = run_cli(
        "sweep", "org", "--fix", "--branch", BRANCH, "--no-cache", cwd=tmp_path, env=GIT_ENV
    )
    assert "fix: skipped: local changes (notes.txt); commit or stash them first" in result.stdout
    assert "fix: skipped: local changes (scratch.py)" in result.stdout
    for repo in (edited, untracked):
        assert git(repo, "branch", "--list", BRANCH) == ""
        assert "465" in (repo / "send.py").read_text()  # not fixed
    assert (edited / "notes.txt").read_text() == "work in progress\n"


def test_clones_get_the_branch_and_the_remote_gets_nothing(tmp_path: Path) -> None:
    work = repository(tmp_path / "ports-work", {"send.py": PORT_465})
    remote = tmp_path / "ports.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(remote))
    refs_before = git(remote, "show-ref")
    write(tmp_path / "repos.txt", "ports.git\n")
    fix = _campaign(tmp_path, "repos.txt")["ports"]["fix"]
    assert fix["result"] == "committed"
    clone = tmp_path / ".authsweep_repos" / "ports"
    assert git(clone, "rev-parse", BRANCH).strip() == fix["commit"]
    assert git(remote, "show-ref") == refs_before  # nothing pushed


def test_fix_options_go_together(tmp_path: Path) -> None:
    repository(tmp_path / "org" / "a", {"x.py": "x = 1\n"})
    for args, message in (
        (["--fix"], "--fix and --branch NAME go together"),
        (["--branch", "x"], "--fix and --branch NAME go together"),
        (["--unsafe-fixes"], "--unsafe-fixes works with --fix --branch NAME"),
        (["--fix", "--branch", "bad..name"], "'bad..name' is not a valid git branch name"),
    ):
        result = run_cli("sweep", "org", *args, cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
